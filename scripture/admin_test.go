package scripture

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFileNames: an exported text's file stays inside the directory
// whatever the database holds, and no two texts share a file even on a
// case-insensitive file system.
func TestFileNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		names []string
		want  []string
	}{
		{"clean names", []string{"minutes", "the lore", "Ärger-1"}, []string{"minutes.txt", "the lore.txt", "Ärger-1.txt"}},
		{"alike but for case", []string{"lore", "Lore", "LORE"}, []string{"lore.txt", "Lore-2.txt", "LORE-3.txt"}},
		{"a suffix taken already", []string{"a", "a-2", "A"}, []string{"a.txt", "a-2.txt", "A-3.txt"}},
		{"not clean (a database edited by hand)", []string{"../../etc/passwd", "", ".", "a/b", "x\x00y", "\u202egnp.exe"},
			[]string{"text-1.txt", "text-2.txt", "text-3.txt", "text-4.txt", "text-5.txt", "text-6.txt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			texts := make([]Text, len(tc.names))
			for i, n := range tc.names {
				texts[i].Name = n
			}
			got := FileNames(texts)
			if !slices.Equal(got, tc.want) {
				t.Errorf("FileNames(%q) = %q, want %q", tc.names, got, tc.want)
			}
			for _, f := range got {
				if !filepath.IsLocal(f) || filepath.Base(f) != f {
					t.Errorf("%q leaves the directory", f)
				}
			}
		})
	}
}

// TestPrintable: what List prints from the database cannot move a
// terminal's cursor or reorder its text.
func TestPrintable(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain words":           "plain words",
		"esc\x1b[2Jhere":        "esc\uFFFD[2Jhere",
		"bidi \u202eevil":       "bidi \uFFFDevil",
		"new\nline\ttab\rcr":    "new\uFFFDline\uFFFDtab\uFFFDcr",
		"ünïcödé letters ☁":     "ünïcödé letters ☁",
		"zero\u200bwidth\u2066": "zero\uFFFDwidth\uFFFD",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzFileNames: whatever names a database holds, every file an export
// writes stays in its directory, ends in .txt, and no two are one file on
// a case-insensitive file system.
func FuzzFileNames(f *testing.F) {
	f.Add("minutes", "Minutes", "../x")
	f.Add("a-2", "a", "A")
	f.Add("", ".", "\x00")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		names := FileNames([]Text{{Name: a}, {Name: b}, {Name: c}, {Name: a}})
		seen := map[string]bool{}
		for _, n := range names {
			if !filepath.IsLocal(n) || filepath.Base(n) != n || filepath.Ext(n) != ".txt" || n == ".txt" {
				t.Errorf("FileNames gave %q", n)
			}
			low := strings.ToLower(n)
			if seen[low] {
				t.Errorf("FileNames(%q, %q, %q, %q) = %q: %q twice", a, b, c, a, names, n)
			}
			seen[low] = true
		}
	})
}
