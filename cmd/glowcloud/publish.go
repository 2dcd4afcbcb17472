package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/publish"
)

// runPublish runs `glowcloud publish -model FILE` and `glowcloud publish
// -rollback`: it makes a model the current one in GLOWCLOUD_DATABASE, for
// every serve using that database.
func (e environment) runPublish(ctx context.Context, args []string) error {
	const use = "-model FILE | -rollback   (the database is GLOWCLOUD_DATABASE, or -database)"
	fs := e.flags("publish", use)
	dsn := e.databaseFlag(fs)
	path := fs.String("model", "", "model `FILE` to publish (written by glowcloud train)")
	rollback := fs.Bool("rollback", false, "make the model published before the current one current again")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*path == "") == !*rollback {
		fs.Usage()
		return &usageError{msg: "publish: want -model FILE or -rollback"}
	}
	var data []byte
	if *path != "" {
		// Checked before the database is touched: a model that does not
		// load is refused and nothing changes.
		l, err := modelLoader(e.getenv("GLOWCLOUD_MODEL_MAX"))
		if err != nil {
			return err
		}
		if data, err = readModel(ctx, l, *path); err != nil {
			return err
		}
	}
	db, err := e.openDatabase(ctx, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *rollback {
		id, err := db.Rollback(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "model %d is current again in %s; every replica switches to it within 5 s\n", id, databaseName(*dsn))
		return err
	}
	id, err := db.Publish(ctx, data)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "published %s as model %d (%d bytes) in %s; every replica switches to it within 5 s\n", *path, id, len(data), databaseName(*dsn))
	return err
}

// databaseName names a GLOWCLOUD_DATABASE for people: the SQLite file, or
// PostgreSQL's host and database (never the password).
func databaseName(dsn string) string {
	if !isPostgres(dsn) {
		return databaseKind(dsn)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return "postgres://" + u.Host + u.Path
}

// readModel reads a model file through the Loader l (a regular file within
// GLOWCLOUD_MODEL_MAX and its memory budget, given up on SIGTERM) and
// checks that it loads, returning its bytes: what is checked is what is
// published. /dev/zero, a FIFO or a file over the limit is refused unread.
func readModel(ctx context.Context, l markov.Loader, path string) ([]byte, error) {
	data, err := l.ReadFile(ctx, path)
	if errors.Is(err, markov.ErrTooLarge) {
		err = fmt.Errorf("%w (GLOWCLOUD_MODEL_MAX sets the limit)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("publish: model %s does not load, nothing published: %w", path, err)
	}
	return data, nil
}

// decodePublished loads a published model into a text generator, for
// publish.WatcherConfig.Apply, through the Loader l: a model in the
// database is as untrusted as a file.
func decodePublished(ctx context.Context, l markov.Loader, m publish.Model) (*compose.Writer, error) {
	mod, err := l.DecodeBytes(ctx, m.Data)
	if err != nil {
		return nil, fmt.Errorf("load published model %d: %w", m.ID, err)
	}
	w := compose.New(mod)
	w.Warm() // before the swap, so no interaction waits for the indexes
	return w, nil
}
