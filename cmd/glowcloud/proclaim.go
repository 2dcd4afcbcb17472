package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/console"
	"github.com/glowcloud/glowcloud/bot/post"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/quiz"
	"github.com/glowcloud/glowcloud/scripture"
	"github.com/glowcloud/glowcloud/sqlite"
)

// parseProclaimMin parses GLOWCLOUD_PROCLAIM_MIN: a positive Go duration,
// empty for proclaim.DefaultMin.
func parseProclaimMin(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return proclaim.DefaultMin, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("GLOWCLOUD_PROCLAIM_MIN=%q: want a positive duration such as 1h or 10m", v)
	}
	return d, nil
}

// databaseKind is what serve logs of GLOWCLOUD_DATABASE: the SQLite path,
// or just "postgres" (a URL may hold a password).
func databaseKind(dsn string) string {
	switch {
	case isPostgres(dsn):
		return "postgres"
	case dsn == "":
		return defaultDatabase
	}
	return dsn
}

// runConsoleWith runs the console over an in-memory database, with
// /proclaim, /hush, /quiz and /scripture answered as in a server, and the
// posts and reveals printed as the Runners make them on the console's fast
// clock. /scripture add takes a local file and trains it with the same
// Service serve runs, so a newcomer sees the server's blend offline.
func runConsoleWith(ctx context.Context, w *compose.Writer, loader markov.Loader, proclaimMin time.Duration, quizSeconds int, speed float64, publicURL string, stdin io.Reader, stdout io.Writer) error {
	clock := proclaim.NewFastClock(speed)
	db, err := sqlite.OpenMemory(ctx, nil)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	defer db.Close()
	writer := func() bot.Writer { return w }
	poster := console.NewPoster()
	// Poll every quarter of a real second, whatever the speed.
	poll := time.Duration(float64(250*time.Millisecond) * speed)
	runner := proclaim.NewRunner(db, post.NewWriter(writer, publicURL), poster, proclaim.RunnerConfig{Clock: clock, Poll: poll})
	reveals := quiz.NewRunner(db, poster, quiz.RunnerConfig{Clock: clock, Poll: poll})
	// The server's scripture, trained in real time: the Service's leases
	// and freshness are not the console clock's.
	svc := scripture.New(scripture.Config{Store: db, Essay: func() *compose.Writer { return w }, Loader: loader})
	files := &consoleFiles{}
	texts := scripture.NewCommands(db, scripture.CommandsConfig{
		Client: &http.Client{Transport: files}, Nudge: svc.Nudge, Changed: svc.Changed, Alone: svc.Alone,
		Poll: 50 * time.Millisecond,
	})
	// A round takes quizSeconds of real time, so a person has time to vote
	// whatever the speed: that many times speed on the console's clock.
	round := int(float64(quizSeconds) * speed)
	b := bot.New(bot.Config{ // the console applies no cooldown
		Writer:    writer,
		WriterFor: svc.WriterFor,
		Admin:     proclaim.NewCommands(db, proclaimMin, clock.Now),
		Quiz:      quiz.NewCommands(db, quiz.Config{Seconds: round, Now: clock.Now, Ended: reveals.Nudge}),
		Scripture: texts,
		PublicURL: publicURL,
	})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = runner.Run(ctx) })
	wg.Go(func() { _ = reveals.Run(ctx) })
	wg.Go(func() { _ = svc.Run(ctx) })
	defer func() { cancel(); wg.Wait(); _ = texts.Wait(context.Background()); _ = svc.Wait(context.Background()) }()
	return console.RunWith(ctx, b, stdin, stdout, console.Options{
		Posts: poster, Now: clock.Now, Speed: speed,
		Attach: files.Attach, Busy: func() bool { return texts.Running() > 0 },
	})
}

// databaseHealth is what /healthz says of the database: "ok" when it
// answers a read within a second, else "down".
func databaseHealth(ctx context.Context, db database) string {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := db.Ping(ctx); err != nil {
		return "down"
	}
	return "ok"
}
