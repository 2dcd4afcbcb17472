package main

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConsoleQuiz: at `glowcloud console`, /quiz starts a round; three
// console members press Real or Glow Cloud (a second press does not
// count); on the console's fast clock the round ends and its message is
// edited with the answer and the votes; Play again starts another round;
// /quiz top, me and forget-me answer.
func TestConsoleQuiz(t *testing.T) {
	t.Parallel()
	in, feed := io.Pipe()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		// 5 real seconds to vote (150 s of the console's clock).
		done <- run(t.Context(), []string{"console", "-speed", "30", "-quiz-seconds", "5"}, func(string) string { return "" }, in, out, io.Discard)
	}()
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(feed, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitOut := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for strings.Count(out.String(), what) < n {
			if time.Now().After(deadline) {
				t.Fatalf("console output lacks %q (%d times):\n%s", what, n, out.String())
			}
			<-time.After(20 * time.Millisecond) // polls output written by another goroutine
		}
	}
	send("/quiz")
	waitOut("[📜 Real] [☁️ Glow Cloud]", 1)
	send("as ann")
	send("press real")
	waitOut("Locked in: Real.", 1)
	send("press glow cloud")
	waitOut("You already locked in Real", 1)
	send("as bob")
	send("press real")
	waitOut("Locked in: Real.", 2)
	send("as cyd")
	send("press glowcloud")
	waitOut("Locked in: Glow Cloud.", 1)
	waitOut("── the Glow Cloud edits its message in #general at ", 1)
	waitOut("[📜 Real (disabled)] [☁️ Glow Cloud (disabled)] [🔁 Play again]", 1)
	reveal := regexp.MustCompile(`It was (real|the Glow Cloud)[^\n]*\n(\d) of 3 voters got it right\. Fastest right answer: @(ann|cyd) in`).FindStringSubmatch(out.String())
	if reveal == nil {
		t.Fatalf("no reveal of 3 votes:\n%s", out.String())
	}
	if want := map[string]string{"real": "2", "the Glow Cloud": "1"}[reveal[1]]; reveal[2] != want {
		t.Errorf("%s of 3 right in a round that was %s, want %s", reveal[2], reveal[1], want)
	}
	send("press real")
	waitOut("button is disabled", 1)
	send("press play again")
	waitOut("[📜 Real] [☁️ Glow Cloud]", 2)
	send("/quiz top")
	waitOut("The leaderboard", 1)
	send("as ann")
	send("/quiz me")
	waitOut("of 1 right", 1)
	send("/quiz forget-me")
	waitOut("Forgotten: your score in this server and your 1 vote are deleted.", 1)
	feed.Close()
	if err := <-done; err != nil {
		t.Fatalf("console: %v\n%s", err, out.String())
	}
}
