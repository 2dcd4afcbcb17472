package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleScripture: at `glowcloud console`, /scripture add file:PATH
// learns a local file (the console prints the deferral and the edits with
// what was learned before it reads the next line); the server's
// manifestos then carry the text's words, /scripture list shows it, and
// after /scripture forget (confirmed with its button) the manifestos are
// the essay's again. A path that is not a file gets a notice.
func TestConsoleScripture(t *testing.T) {
	t.Parallel()
	orchard := filepath.Join("..", "..", "scripture", "testdata", "orchard.txt")
	harbour := filepath.Join("..", "..", "scripture", "testdata", "harbour.txt")
	var manifestos []string
	for seed := range 6 {
		manifestos = append(manifestos, fmt.Sprintf("/manifesto paragraphs:3 seed:%d", seed))
	}
	script := append([]string{
		"/scripture add file:" + filepath.Join(t.TempDir(), "missing.txt"),
		"/scripture add file:" + orchard,
		"/scripture add file:" + harbour + " name:the harbour",
		"/scripture list",
	}, manifestos...)
	script = append(script, "/scripture forget", "press forget")
	script = append(script, manifestos...)
	out := &syncBuffer{}
	if err := run(t.Context(), []string{"console"}, func(string) string { return "" }, strings.NewReader(strings.Join(script, "\n")), out, os.Stderr); err != nil {
		t.Fatalf("console: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, w := range []string{
		"Cannot attach", "missing.txt",
		"The Glow Cloud is learning orchard",
		"The Glow Cloud has learned orchard",
		"The Glow Cloud has learned the harbour",
		"• orchard:", "• the harbour:",
		"Forgotten: 2 texts",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("console output lacks %q:\n%s", w, got)
		}
	}
	before, after, ok := strings.Cut(got, "Forgotten: 2 texts")
	if !ok {
		t.Fatalf("no forget:\n%s", got)
	}
	// The texts' own words (none of them the essay's).
	words := []string{"quince", "Tamsin", "orchard", "harbour", "cider"}
	count := func(s string) (n int) {
		for _, w := range words {
			n += strings.Count(strings.ToLower(s), strings.ToLower(w))
		}
		return n
	}
	_, blended, _ := strings.Cut(before, "• the harbour:")
	if n := count(blended); n < 3 {
		t.Errorf("6 manifestos after the adds name the texts' words %d times; want the blend:\n%s", n, blended)
	}
	if n := count(after); n != 0 {
		t.Errorf("manifestos after forget name the texts' words %d times:\n%s", n, after)
	}
}

// TestConsoleFiles: the console's attachments serve the files attached at
// the prompt and nothing else: no other URL, no directory.
func TestConsoleFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "lore.txt")
	if err := os.WriteFile(path, []byte("We keep bees."), 0o600); err != nil {
		t.Fatal(err)
	}
	var f consoleFiles
	if _, err := f.Attach(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Attach(a directory) = %v", err)
	}
	a, err := f.Attach(path)
	if err != nil || a.Filename != "lore.txt" || a.Size != 13 || !strings.HasPrefix(a.URL, consoleFilesOrigin) {
		t.Fatalf("Attach = %+v, %v", a, err)
	}
	c := http.Client{Transport: &f}
	for u, want := range map[string]int{a.URL: 200, consoleFilesOrigin + "2": 404, "http://console.invalid" + path: 404} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == 200) != (string(body) == "We keep bees.") {
			t.Errorf("GET %s: %d %q, want %d", u, resp.StatusCode, body, want)
		}
	}
}
