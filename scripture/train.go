package scripture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// minPool is the fewest curated sentences (markov.Model.Pool) a server's
// model needs, beside markov.MinForks forks, to write novel text alone:
// below it, a share of 0 keeps DefaultEssay (see canWriteAlone).
const minPool = 100

// canWriteAlone reports whether a server's model can write novel text
// without the essay: its chain forks in at least markov.MinForks places
// (what `glowcloud train` warns about below) and its pool holds at least
// minPool sentences. It is the one rule of whether /scripture blend
// essay:0 takes effect.
func canWriteAlone(m *markov.Model) bool {
	return len(m.Pool()) >= minPool && m.Forks() >= markov.MinForks
}

// Trained is what a training made of a server's texts.
type Trained struct {
	Model     *markov.Model
	Data      []byte         // the model file
	Summary   string         // what it learned, for people
	Sentences map[string]int // sentences learned, by text name
}

// errNoSentences is a training whose texts held no sentence to learn.
var errNoSentences = errors.New("the texts hold no sentence to learn: write whole sentences of prose, ending with . ! or ?")

// Train trains a server's model from its texts (with their Data), read
// with the corpus's cleaning as `glowcloud train` reads files (each text
// decoded on its own; a paragraph given twice, in one text or two, is
// learned once), at markov order (DefaultOrder when 0), and encodes it.
// Its errors are for people: a text the corpus refuses (CheckUpload's
// rule) or texts without a sentence say so.
func Train(texts []Text, order int, now func() time.Time) (Trained, error) {
	out := Trained{Sentences: make(map[string]int, len(texts))}
	seg := &segments{}
	for _, t := range texts {
		if err := corpus.CheckUpload(t.Name+".txt", t.Data); err != nil {
			return out, fmt.Errorf("%s: %w", t.Name, err)
		}
		seg.parts = append(seg.parts, t.Data)
	}
	if len(texts) == 0 {
		return out, errNoSentences
	}
	paths := make([]string, len(texts))
	for i := range paths {
		paths[i] = corpus.Stdin
	}
	// The sentences read so far, after each text: Read reports them once
	// a text is read, before it reads the next.
	upTo := make([]int, len(texts))
	all, err := corpus.Read(paths, corpus.ReadOptions{Stdin: seg, Compact: true, Progress: func(p corpus.Progress) {
		upTo[min(seg.cur, len(upTo)-1)] = p.Sentences
	}})
	if errors.Is(err, corpus.ErrEmpty) {
		return out, errNoSentences
	}
	if err != nil {
		return out, fmt.Errorf("read: %w", err)
	}
	for i, t := range texts {
		out.Sentences[t.Name] = upTo[i]
		if i > 0 {
			out.Sentences[t.Name] -= upTo[i-1]
		}
	}
	if all.Len() == 0 {
		return out, errNoSentences
	}
	m, err := markov.TrainLines(all.Lines, markov.TrainOptions{Order: order, Headings: all.Headings, Now: now, CurlyQuotes: all.CurlyQuotes()})
	if errors.Is(err, corpus.ErrEmpty) {
		return out, errNoSentences
	}
	if err != nil {
		return out, fmt.Errorf("train: %w", err)
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return out, fmt.Errorf("encode: %w", err)
	}
	out.Model, out.Data = m, buf.Bytes()
	out.Summary = summary(m, all, len(texts))
	return out, nil
}

// summary says what a training learned: the words `glowcloud train`
// prints (sentences, words, what was dropped and why, what was cleaned),
// and whether the model can write alone. It holds no word of the texts.
func summary(m *markov.Model, text *corpus.Text, texts int) string {
	meta := m.Meta()
	var b strings.Builder
	fmt.Fprintf(&b, "learned %s, %s (%d distinct) from %s",
		plural(meta.Sentences, "sentence"), plural(meta.Words, "word"), meta.Vocabulary, plural(texts, "text"))
	for _, line := range text.Report() {
		b.WriteString("; ")
		b.WriteString(line)
	}
	if !canWriteAlone(m) {
		fmt.Fprintf(&b, ". Not yet enough to write new text alone (its chain can go more than one way at %d of the %d places it needs, and it has %d of the %d new sentences it needs): the blend keeps the essay until it has a few thousand words more",
			m.Forks(), markov.MinForks, len(m.Pool()), minPool)
	}
	return b.String()
}

// plural says n things: "1 sentence", "2 sentences".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// Run is the trainer: until ctx ends, it claims the servers' trainings
// from the store (when nudged, and every Poll for work queued on other
// replicas or left by a trainer that died), at most Trainings at once,
// trains each while renewing its lease, and records the outcome. When ctx
// ends it returns nil; the trainings under way give their jobs back
// (ReleaseTraining) for another replica to take, and Wait waits for that.
func (s *Service) Run(ctx context.Context) error {
	slots := make(chan struct{}, s.cfg.Trainings)
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	for {
		s.claim(ctx, slots)
		select {
		case <-ctx.Done():
			return nil
		case <-s.nudge:
		case <-tick.C:
		}
	}
}

// claim claims jobs while a slot is free and a job waits.
func (s *Service) claim(ctx context.Context, slots chan struct{}) {
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		default:
			return
		}
		j, ok, err := s.cfg.Store.ClaimTraining(ctx, s.cfg.Worker, s.cfg.Now(), s.cfg.Lease)
		if err != nil || !ok {
			<-slots
			if err != nil && ctx.Err() == nil {
				s.log.LogAttrs(ctx, slog.LevelError, "scripture: claim a training", slog.Any("err", err))
			}
			return
		}
		s.training.Add(1)
		if !s.jobs.Go(ctx, trainTimeout, func(jctx context.Context) { s.runJob(ctx, jctx, j, slots) }) {
			<-slots
			s.training.Add(-1)
			return
		}
	}
}

// Why a training stopped before its end.
var (
	errShutdown = errors.New("the trainer is shutting down")
	errLost     = errors.New("the job is no longer this trainer's")
)

// result is a training's end.
type result struct {
	t   Trained
	err error
}

// runJob trains j and records its outcome. The training itself cannot be
// stopped: it runs on its own goroutine, which keeps its slot until it
// ends, so a process never trains more than Trainings at once, and runJob
// gives the job back (shutdown) or lets it go (taken over) at once.
func (s *Service) runJob(runCtx, jctx context.Context, j Job, slots chan struct{}) {
	ctx, cancel := context.WithCancelCause(jctx)
	defer cancel(nil)
	defer context.AfterFunc(runCtx, func() { cancel(errShutdown) })()
	log := s.log.With("guild", j.GuildID, "gen", j.Gen, "attempt", j.Attempt)
	start := time.Now()

	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				log.LogAttrs(ctx, slog.LevelError, "scripture: training panicked", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				done <- result{err: errors.New("the training failed (a bug: the operator's log says more)")}
			}
			<-slots
			s.training.Add(-1)
			s.Nudge() // a slot is free
		}()
		texts, err := s.cfg.Store.Texts(ctx, j.GuildID, true)
		if err != nil {
			done <- result{err: fmt.Errorf("%w: %w", errStore, err)}
			return
		}
		if s.cfg.Training != nil {
			var size int64
			for _, t := range texts {
				size += int64(len(t.Data))
			}
			defer s.cfg.Training(size)()
		}
		t, err := Train(texts, s.cfg.Order, s.cfg.Now)
		done <- result{t: t, err: err}
	}()

	renew := time.NewTicker(s.cfg.Lease / 3)
	defer renew.Stop()
	var r result
wait:
	for {
		select {
		case r = <-done:
			break wait
		case <-renew.C:
			ok, err := s.cfg.Store.RenewTraining(ctx, j, s.cfg.Now().Add(s.cfg.Lease))
			switch {
			case err != nil:
				log.LogAttrs(ctx, slog.LevelWarn, "scripture: renew a training's lease", slog.Any("err", err))
			case !ok:
				cancel(errLost)
			}
		case <-ctx.Done():
			s.stopped(log, j, context.Cause(ctx))
			return
		}
	}

	// The outcome is recorded even if the process is shutting down now.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer fcancel()
	if errors.Is(r.err, errStore) {
		log.LogAttrs(fctx, slog.LevelError, "scripture: training", slog.Any("err", r.err))
		if err := s.cfg.Store.ReleaseTraining(fctx, j); err != nil {
			log.LogAttrs(fctx, slog.LevelError, "scripture: release a training", slog.Any("err", err))
		}
		s.count(ResultError)
		return
	}
	o := Outcome{Sentences: r.t.Sentences, At: s.cfg.Now()}
	res := ResultOK
	if r.err != nil {
		o.Err, res = r.err.Error(), ResultFailed
	} else {
		o.Model, o.Summary = r.t.Data, r.t.Summary
	}
	ok, err := s.cfg.Store.FinishTraining(fctx, j, o)
	switch {
	case err != nil:
		log.LogAttrs(fctx, slog.LevelError, "scripture: record a training", slog.Any("err", err))
		res = ResultError
	case !ok:
		res = ResultLost
	}
	s.Changed(j.GuildID)
	s.count(res)
	log.LogAttrs(fctx, slog.LevelInfo, "scripture: trained", slog.String("result", res), slog.Int("model_bytes", len(o.Model)),
		slog.String("why", o.Err), slog.Duration("took", time.Since(start)))
}

// stopped gives back (at shutdown) or lets go (taken over) a job whose
// training was stopped.
func (s *Service) stopped(log *slog.Logger, j Job, why error) {
	switch {
	case errors.Is(why, errLost):
		log.Info("scripture: training given up: the job was taken over or its texts changed")
		s.count(ResultLost)
		return
	case errors.Is(why, errShutdown):
		s.count(ResultReleased)
	default: // the training ran out of time
		s.count(ResultError)
	}
	ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
	defer cancel()
	if err := s.cfg.Store.ReleaseTraining(ctx, j); err != nil {
		log.LogAttrs(ctx, slog.LevelError, "scripture: give back a training", slog.Any("err", err))
		return
	}
	log.LogAttrs(ctx, slog.LevelInfo, "scripture: training given back", slog.Any("why", why))
}

// finishTimeout bounds recording a training's end.
const finishTimeout = 10 * time.Second

// errStore marks a training stopped by the store, not by its texts.
var errStore = errors.New("store")

func (s *Service) count(result string) {
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.ScriptureTrained(result)
	}
}

// segments reads the texts one after another as the inputs "-", "-", ...
// of corpus.Read: each ends with io.EOF, and the next Read starts the
// next. cur is the text being read (the last one once all are).
type segments struct {
	parts [][]byte
	cur   int
	off   int
	ended bool // io.EOF was returned for parts[cur]
}

func (s *segments) Read(p []byte) (int, error) {
	if s.ended && s.cur+1 < len(s.parts) {
		s.cur, s.off, s.ended = s.cur+1, 0, false
	}
	if s.cur >= len(s.parts) || s.off == len(s.parts[s.cur]) {
		s.ended = true
		return 0, io.EOF
	}
	n := copy(p, s.parts[s.cur][s.off:])
	s.off += n
	return n, nil
}
