package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/glowcloud/glowcloud/internal/store"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/sqlite"
)

// defaultDatabase is GLOWCLOUD_DATABASE when it is unset: an SQLite file in
// the working directory.
const defaultDatabase = "glowcloud.db"

// database is an open store, whichever backend GLOWCLOUD_DATABASE names:
// *sqlite.DB or *postgres.DB.
type database = store.DB

// isPostgres reports whether a GLOWCLOUD_DATABASE value names PostgreSQL.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openDatabase is openDatabase for a command run by hand (publish, quiz
// stats, scripture): its log goes to stderr in GLOWCLOUD_LOG_FORMAT.
func (e environment) openDatabase(ctx context.Context, dsn string, mustExist bool) (database, error) {
	log, err := newLogger(e.stderr, e.getenv("GLOWCLOUD_LOG_FORMAT"))
	if err != nil {
		return nil, err
	}
	return openDatabase(ctx, dsn, mustExist, log)
}

// openDatabase opens GLOWCLOUD_DATABASE (dsn; empty means defaultDatabase):
// a postgres:// URL selects PostgreSQL, anything else is an SQLite file.
// With mustExist, a missing SQLite file is an error rather than a new
// database. Either way the schema is brought up to date.
func openDatabase(ctx context.Context, dsn string, mustExist bool, log *slog.Logger) (database, error) {
	if dsn == "" {
		dsn = defaultDatabase
	}
	if isPostgres(dsn) {
		return postgres.Open(ctx, dsn, log)
	}
	if mustExist {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s does not exist (GLOWCLOUD_DATABASE)", dsn)
		}
	}
	return sqlite.Open(ctx, dsn, log)
}

// databaseFlag defines -database on fs, defaulting to GLOWCLOUD_DATABASE.
// Help shows that default with any password masked, as every printer of a
// database URL must (serve -h once printed it whole).
func (e environment) databaseFlag(fs *flag.FlagSet) *string {
	dsn := e.getenv("GLOWCLOUD_DATABASE")
	fs.Var(secretURL{&dsn}, "database", "the `DATABASE`: an SQLite file, or a postgres:// URL shared by replicas ($GLOWCLOUD_DATABASE; unset: "+defaultDatabase+")")
	return &dsn
}

// secretURL is a flag.Value holding a URL that may carry a password, which
// String (what help prints) masks.
type secretURL struct{ p *string }

func (s secretURL) String() string {
	if s.p == nil {
		return ""
	}
	return redactURL(*s.p)
}

func (s secretURL) Set(v string) error { *s.p = v; return nil }

// redactURL masks the passwords a URL may hold (a database's, a REST
// proxy's), in its user information or as a password or sslpassword
// parameter (pgx reads both). What is not a URL (an SQLite path) is
// returned as it is.
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	q := u.Query()
	changed := false
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q.Set(k, "xxxxx")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openExisting opens GLOWCLOUD_DATABASE (dsn; empty means
// defaultDatabase) as it is, for db check and db backup: nothing is
// created or migrated. It returns the database and the schema version this
// glowcloud writes to it.
func openExisting(ctx context.Context, dsn string, log *slog.Logger) (existing, int, error) {
	if dsn == "" {
		dsn = defaultDatabase
	}
	if isPostgres(dsn) {
		db, err := postgres.OpenExisting(ctx, dsn, log)
		return db, postgres.Latest(), err
	}
	if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("database %s does not exist (GLOWCLOUD_DATABASE)", dsn)
	}
	db, err := sqlite.OpenExisting(ctx, dsn, log)
	return db, sqlite.Latest(), err
}

// existing is a database opened as it is: *sqlite.DB or *postgres.DB.
type existing interface {
	Check(ctx context.Context) (version int, err error)
	Close() error
}

// runDB runs `glowcloud db backup FILE`, `db check` and `db migrate`.
func (e environment) runDB(ctx context.Context, args []string) error {
	const use = "backup FILE | check | migrate   (the database is GLOWCLOUD_DATABASE, or -database)"
	fs := e.flags("db", use)
	dsn := e.databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return &usageError{}
	}
	log, err := newLogger(e.stderr, e.getenv("GLOWCLOUD_LOG_FORMAT"))
	if err != nil {
		return err
	}
	name := databaseName(*dsn)
	switch sub := rest[0]; {
	case sub == "backup" && len(rest) == 2:
		if isPostgres(*dsn) {
			return errors.New("db backup copies an SQLite database; for PostgreSQL use pg_dump (see docs/operating.md)")
		}
		db, _, err := openExisting(ctx, *dsn, log)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.(*sqlite.DB).Backup(ctx, rest[1]); err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "backed up to %s\n", rest[1])
		return err
	case sub == "check" && len(rest) == 1:
		db, latest, err := openExisting(ctx, *dsn, log)
		if err != nil {
			return err
		}
		defer db.Close()
		v, err := db.Check(ctx)
		if err != nil {
			return fmt.Errorf("check %s: %w", name, err)
		}
		if v < latest {
			_, err = fmt.Fprintf(e.stdout, "ok: schema version %d; this glowcloud upgrades it to %d ('glowcloud db migrate', or starting serve)\n", v, latest)
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "ok: schema version %d\n", v)
		return err
	case sub == "migrate" && len(rest) == 1:
		from := 0 // a new SQLite file, which migrate creates as serve would
		path := cmp.Or(*dsn, defaultDatabase)
		if _, err := os.Stat(path); isPostgres(path) || err == nil {
			before, latest, err := openExisting(ctx, *dsn, log)
			if err != nil {
				return err
			}
			from, err = before.Check(ctx)
			before.Close()
			if err != nil {
				return fmt.Errorf("migrate %s: %w", name, err)
			}
			if from == latest {
				_, err = fmt.Fprintf(e.stdout, "%s is at schema version %d already: nothing to do\n", name, latest)
				return err
			}
		}
		db, err := openDatabase(ctx, *dsn, false, log)
		if err != nil {
			return err
		}
		defer db.Close()
		v, err := db.Check(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		_, err = fmt.Fprintf(e.stdout, "migrated %s from schema version %d to %d\n", name, from, v)
		return err
	default:
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("db %s: want db %s", strings.Join(rest, " "), use)}
	}
}
