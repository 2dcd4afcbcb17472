package quiz_test

import (
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/sqlitetest"
	"github.com/glowcloud/glowcloud/quiz"
)

// TestRoundsOfAHostileModelAreInert: with a model trained on an upload
// full of markup (masked links, mentions, spoilers, headings), 120 rounds'
// messages and their reveals, some of them the upload's own sentences or
// their twins, render none of it: every string of every
// payload passes bottest.Inert, an oracle written apart from discordtext.
// The bot's own timestamp and the voter's mention are taken out first.
func TestRoundsOfAHostileModelAreInert(t *testing.T) {
	t.Parallel()
	db := sqlitetest.Memory(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	seed := uint64(0)
	cm := quiz.NewCommands(db, quiz.Config{Now: func() time.Time { return now },
		Rand: func() *mrand.Rand { seed++; return compose.NewRand(seed) }})
	w := bottest.HostileModel(t)
	hostile := 0
	for i := range rounds {
		ch := fmt.Sprint("c", i)
		r, err := cm.Play(t.Context(), player("starter", ch), w)
		if err != nil || len(r.Buttons) != 2 {
			t.Fatalf("round %d: %+v, %v", i, r, err)
		}
		if _, err := cm.Vote(t.Context(), player("1300000000000000042", ch), roundOf(t, r), true); err != nil {
			t.Fatal(err)
		}
		end := fmt.Sprintf("<t:%d:R>", now.Add(20*time.Second).Unix())
		check(t, r, end)
		if strings.Contains(r.Embeds[0].Description, "evil") {
			hostile++
		}
	}
	if hostile == 0 {
		t.Fatalf("none of %d rounds showed a sentence of the hostile upload: the test proves nothing", rounds)
	}
	t.Logf("%d of %d rounds showed a sentence of the upload", hostile, rounds)
	claims, err := db.ClaimReveals(t.Context(), now.Add(time.Minute), time.Minute, 2*rounds)
	if err != nil || len(claims) != rounds {
		t.Fatalf("claimed %d rounds, %v", len(claims), err)
	}
	for _, c := range claims {
		check(t, quiz.RevealMessage(c), "<@1300000000000000042>")
	}
}

const rounds = 120

func check(t *testing.T, r bot.Reply, own ...string) {
	t.Helper()
	body, err := json.Marshal(discord.Response(r))
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatal(err)
	}
	if err := bottest.Inert(decoded["data"], own...); err != nil {
		t.Errorf("a payload renders markup: %v\n%s", err, body)
	}
}
