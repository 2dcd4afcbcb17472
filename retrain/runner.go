package retrain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/internal/jobs"
)

// /retrain's jobs. The core (bot) judges a request, claims the Runner's one
// slot and defers the reply; the Runner's job, in the background, downloads
// the attachments, checks what arrived by corpus's rule, hands the files to
// the Trainer and edits the deferred reply with what was learnt or why not.
// The slot is the one "one retrain at a time" lock: nothing else retrains.

// jobTimeout bounds a retrain job: downloads, training and saving. Discord's
// interaction token lives 15 minutes, and the job's last act is to edit the
// reply with it.
const jobTimeout = 10 * time.Minute

// editTimeout bounds the edit that reports a job's end when the job's own
// context is over (it timed out, or shutdown cancelled it).
const editTimeout = 15 * time.Second

// downloadTimeout bounds one download when no client is configured.
const downloadTimeout = 2 * time.Minute

// Learner is what a Runner retrains with; *Trainer is one. The Runner
// calls it from one job at a time.
type Learner interface {
	Retrain(ctx context.Context, files []File) (Result, error)
}

// Recorder counts retrain jobs; *metrics.Metrics is one.
type Recorder interface {
	// Retrained counts a job by its result: ok, busy, too_large, not_text,
	// download_error, empty_corpus, cancelled or error.
	Retrained(result string)
}

type noRecorder struct{}

func (noRecorder) Retrained(string) {}

// RunnerConfig configures a Runner. The zero value works.
type RunnerConfig struct {
	// Client downloads the attachments: the REST client (rest.Client), so
	// DISCORD_API_BASE and tests' fakes apply. Nil means a plain client with
	// a timeout.
	Client *http.Client
	// Log receives one line per job, and recovered panics; nil discards.
	Log *slog.Logger
	// Metrics counts the jobs; nil counts nothing.
	Metrics Recorder
}

// Runner runs /retrain's jobs, one at a time, and is the bot.Retrainer
// serve gives the core. It is safe for concurrent use; make one with
// NewRunner.
type Runner struct {
	learner Learner
	client  *http.Client
	log     *slog.Logger
	metrics Recorder
	busy    atomic.Bool // the slot: a job holds it
	jobs    *jobs.Group
}

// NewRunner returns a Runner that retrains with l.
func NewRunner(l Learner, cfg RunnerConfig) *Runner {
	r := &Runner{learner: l, client: cfg.Client, log: cfg.Log, metrics: cfg.Metrics}
	if r.client == nil {
		r.client = &http.Client{Timeout: downloadTimeout}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.metrics == nil {
		r.metrics = noRecorder{}
	}
	r.jobs = jobs.New(r.log)
	return r
}

// Claim takes the one retrain slot, or reports false (and counts a "busy"
// job) while a job holds it.
func (r *Runner) Claim() bool {
	if r.busy.CompareAndSwap(false, true) {
		return true
	}
	r.metrics.Retrained(resultBusy)
	return false
}

// Release gives back a claimed slot unused.
func (r *Runner) Release() { r.busy.Store(false) }

// Run starts the claimed job in the background: it downloads files,
// retrains, gives the slot back, and edits the deferred reply through rs.
// The job ends within ten minutes, or sooner when Wait runs out of time.
func (r *Runner) Run(ctx context.Context, req bot.Request, files []bot.Attachment, rs bot.Responder) {
	r.jobs.Go(ctx, jobTimeout, func(ctx context.Context) { r.run(ctx, req, files, rs) })
}

// interruptGrace is how long Wait, once its context has ended and it has
// cancelled the jobs, still waits for them to tell their operators (one
// REST edit each; or a commit already under way, which is quick).
const interruptGrace = 5 * time.Second

// Wait waits until the running jobs are done. If ctx ends first, Wait
// cancels them, waits up to interruptGrace more for each to edit its reply
// ("interrupted, nothing changed") and returns an error wrapping ctx's.
// serve.Run's shutdown calls it, and the process exits after it: a job
// whose reply is not yet edited when Wait returns never tells its operator.
func (r *Runner) Wait(ctx context.Context) error { return r.jobs.WaitGrace(ctx, interruptGrace) }

// Running reports the number of jobs running.
func (r *Runner) Running() int { return r.jobs.Running() }

// A job is interrupted only before it commits. The Learner may not heed its
// context at once (markov's training does not), so when the job's context
// ends the job does not wait for it: it claims the job's commitGate, which
// the Trainer must win before it writes anything (mayCommit), and edits the
// reply at once. Whichever comes first decides, so the reply is true: if
// the trainer had begun committing, the job waits for it and reports it.

// commitGate decides, once, between a commit and an interruption.
type commitGate struct {
	mu    sync.Mutex
	state int // 0 undecided, 1 committed, 2 interrupted
}

func (g *commitGate) decide(want int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state == 0 {
		g.state = want
	}
	return g.state == want
}

type gateKey struct{}

// mayCommit reports whether a retrain under ctx may write its results: its
// context has not ended and the job has not been reported interrupted. A
// true answer is final: the job then waits for the commit.
func mayCommit(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	g, _ := ctx.Value(gateKey{}).(*commitGate)
	return g == nil || g.decide(1)
}

// What the operator reads when a job ends badly.
const (
	msgFailed = "Retraining failed; the old model keeps serving. The details are in the bot's log."
	msgEmpty  = "The corpus holds no sentences yet, so there is nothing to learn from. Attach a .txt or .md file of scripture."
	msgSlow   = "Retraining took too long and was abandoned; the old model keeps serving."
	msgHalted = "Retraining was interrupted (the bot is shutting down): nothing changed; the old model keeps serving."
)

// Results of a retrain job: the "result" label of glowcloud_retrains_total
// and the log line's result.
const (
	resultOK        = "ok"
	resultBusy      = "busy"
	resultTooLarge  = "too_large"
	resultNotText   = "not_text"
	resultDownload  = "download_error"
	resultEmpty     = "empty_corpus"
	resultCancelled = "cancelled"
	resultError     = "error"
)

// jobError is a retrain job's failure: msg is for the operator in Discord,
// err the cause for the log, result the metric label.
type jobError struct {
	msg, result string
	err         error
}

func (e *jobError) Error() string { return e.err.Error() }
func (e *jobError) Unwrap() error { return e.err }

// run is a retrain job: it downloads files and retrains (on a goroutine of
// their own, which gives the slot back when it ends), edits the deferred
// reply with the outcome, and logs and counts it.
func (r *Runner) run(ctx context.Context, req bot.Request, files []bot.Attachment, rs bot.Responder) {
	start := time.Now()
	type outcome struct {
		res  Result
		size int
		err  error
	}
	gate := &commitGate{}
	learned := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if v := recover(); v != nil {
				r.log.Error("retrain panic", "panic", v, "stack", string(debug.Stack()))
				o = outcome{err: fmt.Errorf("retrain panic: %v", v)}
			}
			// The slot is free for the next /retrain once the retraining
			// is over: before the edit, so an operator who reads the
			// result and asks again is not told to wait; and not before,
			// even if the job has reported an interruption already.
			r.Release()
			learned <- o
		}()
		texts := make([]File, 0, len(files))
		for _, a := range files {
			data, err := r.fetch(ctx, a)
			if err != nil {
				o.err = err
				return
			}
			texts = append(texts, File{Name: a.Filename, Data: data})
			o.size += len(data)
		}
		o.res, o.err = r.learner.Retrain(context.WithValue(ctx, gateKey{}, gate), texts)
	}()
	var o outcome
	select {
	case o = <-learned:
	case <-ctx.Done():
		if gate.decide(2) {
			o.err = fmt.Errorf("retrain: %w", context.Cause(ctx))
		} else {
			o = <-learned // it is committing: report what it did
		}
	}
	res, size, err := o.res, o.size, o.err
	summary := ""
	if err == nil {
		summary = res.Summary()
	}
	reply, result := jobReply(ctx, summary, err)

	editCtx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		editCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), editTimeout)
		defer cancel()
	}
	editErr := rs.Edit(editCtx, reply)

	r.metrics.Retrained(result)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Filename
	}
	level := slog.LevelInfo
	switch {
	case result == resultError || result == resultCancelled || editErr != nil:
		level = slog.LevelError
	case result != resultOK:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("user", req.UserID),
		slog.String("guild", req.GuildID),
		slog.Any("files", names),
		slog.Int("bytes", size),
		slog.String("result", result),
		slog.Duration("duration", time.Since(start)),
	}
	if summary != "" {
		attrs = append(attrs, slog.String("summary", summary))
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	if editErr != nil {
		attrs = append(attrs, slog.String("edit_err", editErr.Error()))
	}
	r.log.LogAttrs(ctx, level, "retrain", attrs...)
}

// jobReply is the edit that ends a retrain job, and the job's result.
func jobReply(ctx context.Context, summary string, err error) (bot.Reply, string) {
	var je *jobError
	switch {
	case err == nil:
		return bot.Reply{Content: "The Glow Cloud has absorbed the scripture and glows anew: " + summary}, resultOK
	case errors.As(err, &je):
		return bot.Reply{Content: je.msg}, je.result
	case errors.Is(err, corpus.ErrNotText):
		// The error names the file: shown, as every user-supplied name is.
		return bot.Reply{Content: "The Glow Cloud learned nothing: " + discordtext.Show(clip(err.Error(), 300))}, resultNotText
	case errors.Is(err, corpus.ErrEmpty):
		return bot.Reply{Content: msgEmpty}, resultEmpty
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return bot.Reply{Content: msgSlow}, resultCancelled
	case ctx.Err() != nil:
		return bot.Reply{Content: msgHalted}, resultCancelled
	}
	return bot.Reply{Content: msgFailed}, resultError
}

// fetch downloads an attachment and checks it by corpus's rule for uploads
// (corpus.CheckUpload): at most corpus.MaxUpload bytes, whatever
// Content-Length or Discord's reported size say, of UTF-8 text without NUL
// bytes.
func (r *Runner) fetch(ctx context.Context, a bot.Attachment) ([]byte, error) {
	name := bot.DisplayName(a.Filename)
	failed := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("download %s: %w", a.Filename, context.Cause(ctx))
		}
		return &jobError{
			msg:    "The Glow Cloud could not download " + name + ", and learned nothing. Please try again.",
			result: resultDownload,
			err:    fmt.Errorf("download %s: %w", a.Filename, err),
		}
	}
	tooLarge := func() error {
		return &jobError{
			msg:    fmt.Sprintf("%s is larger than %s, and the Glow Cloud learned nothing.", name, bot.ByteSize(corpus.MaxUpload)),
			result: resultTooLarge,
			err:    fmt.Errorf("download %s: larger than %d bytes", a.Filename, corpus.MaxUpload),
		}
	}

	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return nil, failed(errors.New("bad attachment URL"))
	}
	resp, err := r.client.Do(hr)
	if err != nil {
		// The URL carries Discord's signature; log the cause without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, failed(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, failed(fmt.Errorf("HTTP status %s", resp.Status))
	}
	if resp.ContentLength > corpus.MaxUpload {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, corpus.MaxUpload+1))
	if err != nil {
		return nil, failed(err)
	}
	if len(data) > corpus.MaxUpload {
		return nil, tooLarge()
	}
	if err := corpus.CheckUpload(a.Filename, data); err != nil {
		return nil, &jobError{
			msg:    name + " is not UTF-8 text, and the Glow Cloud learned nothing. It learns only from text.",
			result: resultNotText,
			err:    fmt.Errorf("download: %w", err),
		}
	}
	return data, nil
}

// clip shortens s to n characters for a reply.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
