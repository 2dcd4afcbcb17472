// Package scripture owns every server's own scripture: the texts a server's
// admins give the Glow Cloud (/scripture add), the model trained from them,
// the blend of that model with the essay, and the commands that manage
// them. A server with scripture is preached to from its blend; every other
// one from the essay, as before.
//
// State lives behind Store, which the database adapters (sqlite, postgres)
// implement and internal/storetest tests on both: the texts and the trained
// models are kept in the database, so every replica serves what any of
// them trained, and a training is a job claimed there once (see
// Store.ClaimTraining), picked up again by another replica when the one
// training it dies.
package scripture

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults of the limits (GLOWCLOUD_SCRIPTURE_FILES, _BYTES, _CACHE).
const (
	DefaultFiles = 20
	DefaultBytes = 10 << 20
	DefaultCache = 256 << 20
	// DefaultEssay is the essay's share of a server's blend until its
	// admins choose one (/scripture blend essay:).
	DefaultEssay = 50
	// MaxName is the longest name a text may have, in characters.
	MaxName = 48
)

// Limits bound one server's scripture. The store checks them in the same
// transaction as the insert, so two admins racing cannot exceed them.
type Limits struct {
	Files int   // texts at most
	Bytes int64 // bytes of all texts together at most
}

// State is where a server's model stands.
type State string

// The states of a server's model.
const (
	StateNone     State = ""         // no scripture
	StatePending  State = "pending"  // texts changed; waiting for a trainer
	StateTraining State = "training" // a trainer holds the job
	StateReady    State = "ready"    // the model is trained from the texts as they are
	StateFailed   State = "failed"   // the last training failed (Guild.Error says why)
)

// Text is one uploaded text of a server.
type Text struct {
	GuildID string
	Name    string // unique in the server; as CleanName makes it
	SHA256  string // hex, of Data
	Size    int64
	Data    []byte // only when asked for (Store.Texts withData)
	AddedBy string // user id
	AddedAt time.Time
	// Sentences is how many sentences the last training learned from it;
	// -1 until a training has read it.
	Sentences int
}

// Guild is a server's scripture as a whole.
type Guild struct {
	GuildID string
	Essay   int // the essay's share of the blend, 0..100
	State   State
	Error   string // why the last training failed
	// Summary says what the last successful training learned.
	Summary string
	// Gen counts the changes of the server's texts; TrainedGen is the Gen
	// the stored model was trained at.
	Gen, TrainedGen int64
	// ModelVersion names the stored model (0: none); a new training gives
	// a new one, so caches compare it.
	ModelVersion int64
	ModelBytes   int64
	Attempts     int // trainings begun of the current Gen
	UpdatedAt    time.Time
	Texts        int   // number of texts
	Bytes        int64 // their bytes
}

// Job is a training claimed from the store.
type Job struct {
	GuildID string
	Gen     int64  // the texts' generation being trained
	Worker  string // who claimed it
	Attempt int    // the claim's number: Finish and Renew must give it back
}

// Outcome is what a training made of a Job.
type Outcome struct {
	Model     []byte         // the model file; nil when it failed
	Err       string         // why it failed, for /scripture list
	Summary   string         // what it learned, for the reply and the list
	Sentences map[string]int // sentences learned, by text name
	At        time.Time
}

// Model is a server's stored model and blend.
type Model struct {
	Version int64
	Essay   int
	Data    []byte
}

// Errors of the store that the commands turn into replies.
var (
	ErrTooMany  = errors.New("too many texts")
	ErrTooLarge = errors.New("too many bytes of text")
	// ErrNone is returned when a server has no model (or no such text).
	ErrNone = errors.New("no scripture")
)

// DuplicateError is what AddText returns when the server holds a text of
// that name or with those bytes already.
type DuplicateError struct {
	Name      string // the text already there
	SameBytes bool   // the same bytes (under Name); else the same name
}

func (e *DuplicateError) Error() string {
	if e.SameBytes {
		return fmt.Sprintf("the same text is already scripture, as %s", e.Name)
	}
	return fmt.Sprintf("a text named %s is already scripture", e.Name)
}

// Store is what scripture needs from the database. The sqlite and postgres
// packages implement it; both are safe for concurrent use by many
// processes. Removing and forgetting delete rows: nothing is flagged.
type Store interface {
	// AddText stores t (ID-less; Sentences ignored) and marks the server's
	// model for training, in one transaction that also checks lim: it
	// returns ErrTooMany or ErrTooLarge, or a *DuplicateError, changing
	// nothing. It returns the server's scripture after the insert.
	AddText(ctx context.Context, t Text, lim Limits) (Guild, error)
	// Texts returns the server's texts in the order they were added, with
	// their bytes when withData.
	Texts(ctx context.Context, guildID string, withData bool) ([]Text, error)
	// RemoveText deletes a text and the server's model (which holds its
	// sentences) and marks the server for training from the others; with
	// none left, the server's scripture is gone altogether. It reports
	// whether there was such a text.
	RemoveText(ctx context.Context, guildID, name string) (bool, error)
	// ForgetGuild deletes every row of the server's scripture: texts,
	// model, blend and job. It returns the number of texts deleted.
	ForgetGuild(ctx context.Context, guildID string) (int, error)
	// SetBlend sets the essay's share of the server's blend (0..100).
	SetBlend(ctx context.Context, guildID string, essay int) error
	// ScriptureGuild returns the server's scripture; a zero Guild (State
	// StateNone, Essay DefaultEssay) when it has none.
	ScriptureGuild(ctx context.Context, guildID string) (Guild, error)
	// ScriptureGuilds returns every server with scripture, by id.
	ScriptureGuilds(ctx context.Context) ([]Guild, error)
	// ScriptureVersion returns the version of the server's stored model (0:
	// none) and its blend: one small read, made per interaction.
	ScriptureVersion(ctx context.Context, guildID string) (version int64, essay int, err error)
	// ScriptureModel returns the server's stored model, or ErrNone.
	ScriptureModel(ctx context.Context, guildID string) (Model, error)
	// ClaimTraining takes one server whose model waits for training (or
	// whose trainer's lease ran out before now), oldest first, for worker
	// until now+lease, in one statement: no two claims return the same job
	// while its lease holds. ok is false when nothing waits.
	ClaimTraining(ctx context.Context, worker string, now time.Time, lease time.Duration) (j Job, ok bool, err error)
	// RenewTraining extends a claimed job's lease to until; false when the
	// job is no longer this claim's (it was taken over, or the server's
	// scripture changed or went).
	RenewTraining(ctx context.Context, j Job, until time.Time) (bool, error)
	// FinishTraining records a claimed job's outcome: a model replaces the
	// server's and is ready, unless the texts changed meanwhile (then it is
	// kept but the server waits for another training); a failure is kept
	// with its reason. It reports false, changing nothing, when the job is
	// no longer this claim's.
	FinishTraining(ctx context.Context, j Job, o Outcome) (bool, error)
	// ReleaseTraining gives a claimed job back at once (a trainer shutting
	// down), so another may claim it without waiting for the lease.
	ReleaseTraining(ctx context.Context, j Job) error
}

// CleanName makes the name a text is kept under from a name option or a
// file name: the file's extension dropped, anything but letters, digits,
// spaces and hyphens made a hyphen, runs of spaces and hyphens squeezed, at
// most MaxName characters. Such a name renders as itself in Discord (no
// markdown, link or mention can be made of it). It returns "" when nothing
// is left.
func CleanName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		switch strings.ToLower(s[i:]) {
		case ".txt", ".md", ".markdown":
			s = s[:i]
		}
	}
	var b strings.Builder
	last := ' '
	n := 0
	for _, r := range s {
		if n == MaxName {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case r == ' ' || r == '\t':
			r = ' '
		default:
			r = '-'
		}
		if (r == ' ' || r == '-') && (last == ' ' || last == '-') {
			continue
		}
		b.WriteRune(r)
		last = r
		n++
	}
	return strings.Trim(b.String(), " -")
}

// ValidEssay reports whether essay is a share the blend takes.
func ValidEssay(essay int) bool { return essay >= 0 && essay <= 100 }

// validUTF8Name reports whether s is a name CleanName would keep as it is.
func validUTF8Name(s string) bool { return utf8.ValidString(s) && s != "" && CleanName(s) == s }

// MaxAttempts is how many trainings of the same texts may begin: a
// trainer that died mid-training (its lease ran out) is replaced at most
// this many times, and then the server's model is failed with
// MsgAbandoned, so a text that kills its trainers does not kill them all.
const MaxAttempts = 3

// MsgAbandoned is the failure of a training given up after MaxAttempts.
const MsgAbandoned = "the training was interrupted 3 times (the bot restarted, or ran out of memory); add or remove a text to try again"
