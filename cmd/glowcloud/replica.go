package main

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/publish"
	"github.com/glowcloud/glowcloud/reload"
)

// startupSync bounds serve's first look at the published model: a
// database slow to answer must not hold the start for long (the watcher
// tries again every poll).
const startupSync = 10 * time.Second

// newPublishWatcher follows the database's published model: each new
// current model that loads is swapped into holder, so every replica on the
// database serves it. With pinned (GLOWCLOUD_MODEL is set, and wins) it
// only reports what is published and whether the database answers.
func newPublishWatcher(ctx context.Context, loader markov.Loader, db database, holder *reload.Holder[*compose.Writer], pinned bool, every time.Duration, log *slog.Logger) *publish.Watcher {
	cfg := publish.WatcherConfig{Source: db, Log: log, Interval: every}
	if l, ok := db.(publish.Listener); ok {
		cfg.Listener = l
	}
	if !pinned {
		cfg.Apply = func(m publish.Model) error {
			w, err := decodePublished(ctx, loader, m)
			if err != nil {
				return err
			}
			holder.Swap(w)
			return nil
		}
	}
	return publish.NewWatcher(cfg)
}

// syncPublished serves the published model, if there is one, before serve
// starts answering.
func syncPublished(ctx context.Context, w *publish.Watcher) {
	ctx, cancel := context.WithTimeout(ctx, startupSync)
	defer cancel()
	w.Sync(ctx) // logged by the watcher; the model at hand serves meanwhile
}

// replicaHealth is what /healthz adds about this replica's model: the one
// it serves and, with a database, the published model it serves and the
// one the database calls current at its last poll.
func replicaHealth(holder *reload.Holder[*compose.Writer], w *publish.Watcher) func() map[string]any {
	return func() map[string]any {
		d := map[string]any{"model": holder.Current().ModelID()}
		if w != nil {
			st := w.Status()
			d["published_model"] = st.Serving
			d["current_published_model"] = st.Current
		}
		return d
	}
}

// publishRetrained publishes a model /retrain has just trained, saved and
// swapped in here, so that every replica on the database serves it too. A
// failure is logged: the model then serves on this replica only.
func publishRetrained(ctx context.Context, db publish.Store, w *publish.Watcher, m *markov.Model, log *slog.Logger) {
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		log.Error("encode the retrained model to publish it; it serves on this replica only", "err", err)
		return
	}
	id, err := w.PublishServed(ctx, db, buf.Bytes())
	if err != nil {
		log.Error("publish the retrained model; it serves on this replica only", "err", err)
		return
	}
	log.Info("published the retrained model for every replica", "published", id, "model", m.ID())
}
