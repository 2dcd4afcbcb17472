package quiz

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/proclaim"
)

// Editor edits the message an interaction's reply made (PATCH
// /webhooks/{app}/{token}/messages/@original): a round's reveal. Discord's
// refusals are *proclaim.PostError, so the Runner can tell a gone message
// or token (give up) from a rate limit or an outage (retry); any other
// error is taken for a network failure and retried.
type Editor interface {
	Edit(ctx context.Context, appID, token string, r bot.Reply) error
}

// Metrics receives what the Runner measures. Implementations must be safe
// for concurrent use.
type Metrics interface {
	// QuizVotes counts n votes of tallied rounds by the sentence's truth
	// and the vote (each Real or GlowCloud); each vote is counted once,
	// by the replica that tallies its round.
	QuizVotes(truth, vote string, n int)
	// QuizRevealed counts a round's reveal by result: "edited", or
	// "failed" when Discord would not take the edit.
	QuizRevealed(result string)
}

// RunnerConfig tunes a Runner. The zero value works.
type RunnerConfig struct {
	Clock   proclaim.Clock // nil: proclaim.SystemClock
	Log     *slog.Logger   // nil: discard
	Metrics Metrics        // nil: none
	// Poll is how often the Runner looks for ended rounds (default 1 s).
	// Nudge makes it look at once.
	Poll time.Duration
	// Lease is how long a claim keeps a round from other Runners (default
	// 30 s): a Runner killed before its edit went out leaves the round to
	// be claimed again once the lease has run out.
	Lease time.Duration
	// InFlight bounds the reveals sent at once (default 8).
	InFlight int
	// Tries bounds the attempts at one edit within a claim (default 3),
	// Backoff the wait after the first failure (default 1 s, doubling).
	Tries   int
	Backoff time.Duration
	// EditTimeout bounds one attempt (default 10 s).
	EditTimeout time.Duration
}

// Runner reveals rounds that have ended: it claims them in the store
// (which tallies them once), edits their message with the answer, and
// marks them revealed. Any number of Runners in any number of processes
// may share a database: each round is revealed by one.
type Runner struct {
	claimer Claimer
	editor  Editor
	cfg     RunnerConfig
	log     *slog.Logger
	nudge   chan struct{}
}

// NewRunner returns a Runner that claims from c and edits with e.
func NewRunner(c Claimer, e Editor, cfg RunnerConfig) *Runner {
	if cfg.Clock == nil {
		cfg.Clock = proclaim.SystemClock{}
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
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 8
	}
	if cfg.Tries <= 0 {
		cfg.Tries = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.EditTimeout <= 0 {
		cfg.EditTimeout = 10 * time.Second
	}
	return &Runner{claimer: c, editor: e, cfg: cfg, log: cfg.Log.With("component", "quiz"), nudge: make(chan struct{}, 1)}
}

// Nudge makes the Runner look for ended rounds now rather than at its
// next poll (a vote ended a DM's round). It never blocks.
func (r *Runner) Nudge() {
	select {
	case r.nudge <- struct{}{}:
	default:
	}
}

// Run reveals ended rounds until ctx is done, then waits for the edits in
// flight and returns nil. A failing database is logged when it fails and
// when it is back; the Runner keeps polling meanwhile.
func (r *Runner) Run(ctx context.Context) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		inFlight int
		down     bool
	)
	defer wg.Wait()
	for {
		mu.Lock()
		free := r.cfg.InFlight - inFlight
		mu.Unlock()
		if free > 0 {
			claims, err := r.claimer.ClaimReveals(ctx, r.cfg.Clock.Now(), r.cfg.Lease, free)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				if !down {
					r.log.Error("claim ended rounds; retrying every poll", "err", err)
					down = true
				}
			default:
				if down {
					r.log.Info("database answers again; reveals resume")
					down = false
				}
				for _, c := range claims {
					if c.Tallied {
						r.count(c)
					}
					mu.Lock()
					inFlight++
					mu.Unlock()
					wg.Go(func() {
						defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
						r.reveal(ctx, c)
					})
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.nudge:
		case <-r.cfg.Clock.After(r.cfg.Poll):
		}
	}
}

// count adds a freshly tallied round's votes to the metrics.
func (r *Runner) count(c Reveal) {
	n := map[string]int{}
	for _, v := range c.Votes {
		n[v.Vote]++
	}
	for vote, k := range n {
		r.cfg.Metrics.QuizVotes(c.Truth, vote, k)
	}
}

// reveal edits a claimed round's message, retrying what is worth
// retrying within the claim, and marks it revealed; a round whose edit
// keeps failing for a passing reason is left to be claimed again when the
// lease runs out, until its token is too old.
func (r *Runner) reveal(ctx context.Context, c Reveal) {
	log := r.log.With("round", c.ID, "guild", c.GuildID, "channel", c.ChannelID)
	msg := revealMessage(c)
	for try := 1; ; try++ {
		err := r.edit(ctx, c, msg)
		if err == nil {
			r.cfg.Metrics.QuizRevealed("edited")
			r.finish(ctx, log, c)
			return
		}
		var pe *proclaim.PostError
		if !errors.As(err, &pe) {
			pe = nil
		}
		var wait time.Duration
		switch {
		case pe != nil && pe.Status == http.StatusTooManyRequests:
			wait = max(pe.RetryAfter, 100*time.Millisecond)
		case pe == nil || pe.Status >= 500:
			wait = r.cfg.Backoff << (try - 1)
		default:
			// The message or the token is gone (deleted, or 15 minutes
			// old), or Discord refuses the edit: no retry will help.
			log.Warn("reveal refused; giving up on this round", "status", pe.Status, "code", pe.Code, "err", err)
			r.cfg.Metrics.QuizRevealed("failed")
			r.finish(ctx, log, c)
			return
		}
		now := r.cfg.Clock.Now()
		if !now.Before(c.StartedAt.Add(TokenLife)) {
			log.Warn("reveal failed until the round's token expired; giving up", "err", err)
			r.cfg.Metrics.QuizRevealed("failed")
			r.finish(ctx, log, c)
			return
		}
		if try >= r.cfg.Tries {
			log.Warn("reveal failed; the round is claimed again once its lease runs out", "tries", try, "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-r.cfg.Clock.After(wait):
		}
	}
}

// edit makes one attempt. An edit under way when ctx is cancelled is
// allowed to finish (within EditTimeout).
func (r *Runner) edit(ctx context.Context, c Reveal, msg bot.Reply) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.EditTimeout)
	defer cancel()
	return r.editor.Edit(ctx, c.AppID, c.Token, msg)
}

// finish marks a round revealed, forgetting its token.
func (r *Runner) finish(ctx context.Context, log *slog.Logger, c Reveal) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.EditTimeout)
	defer cancel()
	if err := r.claimer.FinishReveal(ctx, c.ID, r.cfg.Clock.Now()); err != nil {
		log.Error("mark round revealed", "err", err)
	}
}

type noMetrics struct{}

func (noMetrics) QuizVotes(string, string, int) {}
func (noMetrics) QuizRevealed(string)           {}
