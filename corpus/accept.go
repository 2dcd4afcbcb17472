package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Which files the corpus takes: this file is the one place that says so.
// Read walks directories for IsTextName files and skips the ones that are
// not text (a lenient look, for corpora gathered by hand); an upload
// (/retrain) must pass CheckUpload, which is strict. Both take UTF-8 and
// Windows-1252 (Latin-1) text (DecodeText) and refuse any other bytes with
// their offset.

// ErrNotText reports a file that is not text the corpus can take.
var ErrNotText = errors.New("not a text file")

// MaxUpload is the largest file CheckUpload accepts, in bytes (8 MiB).
const MaxUpload = 8 << 20

// IsTextName reports whether a file's name makes it training text: it ends
// in .txt, .md or .markdown, in any case.
func IsTextName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown":
		return true
	}
	return false
}

// CheckUpload says why data, a file named name, cannot be added to a corpus,
// or returns nil: it must have a text name (IsTextName), be at most
// MaxUpload bytes, hold no NUL bytes, and be UTF-8 or Windows-1252
// (Latin-1) text, as DecodeText decides — Read decodes such a file when it
// trains. Its errors match ErrNotText and name the file; one in neither
// encoding matches ErrEncoding too and gives the byte offset.
func CheckUpload(name string, data []byte) error {
	switch {
	case !IsTextName(name):
		return fmt.Errorf("%w: %s (only .txt and .md files)", ErrNotText, name)
	case len(data) > MaxUpload:
		return fmt.Errorf("%w: %s is larger than %d MiB", ErrNotText, name, MaxUpload>>20)
	case bytes.IndexByte(data, 0) >= 0:
		return fmt.Errorf("%w: %s is binary (NUL bytes)", ErrNotText, name)
	}
	if !utf8.Valid(data) {
		if _, err := DecodeText(string(data)); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrNotText, name, err)
		}
	}
	return nil
}
