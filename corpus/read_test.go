package corpus_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
)

// writeFiles writes files (relative path -> content) under dir, making
// directories as needed.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// firstWords returns the first word of each sentence: the tests below start
// every sentence with a word naming its file, to check the reading order.
func firstWords(text *corpus.Text) []string {
	var out []string
	for _, s := range text.Sentences {
		out = append(out, s[0])
	}
	return out
}

// skips records what Read passed over.
type skips struct {
	mu   sync.Mutex
	seen map[string]string
}

func (s *skips) record(path, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]string{}
	}
	s.seen[path] = why
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const content = "A Title Here\n\nAlpha sentence is here. Another one follows it.\r\n"
	writeFiles(t, dir, map[string]string{"essay.txt": content})
	text, err := corpus.Read([]string{filepath.Join(dir, "essay.txt")}, corpus.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := firstWords(text); !slices.Equal(got, []string{"Alpha", "Another"}) {
		t.Errorf("sentences start %q", got)
	}
	if !slices.Equal(text.Headings, []string{"A Title Here"}) {
		t.Errorf("headings %q", text.Headings)
	}
	if text.Bytes != int64(len(content)) {
		t.Errorf("Bytes = %d, want %d", text.Bytes, len(content))
	}
}

func TestReadDirectoryRecursiveLexicalTextOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.txt":           "Bravo sentence is here.",
		"a.md":            "# Heading A\n\nAlpha sentence is **here**.",
		"c/d.txt":         "Charlie sentence is here.",
		"c/e/f.MD":        "Echo sentence is here.",
		"c/notes.rtf":     "Rtf sentence is here.",
		"image.png":       "Png sentence is here.",
		"README":          "Readme sentence is here.",
		"z.markdown":      "Zulu sentence is here.",
		"c/e/skip.txt.gz": "Gzip sentence is here.",
	})
	text, err := corpus.Read([]string{dir}, corpus.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Alpha", "Bravo", "Charlie", "Echo", "Zulu"}
	if got := firstWords(text); !slices.Equal(got, want) {
		t.Errorf("sentences start %q, want %q (lexical order, .txt and .md only)", got, want)
	}
	if !slices.Equal(text.Headings, []string{"Heading A"}) {
		t.Errorf("headings %q", text.Headings)
	}
}

func TestReadPathsInGivenOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"z.txt":     "Zulu sentence is here.",
		"a/one.txt": "Alpha sentence is here.",
	})
	stdin := strings.NewReader("Stdin sentence is here.")
	text, err := corpus.Read([]string{filepath.Join(dir, "z.txt"), corpus.Stdin, filepath.Join(dir, "a")}, corpus.ReadOptions{Stdin: stdin})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := firstWords(text), []string{"Zulu", "Stdin", "Alpha"}; !slices.Equal(got, want) {
		t.Errorf("sentences start %q, want %q", got, want)
	}
}

func TestReadStdin(t *testing.T) {
	t.Parallel()
	text, err := corpus.Read([]string{"-"}, corpus.ReadOptions{Stdin: strings.NewReader("\ufeffStdin sentence is here.\r\nAnd another is here.\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	if got := firstWords(text); !slices.Equal(got, []string{"Stdin", "And"}) {
		t.Errorf("sentences start %q", got)
	}

	_, err = corpus.Read([]string{"-"}, corpus.ReadOptions{})
	if err == nil {
		t.Error("Read(-) with no Stdin: no error")
	}
}

// TestReadSkipsBinaryDecodesLatin1: a binary file is skipped with a note; a
// Latin-1 file and a stray Windows-1252 byte are decoded — they were once
// skipped, or silently stripped ("café" became "caf").
func TestReadSkipsBinaryDecodesLatin1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	latin1 := strings.Repeat("Caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la fran\xe7aise. ", 20)
	writeFiles(t, dir, map[string]string{
		"a.txt": "Alpha sentence is here.",
		"b.txt": "Binary sentence is here.\x00\x01\x02",
		"c.txt": latin1,
		"d.txt": "Delta sentence is here, caf\xe9 and all.",
	})
	var s skips
	text, err := corpus.Read([]string{dir}, corpus.ReadOptions{Skipped: s.record})
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "b.txt")
	if len(s.seen) != 1 || s.seen[b] == "" {
		t.Errorf("Skipped told about %q, want only %s with a reason", s.seen, b)
	}
	var got []string
	for _, s := range text.Sentences {
		got = append(got, strings.Join(s, " "))
	}
	if want := []string{"Alpha sentence is here.", "Café crème brûlée à la française.", "Delta sentence is here, café and all."}; !slices.Equal(slices.Compact(got), want) {
		t.Errorf("sentences %q, want %q", slices.Compact(got), want)
	}
}

// TestReadDecodesOrRefuses: non-UTF-8 input is decoded when it is
// Windows-1252 (Latin-1) — from a file, a directory or standard input — and
// otherwise refused with the file's name and the byte offset; never
// silently stripped ("révolution" once became "rvolution").
func TestReadDecodesOrRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	utf := strings.Repeat("The glow is bright — and warm. ", 160_000) + "\n\n" // 5 MiB: more than one chunk
	writeFiles(t, dir, map[string]string{
		"latin1.txt":     "Vive la r\xe9volution, camarades.",
		"sub/cp1252.txt": "The \x93cloud\x94 sees all \x96 and forgives.",
		"mixed.txt":      "Caf\u00e9 is UTF-8 but r\xe9volution is not.",
		"undefined.txt":  "Byte \x81 means nothing in Windows-1252.",
		"late.txt":       utf + "Then r\xe9volution, in Latin-1.",
	})
	for _, tt := range []struct {
		name  string
		paths []string
		stdin string
		want  string // a sentence read, or
		bad   string // the file named in the error
		at    int64  // and the offset
	}{
		{name: "latin1 file", paths: []string{"latin1.txt"}, want: "Vive la révolution, camarades."},
		{name: "cp1252 in a directory", paths: []string{"sub"}, want: `The "cloud" sees all — and forgives.`},
		{name: "latin1 stdin", paths: []string{"-"}, stdin: "Vive la r\xe9volution, camarades.", want: "Vive la révolution, camarades."},
		{name: "mixed", paths: []string{"mixed.txt"}, bad: "mixed.txt", at: 20},
		{name: "undefined byte", paths: []string{"undefined.txt"}, bad: "undefined.txt", at: 5},
		{name: "mixed stdin", paths: []string{"-"}, stdin: "Caf\u00e9 and r\xe9volution.", bad: "-", at: 11},
		{name: "latin1 after a chunk of UTF-8", paths: []string{"late.txt"}, bad: "late.txt", at: int64(len(utf)) + 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var paths []string
			for _, p := range tt.paths {
				if p != corpus.Stdin {
					p = filepath.Join(dir, p)
				}
				paths = append(paths, p)
			}
			text, err := corpus.Read(paths, corpus.ReadOptions{Stdin: strings.NewReader(tt.stdin)})
			if tt.bad != "" {
				if !errors.Is(err, corpus.ErrEncoding) || !strings.Contains(err.Error(), tt.bad) || !strings.Contains(err.Error(), fmt.Sprintf("at byte %d", tt.at)) {
					t.Fatalf("Read = %v, want ErrEncoding naming %s at byte %d", err, tt.bad, tt.at)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(text.Sentences[0], " "); got != tt.want {
				t.Errorf("sentence %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadStreamsStdin: standard input is parsed as it arrives, a chunk at
// a time, not read whole first (endless stdin once peaked at 4.6 GB): the
// reader refuses to go on past one and a half chunks unless sentences have
// been reported, and it holds a megabyte more. (It held 12 MiB and checked
// at 10: the same test of 4 MiB chunks, parsing twice the text, half a
// second more of CPU under -race.)
func TestReadStreamsStdin(t *testing.T) {
	t.Parallel()
	var sentences int
	para := "The cloud drifts over the quiet town tonight. It asks nothing of us.\n\n"
	check := corpus.ChunkSize * 3 / 2
	r := &watchedReader{para: para, limit: check + 1<<20, check: check, ok: func() bool { return sentences > 0 }}
	text, err := corpus.Read([]string{"-"}, corpus.ReadOptions{
		Stdin:    r,
		Compact:  true,
		Progress: func(p corpus.Progress) { sentences = p.Sentences },
	})
	if err != nil {
		t.Fatal(err)
	}
	if text.Len() != 2 || text.Dropped[corpus.DropDuplicate] == 0 {
		t.Errorf("%d sentences, %d duplicates: want 2 and many", text.Len(), text.Dropped[corpus.DropDuplicate])
	}
}

// watchedReader yields para over and over, limit bytes in all, at most
// 64 KiB a call; past check bytes it fails unless ok says the reader's
// input has been parsed already. (Without the cap, a reader that reads
// all first, as io.ReadAll does, asked for the last megabytes in one call
// and was never checked.)
type watchedReader struct {
	para     string
	n, limit int
	check    int
	ok       func() bool
	off      int
}

func (w *watchedReader) Read(p []byte) (int, error) {
	if w.n >= w.limit {
		return 0, io.EOF
	}
	if w.n >= w.check && !w.ok() {
		return 0, fmt.Errorf("%d bytes read and nothing parsed: the input is not streamed", w.n)
	}
	k := 0
	for k < min(len(p), 64<<10) && w.n < w.limit {
		c := copy(p[k:], w.para[w.off:])
		k, w.n, w.off = k+c, w.n+c, (w.off+c)%len(w.para)
	}
	return k, nil
}

func TestReadDropsDuplicateParagraphsAcrossFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shared := "Shared paragraph is here. It has two sentences."
	writeFiles(t, dir, map[string]string{
		"a.txt": shared + "\n\nAlpha paragraph is here.",
		"b.txt": "Bravo paragraph is here.\r\n\r\n" + shared + "\r\n",
		"c.md":  shared,
	})
	text, err := corpus.Read([]string{dir}, corpus.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Shared", "It", "Alpha", "Bravo"}
	if got := firstWords(text); !slices.Equal(got, want) {
		t.Errorf("sentences start %q, want %q", got, want)
	}
	if text.Dropped[corpus.DropDuplicate] != 2 || text.Paragraphs != 5 {
		t.Errorf("Duplicates, Paragraphs = %d, %d; want 2, 5", text.Dropped[corpus.DropDuplicate], text.Paragraphs)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"good.txt":      "A good sentence is here.",
		"empty.txt":     "",
		"headings.txt":  "Only A Heading\n\n2022 03 31\n\nfrom somebody",
		"binary.txt":    "\x00\x01\x02\x03",
		"emptydir/x.go": "package x // Not a text file at all.",
	})
	if err := os.Symlink(filepath.Join(dir, "nowhere.txt"), filepath.Join(dir, "dangling.txt")); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name  string
		paths []string
		empty bool // want ErrEmpty
	}{
		{"no paths", nil, false},
		{"missing file", []string{p("good.txt"), p("missing.txt")}, false},
		{"dangling symlink", []string{p("dangling.txt")}, false},
		{"path through a file", []string{p("good.txt/sub")}, false},
		{"empty file", []string{p("empty.txt")}, true},
		{"headings and fragments only", []string{p("headings.txt")}, true},
		{"binary only", []string{p("binary.txt")}, true},
		{"directory without text files", []string{p("emptydir")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text, err := corpus.Read(tc.paths, corpus.ReadOptions{})
			if err == nil {
				t.Fatalf("Read(%q) = %d sentences, want an error", tc.paths, len(text.Sentences))
			}
			if text != nil {
				t.Errorf("Read returned a Text with its error")
			}
			if got := errors.Is(err, corpus.ErrEmpty); got != tc.empty {
				t.Errorf("errors.Is(%v, ErrEmpty) = %v, want %v", err, got, tc.empty)
			}
			if !tc.empty && len(tc.paths) > 0 && !errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "not a directory") {
				t.Errorf("error %v does not say what is wrong with the path", err)
			}
		})
	}
}

func TestReadUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"secret.txt": "A secret sentence is here.", "sub/ok.txt": "An open sentence is here."})
	if err := os.Chmod(filepath.Join(dir, "secret.txt"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.Read([]string{filepath.Join(dir, "secret.txt")}, corpus.ReadOptions{}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("unreadable file: err = %v, want a permission error", err)
	}
	if err := os.Chmod(filepath.Join(dir, "sub"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "sub"), 0o755) })
	if _, err := corpus.Read([]string{filepath.Join(dir, "sub")}, corpus.ReadOptions{}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("unreadable directory: err = %v, want a permission error", err)
	}
}

// bigText returns about n bytes of distinct prose paragraphs.
func bigText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString("Paragraph number ")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString(" is here and it says something. ")
		b.WriteString(corpus.EssayText()[:200])
		b.WriteString("\n\n")
	}
	return b.String()
}

func TestReadProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := bigText(3 << 19) // 1.5 MiB
	writeFiles(t, dir, map[string]string{
		"a.txt": "Alpha sentence is here.",
		"b.txt": big,
		"c.md":  "Charlie sentence is here.",
	})
	total := int64(len(big) + len("Alpha sentence is here.") + len("Charlie sentence is here."))
	var calls []corpus.Progress
	text, err := corpus.Read([]string{dir}, corpus.ReadOptions{Progress: func(p corpus.Progress) { calls = append(calls, p) }})
	if err != nil {
		t.Fatal(err)
	}
	checkProgress(t, calls, total, len(text.Sentences))
	// The big file reports part-way through, not only when it is done.
	midway := false
	for _, c := range calls {
		if c.Done > int64(len("Alpha sentence is here.")) && c.Done < total-int64(len("Charlie sentence is here.")) {
			midway = true
		}
	}
	if !midway {
		t.Errorf("no progress reported inside the 1.5 MiB file: %+v", calls)
	}
}

func TestReadProgressEndsWithSkippedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.txt": "Alpha sentence is here.",
		"z.txt": "\x00binary\x00",
	})
	var calls []corpus.Progress
	text, err := corpus.Read([]string{dir}, corpus.ReadOptions{Progress: func(p corpus.Progress) { calls = append(calls, p) }})
	if err != nil {
		t.Fatal(err)
	}
	checkProgress(t, calls, int64(len("Alpha sentence is here.")+len("\x00binary\x00")), len(text.Sentences))
}

func TestReadProgressStdin(t *testing.T) {
	t.Parallel()
	big := bigText(3 << 19)
	var calls []corpus.Progress
	text, err := corpus.Read([]string{"-"}, corpus.ReadOptions{
		Stdin:    strings.NewReader(big),
		Progress: func(p corpus.Progress) { calls = append(calls, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("%d progress calls for 1.5 MiB, want at least 2", len(calls))
	}
	var last int64
	for _, c := range calls {
		if c.Total != -1 {
			t.Errorf("Total = %d for stdin, want -1", c.Total)
		}
		if c.Done < last {
			t.Errorf("Done went back from %d to %d", last, c.Done)
		}
		last = c.Done
	}
	if final := calls[len(calls)-1]; final.Done != int64(len(big)) || final.Sentences != len(text.Sentences) {
		t.Errorf("final progress %+v, want Done %d and %d sentences", final, len(big), len(text.Sentences))
	}
}

// checkProgress checks progress reports: Done never decreases nor passes
// Total, Total is fixed, and the last report is complete.
func checkProgress(t *testing.T, calls []corpus.Progress, total int64, sentences int) {
	t.Helper()
	if len(calls) == 0 {
		t.Fatal("Progress never called")
	}
	var lastDone int64
	lastSentences := 0
	for i, c := range calls {
		if c.Total != total {
			t.Errorf("call %d: Total = %d, want %d", i, c.Total, total)
		}
		if c.Done < lastDone || c.Done > c.Total || c.Done < 0 {
			t.Errorf("call %d: Done = %d after %d (Total %d)", i, c.Done, lastDone, c.Total)
		}
		if c.Sentences < lastSentences {
			t.Errorf("call %d: Sentences went back from %d to %d", i, lastSentences, c.Sentences)
		}
		lastDone, lastSentences = c.Done, c.Sentences
	}
	if final := calls[len(calls)-1]; final.Done != total || final.Sentences != sentences {
		t.Errorf("final progress %+v, want Done = Total = %d and %d sentences", final, total, sentences)
	}
}

// TestReadCompact checks that Compact gives the same sentences as lines.
func TestReadCompact(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "essay.txt")
	if err := os.WriteFile(path, []byte(corpus.EssayText()), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := corpus.Read([]string{path}, corpus.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compact, err := corpus.Read([]string{path}, corpus.ReadOptions{Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if compact.Sentences != nil || len(compact.Lines) != len(full.Sentences) || compact.Len() != full.Len() || compact.Words() != full.Words() {
		t.Fatalf("compact: %d lines, %d words; full: %d sentences, %d words", len(compact.Lines), compact.Words(), len(full.Sentences), full.Words())
	}
	for i, s := range full.Sentences {
		if got := strings.Join(s, " "); compact.Lines[i] != got {
			t.Errorf("line %d = %q, want %q", i, compact.Lines[i], got)
		}
	}
}
