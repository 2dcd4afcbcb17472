package bot_test

import (
	"context"
	"errors"
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
	mu   sync.Mutex
	last map[string]time.Time
	err  error
}

func (m *memCooldowns) TakeCooldown(_ context.Context, key string, now time.Time, every time.Duration) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
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
