package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/sqlite"
)

// BenchmarkIdlePoll is what every serve asks its database on each poll
// when nothing is due, as it is most of the time: the proclamations'
// claim (every second), the quiz reveals' (every 250 ms), the published
// model's id (every 2 s) and a scripture training's claim (every 2 s).
func BenchmarkIdlePoll(b *testing.B) {
	for _, kind := range []string{"file", "memory"} {
		b.Run(kind, func(b *testing.B) {
			var db *sqlite.DB
			var err error
			if kind == "file" {
				db, err = sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), nil)
			} else {
				db, err = sqlite.OpenMemory(b.Context(), nil)
			}
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			ctx, now := b.Context(), time.Now()
			for b.Loop() {
				if _, err := db.Claim(ctx, now, 10); err != nil {
					b.Fatal(err)
				}
				if _, err := db.ClaimReveals(ctx, now, time.Minute, 10); err != nil {
					b.Fatal(err)
				}
				if _, err := db.CurrentID(ctx); err != nil {
					b.Fatal(err)
				}
				if _, _, err := db.ClaimTraining(ctx, "w", now, time.Minute); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
