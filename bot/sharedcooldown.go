package bot

import (
	"context"
	"log/slog"
	"time"
)

// CooldownStore keeps cooldowns in a database that several processes
// share, so that a user's cooldown holds whichever replica answers;
// *postgres.DB is one. TakeCooldown starts a cooldown of length every for
// key at now unless one is running, and returns 0, or else how long is
// left; the test and the write are one atomic step. Implementations must be
// safe for concurrent use.
type CooldownStore interface {
	TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error)
}

// takeCooldown takes user's cooldown: in the shared store when there is one,
// else (or while the store fails, which is logged) in this process's memory.
func (b *Bot) takeCooldown(ctx context.Context, user string) time.Duration {
	if b.coolStore != nil {
		wait, err := b.coolStore.TakeCooldown(ctx, "user:"+user, b.now(), b.cool.every)
		if err == nil {
			return wait
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "shared cooldown unavailable; using this process's", slog.String("err", err.Error()))
	}
	return b.cool.take(user, b.now)
}
