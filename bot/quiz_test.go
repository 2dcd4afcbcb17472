package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// fakeQuiz records what the core asks of the game.
type fakeQuiz struct {
	mu    sync.Mutex
	calls []string
	delay time.Duration
	err   error
}

func (f *fakeQuiz) call(s string, ephemeral bool) (bot.Reply, error) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	err := f.err
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay) // inside a synctest bubble: fake time
	}
	if err != nil {
		return bot.Reply{Content: "sorry", Ephemeral: true}, err
	}
	return bot.Reply{Content: "did " + s, Ephemeral: ephemeral}, nil
}

func (f *fakeQuiz) Play(_ context.Context, p bot.Player, w bot.Writer) (bot.Reply, error) {
	return f.call(fmt.Sprintf("play %+v %v", p, w != nil), false)
}

func (f *fakeQuiz) Vote(_ context.Context, p bot.Player, round string, real bool) (bot.Reply, error) {
	return f.call(fmt.Sprintf("vote %s %s %v", p.UserID, round, real), true)
}

func (f *fakeQuiz) Top(_ context.Context, p bot.Player) (bot.Reply, error) {
	return f.call("top "+p.GuildID, false)
}

func (f *fakeQuiz) Me(_ context.Context, p bot.Player) (bot.Reply, error) {
	return f.call("me "+p.UserID, true)
}

func (f *fakeQuiz) ForgetMe(_ context.Context, p bot.Player) (bot.Reply, error) {
	return f.call("forget "+p.UserID, true)
}

const round = "ABCDEFGHIJKLMNOPQRSTUVWXY2"

func quizReq(action string) bot.Request {
	r := bot.Request{Kind: bot.KindCommand, Command: bot.CmdQuiz,
		GuildID: "10", ChannelID: "20", UserID: "30", AppID: "app", Token: "tok"}
	if action != "" {
		r.Options = map[string]any{bot.OptAction: action}
	}
	return r
}

func pressReq(customID string) bot.Request {
	return bot.Request{Kind: bot.KindComponent, CustomID: customID, GuildID: "10", ChannelID: "20", UserID: "31", AppID: "app", Token: "tok2", BotDM: true}
}

// TestQuizRouting: /quiz's subcommands and its buttons reach the game with
// the player, the interaction's token (for the reveal) and, to play, the
// Writer; a malformed button or a subcommand it does not know is a polite
// refusal that never reaches it; no cooldown applies.
func TestQuizRouting(t *testing.T) {
	t.Parallel()
	f := &fakeQuiz{}
	b := bottest.NewBot(bot.Config{Quiz: f, Cooldown: time.Hour})
	for _, tc := range []struct {
		req  bot.Request
		want string // the call, or the start of a refusal
	}{
		{quizReq(""), "play {GuildID:10 ChannelID:20 UserID:30 AppID:app Token:tok BotDM:false} true"},
		{quizReq(bot.QuizPlay), "play {GuildID:10 ChannelID:20 UserID:30 AppID:app Token:tok BotDM:false} true"}, // no cooldown
		{quizReq(bot.QuizTop), "top 10"},
		{quizReq(bot.QuizMe), "me 30"},
		{quizReq(bot.QuizForgetMe), "forget 30"},
		{pressReq(bot.QuizVoteID(round, true)), "vote 31 " + round + " true"},
		{pressReq(bot.QuizVoteID(round, false)), "vote 31 " + round + " false"},
		{pressReq(bot.QuizPlayAgainID), "play {GuildID:10 ChannelID:20 UserID:31 AppID:app Token:tok2 BotDM:true} true"},
		{pressReq("gc1|q|" + round + "|x"), "refused: That button has faded"},
		{pressReq("gc1|q|short|r"), "refused: That button has faded"},
		{quizReq("start"), "refused: Use /quiz to play"},
		{func() bot.Request { r := quizReq(bot.QuizTop); r.Options["x"] = "y"; return r }(), "refused: Use /quiz to play"},
		{func() bot.Request { r := quizReq(""); r.Options = map[string]any{bot.OptAction: 3.0}; return r }(), "refused: Use /quiz to play"},
	} {
		f.mu.Lock()
		before := len(f.calls)
		f.mu.Unlock()
		r := b.Handle(t.Context(), tc.req)
		f.mu.Lock()
		calls := f.calls[before:]
		f.mu.Unlock()
		if refusal, ok := strings.CutPrefix(tc.want, "refused: "); ok {
			if len(calls) != 0 || !r.Ephemeral || !strings.HasPrefix(r.Content, refusal) {
				t.Errorf("%+v: reply %q, calls %v; want a refusal %q", tc.req, r.Content, calls, refusal)
			}
			continue
		}
		if len(calls) != 1 || calls[0] != tc.want || r.Content != "did "+tc.want {
			t.Errorf("%+v: calls %v, reply %q; want %q", tc.req, calls, r.Content, tc.want)
		}
	}
	if r := bottest.NewBot(bot.Config{}).Handle(t.Context(), quizReq(bot.QuizPlay)); !r.Ephemeral || !strings.Contains(r.Content, "not set up") {
		t.Errorf("/quiz without a game: %+v", r)
	}
	f.err = errors.New("database down")
	if r := b.Handle(t.Context(), quizReq(bot.QuizMe)); r.Content != "sorry" {
		t.Errorf("a failing game: %+v", r)
	}
}

// TestQuizDeferrals: a slow game makes Answer defer, ephemerally for a
// vote and the personal commands (the lock-in is the presser's alone), in
// public for a round and the leaderboard.
func TestQuizDeferrals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		req       bot.Request
		ephemeral bool
	}{
		{quizReq(""), false},
		{quizReq(bot.QuizTop), false},
		{quizReq(bot.QuizMe), true},
		{quizReq(bot.QuizForgetMe), true},
		{pressReq(bot.QuizVoteID(round, true)), true},
		{pressReq(bot.QuizPlayAgainID), false},
	} {
		synctest.Test(t, func(t *testing.T) {
			b := bottest.NewBot(bot.Config{Quiz: &fakeQuiz{delay: 5 * time.Second}})
			var rs bottest.Responder
			if err := b.Answer(t.Context(), tc.req, &rs); err != nil {
				t.Fatal(err)
			}
			calls := rs.Calls()
			if len(calls) != 2 || calls[0].Method != "defer" || calls[0].Ephemeral != tc.ephemeral || calls[1].Method != "edit" {
				t.Errorf("%+v: calls %+v, want a defer (ephemeral %v), then an edit", tc.req, calls, tc.ephemeral)
			}
		})
	}
}
