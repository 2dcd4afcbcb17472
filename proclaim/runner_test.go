package proclaim_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/proclaim"
)

// rig is a Runner over fakes, inside a synctest bubble: time.Sleep moves
// the bubble's clock, which the Runner's SystemClock reads.
type rig struct {
	st      *fakeStore
	poster  *fakePoster
	metrics *fakeMetrics
	logs    *logCounter
	start   time.Time
}

func newRig(answer func(string, int) error) *rig {
	return &rig{
		st:      newFakeStore(),
		poster:  &fakePoster{answer: answer},
		metrics: &fakeMetrics{},
		logs:    &logCounter{},
		start:   time.Now(),
	}
}

// schedule adds an hourly (or every) schedule of channel ch first due at
// start+first.
func (r *rig) schedule(t *testing.T, ch string, every, first time.Duration) proclaim.Schedule {
	t.Helper()
	s, err := r.st.PutSchedule(t.Context(), proclaim.Schedule{
		GuildID: "g1", ChannelID: ch, Every: every, Kind: bot.CmdManifesto, Topic: "tea",
		NextAt: r.start.Add(first), CreatedAt: r.start,
	}, proclaim.MaxPerGuild)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs a Runner for d and stops it, checking it returns nil.
func (r *rig) run(t *testing.T, d time.Duration, cfg proclaim.RunnerConfig) {
	t.Helper()
	cfg.Log = slog.New(r.logs)
	cfg.Metrics = r.metrics
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- proclaim.NewRunner(r.st, fakeWriter{}, r.poster, cfg).Run(ctx) }()
	time.Sleep(d)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

// offsets returns the times of the posts to ch after the rig's start.
func (r *rig) offsets(ch string) []time.Duration {
	var out []time.Duration
	for _, p := range r.poster.all() {
		if p.channel == ch {
			out = append(out, p.at.Sub(r.start))
		}
	}
	return out
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRunnerPostsEachSlot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(nil)
		r.schedule(t, "100", time.Hour, time.Hour)
		r.run(t, 5*time.Hour+30*time.Minute, proclaim.RunnerConfig{})
		want := []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 5 * time.Hour}
		if got := r.offsets("100"); !equalDurations(got, want) {
			t.Errorf("posts at %v, want %v", got, want)
		}
		seen := map[string]bool{}
		for _, p := range r.poster.all() {
			if !strings.HasPrefix(p.content, "manifesto|tea|") || seen[p.content] {
				t.Errorf("post %q: want manifesto|tea|seed, a new seed each slot", p.content)
			}
			seen[p.content] = true
		}
		if n := r.metrics.count(proclaim.ResultPosted); n != 5 {
			t.Errorf("posted counter = %d, want 5", n)
		}
		if s := r.st.get(t, "100"); s.LastResult != "posted" || !s.LastAt.Equal(r.start.Add(5*time.Hour)) {
			t.Errorf("schedule after posting: %+v", s)
		}
	})
}

func TestRunnerCatchUpAfterDowntime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(nil)
		// The last process stopped five and a half hours ago, before six
		// slots (the last at -30m): one catch-up post now, then the next
		// slot in its place, at +30m.
		r.schedule(t, "100", time.Hour, -5*time.Hour-30*time.Minute)
		r.run(t, 45*time.Minute, proclaim.RunnerConfig{})
		if got, want := r.offsets("100"), []time.Duration{0, 30 * time.Minute}; !equalDurations(got, want) {
			t.Errorf("posts at %v, want %v: one catch-up, never a burst", got, want)
		}
		if len(r.metrics.lags) == 0 || r.metrics.lags[0] != 5*time.Hour+30*time.Minute {
			t.Errorf("first lag = %v, want 5h30m", r.metrics.lags[:min(1, len(r.metrics.lags))])
		}
	})
}

func TestRunnerPausesWhenTheChannelIsLost(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		err    *proclaim.PostError
		reason string
	}{
		{"missing access", &proclaim.PostError{Status: 403, Code: 50001, Message: "Missing Access"}, "50001"},
		{"missing permissions", &proclaim.PostError{Status: 403, Code: 50013, Message: "Missing Permissions"}, "50013"},
		{"unknown channel", &proclaim.PostError{Status: 404, Code: 10003, Message: "Unknown Channel"}, "10003"},
		{"not a text channel", &proclaim.PostError{Status: 400, Code: 50008, Message: "Cannot send messages in a non-text channel"}, "50008"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				r := newRig(func(string, int) error { return tt.err })
				r.schedule(t, "100", time.Hour, time.Hour)
				r.schedule(t, "200", time.Hour, time.Hour) // unaffected
				r.poster.answer = func(ch string, _ int) error {
					if ch == "100" {
						return tt.err
					}
					return nil
				}
				r.run(t, 4*time.Hour+time.Minute, proclaim.RunnerConfig{})
				if got := r.offsets("100"); len(got) != 1 {
					t.Errorf("attempts at the lost channel: %v, want 1 and no retry", got)
				}
				if got := r.offsets("200"); len(got) != 4 {
					t.Errorf("posts to the other channel: %v, want 4", got)
				}
				s := r.st.get(t, "100")
				if !strings.Contains(s.Paused, tt.reason) || s.LastResult != "failed" {
					t.Errorf("schedule = paused %q, last %q; want paused with %s", s.Paused, s.LastResult, tt.reason)
				}
				if n := r.metrics.count(proclaim.ResultPaused); n != 1 {
					t.Errorf("paused counter = %d, want 1", n)
				}
				if n := r.logs.count(slog.LevelWarn); n != 1 {
					t.Errorf("%d warnings logged, want 1 (logged once)", n)
				}
			})
		})
	}
}

func TestRunnerWaitsRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(_ string, n int) error {
			if n <= 2 {
				return &proclaim.PostError{Status: 429, Message: "You are being rate limited.", RetryAfter: 2500 * time.Millisecond}
			}
			return nil
		})
		r.schedule(t, "100", time.Hour, time.Minute)
		r.run(t, 10*time.Minute, proclaim.RunnerConfig{})
		m := time.Minute
		if got, want := r.offsets("100"), []time.Duration{m, m + 2500*time.Millisecond, m + 5*time.Second}; !equalDurations(got, want) {
			t.Errorf("attempts at %v, want %v (retry_after honoured)", got, want)
		}
		if s := r.st.get(t, "100"); s.LastResult != "posted" {
			t.Errorf("last result %q, want posted", s.LastResult)
		}
	})
}

func TestRunnerBacksOffOn5xx(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(_ string, n int) error {
			switch n {
			case 1:
				return &proclaim.PostError{Status: 503, Message: "upstream"}
			case 2:
				return errors.New("connection reset by peer") // a network error: retried alike
			case 3:
				return &proclaim.PostError{Status: 502}
			}
			return nil
		})
		r.schedule(t, "100", time.Hour, time.Minute)
		r.run(t, 10*time.Minute, proclaim.RunnerConfig{})
		m, s := time.Minute, time.Second
		if got, want := r.offsets("100"), []time.Duration{m, m + s, m + 3*s, m + 7*s}; !equalDurations(got, want) {
			t.Errorf("attempts at %v, want %v (backoff 1s, 2s, 4s)", got, want)
		}
		if st := r.st.get(t, "100"); st.LastResult != "posted" || st.Paused != "" {
			t.Errorf("schedule %+v, want posted, not paused", st)
		}
	})
}

func TestRunnerGivesUpOnASlot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(string, int) error { return &proclaim.PostError{Status: 500} })
		r.schedule(t, "100", time.Hour, time.Minute)
		r.run(t, 30*time.Minute, proclaim.RunnerConfig{Tries: 5})
		m, s := time.Minute, time.Second
		if got, want := r.offsets("100"), []time.Duration{m, m + s, m + 3*s, m + 7*s, m + 15*s}; !equalDurations(got, want) {
			t.Errorf("attempts at %v, want %v", got, want)
		}
		st := r.st.get(t, "100")
		if st.LastResult != "failed (HTTP 500)" || st.Paused != "" {
			t.Errorf("schedule %+v, want failed (HTTP 500), not paused", st)
		}
		if n := r.metrics.count(proclaim.ResultFailed); n != 1 {
			t.Errorf("failed counter = %d, want 1", n)
		}
	})
}

func TestRunnerRetriesNeverReachTheNextSlot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(string, int) error { return &proclaim.PostError{Status: 503} })
		r.schedule(t, "100", 5*time.Second, 5*time.Second)
		r.run(t, 14*time.Second+500*time.Millisecond, proclaim.RunnerConfig{Tries: 10})
		s := time.Second
		// Slot 5s: tries at 5, 6, 8; the next wait (4s) would pass the
		// slot at 10s, so it gives up. Slot 10s likewise.
		if got, want := r.offsets("100"), []time.Duration{5 * s, 6 * s, 8 * s, 10 * s, 11 * s, 13 * s}; !equalDurations(got, want) {
			t.Errorf("attempts at %v, want %v", got, want)
		}
	})
}

func TestRunnerDoesNotRetryOther4xx(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(string, int) error {
			return &proclaim.PostError{Status: 400, Code: 50035, Message: "Invalid Form Body"}
		})
		r.schedule(t, "100", time.Hour, time.Minute)
		r.run(t, 30*time.Minute, proclaim.RunnerConfig{})
		if got := r.offsets("100"); len(got) != 1 {
			t.Errorf("attempts at %v, want 1", got)
		}
		if s := r.st.get(t, "100"); s.LastResult != "failed (HTTP 400)" || s.Paused != "" {
			t.Errorf("schedule %+v, want failed (HTTP 400), not paused", s)
		}
	})
}

func TestRunnerSkipsHushedSlots(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(nil)
		r.schedule(t, "100", time.Hour, time.Hour)
		r.st.SetHush(t.Context(), proclaim.Hush{GuildID: "g1", Until: r.start.Add(2*time.Hour + 30*time.Minute), By: "1"})
		r.run(t, 4*time.Hour+time.Minute, proclaim.RunnerConfig{})
		// Slots at 1h and 2h fall in the hush and are consumed, not saved up.
		if got, want := r.offsets("100"), []time.Duration{3 * time.Hour, 4 * time.Hour}; !equalDurations(got, want) {
			t.Errorf("posts at %v, want %v", got, want)
		}
		if n := r.metrics.count(proclaim.ResultHushed); n != 2 {
			t.Errorf("hushed counter = %d, want 2", n)
		}
	})
}

func TestRunnerSurvivesTheDatabaseGoingAway(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(nil)
		r.schedule(t, "100", time.Hour, 5*time.Second)
		r.st.setFail(errDown)
		go func() {
			time.Sleep(10*time.Second + 500*time.Millisecond)
			r.st.setFail(nil)
		}()
		r.run(t, 20*time.Second, proclaim.RunnerConfig{})
		if got, want := r.offsets("100"), []time.Duration{11 * time.Second}; !equalDurations(got, want) {
			t.Errorf("posts at %v, want %v: the slot is posted once the database is back", got, want)
		}
		if e, i := r.logs.count(slog.LevelError), r.logs.count(slog.LevelInfo); e != 1 || i != 1 {
			t.Errorf("logged %d errors and %d infos, want one of each (down once, back once): %q", e, i, r.logs.msgs)
		}
	})
}

func TestRunnerShutdownFinishesThePostUnderWay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(string, int) error {
			time.Sleep(3 * time.Second) // a slow Discord
			return nil
		})
		r.schedule(t, "100", time.Hour, time.Second)
		r.run(t, 2*time.Second, proclaim.RunnerConfig{}) // cancelled mid-post
		if s := r.st.get(t, "100"); s.LastResult != "posted" {
			t.Errorf("after shutdown mid-post: last result %q, want posted (Run waits for it)", s.LastResult)
		}
		if got := time.Since(r.start); got != 4*time.Second {
			t.Errorf("Run returned at %v, want 4s (when the post finished)", got)
		}
	})
}

func TestRunnerBoundsPostsInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newRig(func(string, int) error {
			time.Sleep(10 * time.Second)
			return nil
		})
		for i := range 5 {
			r.schedule(t, string(rune('a'+i)), time.Hour, 0)
		}
		r.run(t, 5*time.Second, proclaim.RunnerConfig{InFlight: 2})
		if n := len(r.poster.all()); n != 2 {
			t.Errorf("%d posts started in the first 5 s, want 2 (InFlight)", n)
		}
	})
}

func TestFastClock(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := proclaim.NewFastClock(60)
		start := c.Now()
		time.Sleep(time.Second)
		if got := c.Now().Sub(start); got != time.Minute {
			t.Errorf("after 1 s: fast clock moved %v, want 1m", got)
		}
		before := time.Now()
		<-c.After(2 * time.Minute)
		if got := time.Since(before); got != 2*time.Second {
			t.Errorf("After(2m) took %v, want 2s", got)
		}
	})
}
