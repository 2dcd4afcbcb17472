package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
)

// Benchmark measures the calls on the hot paths: a cooldown take per
// generating interaction (one user after another, and many at once), and
// the Runner's poll when nothing is due (once a second per replica).
// newStore returns a new, empty store closed at the end of the benchmark.
func Benchmark(b *testing.B, newStore func(b *testing.B) Store) {
	b.Run("TakeCooldown", func(b *testing.B) {
		st := newStore(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := st.TakeCooldown(b.Context(), fmt.Sprint("u", i), t0, 3*time.Second); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("TakeCooldownParallel", func(b *testing.B) {
		st := newStore(b)
		b.ReportAllocs()
		var n atomic.Int64
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.TakeCooldown(b.Context(), fmt.Sprint("u", n.Add(1)), t0, 3*time.Second); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("ClaimNothingDue", func(b *testing.B) {
		st := newStore(b)
		for g := range 100 {
			for c := range proclaim.MaxPerGuild {
				s := sched(fmt.Sprint("g", g), fmt.Sprint(g*10+c), t0.Add(time.Hour))
				if _, err := st.PutSchedule(b.Context(), s, proclaim.MaxPerGuild); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if cs, err := st.Claim(b.Context(), t0, 8); err != nil || len(cs) != 0 {
				b.Fatal(cs, err)
			}
		}
	})
}
