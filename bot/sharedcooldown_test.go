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
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// memCooldowns is a CooldownStore in a map, shared by the bots of a test as
// a database is by replicas.
type memCooldowns struct {
	mu    sync.Mutex
	last  map[string]time.Time
	err   error
	calls int
}

func (m *memCooldowns) TakeCooldown(_ context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return 0, m.err
	}
	if t, ok := m.last[key]; ok && now.Sub(t) < every {
		return every - now.Sub(t), nil
	}
	m.last[key] = now
	return 0, nil
}

// TestSharedCooldown: two bots (replicas) sharing a CooldownStore hold one
// user to one cooldown; while the store fails, each bot still keeps its own.
func TestSharedCooldown(t *testing.T) {
	t.Parallel()
	store := &memCooldowns{last: map[string]time.Time{}}
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
	store := &memCooldowns{last: map[string]time.Time{}, err: errors.New("connection refused")}
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
