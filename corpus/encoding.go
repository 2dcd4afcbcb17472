package corpus

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrEncoding reports training input that is neither UTF-8 nor
// Windows-1252 (Latin-1) text; its message gives the byte offset.
var ErrEncoding = errors.New("not UTF-8 or Windows-1252 text")

// EncodingError is ErrEncoding at a byte offset of the input.
type EncodingError struct {
	Offset int64 // of the first byte that is not UTF-8
	Why    string
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", ErrEncoding, e.Offset, e.Why)
}

// Is makes errors.Is(err, ErrEncoding) true.
func (e *EncodingError) Is(target error) bool { return target == ErrEncoding }

// cp1252 maps Windows-1252's bytes 0x80..0x9F to runes; 0 marks the five
// bytes it leaves undefined. 0xA0..0xFF are Latin-1, the same code points.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// DecodeText returns data as UTF-8 text. UTF-8 (with or without a byte
// order mark) is returned as it is; text with no valid multi-byte UTF-8
// sequence at all but bytes of 0x80 and above is decoded as Windows-1252, a
// superset of Latin-1 ("r\xe9volution" becomes "révolution" rather than
// losing its "é"). Anything else — a mix of UTF-8 and other bytes, or bytes
// Windows-1252 leaves undefined — is an *EncodingError naming the offset of
// the first bad byte: never silently stripped.
func DecodeText(data string) (string, error) {
	if utf8.ValidString(data) {
		return strings.TrimPrefix(data, "\uFEFF"), nil
	}
	first := int64(-1)
	multi := false // a byte order mark says UTF-8 too
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRuneInString(data[i:])
		if r == utf8.RuneError && n == 1 {
			if first < 0 {
				first = int64(i)
			}
		} else if n > 1 {
			multi = true
		}
		i += n
	}
	if multi {
		return "", &EncodingError{Offset: first, Why: "UTF-8 mixed with bytes of another encoding"}
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			r := cp1252[c-0x80]
			if r == 0 {
				return "", &EncodingError{Offset: int64(i), Why: fmt.Sprintf("byte 0x%02X is not Windows-1252 text", c)}
			}
			b.WriteRune(r)
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String(), nil
}
