package bot

import (
	"context"
	"log/slog"
	"time"
)

// CooldownStore keeps cooldowns in a database that several processes
// share, so that a user's cooldown holds whichever replica answers;
// *postgres.DB and *sqlite.DB are. TakeCooldown starts a cooldown of length every for
// key at now unless one is running, and returns 0, or else how long is
// left; the test and the write are one atomic step. Implementations must be
// safe for concurrent use.
type CooldownStore interface {
	TakeCooldown(ctx context.Context, key string, now time.Time, every time.Duration) (time.Duration, error)
}

const (
	// coolStoreTimeout bounds one shared-cooldown take: an interaction must
	// be answered within Discord's 3 s, and a cooldown is not worth more.
	coolStoreTimeout = time.Second
	// coolStoreRetry is how long after a failure the shared store is left
	// alone, so that while the database is away interactions do not each
	// wait for it.
	coolStoreRetry = 5 * time.Second
)

// takeCooldown takes user's cooldown: in the shared store when there is
// one, else in this process's memory. The shared store fails open: while it
// fails (logged once, and once when it is back) and for coolStoreRetry
// after each failure, this process's own cooldown applies instead.
func (b *Bot) takeCooldown(ctx context.Context, user string) time.Duration {
	if b.coolStore != nil {
		now := b.now()
		if failed := b.coolFailed.Load(); failed == 0 || now.Sub(time.Unix(0, failed)) >= coolStoreRetry {
			tctx, cancel := context.WithTimeout(ctx, coolStoreTimeout)
			wait, err := b.coolStore.TakeCooldown(tctx, "user:"+user, now, b.cool.every)
			cancel()
			if err == nil {
				if b.coolFailed.Swap(0) != 0 {
					b.log.LogAttrs(ctx, slog.LevelInfo, "shared cooldowns answer again")
				}
				return wait
			}
			if b.coolFailed.Swap(now.UnixNano()) == 0 {
				b.log.LogAttrs(ctx, slog.LevelWarn, "shared cooldowns unavailable; each replica keeps its own until the database is back",
					slog.String("err", err.Error()))
			}
		}
	}
	return b.cool.take(user, b.now)
}
