package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/quiz"
	"github.com/glowcloud/glowcloud/sqlite"
)

// TestQuizStats: `glowcloud quiz stats` reads the tallied rounds of a
// database, of one server with -guild (given before or after the word),
// and refuses a database that does not exist.
func TestQuizStats(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	db, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for i, p := range []struct {
		guild, truth string
		votes        []string
	}{
		{"1", quiz.GlowCloud, []string{quiz.Real, quiz.Real, quiz.GlowCloud, quiz.GlowCloud}},
		{"1", quiz.Real, []string{quiz.GlowCloud, quiz.Real}},
		{"2", quiz.GlowCloud, []string{quiz.GlowCloud}},
	} {
		r := quiz.Round{ID: quiz.NewID(), GuildID: p.guild, ChannelID: string(rune('a' + i)), AppID: "a", Token: "t", Truth: p.truth,
			Sentence: "s", StartedBy: "u", StartedAt: t0, EndsAt: t0.Add(20 * time.Second)}
		if err := db.StartRound(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		for j, v := range p.votes {
			if _, _, err := db.CastVote(t.Context(), quiz.Vote{RoundID: r.ID, UserID: string(rune('k' + j)), Vote: v, At: t0.Add(time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.ClaimReveals(context.Background(), t0.Add(time.Minute), time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"quiz", "stats", "-database", path, "-guild", "1"}, []string{
			"rounds: 2 revealed (1 real, 1 Glow Cloud), 6 votes",
			"fooled:  50.0 % of 4 votes on Glow Cloud sentences said Real (95 % interval 15.0–85.0 %)",
			"doubt:   50.0 % of 2 votes on real sentences said Glow Cloud",
		}},
		{[]string{"quiz", "-database", path, "stats"}, []string{"rounds: 3 revealed (1 real, 2 Glow Cloud), 7 votes", "of 5 votes on Glow Cloud"}},
	} {
		r := glowcloud(t, nil, "", tc.args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v prints\n%s\nwithout %q", tc.args, r.stdout, w)
			}
		}
	}
	if r := glowcloud(t, nil, "", "quiz", "stats", "-database", filepath.Join(t.TempDir(), "none.db")); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("a missing database: exit %d, %q", r.code, r.stderr)
	}
	if r := glowcloud(t, nil, "", "quiz", "nonsense"); r.code != 2 {
		t.Errorf("quiz nonsense: exit %d", r.code)
	}
}
