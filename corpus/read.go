package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
// Files that are not text (NUL bytes or mostly invalid UTF-8) are skipped
// with a note; exact duplicate paragraphs across all inputs are dropped. It
// fails on an unreadable path, and with ErrEmpty when no sentence is found.
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
		data, err := readInput(in.path, in.size, opts.Stdin)
		if err != nil {
			return nil, err
		}
		if why := notText(data); why != "" {
			if opts.Skipped != nil {
				opts.Skipped(in.path, why)
			}
			done += int64(len(data))
			report(0)
			continue
		}
		p.add(data)
		done += int64(len(data))
		report(0)
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("read corpus: %w (read %d bytes from %s)", ErrEmpty, t.Bytes, strings.Join(paths, ", "))
	}
	return &t, nil
}

// readInput reads a whole input into a string: a strings.Builder hands its
// buffer over without the copy a []byte-to-string conversion makes, which
// matters for inputs of tens of megabytes.
func readInput(path string, size int64, stdin io.Reader) (string, error) {
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
	var b strings.Builder
	if size > 0 && size <= maxFile {
		b.Grow(int(size) + 1) // +1: room to see EOF without growing
	}
	if _, err := io.Copy(&b, io.LimitReader(r, maxFile+1)); err != nil {
		return "", fmt.Errorf("read corpus %s: %w", path, err)
	}
	if b.Len() > maxFile {
		return "", fmt.Errorf("read corpus %s: larger than %d bytes", path, maxFile)
	}
	return b.String(), nil
}

// notText says why data is not text, or "" when it is.
func notText(data string) string {
	head := data
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if strings.IndexByte(head, 0) >= 0 {
		return "binary file (NUL bytes)"
	}
	bad, n := 0, len(head)
	for len(head) > 0 {
		r, size := utf8.DecodeRuneInString(head)
		if r == utf8.RuneError && size == 1 && len(head) >= utf8.UTFMax {
			bad++
		}
		head = head[size:]
	}
	if bad > 16 && bad*100 > n {
		return "not UTF-8 text"
	}
	return ""
}
