package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
)

// coreCall is one call Answer made on a Responder.
type coreCall struct {
	method    string // "respond", "defer", "edit"
	reply     bot.Reply
	ephemeral bool
	at        time.Time
}

// coreResponder records calls; err, if set, fails the method named failOn.
type coreResponder struct {
	mu     sync.Mutex
	calls  []coreCall
	failOn string
	err    error
}

func (r *coreResponder) record(c coreCall) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.at = time.Now()
	r.calls = append(r.calls, c)
	if c.method == r.failOn {
		return r.err
	}
	return nil
}

func (r *coreResponder) Respond(_ context.Context, rep bot.Reply) error {
	return r.record(coreCall{method: "respond", reply: rep})
}

func (r *coreResponder) Defer(_ context.Context, ephemeral bool) error {
	return r.record(coreCall{method: "defer", ephemeral: ephemeral})
}

func (r *coreResponder) Edit(_ context.Context, rep bot.Reply) error {
	return r.record(coreCall{method: "edit", reply: rep})
}

func (r *coreResponder) methods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		out = append(out, c.method)
	}
	return out
}

// logLines decodes JSON log lines.
func logLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestAnswerInline(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	lw := &lockedWriter{w: &logs}
	b := newCoreBot(bot.Config{Logger: slog.New(slog.NewJSONHandler(lw, nil))})
	rs := &coreResponder{}
	req := cmd("manifesto", map[string]any{"topic": "robots"})
	req.Token = "SECRET-TOKEN"
	if err := b.Answer(t.Context(), req, rs); err != nil {
		t.Fatal(err)
	}
	if got := rs.methods(); len(got) != 1 || got[0] != "respond" {
		t.Fatalf("calls = %v, want [respond]", got)
	}
	if d := rs.calls[0].reply.Embeds[0].Description; !strings.Contains(d, "topic=robots") {
		t.Errorf("reply = %q", d)
	}
	lines := logLines(t, lw.String())
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1: %s", len(lines), lw.String())
	}
	l := lines[0]
	for k, want := range map[string]any{"msg": "interaction", "command": "manifesto", "guild": "G1", "user": "U1", "outcome": "ok", "kind": "command", "deferred": false} {
		if l[k] != want {
			t.Errorf("log %s = %v, want %v", k, l[k], want)
		}
	}
	if _, ok := l["latency"]; !ok {
		t.Errorf("log has no latency: %v", l)
	}
	if strings.Contains(lw.String(), "SECRET-TOKEN") {
		t.Errorf("the token was logged: %s", lw.String())
	}
}

func TestAnswerOutcomes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		writer  bot.Writer
		req     bot.Request
		rs      *coreResponder
		outcome string
		wantErr bool
	}{
		{"bad request", coreWriter{}, cmd("manifesto", map[string]any{"seed": "x"}), &coreResponder{}, "bad_request", false},
		{"panic", corePanicWriter{}, cmd("glowcloud", nil), &coreResponder{}, "panic", false},
		{"respond fails", coreWriter{}, cmd("glowcloud", nil), &coreResponder{failOn: "respond", err: errors.New("HTTP 404 Unknown interaction")}, "error", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs strings.Builder
			lw := &lockedWriter{w: &logs}
			b := newCoreBot(bot.Config{Writer: func() bot.Writer { return tt.writer }, Logger: slog.New(slog.NewJSONHandler(lw, nil))})
			err := b.Answer(t.Context(), tt.req, tt.rs)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
			if tt.rs.err != nil && !errors.Is(err, tt.rs.err) {
				t.Errorf("err = %v does not wrap %v", err, tt.rs.err)
			}
			var line map[string]any
			for _, l := range logLines(t, lw.String()) {
				if l["msg"] == "interaction" {
					line = l
				}
			}
			if line["outcome"] != tt.outcome {
				t.Errorf("logged outcome %v, want %s (%s)", line["outcome"], tt.outcome, lw.String())
			}
		})
	}
}

// TestAnswerDefers: a reply not ready after DeferAfter is deferred at
// exactly that moment, then edited in, all on synctest's fake clock.
func TestAnswerDefers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		m := &fakeRecorder{}
		var logs strings.Builder
		lw := &lockedWriter{w: &logs}
		b := newCoreBot(bot.Config{
			Writer:  func() bot.Writer { return coreSlowWriter{Delay: 5 * time.Second} },
			Metrics: m,
			Logger:  slog.New(slog.NewJSONHandler(lw, nil)),
		})
		rs := &coreResponder{}
		start := time.Now()
		if err := b.Answer(t.Context(), cmd("manifesto", map[string]any{"topic": "slow"}), rs); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rs.methods()); got != "[defer edit]" {
			t.Fatalf("calls = %s, want [defer edit]", got)
		}
		if at := rs.calls[0].at.Sub(start); at != bot.DefaultDeferAfter {
			t.Errorf("deferred after %v, want %v", at, bot.DefaultDeferAfter)
		}
		if rs.calls[0].ephemeral {
			t.Errorf("deferred ephemerally")
		}
		if at := rs.calls[1].at.Sub(start); at != 5*time.Second {
			t.Errorf("edited after %v, want 5s", at)
		}
		if d := rs.calls[1].reply.Embeds[0].Description; !strings.Contains(d, "topic=slow") {
			t.Errorf("edited reply = %q", d)
		}
		line := logLines(t, lw.String())[0]
		if line["outcome"] != "deferred" || line["deferred"] != true || line["latency"] != float64(5*time.Second) {
			t.Errorf("log line = %v", line)
		}
		if got := m.count("manifesto", "deferred"); got != 1 {
			t.Errorf("deferral counted %d times, want 1", got)
		}
	})
}

func TestAnswerDeferAfterConfigurable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		b := newCoreBot(bot.Config{
			Writer:     func() bot.Writer { return coreBlockedWriter{Release: release} },
			DeferAfter: 500 * time.Millisecond,
		})
		rs := &coreResponder{}
		done := make(chan error, 1)
		go func() { done <- b.Answer(t.Context(), cmd("glowcloud", nil), rs) }()

		synctest.Wait() // the writer blocks; no time has passed
		if got := rs.methods(); len(got) != 0 {
			t.Fatalf("calls before the deadline: %v", got)
		}
		<-time.After(499 * time.Millisecond)
		synctest.Wait()
		if got := rs.methods(); len(got) != 0 {
			t.Fatalf("calls before the deadline: %v", got)
		}
		<-time.After(time.Millisecond)
		synctest.Wait()
		if got := fmt.Sprint(rs.methods()); got != "[defer]" {
			t.Fatalf("calls at the deadline = %s, want [defer]", got)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rs.methods()); got != "[defer edit]" {
			t.Fatalf("calls = %s, want [defer edit]", got)
		}
	})
}

func TestAnswerDeferFails(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := newCoreBot(bot.Config{Writer: func() bot.Writer { return coreSlowWriter{Delay: 3 * time.Second} }})
		rs := &coreResponder{failOn: "defer", err: errors.New("boom")}
		err := b.Answer(t.Context(), cmd("manifesto", nil), rs)
		if !errors.Is(err, rs.err) {
			t.Errorf("err = %v, want the defer error", err)
		}
		if got := fmt.Sprint(rs.methods()); got != "[defer]" {
			t.Errorf("calls = %s, want [defer] (no edit after a failed defer)", got)
		}
	})
}

func TestAnswerContextCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		b := newCoreBot(bot.Config{Writer: func() bot.Writer { return coreBlockedWriter{Release: release} }})
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		rs := &coreResponder{}
		err := b.Answer(ctx, cmd("glowcloud", nil), rs)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want DeadlineExceeded", err)
		}
		if got := fmt.Sprint(rs.methods()); got != "[defer]" {
			t.Errorf("calls = %s, want [defer]", got)
		}
	})
}

// TestAnswerManyWithinDeadline: 200 interactions at once, their generation
// taking anything from nothing to 14 minutes, each get their first callback
// within Discord's 3 s: inline when ready before DefaultDeferAfter, else a
// deferral at exactly that moment and the reply edited in when ready. On
// synctest's clock, so a loaded machine or the race detector cannot make it
// pass or fail.
func TestAnswerManyWithinDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		delays := []time.Duration{0, time.Millisecond, time.Second, bot.DefaultDeferAfter - time.Nanosecond,
			bot.DefaultDeferAfter + time.Nanosecond, 2500 * time.Millisecond, 10 * time.Second, 14 * time.Minute}
		const n = 200
		rss := make([]*coreResponder, n)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			rss[i] = &coreResponder{}
			delay := delays[i%len(delays)]
			bi := newCoreBot(bot.Config{Writer: func() bot.Writer { return coreSlowWriter{Delay: delay} }})
			wg.Go(func() {
				if err := bi.Answer(t.Context(), cmd("manifesto", map[string]any{"topic": fmt.Sprint("t", i)}), rss[i]); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i, rs := range rss {
			delay := delays[i%len(delays)]
			calls := rs.calls
			if len(calls) == 0 {
				t.Fatalf("interaction %d: no callback", i)
			}
			if first := calls[0].at.Sub(start); first >= 3*time.Second {
				t.Errorf("interaction %d (generation %v): first callback after %v, want within 3s", i, delay, first)
			}
			want := "[respond]"
			if delay >= bot.DefaultDeferAfter {
				want = "[defer edit]"
			}
			if got := fmt.Sprint(rs.methods()); got != want {
				t.Errorf("interaction %d (generation %v): calls %s, want %s", i, delay, got, want)
				continue
			}
			last := calls[len(calls)-1]
			if d := last.reply.Embeds[0].Description; !strings.Contains(d, fmt.Sprintf("topic=t%d ", i)) {
				t.Errorf("interaction %d: reply %q is not its own", i, d)
			}
			if at := last.at.Sub(start); at != delay {
				t.Errorf("interaction %d: reply delivered after %v, want when ready (%v)", i, at, delay)
			}
		}
	})
}
