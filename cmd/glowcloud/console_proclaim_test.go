package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestConsoleProclaims: at `glowcloud console -speed 3600`, the admin's
// /proclaim start every:1h fires within about a real second and the post is
// shown as it comes, dressed as /glowcloud; "as member" is refused; /hush
// and /proclaim list answer; the console ends with its input.
func TestConsoleProclaims(t *testing.T) {
	t.Parallel()
	in, feed := io.Pipe()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(t.Context(), []string{"console", "-speed", "3600"}, func(string) string { return "" }, in, out, io.Discard)
	}()
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(feed, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitOut := func(what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("console output lacks %q:\n%s", what, out.String())
			}
			<-time.After(20 * time.Millisecond) // polls output written by another goroutine
		}
	}
	send("/proclaim start every:1h")
	waitOut("The Glow Cloud will proclaim in #general every 1h (glowcloud)")
	waitOut("── the Glow Cloud posts in #general at ")
	waitOut(" on the console clock ──")
	waitOut("ALL HAIL THE GLOW CLOUD")
	send("as member")
	send("/proclaim stop")
	waitOut("Only members with the Manage Server permission")
	send("as admin")
	send("/proclaim list")
	// "next in …", or "next … ago" when a loaded machine let the fast
	// clock pass the slot before the list was read.
	waitOut("• #general every 1h, glowcloud: next ")
	send("/hush off")
	waitOut("This server was not hushed")
	send("/hush for:2h")
	waitOut("Hushed for 2h")
	send("/proclaim start")
	waitOut("/proclaim start needs every:")
	feed.Close()
	if err := <-done; err != nil {
		t.Fatalf("console: %v\n%s", err, out.String())
	}
}

// TestConsolePrintsPageLinks: with GLOWCLOUD_PUBLIC_URL set, the console
// prints the page link of each piece; without it, none.
func TestConsolePrintsPageLinks(t *testing.T) {
	t.Parallel()
	for _, public := range []string{"https://glow.example/", ""} {
		out := &syncBuffer{}
		env := func(k string) string {
			if k == "GLOWCLOUD_PUBLIC_URL" {
				return public
			}
			return ""
		}
		in := strings.NewReader("/manifesto topic:robots seed:5\n/glowcloud\n")
		if err := run(t.Context(), []string{"console"}, env, in, out, io.Discard); err != nil {
			t.Fatalf("console: %v", err)
		}
		links := strings.Count(out.String(), "Share: https://glow.example/m/")
		if want := map[bool]int{true: 2, false: 0}[public != ""]; links != want {
			t.Errorf("GLOWCLOUD_PUBLIC_URL=%q: %d page links, want %d:\n%s", public, links, want, out.String())
		}
	}
	var stderr strings.Builder
	err := run(t.Context(), []string{"console", "-public-url", "ftp://x"}, func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 2 {
		t.Errorf("a bad -public-url: exit %d, want 2", code)
	}
}
