package corpus_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
)

func TestIsTextName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"a.txt": true, "b.MD": true, "dir/c.markdown": true, "D.Txt": true,
		"a.txt.exe": false, "README": false, "notes.tx": false, ".txt.png": false, "": false,
	} {
		if got := corpus.IsTextName(name); got != want {
			t.Errorf("IsTextName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCheckUpload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"a.txt", []byte("Plain scripture, ünïcode and 🔁."), true},
		{"empty.md", nil, true},
		{"max.txt", []byte(strings.Repeat("a", corpus.MaxUpload)), true},
		{"big.txt", []byte(strings.Repeat("a", corpus.MaxUpload+1)), false},
		{"nul.txt", []byte("text\x00more"), false},
		{"latin1.txt", []byte("Vive la r\xe9volution."), true},
		{"cp1252.md", []byte("\x93Quoted\x94 \x96 dashed."), true},
		{"mixed.txt", []byte("caf\u00e9 and r\xe9volution"), false},
		{"undefined.txt", []byte("byte \x81 is nothing"), false},
		{"sigil.png", []byte("text"), false},
	} {
		err := corpus.CheckUpload(tt.name, tt.data)
		if (err == nil) != tt.ok {
			t.Errorf("CheckUpload(%s) = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && (!errors.Is(err, corpus.ErrNotText) || !strings.Contains(err.Error(), tt.name)) {
			t.Errorf("CheckUpload(%s) = %v, want ErrNotText naming the file", tt.name, err)
		}
		if strings.HasPrefix(tt.name, "mixed") && !strings.Contains(fmt.Sprint(err), "at byte 11") {
			t.Errorf("CheckUpload(%s) = %v, want the offset of the bad byte", tt.name, err)
		}
	}
}

// FuzzCheckUpload: whatever arrives, CheckUpload accepts exactly the text
// DecodeText takes (UTF-8 or Windows-1252) without NUL bytes under a text
// name, and never panics.
func FuzzCheckUpload(f *testing.F) {
	f.Add("a.txt", []byte("scripture"))
	f.Add("a.md", []byte("caf\xe9\x00"))
	f.Add("a.png", []byte{})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		err := corpus.CheckUpload(name, data)
		_, decodeErr := corpus.DecodeText(string(data))
		want := corpus.IsTextName(name) && len(data) <= corpus.MaxUpload && !strings.ContainsRune(string(data), 0) && decodeErr == nil
		if (err == nil) != want {
			t.Errorf("CheckUpload(%q, %q) = %v, want ok %v", name, data, err, want)
		}
	})
}
