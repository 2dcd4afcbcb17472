package bot

import (
	"context"
	"log/slog"
	"strings"
)

// /quiz: "Real or Glow Cloud?", a game a channel plays (see package quiz).
//
// The core reads the command and the buttons: which subcommand, which
// round and vote a button carries (customid.go), who presses, where. The
// game itself (drawing the sentence, storing rounds and votes, scores) is
// a Quiz's, which cmd/glowcloud builds over quiz.Commands, so the core
// imports no database. Rounds take no cooldown: a channel has one round at
// a time, and a vote must count however fast it is pressed.

// CmdQuiz is the game's command. Its one option, action, says what to do:
// play (the default, so a bare /quiz plays), top, me or forget-me; Discord
// fills the option from what follows the command, so "/quiz top" is typed
// as it reads. (Subcommands would make a bare /quiz impossible.)
const CmdQuiz = "quiz"

// OptAction is /quiz's option.
const OptAction = "action"

// The values of /quiz action: (its choices).
const (
	QuizPlay     = "play"
	QuizTop      = "top"
	QuizMe       = "me"
	QuizForgetMe = "forget-me"
)

// Player is who ran /quiz or pressed one of its buttons, and where.
type Player struct {
	GuildID   string // empty in DMs
	ChannelID string
	UserID    string
	// AppID and Token are the interaction's: the reveal of a round started
	// by it edits its message through them. The token is secret.
	AppID, Token string
	// BotDM is a DM with the bot, whose only member is the player.
	BotDM bool
}

// Quiz plays the game; *quiz.Commands is one. Each method returns the
// reply, already within Discord's limits, and an error only for the
// operator (the store failed; the reply then apologises); refusals (a
// round already running, a vote too late) are replies with a nil error.
// Implementations must be safe for concurrent use.
type Quiz interface {
	// Play starts a round in the player's channel with a sentence of w's
	// model (the model the commands would use there): /quiz, or the
	// Play again button.
	Play(ctx context.Context, p Player, w Writer) (Reply, error)
	// Vote records a press of a round's Real (real true) or Glow Cloud
	// button.
	Vote(ctx context.Context, p Player, round string, real bool) (Reply, error)
	// Top answers /quiz top: the server's leaderboard.
	Top(ctx context.Context, p Player) (Reply, error)
	// Me answers /quiz me: the player's record.
	Me(ctx context.Context, p Player) (Reply, error)
	// ForgetMe answers /quiz forget-me: erases the player's record.
	ForgetMe(ctx context.Context, p Player) (Reply, error)
}

// msgQuizOff answers /quiz when no Quiz is configured.
const msgQuizOff = "Real or Glow Cloud? is not set up here."

// quizCommand is the definition of /quiz.
func quizCommand() Command {
	return Command{
		Name:        CmdQuiz,
		Description: "Real or Glow Cloud? Guess whether a person or the Glow Cloud wrote a sentence.",
		Options: []Option{{
			Type:        OptionString,
			Name:        OptAction,
			Description: "play a round (the default), top: the leaderboard, me: your record, forget-me: erase it.",
			Choices: []Choice{
				{Name: QuizPlay, Value: QuizPlay},
				{Name: QuizTop, Value: QuizTop},
				{Name: QuizMe, Value: QuizMe},
				{Name: QuizForgetMe, Value: QuizForgetMe},
			},
		}},
	}
}

// isQuiz reports whether req is /quiz or a press of one of its buttons.
func isQuiz(req Request) bool {
	switch req.Kind {
	case KindCommand:
		return req.Command == CmdQuiz
	case KindComponent:
		return isQuizCustomID(req.CustomID)
	}
	return false
}

// quizEphemeral reports whether the reply to req is only the caller's, so
// a deferral of it must be ephemeral too: a vote's lock-in, /quiz me and
// forget-me. A round and the leaderboard are the channel's.
func quizEphemeral(req Request) bool {
	if req.Kind == KindComponent {
		p, err := decodeQuizID(req.CustomID)
		return err == nil && p.round != ""
	}
	a, _ := quizAction(req)
	return a == QuizMe || a == QuizForgetMe
}

// quizAction reads /quiz's action: option: play when absent. ok is false
// for any other option, or a value that is not one of the choices.
func quizAction(req Request) (string, bool) {
	action := QuizPlay
	for k, v := range req.Options {
		s, isText := v.(string)
		if k != OptAction || !isText {
			return "", false
		}
		action = strings.ToLower(strings.TrimSpace(s))
	}
	switch action {
	case QuizPlay, QuizTop, QuizMe, QuizForgetMe:
		return action, true
	}
	return "", false
}

// handleQuiz answers /quiz and its buttons through the Quiz.
func (b *Bot) handleQuiz(ctx context.Context, req Request) (Reply, result) {
	res := result{command: CmdQuiz, outcome: outcomeOK}
	if b.quiz == nil {
		res.outcome = outcomeBadRequest
		return ephemeral(msgQuizOff), res
	}
	p := Player{GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, AppID: req.AppID, Token: req.Token, BotDM: req.BotDM}
	var (
		r   Reply
		err error
	)
	switch req.Kind {
	case KindComponent:
		press, derr := decodeQuizID(req.CustomID)
		switch {
		case derr != nil:
			res.outcome = outcomeBadRequest
			return ephemeral(msgBadButton), res
		case press.round == "":
			r, err = b.quiz.Play(ctx, p, b.writerFor(ctx, req.GuildID))
		default:
			r, err = b.quiz.Vote(ctx, p, press.round, press.real)
		}
	default:
		action, ok := quizAction(req)
		if !ok {
			res.outcome = outcomeBadRequest
			return ephemeral("Use /quiz to play, or /quiz top, /quiz me or /quiz forget-me."), res
		}
		switch action {
		case QuizPlay:
			r, err = b.quiz.Play(ctx, p, b.writerFor(ctx, req.GuildID))
		case QuizTop:
			r, err = b.quiz.Top(ctx, p)
		case QuizMe:
			r, err = b.quiz.Me(ctx, p)
		default: // QuizForgetMe
			r, err = b.quiz.ForgetMe(ctx, p)
		}
	}
	if err != nil {
		res.outcome = outcomeError
		b.log.LogAttrs(ctx, slog.LevelError, "quiz",
			slog.String("guild", req.GuildID), slog.String("err", err.Error()))
	}
	if len(r.Content) == 0 && len(r.Embeds) == 0 {
		r = ephemeral(msgApology)
	}
	return LimitReply(r), res
}
