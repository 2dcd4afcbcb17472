// Package proclaim owns the Glow Cloud's scheduled proclamations: the
// schedules and hushes server admins set with /proclaim and /hush, the pure
// logic of those commands (parsing, limits, permission checks, reply texts),
// and the Runner that posts due schedules.
//
// State lives behind two small interfaces declared here, Store (what the
// commands need) and Claimer (what the Runner needs). Each database is an
// adapter package beside this one (sqlite, postgres) that satisfies both and
// passes the shared suite in internal/storetest. Nothing here does I/O of its
// own: the Runner reaches Discord through a Poster and the text generator
// through a Writer, so the commands and the runner are tested without either.
package proclaim

import (
	"context"
	"errors"
	"time"

	"github.com/glowcloud/glowcloud/bot"
)

// Limits of the commands. They are checked by the store atomically (see
// Store.PutSchedule), so two admins racing cannot exceed them.
const (
	// MaxPerGuild is the number of schedules a server may have.
	MaxPerGuild = 5
	// MaxEvery is the longest interval a schedule may have.
	MaxEvery = 52 * Week
	// MaxHush is the longest a server may be hushed for at once.
	MaxHush = 24 * time.Hour
	// MinHush is the shortest hush.
	MinHush = time.Minute
	// DefaultHush is how long /hush lasts when no for: is given.
	DefaultHush = time.Hour
	// DefaultMin is the shortest interval by default (GLOWCLOUD_PROCLAIM_MIN).
	DefaultMin = time.Hour
)

// Day and Week are the units /proclaim accepts beyond Go's (1d, 1w).
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// parseKind reads a kind: option: what a schedule posts, named by the
// command whose reply it is (bot.CmdGlowcloud or bot.CmdManifesto); empty
// means bot.CmdGlowcloud.
func parseKind(s string) (string, error) {
	switch s {
	case "", bot.CmdGlowcloud:
		return bot.CmdGlowcloud, nil
	case bot.CmdManifesto:
		return bot.CmdManifesto, nil
	}
	return "", invalid("kind is glowcloud or manifesto")
}

// Schedule is one channel's proclamations. Times are kept to the
// millisecond, which is what the stores hold.
type Schedule struct {
	ID        int64 // assigned by the store; starting again gives a new one
	GuildID   string
	ChannelID string
	Every     time.Duration
	Kind      string    // bot.CmdGlowcloud or bot.CmdManifesto (see parseKind)
	Topic     string    // as shown (bot.ShownTopic); may be empty
	NextAt    time.Time // the next slot
	CreatedBy string    // user id of the admin who started it
	CreatedAt time.Time

	// LastAt is when the last slot was handled (zero if none yet) and
	// LastResult what happened then, as /proclaim list shows it.
	LastAt     time.Time
	LastResult string
	// Paused, when not empty, says why the schedule stopped posting (the bot
	// lost access to the channel, say). A paused schedule is never claimed;
	// starting it again clears the pause.
	Paused string
}

// Hush silences every schedule of a server until a time.
type Hush struct {
	GuildID string
	Until   time.Time // zero: not hushed
	By      string    // user id
}

// Active reports whether h silences posts at now.
func (h Hush) Active(now time.Time) bool { return now.Before(h.Until) }

// Claim is a due slot that a Runner has taken: no other claim returns it.
type Claim struct {
	// Schedule as stored after the claim: NextAt is already the following slot.
	Schedule
	// Slot is the slot claimed: the schedule's NextAt before the claim. After
	// downtime it lies in the past, and the slots between it and NextAt were
	// skipped: a schedule posts at most once per claim, never a burst.
	Slot time.Time
	// Hushed reports whether the server was hushed at the time of the claim.
	// The slot is consumed all the same.
	Hushed bool
}

// Outcome is what became of a claim, recorded with Claimer.Finish.
type Outcome struct {
	At     time.Time
	Result string // shown as the last result in /proclaim list
	Pause  string // when not empty, pauses the schedule with this reason
}

// ErrTooMany is what a Store returns when the server already has
// MaxPerGuild schedules; Commands refuse it as bot.ErrInvalid.
var ErrTooMany = errors.New("too many schedules in this server")

// Store is what the commands need from the database. The sqlite and postgres
// packages implement it; both are safe for concurrent use by many processes.
type Store interface {
	// PutSchedule stores s (ID, LastAt, LastResult and Paused are ignored)
	// as the schedule of its channel, replacing the one there, and returns it
	// with its new ID. It returns ErrTooMany, changing nothing, when the
	// guild would have more than max schedules. The count and the write are
	// one transaction: concurrent calls never exceed max.
	PutSchedule(ctx context.Context, s Schedule, max int) (Schedule, error)
	// DeleteSchedule removes the schedule of a channel and reports whether
	// there was one.
	DeleteSchedule(ctx context.Context, guildID, channelID string) (bool, error)
	// Schedules returns the guild's schedules in the order they were started.
	Schedules(ctx context.Context, guildID string) ([]Schedule, error)
	// SetHush hushes h.GuildID until h.Until, replacing any hush there.
	SetHush(ctx context.Context, h Hush) error
	// ClearHush lifts a guild's hush, if any.
	ClearHush(ctx context.Context, guildID string) error
	// Hush returns the guild's hush; a zero Until when there is none. It may
	// return one that has expired: callers compare with their clock.
	Hush(ctx context.Context, guildID string) (Hush, error)
}

// Claimer is what the Runner needs from the database.
type Claimer interface {
	// Claim takes up to limit (> 0) schedules that are due at now (NextAt <= now,
	// not paused), oldest slot first. For each it moves NextAt, in the same
	// single statement, to the first slot after now, so a slot is claimed
	// at most once however many processes share the database.
	Claim(ctx context.Context, now time.Time, limit int) ([]Claim, error)
	// Finish records the outcome of a claim on schedule id. A schedule
	// replaced or deleted meanwhile is left alone.
	Finish(ctx context.Context, id int64, o Outcome) error
}

// NextSlot returns the first slot of a schedule of period every anchored at
// slot that lies after now: what Claim moves NextAt to. It is the rule the
// stores implement in SQL, written once in Go for their tests.
func NextSlot(slot, now time.Time, every time.Duration) time.Time {
	if slot.After(now) {
		return slot
	}
	ms, e := now.Sub(slot).Milliseconds(), every.Milliseconds()
	return slot.Add(time.Duration((ms/e+1)*e) * time.Millisecond)
}
