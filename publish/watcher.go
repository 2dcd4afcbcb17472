package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// defaultInterval is how often a Watcher polls by default: a replica
// serves a newly published model within this long even without
// notifications (the contract promises 5 s).
const defaultInterval = 2 * time.Second

// askTimeout bounds the poll's question, CurrentID.
const askTimeout = 5 * time.Second

// Source is what a Watcher reads; every Store is one.
type Source interface {
	Current(ctx context.Context) (Model, error)
	CurrentID(ctx context.Context) (int64, error)
}

// WatcherConfig configures a Watcher. Source is required.
type WatcherConfig struct {
	Source Source
	// Listener, if set, wakes the Watcher as soon as the current model
	// changes (PostgreSQL); it polls all the same.
	Listener Listener
	// Apply loads m and, if it loads, serves it; an error must leave the old
	// model serving. Nil only watches: the process serves a model of its own
	// (GLOWCLOUD_MODEL wins) and the Watcher reports what is published and
	// whether the database answers.
	Apply func(m Model) error
	// Log receives a line when the database goes away and comes back, and
	// for each model applied or refused. Nil discards.
	Log *slog.Logger
	// Interval between polls; 0 means defaultInterval.
	Interval time.Duration
	// Timeout bounds one poll, the model's download included; 0 means 30 s.
	Timeout time.Duration
}

// Watcher keeps a process serving the store's current model. It is safe
// for concurrent use; get one from NewWatcher.
type Watcher struct {
	cfg WatcherConfig
	log *slog.Logger

	mu     sync.Mutex // serialises Sync
	failed int64      // a model that did not load: not tried again; guarded by mu
	down   bool       // the last poll failed; guarded by mu

	serving atomic.Int64 // the published model applied, 0 none
	current atomic.Int64 // the current model at the last poll that answered
	up      atomic.Bool  // the last poll answered
}

// NewWatcher returns a Watcher configured by cfg.
func NewWatcher(cfg WatcherConfig) *Watcher {
	if cfg.Interval <= 0 {
		cfg.Interval = defaultInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{cfg: cfg, log: log.With("component", "publish")}
}

// Status is what a Watcher knows, for /healthz.
type Status struct {
	// Serving is the published model this process serves; 0 when it serves
	// none (nothing published yet, or a model of its own).
	Serving int64
	// Current is the database's current model as of the last poll that
	// answered; 0 when none is published.
	Current int64
	// DatabaseUp reports whether the last poll got an answer.
	DatabaseUp bool
}

// Status returns what the Watcher knows now.
func (w *Watcher) Status() Status {
	return Status{Serving: w.serving.Load(), Current: w.current.Load(), DatabaseUp: w.up.Load()}
}

// Sync asks the store for its current model once and, when it is new and
// loads, applies it. A model that fails to load is refused once, logged,
// and not fetched again; the old model keeps serving.
func (w *Watcher) Sync(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	// The question is small: a database that takes longer than this to
	// answer it counts as down, so /healthz says so soon.
	askCtx, cancelAsk := context.WithTimeout(ctx, askTimeout)
	id, err := w.cfg.Source.CurrentID(askCtx)
	cancelAsk()
	if err != nil {
		w.setDown(err)
		return fmt.Errorf("ask for the current model: %w", err)
	}
	w.setUp()
	w.current.Store(id)
	if w.cfg.Apply == nil || id == 0 || id == w.serving.Load() || id == w.failed {
		return nil
	}
	m, err := w.cfg.Source.Current(ctx)
	switch {
	case errors.Is(err, ErrNone):
		return nil // rolled back and pruned meanwhile; the next poll sees it
	case err != nil:
		w.setDown(err)
		return fmt.Errorf("fetch the current model: %w", err)
	case m.ID == w.serving.Load() || m.ID == w.failed:
		return nil
	}
	w.current.Store(m.ID)
	if err := w.cfg.Apply(m); err != nil {
		w.failed = m.ID
		w.log.Error("the published model does not load; the old model keeps serving", "published", m.ID, "err", err)
		return fmt.Errorf("apply published model %d: %w", m.ID, err)
	}
	w.serving.Store(m.ID)
	w.log.Info("serving the published model", "published", m.ID, "bytes", len(m.Data))
	return nil
}

// publishTimeout bounds PublishServed.
const publishTimeout = 30 * time.Second

// PublishServed stores data, a model this process serves already (it has
// just loaded it, as /retrain does), as st's current model for every
// process on it, and records that this process serves it, so that Sync
// does not fetch and load it again. It goes on when ctx is cancelled (a
// model on its way to the database is worth finishing), for 30 s at most.
func (w *Watcher) PublishServed(ctx context.Context, st Store, data []byte) (int64, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	id, err := st.Publish(ctx, data)
	if err != nil {
		return 0, fmt.Errorf("publish: %w", err)
	}
	w.adopt(id)
	return id, nil
}

// adopt records that the process serves published model id already.
func (w *Watcher) adopt(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.serving.Store(id)
	w.current.Store(id)
}

func (w *Watcher) setDown(err error) {
	w.up.Store(false)
	if !w.down {
		w.down = true
		w.log.Error("the database does not answer; serving the model at hand and asking again every poll", "err", err)
	}
}

func (w *Watcher) setUp() {
	w.up.Store(true)
	if w.down {
		w.down = false
		w.log.Info("the database answers again")
	}
}

// Run syncs at once, then every interval and whenever the Listener says
// so, until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	kick := make(chan struct{}, 1)
	changed := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	if w.cfg.Listener != nil {
		wg.Go(func() { w.listen(ctx, changed) })
	}
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		w.Sync(ctx) // errors are logged once by Sync
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
	}
}

// listen keeps the Listener listening, again one interval after each
// failure; meanwhile the polls carry on.
func (w *Watcher) listen(ctx context.Context, changed func()) {
	lost := false
	for {
		err := w.cfg.Listener.ListenModels(ctx, func() {
			if lost {
				lost = false
				w.log.Info("model notifications are back")
			}
			changed()
		})
		if ctx.Err() != nil {
			return
		}
		if !lost {
			lost = true
			w.log.Warn("lost the model notifications; polling until they are back", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.cfg.Interval):
		}
	}
}
