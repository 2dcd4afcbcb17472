package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/glowcloud/glowcloud/quiz"
)

// runQuiz runs `glowcloud quiz stats [-guild ID]`: what the votes of /quiz
// say of the text, read from GLOWCLOUD_DATABASE (or -database).
func (e environment) runQuiz(ctx context.Context, args []string) error {
	const use = "stats [-guild ID] [-database DATABASE]"
	fs := e.flags("quiz", use)
	guild := fs.String("guild", "", "only the rounds of the server `ID`; unset: every server's and the DMs'")
	dsn := e.databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) != 1 || rest[0] != "stats" {
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("quiz %s: want quiz %s", strings.Join(rest, " "), use)}
	}
	db, err := e.openDatabase(ctx, *dsn, true)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.CountVotes(ctx, strings.TrimSpace(*guild))
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, quiz.NewStats(c))
	return err
}
