package main

import (
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
)

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	const total = 50 << 20
	for _, tt := range []struct {
		name     string
		terminal bool
		step     time.Duration
		total    int64
		want     []string // substrings, in order
		lines    int      // newline-terminated lines expected (non-terminal), -1 = don't care
	}{
		{"plain lines every 5 s", false, 2 * time.Second, total, []string{"glowcloud: reading: 15.0 MiB of 50.0 MiB (30%), 300 sentences, 2.5 MiB/s, ETA 14s", "glowcloud: reading: 50.0 MiB of 50.0 MiB (100%)"}, 4},
		{"terminal redraws one line", true, 300 * time.Millisecond, total, []string{"\r\x1b[Kglowcloud: reading: 5.0 MiB of 50.0 MiB (10%)", "\r\x1b[Kglowcloud: reading: 50.0 MiB"}, -1},
		{"stdin has no total", false, 6 * time.Second, -1, []string{"glowcloud: reading: 5.0 MiB, 100 sentences"}, -1},
		{"small inputs stay quiet", false, time.Minute, 1 << 20, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			p := newProgress(&b, tt.terminal, fakeClock(tt.step))
			max := tt.total
			if max < 0 {
				max = total
			}
			for done := int64(5 << 20); done <= max; done += 5 << 20 {
				p.report(corpus.Progress{Done: done, Total: tt.total, Sentences: int(done >> 20 * 20)})
			}
			if tt.total > 0 && tt.total < 5<<20 {
				p.report(corpus.Progress{Done: tt.total, Total: tt.total})
			}
			p.done()
			out := b.String()
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%q", w, out)
				}
				rest = rest[i+len(w):]
			}
			if tt.want == nil && out != "" {
				t.Errorf("want no progress for a small input, got %q", out)
			}
			if tt.lines >= 0 && strings.Count(out, "\n") != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", strings.Count(out, "\n"), tt.lines, out)
			}
			if tt.terminal && !strings.HasSuffix(out, "\n") {
				t.Error("terminal progress not ended with a newline")
			}
		})
	}
}
