// Package quiz owns "Real or Glow Cloud?", the game a whole channel plays:
// a sentence appears, real (from the model's corpus) or generated (the
// Glow Cloud's), and the channel votes. It holds the rounds' rules (which
// sentence a round shows, who may vote and when, who scores what), the
// Commands behind /quiz and its buttons, the Runner that reveals the
// answer when a round ends, and the figure the votes give: how often
// readers take the Glow Cloud for a person (Stats).
//
// State lives behind the interfaces declared here, Store (the commands),
// Claimer (the Runner) and Counter (the statistics), each implemented by
// the database adapters (sqlite, postgres) and tested by the suite in
// internal/storetest. A vote is one insert under a unique key, so a
// member's first press counts whichever replica it reaches; a round's end
// is claimed in the store, so its reveal is sent once, by whichever
// replica claims it, even if the one that started it was killed.
package quiz

import (
	"context"
	"errors"
	"time"
)

// Votes and truths: what a sentence was, and what a member said it was.
const (
	Real      = "real"
	GlowCloud = "glowcloud"
)

// Round lengths, in seconds (GLOWCLOUD_QUIZ_SECONDS).
const (
	DefaultSeconds = 20
	MinSeconds     = 5
	// MaxSeconds keeps a round well within the 15 minutes an interaction's
	// token lives, which the reveal needs to edit the round's message.
	MaxSeconds = 600
)

// TokenLife is how long Discord lets an interaction's token edit its
// message: a reveal later than this cannot be sent.
const TokenLife = 15 * time.Minute

// Round is one round of the game, as stored.
type Round struct {
	ID        string // opaque and random (see NewID); the buttons carry it
	GuildID   string // empty in DMs
	ChannelID string
	// AppID and Token are the interaction's that started the round: the
	// reveal edits its message through them (no bot token needed). The
	// token is a secret for 15 minutes: it is never logged, and the store
	// forgets it once the round is revealed.
	AppID, Token string
	Truth        string // Real or GlowCloud
	Sentence     string // as shown
	// Section is, for a real sentence of the embedded essay, the heading
	// of its section; empty otherwise.
	Section   string
	ModelID   string
	StartedBy string
	StartedAt time.Time
	EndsAt    time.Time
	// Voters, when above 0, ends the round as soon as that many members
	// have voted: 1 in a DM with the bot.
	Voters int
}

// Vote is one member's vote in a round.
type Vote struct {
	RoundID string
	UserID  string
	Vote    string // Real or GlowCloud
	At      time.Time
}

// Voted is what became of a vote.
type Voted int

// What a vote can come to.
const (
	VoteCounted Voted = iota // the member's first vote: it counts
	VoteAlready              // the member had voted: the first vote stands (Vote says which)
	VoteClosed               // the round has ended
	VoteUnknown              // no such round (or it is long gone)
)

// Score is a member's record in one server (or, with an empty GuildID,
// in DMs).
type Score struct {
	GuildID, UserID string
	Points          int
	Rounds, Right   int
	Streak, Best    int // right answers in a row now, and at best
	// RightMS is the time taken to the right answers, in all: ties on
	// points go to the faster on average (RightMS/Right).
	RightMS int64
	Fooled  int // generated sentences voted Real
	Doubted int // real sentences voted Glow Cloud
}

// Points a right answer earns, and the bonus of a right answer that makes
// a streak of StreakFrom or more.
const (
	PointsRight = 1
	StreakBonus = 1
	StreakFrom  = 3
)

// Reveal is a round whose end a Runner has claimed, with its votes in the
// order they were cast.
type Reveal struct {
	Round
	Votes []Vote
	// Tallied reports that this claim tallied the round (its first): the
	// votes are new to the scores, and to the metrics.
	Tallied bool
}

// Counts are the votes of revealed rounds by truth and vote, for Stats.
type Counts struct {
	Rounds, RealRounds int
	// Votes[truth][vote], truth and vote each Real or GlowCloud.
	Votes map[string]map[string]int
}

// ErrBusy is what Store.StartRound returns when the channel already has a
// round that has not ended.
var ErrBusy = errors.New("a round is already running in this channel")

// Store is what the commands need from the database. The sqlite and
// postgres packages implement it; both are safe for concurrent use by
// many processes.
type Store interface {
	// StartRound stores r as its channel's round. It returns ErrBusy,
	// storing nothing, when the channel has a round not yet tallied (see
	// Claimer): one unique key, so two replicas starting rounds in one
	// channel at once store one.
	StartRound(ctx context.Context, r Round) error
	// CastVote records v if it is the member's first vote in an open round
	// (not tallied, v.At before EndsAt): one insert under the unique key
	// (round, member), so the first press counts however many replicas
	// the presses reach. It returns what became of it and the member's
	// counted vote (v.Vote, or the earlier one). In a round with Voters,
	// the vote that makes that many ends the round at v.At.
	CastVote(ctx context.Context, v Vote) (Voted, string, error)
	// Top returns the guild's best n scores: most points first, ties to
	// the faster right answers on average, then to the user id.
	Top(ctx context.Context, guildID string, n int) ([]Score, error)
	// Score returns a member's score in a guild, and false if they have
	// none.
	Score(ctx context.Context, guildID, userID string) (Score, bool, error)
	// Forget deletes a member's score in a guild and their votes in its
	// rounds, and returns how many votes went.
	Forget(ctx context.Context, guildID, userID string) (int, error)
}

// Claimer is what the Runner needs from the database.
type Claimer interface {
	// ClaimReveals takes up to limit rounds that have ended at now (EndsAt
	// <= now) and are not yet revealed, and not leased, or whose lease ran
	// out: each is leased until now+lease, so no other claim returns it
	// meanwhile. A round claimed for the first time is tallied in the same
	// transaction: it takes no more votes, and every voter's Score is
	// updated (once: a round's tally is never repeated). The claims come
	// with their votes, oldest first.
	ClaimReveals(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Reveal, error)
	// FinishReveal marks a round revealed (or given up) at `at` and
	// forgets its token; it is never claimed again.
	FinishReveal(ctx context.Context, id string, at time.Time) error
}

// Counter is what Stats need from the database.
type Counter interface {
	// CountVotes counts the votes of tallied rounds by truth and vote, of
	// one guild or (guildID "") of all.
	CountVotes(ctx context.Context, guildID string) (Counts, error)
}

// Tally is the rule a store applies to a round's votes when it tallies
// it, written once in Go: the Score s becomes after vote v in a round
// whose truth is truth, started at started. The stores do the same in
// SQL; the suite in internal/storetest checks them against this.
func Tally(s Score, truth string, v Vote, started time.Time) Score {
	s.Rounds++
	if v.Vote == truth {
		s.Right++
		s.Streak++
		s.Best = max(s.Best, s.Streak)
		s.Points += PointsRight
		if s.Streak >= StreakFrom {
			s.Points += StreakBonus
		}
		s.RightMS += v.At.Sub(started).Milliseconds()
		return s
	}
	s.Streak = 0
	if truth == GlowCloud {
		s.Fooled++
	} else {
		s.Doubted++
	}
	return s
}
