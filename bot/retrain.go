package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// /retrain: operators feed the Glow Cloud new scripture from Discord.
//
// The command is registered with default_member_permissions "0", which hides
// it from everyone but a server's administrators, who may grant it to anyone;
// so the bot checks the caller against its own operator list as well. Handle
// (checkRetrain) judges a request without I/O: who asks, and whether each
// attachment looks like a text file of a reasonable size, by what Discord
// reports of it. Answer (answerRetrain) then defers ephemerally, so only the
// operator sees the progress, and starts a background job, tracked by the
// Bot so that shutdown waits for it (Wait), which downloads the files,
// checks what actually arrived, hands them to the Retrainer and edits the
// deferred reply with what was learnt or why not.

// MaxRetrainFile is the largest attachment /retrain accepts, in bytes, both
// as Discord reports its size and as it downloads (8 MiB, as the trainer's
// own limit).
const MaxRetrainFile = 8 << 20

// RetrainTimeout bounds a retrain job: downloads, training and saving.
// Discord's interaction token lives 15 minutes, and the job's last act is to
// edit the reply with it.
const RetrainTimeout = 10 * time.Minute

// retrainEditTimeout bounds the edit that reports a job's end when the job's
// own context is over (it timed out, or shutdown cancelled it).
const retrainEditTimeout = 15 * time.Second

// downloadTimeout bounds one download when no client is configured.
const downloadTimeout = 2 * time.Minute

// The /retrain options, each an optional attachment, in the order their
// files are learnt.
const (
	OptScripture = "scripture"
	OptApocrypha = "apocrypha"
	OptPamphlet  = "pamphlet"
)

// retrainOptions lists the /retrain options in order.
func retrainOptions() [3]string { return [3]string{OptScripture, OptApocrypha, OptPamphlet} }

// TextFile is a file to learn from: an attachment of /retrain, downloaded
// and checked to be at most MaxRetrainFile bytes of UTF-8 text without NUL
// bytes, named *.txt, *.md or *.markdown.
type TextFile struct {
	// Name is the file name as the operator's client uploaded it: not a
	// safe path, only a hint for the corpus file's name.
	Name string
	Data []byte
}

// Retrainer retrains the model the bot serves; cmd/glowcloud adapts
// *retrain.Trainer to it. Implementations must be safe for concurrent use.
type Retrainer interface {
	// Retrain adds files (there may be none) to the corpus, trains a model
	// from the whole corpus, saves it and serves it. The summary says what it
	// learnt, in a line for people. Errors matching ErrRetrainBusy,
	// ErrNotText or ErrEmptyCorpus get replies of their own (ErrNotText's
	// message is shown to the operator, so it should name the file); any
	// other error gets a polite reply and goes to the log. It should stop
	// early, with ctx's error, when ctx ends.
	Retrain(ctx context.Context, files []TextFile) (summary string, err error)
}

// Errors a Retrainer returns (wrapped or joined with its own) for the bot to
// tell the operator what went wrong.
var (
	// ErrRetrainBusy means another retrain is running.
	ErrRetrainBusy = errors.New("a retrain is already running")
	// ErrNotText means a file is not text the corpus can take.
	ErrNotText = errors.New("not a text file")
	// ErrEmptyCorpus means the corpus holds nothing to learn from.
	ErrEmptyCorpus = errors.New("the corpus holds no sentences")
)

// What the operator (or a would-be one) reads.
const (
	msgNotOperator   = "Only the Glow Cloud's operators may feed it new scripture. The Glow Cloud appreciates your devotion all the same."
	msgRetrainOff    = "Retraining is not configured here. (Operators: set GLOWCLOUD_CORPUS_DIR.)"
	msgRetrainBusy   = "The Glow Cloud is already absorbing scripture. Try again when it has finished."
	msgRetrainFailed = "Retraining failed; the old model keeps serving. The details are in the bot's log."
	msgRetrainEmpty  = "The corpus holds no sentences yet, so there is nothing to learn from. Attach a .txt or .md file of scripture."
	msgRetrainSlow   = "Retraining took too long and was abandoned; the old model keeps serving."
	msgRetrainHalted = "Retraining was interrupted (the bot is shutting down); the old model keeps serving."
)

// Results of a retrain job: the "result" label of glowcloud_retrains_total
// and the log line's result.
const (
	retrainOK        = "ok"
	retrainBusy      = "busy"
	retrainTooLarge  = "too_large"
	retrainNotText   = "not_text"
	retrainDownload  = "download_error"
	retrainEmpty     = "empty_corpus"
	retrainCancelled = "cancelled"
	retrainError     = "error"
)

// checkRetrain judges a /retrain request without I/O. It returns the
// attachments to learn from, in option order, or an error fit for the user
// and the outcome to log.
func (b *Bot) checkRetrain(req Request) ([]Attachment, string, error) {
	if !b.IsOperator(req.UserID) {
		return nil, OutcomeForbidden, userError(msgNotOperator)
	}
	if b.retrainer == nil {
		return nil, OutcomeBadRequest, userError(msgRetrainOff)
	}
	names := retrainOptions()
	for k := range req.Options {
		if !slices.Contains(names[:], k) {
			return nil, OutcomeBadRequest, userError(fmt.Sprintf("/%s has no option %q. Attach files as %s, %s or %s.",
				CmdRetrain, clip(k, 32), OptScripture, OptApocrypha, OptPamphlet))
		}
	}
	var files []Attachment
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		v, present := req.Options[name]
		if !present {
			continue
		}
		id, ok := v.(string)
		a, found := req.Attachments[id]
		if !ok || id == "" || !found {
			return nil, OutcomeBadRequest, userError(fmt.Sprintf("Discord did not pass on the file attached as %s. Please attach it again.", name))
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := checkAttachment(a); err != nil {
			return nil, OutcomeBadRequest, err
		}
		files = append(files, a)
	}
	return files, OutcomeOK, nil
}

// checkAttachment judges an attachment by what Discord reports of it: its
// name, size, content type and URL. Its content is checked once downloaded.
func checkAttachment(a Attachment) error {
	name := displayName(a.Filename)
	switch strings.ToLower(path.Ext(a.Filename)) {
	case ".txt", ".md", ".markdown":
	default:
		return userError(name + " is not scripture: the Glow Cloud learns only from .txt and .md files.")
	}
	if a.Size < 0 || a.Size > MaxRetrainFile {
		return userError(fmt.Sprintf("%s is %s; the Glow Cloud takes files of at most %s.", name, byteSize(int64(a.Size)), byteSize(MaxRetrainFile)))
	}
	if a.ContentType != "" {
		mt, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil || !strings.HasPrefix(mt, "text/") {
			return userError(fmt.Sprintf("%s is %s, not text. The Glow Cloud learns only from text.", name, clip(a.ContentType, 64)))
		}
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
			return userError(fmt.Sprintf("%s is in %s; the Glow Cloud reads only UTF-8.", name, clip(cs, 32)))
		}
	}
	if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return userError(fmt.Sprintf("Discord gave no usable link to %s. Please attach it again.", name))
	}
	return nil
}

// displayName is a file name as quoted in replies: short, in backticks.
func displayName(name string) string {
	name = strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(name)
	if name == "" {
		name = "(unnamed)"
	}
	return "`" + clip(name, 64) + "`"
}

// byteSize renders n bytes for people: "8 MiB", "12.5 KiB", "300 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// retrainPlanned is Handle's reply to an allowed /retrain.
func retrainPlanned(files []Attachment) string {
	if len(files) == 0 {
		return "The Glow Cloud will retrain from its corpus as it is."
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = displayName(f.Filename)
	}
	return "The Glow Cloud will absorb " + strings.Join(names, ", ") + " and retrain."
}

// answerRetrain answers /retrain. A refusal is sent at once. An allowed
// request is deferred, ephemerally, and a background job does the rest
// (runRetrain); answerRetrain returns once it has deferred. Only one job
// runs at a time per Bot: a second request meanwhile is told to wait,
// before anything is downloaded.
func (b *Bot) answerRetrain(ctx context.Context, req Request, rs Responder) error {
	start := time.Now()
	reply, res := b.handle(ctx, req, true)
	if res.outcome == OutcomeOK && !b.retraining.CompareAndSwap(false, true) {
		reply, res.outcome = ephemeral(msgRetrainBusy), OutcomeCooldown
	}
	if res.outcome != OutcomeOK {
		var err error
		if err = rs.Respond(ctx, reply); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
		return b.answered(ctx, req, res, false, start, err)
	}
	if err := rs.Defer(ctx, true); err != nil {
		b.retraining.Store(false)
		return b.answered(ctx, req, res, true, start, fmt.Errorf("defer: %w", err))
	}
	files := res.files
	b.goBackground(ctx, RetrainTimeout, func(ctx context.Context) {
		// The job is over for the next /retrain once the retraining is;
		// the release comes before the edit, so an operator who reads
		// the result and asks again is not told to wait.
		release := sync.OnceFunc(func() { b.retraining.Store(false) })
		defer release()
		b.runRetrain(ctx, req, files, rs, release)
	})
	return b.answered(ctx, req, res, true, start, nil)
}

// jobError is a retrain job's failure: msg is for the operator in Discord,
// err the cause for the log, result the metric label.
type jobError struct {
	msg, result string
	err         error
}

func (e *jobError) Error() string { return e.err.Error() }
func (e *jobError) Unwrap() error { return e.err }

// runRetrain is a retrain job: it downloads files, retrains, calls done,
// edits the deferred reply with the outcome, and logs and counts it.
func (b *Bot) runRetrain(ctx context.Context, req Request, files []Attachment, rs Responder, done func()) {
	start := time.Now()
	var (
		summary string
		size    int
		err     error
	)
	texts := make([]TextFile, 0, len(files))
	for _, a := range files {
		var data []byte
		if data, err = b.fetch(ctx, a); err != nil {
			break
		}
		texts = append(texts, TextFile{Name: a.Filename, Data: data})
		size += len(data)
	}
	if err == nil {
		summary, err = b.retrainer.Retrain(ctx, texts)
	}
	reply, result := retrainReply(ctx, summary, err)
	done()

	editCtx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		editCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), retrainEditTimeout)
		defer cancel()
	}
	editErr := rs.Edit(editCtx, reply)

	b.retrains.count(result)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Filename
	}
	level := slog.LevelInfo
	switch {
	case result == retrainError || result == retrainCancelled || editErr != nil:
		level = slog.LevelError
	case result != retrainOK:
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
	b.log.LogAttrs(ctx, level, "retrain", attrs...)
}

// retrainReply is the edit that ends a retrain job, and the job's result.
func retrainReply(ctx context.Context, summary string, err error) (Reply, string) {
	var je *jobError
	switch {
	case err == nil:
		return Reply{Content: "The Glow Cloud has absorbed the scripture and glows anew: " + summary}, retrainOK
	case errors.As(err, &je):
		return Reply{Content: je.msg}, je.result
	case errors.Is(err, ErrRetrainBusy):
		return Reply{Content: msgRetrainBusy}, retrainBusy
	case errors.Is(err, ErrNotText):
		return Reply{Content: "The Glow Cloud learned nothing: " + clip(err.Error(), 300)}, retrainNotText
	case errors.Is(err, ErrEmptyCorpus):
		return Reply{Content: msgRetrainEmpty}, retrainEmpty
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return Reply{Content: msgRetrainSlow}, retrainCancelled
	case ctx.Err() != nil:
		return Reply{Content: msgRetrainHalted}, retrainCancelled
	}
	return Reply{Content: msgRetrainFailed}, retrainError
}

// fetch downloads an attachment with the Bot's download client and checks
// it: at most MaxRetrainFile bytes, whatever Content-Length or Discord's
// reported size say, of UTF-8 text without NUL bytes.
func (b *Bot) fetch(ctx context.Context, a Attachment) ([]byte, error) {
	name := displayName(a.Filename)
	failed := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("download %s: %w", a.Filename, context.Cause(ctx))
		}
		return &jobError{
			msg:    "The Glow Cloud could not download " + name + ", and learned nothing. Please try again.",
			result: retrainDownload,
			err:    fmt.Errorf("download %s: %w", a.Filename, err),
		}
	}
	tooLarge := func() error {
		return &jobError{
			msg:    fmt.Sprintf("%s is larger than %s, and the Glow Cloud learned nothing.", name, byteSize(MaxRetrainFile)),
			result: retrainTooLarge,
			err:    fmt.Errorf("download %s: larger than %d bytes", a.Filename, MaxRetrainFile),
		}
	}

	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return nil, failed(errors.New("bad attachment URL"))
	}
	client := b.download.Load()
	if client == nil {
		client = &http.Client{Timeout: downloadTimeout}
	}
	resp, err := client.Do(hr)
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
	if resp.ContentLength > MaxRetrainFile {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxRetrainFile+1))
	if err != nil {
		return nil, failed(err)
	}
	if len(data) > MaxRetrainFile {
		return nil, tooLarge()
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, &jobError{
			msg:    name + " is not UTF-8 text, and the Glow Cloud learned nothing. It learns only from text.",
			result: retrainNotText,
			err:    fmt.Errorf("download %s: %w: not UTF-8, or holds NUL bytes", a.Filename, ErrNotText),
		}
	}
	return data, nil
}

// setDownloadClient makes c the client that downloads attachments, unless
// Config.HTTPClient set one. Serve passes its REST client.
func (b *Bot) setDownloadClient(c *http.Client) {
	if c != nil {
		b.download.CompareAndSwap(nil, c)
	}
}

// retrainMetrics counts retrain jobs by result.
type retrainMetrics struct{ jobs *prometheus.CounterVec }

// newRetrainMetrics registers glowcloud_retrains_total in m's registry, or
// finds it there when another Bot shares m. It returns nil for a nil m.
func newRetrainMetrics(m *Metrics) *retrainMetrics {
	reg := m.Registry()
	if reg == nil {
		return nil
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "glowcloud_retrains_total",
		Help: "Retrain jobs started by /retrain, by result (ok, busy, too_large, not_text, download_error, empty_corpus, cancelled, error).",
	}, []string{"result"})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		existing, ok := c, false
		if errors.As(err, &are) {
			existing, ok = are.ExistingCollector.(*prometheus.CounterVec)
		}
		if !ok {
			return nil
		}
		c = existing
	}
	for _, r := range []string{retrainOK, retrainBusy, retrainTooLarge, retrainNotText, retrainDownload, retrainEmpty, retrainCancelled, retrainError} {
		c.WithLabelValues(r)
	}
	return &retrainMetrics{jobs: c}
}

func (m *retrainMetrics) count(result string) {
	if m != nil {
		m.jobs.WithLabelValues(result).Inc()
	}
}

// Background work: what outlives Answer. Deferred replies on the HTTP
// endpoint (the handler returns the deferral; the edit follows) and retrain
// jobs run on goroutines the Bot tracks, so a shutdown can wait for them.

// background tracks running jobs and how to cancel them.
type background struct {
	mu   sync.Mutex
	next uint64
	jobs map[uint64]context.CancelFunc
	idle chan struct{} // closed while no job runs
}

func newBackground() *background {
	idle := make(chan struct{})
	close(idle)
	return &background{jobs: make(map[uint64]context.CancelFunc), idle: idle}
}

func (g *background) add(cancel context.CancelFunc) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.jobs) == 0 {
		g.idle = make(chan struct{})
	}
	id := g.next
	g.next++
	g.jobs[id] = cancel
	return id
}

func (g *background) done(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.jobs, id)
	if len(g.jobs) == 0 {
		close(g.idle)
	}
}

func (g *background) running() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.jobs)
}

// goBackground runs f on a tracked goroutine with a context that keeps
// parent's values but not its cancellation (the caller is about to return),
// ends after timeout, and is cancelled by a Wait that runs out of time. A
// panic in f is logged.
func (b *Bot) goBackground(parent context.Context, timeout time.Duration, f func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	id := b.bg.add(cancel)
	go func() {
		defer b.bg.done(id)
		defer cancel()
		defer func() {
			if v := recover(); v != nil {
				b.log.LogAttrs(ctx, slog.LevelError, "background panic",
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			}
		}()
		f(ctx)
	}()
}

// Wait waits until the Bot's background work is done: retrains started by
// /retrain and, on the HTTP endpoint, replies being edited in after a
// deferral. If ctx ends first, Wait cancels that work (a retrain still tries
// to tell its operator, for a few seconds) and returns an error wrapping
// ctx's. Serve calls it while shutting down; callers that drive Answer or
// HTTPHandler themselves call it before exiting. Work started during or
// after a Wait is not waited for by it.
func (b *Bot) Wait(ctx context.Context) error {
	b.bg.mu.Lock()
	idle := b.bg.idle
	b.bg.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	}
	b.bg.mu.Lock()
	n := len(b.bg.jobs)
	for _, cancel := range b.bg.jobs {
		cancel()
	}
	b.bg.mu.Unlock()
	return fmt.Errorf("wait for %d background jobs: %w", n, context.Cause(ctx))
}
