package bot

import (
	"context"
	"log/slog"
	"time"
)

const (
	// coolStoreTimeout bounds one shared-cooldown take (and prune): an
	// interaction must be answered within Discord's 3 s, and a cooldown is
	// not worth more.
	coolStoreTimeout = time.Second
	// coolStoreRetry is how long after a failure the shared store is left
	// alone, so that while the database is away interactions do not each
	// wait for it.
	coolStoreRetry = 5 * time.Second
	// pruneEvery is how many shared takes pass between prunes of the
	// cooldowns that are over.
	pruneEvery = 512
)

// takeCooldown takes user's cooldown: in the shared store when there is
// one, else in this process's memory; both keep to the one rule of
// cooldown.Store. The shared store fails open: while it fails (logged once,
// and once when it is back) and for coolStoreRetry after each failure, this
// process's own cooldown applies instead. Every pruneEvery shared takes,
// the cooldowns that are over are pruned from the store; a prune that fails
// is logged and changes nothing else (the take it follows stands).
func (b *Bot) takeCooldown(ctx context.Context, user string) time.Duration {
	key, now := "user:"+user, b.now()
	if b.coolStore != nil {
		if failed := b.coolFailed.Load(); failed == 0 || now.Sub(time.Unix(0, failed)) >= coolStoreRetry {
			tctx, cancel := context.WithTimeout(ctx, coolStoreTimeout)
			wait, err := b.coolStore.TakeCooldown(tctx, key, now, b.coolEvery)
			cancel()
			if err == nil {
				if b.coolFailed.Swap(0) != 0 {
					b.log.LogAttrs(ctx, slog.LevelInfo, "shared cooldowns answer again")
				}
				if b.coolTakes.Add(1)%pruneEvery == 0 {
					b.pruneCooldowns(ctx, now)
				}
				return wait
			}
			if b.coolFailed.Swap(now.UnixNano()) == 0 {
				b.log.LogAttrs(ctx, slog.LevelWarn, "shared cooldowns unavailable; each replica keeps its own until the database is back",
					slog.String("err", err.Error()))
			}
		}
	}
	wait, _ := b.cool.TakeCooldown(ctx, key, now, b.coolEvery) // memory never fails
	return wait
}

// pruneCooldowns forgets the shared cooldowns that were over by now.
func (b *Bot) pruneCooldowns(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, coolStoreTimeout)
	defer cancel()
	if err := b.coolStore.PruneCooldowns(ctx, now.Add(-b.coolEvery)); err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "prune shared cooldowns", slog.String("err", err.Error()))
	}
}
