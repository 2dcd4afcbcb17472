package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrEmpty reports training input that holds no usable sentence.
var ErrEmpty = errors.New("corpus holds no sentences")

// Stdin is the path that names standard input.
const Stdin = "-"

// Progress describes how far reading has got. Total is -1 when unknown
// (standard input).
type Progress struct {
	Done, Total int64
	Sentences   int
}

// ReadOptions tunes Read. The zero value reads silently.
type ReadOptions struct {
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Skipped is told about each file that was passed over, and why.
	Skipped func(path, reason string)
	// Progress, if set, is called every megabyte or so and once at the end.
	Progress func(Progress)
	// Compact returns the sentences as Text.Lines rather than
	// Text.Sentences (see Text).
	Compact bool
}

// maxFile is the largest single input file read (guards memory).
const maxFile = 1 << 30

// Read parses training input from paths: files, directories (their .txt and
// .md files, recursively, in lexical order) and "-" for standard input.
// Inputs are streamed (standard input may be endless) and decoded with
// DecodeText: UTF-8 as it is, Windows-1252 (Latin-1) decoded. Files that
// are not text (NUL bytes) are skipped with a note; exact duplicate
// paragraphs across all inputs are dropped. It fails on an unreadable path,
// on an input that is neither UTF-8 nor Windows-1252 (an *EncodingError,
// matching ErrEncoding, naming the file and the byte offset), and with
// ErrEmpty when no sentence is found.
func Read(paths []string, opts ReadOptions) (*Text, error) {
	if len(paths) == 0 {
		return nil, errors.New("read corpus: no input paths")
	}
	type input struct {
		path string
		size int64
	}
	var inputs []input
	var total int64
	for _, p := range paths {
		if p == Stdin {
			inputs = append(inputs, input{path: Stdin, size: -1})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read corpus: %w", err)
		}
		if !info.IsDir() {
			inputs = append(inputs, input{path: p, size: info.Size()})
			total += info.Size()
			continue
		}
		var found []input
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !IsTextName(path) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if !fi.Mode().IsRegular() {
				return nil
			}
			found = append(found, input{path: path, size: fi.Size()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read corpus %s: %w", p, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		for _, f := range found {
			total += f.size
		}
		inputs = append(inputs, found...)
	}
	for _, in := range inputs {
		if in.size < 0 {
			total = -1
		}
	}

	var t Text
	p := newParser(&t)
	var done int64
	report := func(extra int64) {
		if opts.Progress != nil {
			opts.Progress(Progress{Done: done + extra, Total: total, Sentences: t.Len()})
		}
	}
	p.progress = report
	p.compact = opts.Compact
	for _, in := range inputs {
		p.begin()
		why, err := readInput(p, in.path, opts.Stdin, func(n int64) { done += n })
		if err != nil {
			return nil, err
		}
		if why != "" && opts.Skipped != nil {
			opts.Skipped(in.path, why)
		}
		report(0)
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("read corpus: %w (read %d bytes from %s)", ErrEmpty, t.Bytes, strings.Join(paths, ", "))
	}
	return &t, nil
}

// chunkSize is how much of an input is parsed at a time: inputs are
// streamed, cut at paragraph boundaries, so that memory follows what is
// kept (the sentences), not the size of the input (standard input may be
// endless).
const chunkSize = 4 << 20

// maxChunk bounds a chunk grown to hold a long paragraph.
const maxChunk = 4 * chunkSize

// readInput streams one input into p, chunk by chunk (see cut), decoding
// each with DecodeText, and calls done with the raw bytes of each chunk
// parsed. For an input that is not text (NUL bytes) it returns why it was
// skipped. An input that is neither UTF-8 nor
// Windows-1252 is an error naming it and the offset of the first bad byte.
func readInput(p *parser, path string, stdin io.Reader, done func(int64)) (string, error) {
	var r io.Reader
	if path == Stdin {
		if stdin == nil {
			return "", errors.New("read corpus: no standard input")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("read corpus: %w", err)
		}
		defer f.Close()
		r = f
	}
	var (
		buf   = make([]byte, 0, chunkSize)
		read  int64 // bytes read from r
		start int64 // offset of buf[0] in the input
		enc   encodingState
	)
	for eof := false; !eof; {
		// Fill buf up to chunkSize (or more, when a paragraph runs on).
		for len(buf) < cap(buf) && !eof {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf, read = buf[:len(buf)+n], read+int64(n)
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return "", fmt.Errorf("read corpus %s: %w", path, err)
			}
		}
		if read > maxFile {
			return "", fmt.Errorf("read corpus %s: larger than %d bytes", path, maxFile)
		}
		if start == 0 {
			if why := notText(buf); why != "" {
				// Count the rest as done without parsing it.
				n, err := io.Copy(io.Discard, io.LimitReader(r, maxFile))
				done(int64(len(buf)) + n)
				if err != nil {
					return "", fmt.Errorf("read corpus %s: %w", path, err)
				}
				return why, nil
			}
		}
		n := len(buf)
		if !eof {
			n = cut(buf)
		}
		text, err := enc.decode(buf[:n], start)
		if err != nil {
			return "", fmt.Errorf("read corpus %s: %w", path, err)
		}
		p.add(text, int64(n))
		done(int64(n))
		start += int64(n)
		rest := copy(buf, buf[n:])
		buf = buf[:rest]
		if rest > cap(buf)/2 && cap(buf) < maxChunk {
			// A long paragraph: give it room (past maxChunk, cut splits
			// it at a line).
			buf = slices.Grow(buf, cap(buf))
		}
	}
	return "", nil
}

// cut returns where to end a chunk of a longer input: after its last blank
// line (a paragraph boundary), else after its last line, else after its last
// space — so no sentence is split unless a line is longer than the chunk —
// and never inside a UTF-8 sequence.
func cut(buf []byte) int {
	if i := bytes.LastIndex(buf, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	if i := bytes.LastIndex(buf, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	// No paragraph boundary: fall back to a line, then a
	// space, then a rune boundary.
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		return i + 1
	}
	if i := bytes.LastIndexByte(buf, ' '); i >= 0 {
		return i + 1
	}
	n := len(buf)
	for k := 0; k < utf8.UTFMax && n > 0 && !utf8.RuneStart(buf[n-1]); k++ {
		n--
	}
	if n > 0 && !utf8.FullRune(buf[n-1:]) {
		n--
	}
	if n == 0 {
		return len(buf)
	}
	return n
}

// encodingState decodes an input chunk by chunk with DecodeText, and
// refuses an input whose chunks disagree (one UTF-8, another Windows-1252),
// as DecodeText refuses such a mix within one string.
type encodingState struct {
	utf8, cp1252 bool
	firstBad     int64 // offset of the first byte that is not UTF-8
}

func (e *encodingState) decode(chunk []byte, offset int64) (string, error) {
	text, err := DecodeText(string(chunk))
	var ee *EncodingError
	if errors.As(err, &ee) {
		ee.Offset += offset
		return "", err
	}
	if err != nil {
		return "", err
	}
	switch {
	case utf8.Valid(chunk):
		if !isASCII(chunk) {
			e.utf8 = true
		}
	case !e.cp1252:
		e.cp1252, e.firstBad = true, offset+int64(firstInvalid(chunk))
	}
	if e.utf8 && e.cp1252 {
		return "", &EncodingError{Offset: e.firstBad, Why: "UTF-8 mixed with bytes of another encoding"}
	}
	return text, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// firstInvalid returns the offset of b's first byte that is not UTF-8.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// notText says why an input that starts with head is not text, or "" when
// it may be: NUL bytes mark a binary file. (Other bytes are for DecodeText
// to decode, or to refuse with their offset.)
func notText(head []byte) string {
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary file (NUL bytes)"
	}
	return ""
}
