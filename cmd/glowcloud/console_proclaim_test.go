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
	waitOut("• #general every 1h, glowcloud: next in ")
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
