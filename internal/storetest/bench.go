package storetest

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/quiz"
)

// Benchmark measures the calls on the hot paths: a cooldown take per
// generating interaction (one user after another, and many at once), the
// Runner's poll when nothing is due (once a second per replica), a /quiz
// vote (a channel's members one after another, and 30 at once in one
// round), and the reveal Runner's poll when no round has ended.
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
	b.Run("CastVote", func(b *testing.B) {
		st := newStore(b)
		r := quiz.Round{ID: quiz.NewID(), GuildID: "g", ChannelID: "c", AppID: "a", Token: "t", Truth: quiz.Real,
			Sentence: "s", StartedBy: "u", StartedAt: t0, EndsAt: t0.Add(time.Hour)}
		if err := st.StartRound(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if v, _, err := st.CastVote(b.Context(), quiz.Vote{RoundID: r.ID, UserID: fmt.Sprint("u", i), Vote: quiz.Real, At: t0}); err != nil || v != quiz.VoteCounted {
				b.Fatal(v, err)
			}
			i++
		}
	})
	b.Run("CastVote30", func(b *testing.B) {
		st := newStore(b)
		r := quiz.Round{ID: quiz.NewID(), GuildID: "g", ChannelID: "c", AppID: "a", Token: "t", Truth: quiz.Real,
			Sentence: "s", StartedBy: "u", StartedAt: t0, EndsAt: t0.Add(time.Hour)}
		if err := st.StartRound(b.Context(), r); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var n atomic.Int64
		b.SetParallelism(max(1, 30/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := st.CastVote(b.Context(), quiz.Vote{RoundID: r.ID, UserID: fmt.Sprint("u", n.Add(1)), Vote: quiz.Real, At: t0}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("ClaimRevealsNothingEnded", func(b *testing.B) {
		st := newStore(b)
		for i := range 100 {
			r := quiz.Round{ID: quiz.NewID(), GuildID: "g", ChannelID: fmt.Sprint("c", i), AppID: "a", Token: "t", Truth: quiz.Real,
				Sentence: "s", StartedBy: "u", StartedAt: t0, EndsAt: t0.Add(time.Hour)}
			if err := st.StartRound(b.Context(), r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if cs, err := st.ClaimReveals(b.Context(), t0, 30*time.Second, 8); err != nil || len(cs) != 0 {
				b.Fatal(cs, err)
			}
		}
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
