// Package golden checks a file the code makes and the repository keeps (a
// golden output, an embedded model) against what the code makes now.
package golden

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"
)

// shown is the largest file whose text a failure prints in full.
const shown = 4 << 10

// Check fails t unless the file at path holds got, byte for byte. With
// update it first writes got there (the test's -update flag). remedy is
// the command that writes the file again, which a failure names.
func Check(t testing.TB, path string, got []byte, update bool, remedy string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run %s to write it)", err, remedy)
	}
	if bytes.Equal(got, want) {
		return
	}
	if len(got) <= shown && len(want) <= shown && utf8.Valid(got) && utf8.Valid(want) {
		t.Fatalf("%s is not what the code gives now (run %s if the change is intended); now:\n%s\n%s holds:\n%s", path, remedy, got, path, want)
	}
	t.Fatalf("%s is not what the code gives now: %d bytes, the file %d (run %s if the change is intended)", path, len(got), len(want), remedy)
}
