package corpus

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
		offset         int64 // -1: no error
	}{
		{"ascii", "plain words", "plain words", -1},
		{"utf-8", "révolution", "révolution", -1},
		{"byte order mark", "\uFEFFhail", "hail", -1},
		{"latin-1", "r\xe9volution, na\xefve", "révolution, naïve", -1},
		{"windows-1252 quotes", "\x93Democracy\x94 \x96 said", "“Democracy” – said", -1},
		{"undefined windows-1252 byte", "ok\x81", "", 2},
		{"mixed encodings", "révolution r\xe9volution", "", 13},
		{"byte order mark, then latin-1", "\uFEFFr\xe9v", "", 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeText(tt.in)
			if tt.offset < 0 {
				if err != nil || got != tt.want {
					t.Fatalf("DecodeText(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var ee *EncodingError
			if !errors.As(err, &ee) || !errors.Is(err, ErrEncoding) || ee.Offset != tt.offset {
				t.Fatalf("DecodeText(%q) = %q, %v; want an EncodingError at %d", tt.in, got, err, tt.offset)
			}
			if !strings.Contains(err.Error(), "byte") {
				t.Errorf("error %q does not say where", err)
			}
		})
	}
}

func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"a", "r\xe9v", "\x93q\x94", "é\xe9", "\x81", "\uFEFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := DecodeText(in)
		if err != nil {
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("DecodeText(%q): %v is not ErrEncoding", in, err)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("DecodeText(%q) = %q, not UTF-8", in, got)
		}
		if utf8.ValidString(in) && got != strings.TrimPrefix(in, "\uFEFF") {
			t.Fatalf("DecodeText changed UTF-8 %q into %q", in, got)
		}
		if !utf8.ValidString(in) && utf8.RuneCountInString(got) != len(in) {
			t.Fatalf("DecodeText(%q) = %q: Windows-1252 is one character a byte", in, got)
		}
	})
}
