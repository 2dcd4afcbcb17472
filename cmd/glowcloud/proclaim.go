package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/console"
	"github.com/glowcloud/glowcloud/bot/post"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/quiz"
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
// /proclaim, /hush and /quiz answered as in a server, and the posts and
// reveals printed as the Runners make them on the console's fast clock.
func runConsoleWith(ctx context.Context, w func() bot.Writer, proclaimMin time.Duration, quizSeconds int, speed float64, publicURL string, stdin io.Reader, stdout io.Writer) error {
	clock := proclaim.NewFastClock(speed)
	db, err := sqlite.OpenMemory(ctx, nil)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	defer db.Close()
	poster := console.NewPoster()
	// Poll every quarter of a real second, whatever the speed.
	poll := time.Duration(float64(250*time.Millisecond) * speed)
	runner := proclaim.NewRunner(db, post.NewWriter(w, publicURL), poster, proclaim.RunnerConfig{Clock: clock, Poll: poll})
	reveals := quiz.NewRunner(db, poster, quiz.RunnerConfig{Clock: clock, Poll: poll})
	// A round takes quizSeconds of real time, so a person has time to vote
	// whatever the speed: that many times speed on the console's clock.
	round := int(float64(quizSeconds) * speed)
	b := bot.New(bot.Config{ // the console applies no cooldown
		Writer:    w,
		Admin:     proclaim.NewCommands(db, proclaimMin, clock.Now),
		Quiz:      quiz.NewCommands(db, quiz.Config{Seconds: round, Now: clock.Now, Ended: reveals.Nudge}),
		PublicURL: publicURL,
	})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = runner.Run(ctx) })
	wg.Go(func() { _ = reveals.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	return console.RunWith(ctx, b, stdin, stdout, console.Options{Posts: poster, Now: clock.Now, Speed: speed})
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
