package quiz

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/bot"
)

// Sentences is what a model must offer to be played with: its training
// sentences and its curated, novel generated ones (*compose.Writer has
// them). Commands asks the bot.Writer the command would use for its
// sentences, so a server with a model of its own plays with that model.
type Sentences interface {
	Sentences() (corpus, generated []string)
}

// Config tunes Commands. The zero value works.
type Config struct {
	// Seconds is how long a round takes votes (GLOWCLOUD_QUIZ_SECONDS):
	// DefaultSeconds when 0.
	Seconds int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand draws the rounds' sentences; nil means a random source seeded
	// from crypto/rand for each round.
	Rand func() *mrand.Rand
	// Ended, if set, is called after a vote that ended its round early
	// (the member of a DM with the bot voted), so that the Runner reveals
	// it without waiting for its next poll. It must not block
	// (Runner.Nudge does not).
	Ended func()
}

// Commands plays the game: it is the core's bot.Quiz. It is safe for
// concurrent use.
type Commands struct {
	store Store
	cfg   Config
	banks *banks
}

var _ bot.Quiz = (*Commands)(nil)

// NewCommands returns the game over st.
func NewCommands(st Store, cfg Config) *Commands {
	if cfg.Seconds == 0 {
		cfg.Seconds = DefaultSeconds
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = func() *mrand.Rand {
			var seed [32]byte
			_, _ = rand.Read(seed[:])
			return mrand.New(mrand.NewChaCha8(seed))
		}
	}
	return &Commands{store: st, cfg: cfg, banks: newBanks(8)}
}

// ParseSeconds reads GLOWCLOUD_QUIZ_SECONDS: a whole number of seconds
// from MinSeconds to MaxSeconds; empty means DefaultSeconds.
func ParseSeconds(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultSeconds, nil
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != v || n < MinSeconds || n > MaxSeconds {
		return 0, fmt.Errorf("GLOWCLOUD_QUIZ_SECONDS=%q: want a whole number of seconds from %d to %d", v, MinSeconds, MaxSeconds)
	}
	return n, nil
}

// NewID returns a fresh round id: 26 random characters of the base32
// alphabet (bot.IsRoundID), which say nothing of the round.
func NewID() string { return rand.Text() }

// What players read when something is refused.
const (
	sorry      = "The Glow Cloud could not reach its memory just now. Please try again in a moment."
	msgBusy    = "A round is already running in this channel: vote on it! A new one can start once it is revealed."
	msgNoModel = "The Glow Cloud is still gathering itself. Please try again in a moment."
	msgNoBank  = "The Glow Cloud's model here has too few sentences of its own to play Real or Glow Cloud? with."
	msgClosed  = "This round has ended: the answer is on its way."
	msgUnknown = "That round has faded from the Glow Cloud's memory. Start a new one with /quiz."
	msgNoTop   = "Leaderboards belong to servers. /quiz me shows your record here."
)

// Play starts a round in p's channel with a sentence of w's model.
func (cm *Commands) Play(ctx context.Context, p bot.Player, w bot.Writer) (bot.Reply, error) {
	if w == nil {
		return private(msgNoModel), nil
	}
	src, ok := w.(Sentences)
	if !ok {
		return private(msgNoBank), nil
	}
	b := cm.banks.get(w.ModelID(), src)
	recent, err := cm.store.Recent(ctx, p.ChannelID, recentRounds)
	if err != nil {
		return private(sorry), fmt.Errorf("start round: %w", err)
	}
	// A sentence the channel saw in its last rounds is drawn again, a few
	// times at most: a small bank may have nothing else. The redraw keeps
	// the round's kind: real sentences recur more often than generated
	// ones (one has up to maxTwins twins), so redrawing the kind too would
	// tilt a channel's rounds towards the Glow Cloud (45 % real on the
	// essay), and pressing Glow Cloud every time would win.
	rng := cm.cfg.Rand()
	sentence, real, ok := b.Draw(rng)
	for try := 1; ok && try < redraws && slices.Contains(recent, sentence); try++ {
		sentence, ok = b.DrawSide(rng, real)
	}
	if !ok {
		return private(msgNoBank), nil
	}
	now := cm.cfg.Now().Truncate(time.Millisecond)
	r := Round{
		ID: NewID(), GuildID: p.GuildID, ChannelID: p.ChannelID, AppID: p.AppID, Token: p.Token,
		Truth: GlowCloud, Sentence: sentence, ModelID: w.ModelID(),
		StartedBy: p.UserID, StartedAt: now, EndsAt: now.Add(time.Duration(cm.cfg.Seconds) * time.Second),
	}
	if real {
		r.Truth = Real
		r.Section, _ = essaySection(sentence)
	}
	if p.BotDM {
		r.Voters = 1
	}
	switch err := cm.store.StartRound(ctx, r); {
	case errors.Is(err, ErrBusy):
		return private(msgBusy), nil
	case err != nil:
		return private(sorry), fmt.Errorf("start round: %w", err)
	}
	return roundMessage(r), nil
}

// Vote records a press of a round's button.
func (cm *Commands) Vote(ctx context.Context, p bot.Player, round string, real bool) (bot.Reply, error) {
	v := Vote{RoundID: round, UserID: p.UserID, Vote: GlowCloud, At: cm.cfg.Now().Truncate(time.Millisecond)}
	if real {
		v.Vote = Real
	}
	voted, counted, err := cm.store.CastVote(ctx, v)
	if err != nil {
		return private(sorry), fmt.Errorf("vote in round %s: %w", round, err)
	}
	switch voted {
	case VoteCounted:
		if p.BotDM && cm.cfg.Ended != nil {
			cm.cfg.Ended() // the DM's one member has voted: the round is over
		}
		return private("Locked in: **" + voteName(counted) + "**."), nil
	case VoteAlready:
		return private("You already locked in **" + voteName(counted) + "**: your first answer counts."), nil
	case VoteClosed:
		return private(msgClosed), nil
	}
	return private(msgUnknown), nil
}

// Top answers /quiz top: the ten best of the server, in public.
func (cm *Commands) Top(ctx context.Context, p bot.Player) (bot.Reply, error) {
	if p.GuildID == "" {
		return private(msgNoTop), nil
	}
	top, err := cm.store.Top(ctx, p.GuildID, topN)
	if err != nil {
		return private(sorry), fmt.Errorf("leaderboard of guild %s: %w", p.GuildID, err)
	}
	return topMessage(top), nil
}

// Me answers /quiz me: the player's record here, for them alone.
func (cm *Commands) Me(ctx context.Context, p bot.Player) (bot.Reply, error) {
	s, ok, err := cm.store.Score(ctx, p.GuildID, p.UserID)
	if err != nil {
		return private(sorry), fmt.Errorf("score of a member of guild %s: %w", p.GuildID, err)
	}
	if !ok {
		return private("You have no record here yet. /quiz starts a round."), nil
	}
	return private(meText(s)), nil
}

// ForgetMe answers /quiz forget-me: the player's score and votes here go.
func (cm *Commands) ForgetMe(ctx context.Context, p bot.Player) (bot.Reply, error) {
	n, err := cm.store.Forget(ctx, p.GuildID, p.UserID)
	if err != nil {
		return private(sorry), fmt.Errorf("forget a member of guild %s: %w", p.GuildID, err)
	}
	where := "in this server"
	if p.GuildID == "" {
		where = "in DMs"
	}
	return private(fmt.Sprintf("Forgotten: your score %s and your %d %s are deleted. The Glow Cloud remembers nothing of your guesses.", where, n, plural(n, "vote", "votes"))), nil
}

// topN is how many members /quiz top shows.
const topN = 10

// A channel is not shown a sentence of its last recentRounds rounds again,
// unless redraws draws all find one.
const (
	recentRounds = 20
	redraws      = 8
)

func private(s string) bot.Reply { return bot.LimitReply(bot.Reply{Content: s, Ephemeral: true}) }

// banks keeps the banks of the last few models played with, by model id:
// building one costs a pass over the model's sentences.
type banks struct {
	mu    sync.Mutex
	max   int
	byID  map[string]*bank
	order []string // oldest first
}

func newBanks(max int) *banks { return &banks{max: max, byID: map[string]*bank{}} }

func (bs *banks) get(id string, src Sentences) *bank {
	bs.mu.Lock()
	if b := bs.byID[id]; b != nil {
		bs.mu.Unlock()
		return b
	}
	bs.mu.Unlock()
	corpus, generated := src.Sentences()
	b := newBank(corpus, generated)
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if old := bs.byID[id]; old != nil {
		return old
	}
	if len(bs.order) >= bs.max {
		delete(bs.byID, bs.order[0])
		bs.order = bs.order[1:]
	}
	bs.byID[id] = b
	bs.order = append(bs.order, id)
	return b
}
