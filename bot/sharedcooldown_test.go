package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/cooldown"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// flakyCooldowns is a shared cooldown store (cooldown.Memory, shared by
// the bots of a test as a database is by replicas) that fails while err or
// pruneErr is set, and counts the calls.
type flakyCooldowns struct {
	mem *cooldown.Memory

	mu              sync.Mutex
	err, pruneErr   error
	calls, prunes   int
	lastPruneBefore time.Time
}

func newFlakyCooldowns() *flakyCooldowns { return &flakyCooldowns{mem: cooldown.NewMemory()} }

func (f *flakyCooldowns) TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	f.mu.Lock()
	f.calls++
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return f.mem.TakeCooldown(ctx, key, now, every)
}

func (f *flakyCooldowns) PruneCooldowns(ctx context.Context, before time.Time) error {
	f.mu.Lock()
	f.prunes++
	f.lastPruneBefore = before
	err := f.pruneErr
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.mem.PruneCooldowns(ctx, before)
}

// TestSharedCooldown: two bots (replicas) sharing a CooldownStore hold one
// user to one cooldown; while the store fails, each bot still keeps its own.
func TestSharedCooldown(t *testing.T) {
	t.Parallel()
	store := newFlakyCooldowns()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a := bottest.NewBot(bot.Config{Cooldown: time.Minute, CooldownStore: store, Now: clock})
	b := bottest.NewBot(bot.Config{Cooldown: time.Minute, CooldownStore: store, Now: clock})
	req := bot.Request{Kind: bot.KindCommand, Command: bot.CmdGlowcloud, UserID: "7"}
	if r := a.Handle(t.Context(), req); r.Ephemeral {
		t.Fatalf("first request refused: %+v", r)
	}
	if r := b.Handle(t.Context(), req); !r.Ephemeral || !strings.Contains(r.Content, "Try again in 60 seconds") {
		t.Errorf("the other replica let the user through: %+v", r)
	}
	store.err = errors.New("connection refused")
	req.UserID = "8"
	if r := b.Handle(t.Context(), req); r.Ephemeral {
		t.Fatalf("a failing store refused the request: %+v", r)
	}
	if r := b.Handle(t.Context(), req); !r.Ephemeral {
		t.Errorf("with the store down, the replica kept no cooldown of its own")
	}
}

// TestSharedCooldownFailsOpen: while the store fails, interactions are
// answered under this replica's own cooldown; the store is asked again only
// every 5 s rather than by every interaction, the outage is logged once, and
// once the store answers again it holds the cooldown again.
func TestSharedCooldownFailsOpen(t *testing.T) {
	t.Parallel()
	store := newFlakyCooldowns()
	store.err = errors.New("connection refused")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var logs bytes.Buffer
	b := bottest.NewBot(bot.Config{Cooldown: time.Second, CooldownStore: store, Now: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	refused := 0
	for i := range 20 { // 10 s, a request every 500 ms, users 0..19
		req := bot.Request{Kind: bot.KindCommand, Command: bot.CmdGlowcloud, UserID: strconv.Itoa(i)}
		if r := b.Handle(t.Context(), req); r.Ephemeral {
			refused++
		}
		now = now.Add(500 * time.Millisecond)
	}
	if refused != 0 {
		t.Errorf("%d of 20 users refused while the store failed, want 0 (fail open)", refused)
	}
	if store.calls != 2 {
		t.Errorf("the failing store was asked %d times in 10 s, want 2 (once per 5 s)", store.calls)
	}
	if n := strings.Count(logs.String(), "shared cooldowns unavailable"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logs.String())
	}
	store.err = nil
	now = now.Add(5 * time.Second)
	req := bot.Request{Kind: bot.KindCommand, Command: bot.CmdGlowcloud, UserID: "back"}
	b.Handle(t.Context(), req)
	other := bottest.NewBot(bot.Config{Cooldown: time.Second, CooldownStore: store, Now: clock})
	if r := other.Handle(t.Context(), req); !r.Ephemeral {
		t.Errorf("after the store came back, another replica let the user through: %+v", r)
	}
	if !strings.Contains(logs.String(), "shared cooldowns answer again") {
		t.Errorf("the recovery was not logged:\n%s", logs.String())
	}
}

// TestSharedCooldownPrunes: every 512 shared takes the cooldowns that are
// over are pruned from the store; a prune that fails is logged, and the
// take it follows, and those after, stand.
func TestSharedCooldownPrunes(t *testing.T) {
	t.Parallel()
	store := newFlakyCooldowns()
	store.pruneErr = errors.New("disk full")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var logs bytes.Buffer
	b := bottest.NewBot(bot.Config{Cooldown: time.Second, CooldownStore: store, Now: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	handle := func(user string) bot.Reply {
		return b.Handle(t.Context(), bot.Request{Kind: bot.KindCommand, Command: bot.CmdGlowcloud, UserID: user})
	}
	for i := range 1024 {
		if r := handle(strconv.Itoa(i)); r.Ephemeral {
			t.Fatalf("user %d refused: %s", i, r.Content)
		}
		now = now.Add(10 * time.Millisecond)
	}
	if store.prunes != 2 {
		t.Errorf("%d prunes in 1024 takes, want 2", store.prunes)
	}
	if want := now.Add(-10*time.Millisecond - time.Second); !store.lastPruneBefore.Equal(want) {
		t.Errorf("pruned before %v, want a cooldown before the last take, %v", store.lastPruneBefore, want)
	}
	if n := strings.Count(logs.String(), "prune shared cooldowns"); n != 2 || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("the failed prunes were logged %d times, want 2:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "shared cooldowns unavailable") {
		t.Errorf("a failed prune made the store count as down:\n%s", logs.String())
	}
	// The shared store still holds: the last user is cooling down on
	// another replica too.
	other := bottest.NewBot(bot.Config{Cooldown: time.Second, CooldownStore: store, Now: clock})
	if r := other.Handle(t.Context(), bot.Request{Kind: bot.KindCommand, Command: bot.CmdGlowcloud, UserID: "1023"}); !r.Ephemeral {
		t.Errorf("after the failed prunes, another replica let the last user through: %+v", r)
	}
}
