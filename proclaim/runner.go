package proclaim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glowcloud/glowcloud/bot"
)

// Writer composes proclamations. Implementations must be safe for concurrent
// use; the same seed must give the same text for the same model.
type Writer interface {
	// Write returns the post of one slot of a schedule of this kind and
	// topic (see Schedule) in the server guildID, from the model the
	// server's commands use there (its scripture, if it has some): the
	// core's reply, which Posters send with allowed_mentions parsing
	// nothing.
	Write(ctx context.Context, guildID, kind, topic string, seed uint64) bot.Reply
}

// Poster sends a message to a channel (POST /channels/{id}/messages).
// An error from Discord is a *PostError, so the Runner can tell a lost
// permission from a rate limit or an outage; any other error is taken for a
// network failure and retried.
type Poster interface {
	Post(ctx context.Context, channelID string, m bot.Reply) error
}

// PostError is Discord's answer to a post it refused.
type PostError struct {
	Status     int           // HTTP status
	Code       int           // Discord's JSON error code; 0 if none
	Message    string        // Discord's message, for the log
	RetryAfter time.Duration // a 429's retry_after
}

// Error implements error.
func (e *PostError) Error() string {
	return fmt.Sprintf("discord: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
}

// Clock is the Runner's time: the real one in production, a fast one at the
// console and in tests (or the real one inside a testing/synctest bubble).
type Clock interface {
	Now() time.Time
	// After waits for d on this clock, like time.After.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real time. Its zero value is ready to use.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// FastClock runs factor times faster than real time from the moment it was
// made, so that a person at the console can watch an hourly schedule fire.
// It is safe for concurrent use.
type FastClock struct {
	start  time.Time
	factor float64
}

// NewFastClock returns a clock that starts at the current time and runs
// factor (> 0) times faster than it.
func NewFastClock(factor float64) *FastClock {
	if factor <= 0 {
		factor = 1
	}
	return &FastClock{start: time.Now(), factor: factor}
}

// Now returns the fast time.
func (c *FastClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.factor))
}

// After waits for d of fast time.
func (c *FastClock) After(d time.Duration) <-chan time.Time {
	return time.After(time.Duration(float64(d) / c.factor))
}

// Results of a slot, the label of the proclamations counter.
const (
	ResultPosted = "posted" // Discord accepted the post
	ResultHushed = "hushed" // the server was hushed: the slot was skipped
	ResultPaused = "paused" // the bot lost access to the channel: the schedule is paused
	ResultFailed = "failed" // Discord kept failing, or refused the post for another reason
)

// Metrics receives the Runner's measurements; Prometheus lives elsewhere.
// Implementations must be safe for concurrent use.
type Metrics interface {
	// Proclaimed counts one slot by its result (one of the Result constants).
	Proclaimed(result string)
	// Lag reports, at each poll that claimed something, how late the oldest
	// claimed slot was; 0 at a poll that found nothing due.
	Lag(d time.Duration)
}

// RunnerConfig tunes a Runner. The zero value works.
type RunnerConfig struct {
	Clock   Clock        // nil: SystemClock
	Log     *slog.Logger // nil: discard
	Metrics Metrics      // nil: none
	// Poll is how often the Runner looks for due schedules (default 1 s), so
	// a slot is posted within about Poll of its time.
	Poll time.Duration
	// InFlight bounds the slots posted at once (default 8).
	InFlight int
	// Tries bounds the attempts at one slot through 5xx answers, network
	// errors and 429s (default 5). Retries never run past the schedule's
	// next slot.
	Tries int
	// Backoff is the wait after the first 5xx or network error (default
	// 1 s); it doubles with each further try.
	Backoff time.Duration
	// PostTimeout bounds one attempt at a post (default 15 s).
	PostTimeout time.Duration
}

// Runner posts due schedules. Any number of Runners, in any number of
// processes, may share one database: each slot is claimed by exactly one.
type Runner struct {
	claimer Claimer
	writer  Writer
	poster  Poster
	cfg     RunnerConfig
	log     *slog.Logger
}

// NewRunner returns a Runner that claims from c, composes with w and posts
// with p.
func NewRunner(c Claimer, w Writer, p Poster, cfg RunnerConfig) *Runner {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 8
	}
	if cfg.Tries <= 0 {
		cfg.Tries = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = 15 * time.Second
	}
	return &Runner{claimer: c, writer: w, poster: p, cfg: cfg, log: cfg.Log.With("component", "proclaim")}
}

// Run posts due schedules until ctx is done, then waits for the posts in
// flight and returns nil. A failing database is logged once when it fails
// and once when it is back; the Runner keeps polling meanwhile. Run claims a
// slot before posting it, so a slot is posted at most once: one claimed by a
// process killed before it posted is lost, never doubled.
func (r *Runner) Run(ctx context.Context) error {
	var (
		wg       sync.WaitGroup
		inFlight atomic.Int64
		down     bool
	)
	defer wg.Wait()
	for {
		if free := r.cfg.InFlight - int(inFlight.Load()); free > 0 {
			now := r.cfg.Clock.Now()
			claims, err := r.claimer.Claim(ctx, now, free)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				if !down {
					r.log.Error("claim due proclamations; retrying every poll", "err", err)
					down = true
				}
			default:
				if down {
					r.log.Info("database answers again; proclamations resume")
					down = false
				}
				var lag time.Duration
				for _, c := range claims {
					lag = max(lag, now.Sub(c.Slot))
				}
				r.cfg.Metrics.Lag(lag)
				for _, c := range claims {
					inFlight.Add(1)
					wg.Go(func() {
						defer inFlight.Add(-1)
						r.handle(ctx, c)
					})
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.cfg.Clock.After(r.cfg.Poll):
		}
	}
}

// handle posts one claimed slot, retrying what is worth retrying, and
// records the outcome.
func (r *Runner) handle(ctx context.Context, c Claim) {
	log := r.log.With("schedule", c.ID, "guild", c.GuildID, "channel", c.ChannelID, "slot", c.Slot)
	if c.Hushed {
		r.finish(ctx, log, c, Outcome{Result: "skipped (hushed)"}, ResultHushed)
		return
	}
	msg := r.writer.Write(ctx, c.GuildID, c.Kind, c.Topic, slotSeed(c.ID, c.Slot))
	for try := 1; ; try++ {
		err := r.post(ctx, c.ChannelID, msg)
		if err == nil {
			r.finish(ctx, log, c, Outcome{Result: "posted"}, ResultPosted)
			return
		}
		var pe *PostError
		if !errors.As(err, &pe) {
			pe = nil
		}
		var wait time.Duration
		switch {
		case pe != nil && pauses(pe):
			reason := pauseReason(pe)
			log.Warn("proclamations paused: the bot cannot post in this channel", "status", pe.Status, "code", pe.Code, "reason", reason)
			r.finish(ctx, log, c, Outcome{Result: "failed", Pause: reason}, ResultPaused)
			return
		case pe != nil && pe.Status == http.StatusTooManyRequests:
			wait = max(pe.RetryAfter, 100*time.Millisecond)
		case pe == nil || pe.Status >= 500:
			wait = r.cfg.Backoff << (try - 1)
		default:
			log.Error("proclamation refused", "err", err)
			r.finish(ctx, log, c, Outcome{Result: fmt.Sprintf("failed (HTTP %d)", pe.Status)}, ResultFailed)
			return
		}
		if try >= r.cfg.Tries || !r.cfg.Clock.Now().Add(wait).Before(c.NextAt) {
			log.Error("proclamation failed; giving up on this slot", "tries", try, "err", err)
			r.finish(ctx, log, c, Outcome{Result: failedResult(pe)}, ResultFailed)
			return
		}
		log.Debug("proclamation failed; retrying", "try", try, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			r.finish(ctx, log, c, Outcome{Result: "failed (shut down while retrying)"}, ResultFailed)
			return
		case <-r.cfg.Clock.After(wait):
		}
	}
}

// post makes one attempt. A post under way when ctx is cancelled is allowed
// to finish (within PostTimeout), so a shutdown does not lose a slot it had
// claimed and almost sent.
func (r *Runner) post(ctx context.Context, channel string, m bot.Reply) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PostTimeout)
	defer cancel()
	return r.poster.Post(ctx, channel, m)
}

// finish records the outcome of a claim and counts it.
func (r *Runner) finish(ctx context.Context, log *slog.Logger, c Claim, o Outcome, result string) {
	r.cfg.Metrics.Proclaimed(result)
	o.At = r.cfg.Clock.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PostTimeout)
	defer cancel()
	if err := r.claimer.Finish(ctx, c.ID, o); err != nil {
		log.Error("record proclamation result", "result", o.Result, "err", err)
	}
}

// pauses reports whether Discord's answer means the bot cannot post in the
// channel until someone changes something: missing access or permissions
// (403: 50001, 50013), an unknown channel (404: 10003), or a channel that
// takes no messages (400: 50008).
func pauses(e *PostError) bool {
	return e.Status == http.StatusForbidden || e.Status == http.StatusNotFound ||
		(e.Status == http.StatusBadRequest && e.Code == 50008)
}

// pauseReason is the reason /proclaim list shows for a paused schedule.
func pauseReason(e *PostError) string {
	switch e.Code {
	case 50001:
		return "the bot has no access to the channel (Discord error 50001)"
	case 50013:
		return "the bot lacks the permission to post in the channel (Discord error 50013)"
	case 10003:
		return "the channel no longer exists (Discord error 10003)"
	case 50008:
		return "the channel does not take messages (Discord error 50008)"
	}
	if e.Status == http.StatusNotFound {
		return fmt.Sprintf("Discord does not know the channel (HTTP 404, error %d)", e.Code)
	}
	return fmt.Sprintf("Discord refused the post (HTTP %d, error %d)", e.Status, e.Code)
}

// failedResult is the last result of a slot that kept failing.
func failedResult(pe *PostError) string {
	switch {
	case pe == nil:
		return "failed (Discord unreachable)"
	case pe.Status == http.StatusTooManyRequests:
		return "failed (rate limited)"
	}
	return fmt.Sprintf("failed (HTTP %d)", pe.Status)
}

// slotSeed is the seed of a slot's text: derived from the schedule and the
// slot, so the text of a slot is reproducible (its footer shows the seed)
// and two different slots differ. Like every seed it lies in
// 0..limits.MaxSeed (the top 53 of the hash's 64 bits; keeping those
// rather than masking the low ones keeps every posted slot's text as it
// was), so JSON numbers hold it exactly.
func slotSeed(id int64, slot time.Time) uint64 {
	// splitmix64 finaliser over the pair.
	z := uint64(id)*0x9e3779b97f4a7c15 ^ uint64(slot.UnixMilli())
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return z >> 11
}

type noMetrics struct{}

func (noMetrics) Proclaimed(string) {}
func (noMetrics) Lag(time.Duration) {}
