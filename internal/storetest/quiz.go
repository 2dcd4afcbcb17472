package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/quiz"
)

// quizTests are the suite's tests of the quiz's state (see Run).
func quizTests() []struct {
	name string
	f    func(t *testing.T, st Store)
} {
	return []struct {
		name string
		f    func(t *testing.T, st Store)
	}{
		{"QuizOneRoundPerChannel", testQuizOneRoundPerChannel},
		{"QuizStartConcurrent", testQuizStartConcurrent},
		{"QuizVote", testQuizVote},
		{"QuizVoteConcurrent", testQuizVoteConcurrent},
		{"QuizDMEndsAtVote", testQuizDMEndsAtVote},
		{"QuizDMPressesAtOnce", testQuizDMPressesAtOnce},
		{"QuizClaimOnceAndLease", testQuizClaimOnceAndLease},
		{"QuizClaimConcurrent", testQuizClaimConcurrent},
		{"QuizClaimUntalliedFirst", testQuizClaimUntalliedFirst},
		{"QuizScores", testQuizScores},
		{"QuizTopOrder", testQuizTopOrder},
		{"QuizForget", testQuizForget},
		{"QuizCountVotes", testQuizCountVotes},
		{"QuizRecent", testQuizRecent},
	}
}

// round returns a round in guild g, channel ch, started at start and
// taking votes for 20 s.
func round(t *testing.T, g, ch, truth string, start time.Time) quiz.Round {
	return quiz.Round{
		ID: quiz.NewID(), GuildID: g, ChannelID: ch, AppID: "app", Token: "tok-" + ch,
		Truth: truth, Sentence: "A sentence of “" + truth + "”, with <@1> in it.", Section: "Strange indeed",
		ModelID: "m1", StartedBy: "u0", StartedAt: start, EndsAt: start.Add(20 * time.Second),
	}
}

func start(t *testing.T, st Store, r quiz.Round) {
	t.Helper()
	if err := st.StartRound(t.Context(), r); err != nil {
		t.Fatalf("StartRound(%s): %v", r.ChannelID, err)
	}
}

func vote(t *testing.T, st Store, r quiz.Round, user, v string, after time.Duration) (quiz.Voted, string) {
	t.Helper()
	got, counted, err := st.CastVote(t.Context(), quiz.Vote{RoundID: r.ID, UserID: user, Vote: v, At: r.StartedAt.Add(after)})
	if err != nil {
		t.Fatalf("CastVote(%s, %s): %v", user, v, err)
	}
	return got, counted
}

func claimRounds(t *testing.T, st Store, now time.Time) []quiz.Reveal {
	t.Helper()
	got, err := st.ClaimReveals(t.Context(), now, 30*time.Second, 10)
	if err != nil {
		t.Fatalf("ClaimReveals(%v): %v", now, err)
	}
	return got
}

func testQuizOneRoundPerChannel(t *testing.T, st Store) {
	r := round(t, "g1", "c1", quiz.Real, t0)
	start(t, st, r)
	if err := st.StartRound(t.Context(), round(t, "g1", "c1", quiz.GlowCloud, t0.Add(time.Second))); !errors.Is(err, quiz.ErrBusy) {
		t.Errorf("a second round in a busy channel: %v, want ErrBusy", err)
	}
	start(t, st, round(t, "g1", "c2", quiz.GlowCloud, t0)) // another channel
	// Ended but not yet claimed: still busy.
	if err := st.StartRound(t.Context(), round(t, "g1", "c1", quiz.Real, t0.Add(21*time.Second))); !errors.Is(err, quiz.ErrBusy) {
		t.Errorf("a round in a channel whose round ended unrevealed: %v, want ErrBusy", err)
	}
	if got := claimRounds(t, st, r.EndsAt); len(got) != 2 {
		t.Fatalf("claimed %d rounds, want 2", len(got))
	}
	start(t, st, round(t, "g1", "c1", quiz.Real, t0.Add(22*time.Second))) // tallied: free again
}

func testQuizStartConcurrent(t *testing.T, st Store) {
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = st.StartRound(t.Context(), round(t, "g1", "c1", quiz.Real, t0)) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, quiz.ErrBusy):
			t.Errorf("StartRound: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent rounds in one channel started, want 1", ok, n)
	}
}

func testQuizVote(t *testing.T, st Store) {
	r := round(t, "g1", "c1", quiz.Real, t0)
	start(t, st, r)
	for _, tc := range []struct {
		user, vote  string
		after       time.Duration
		want        quiz.Voted
		wantCounted string
	}{
		{"u1", quiz.GlowCloud, time.Second, quiz.VoteCounted, quiz.GlowCloud},
		{"u1", quiz.Real, 2 * time.Second, quiz.VoteAlready, quiz.GlowCloud}, // no change of mind
		{"u2", quiz.Real, 19999 * time.Millisecond, quiz.VoteCounted, quiz.Real},
		{"u3", quiz.Real, 20 * time.Second, quiz.VoteClosed, ""}, // at the end: too late
	} {
		if got, counted := vote(t, st, r, tc.user, tc.vote, tc.after); got != tc.want || counted != tc.wantCounted {
			t.Errorf("%s votes %s after %v: %v, %q; want %v, %q", tc.user, tc.vote, tc.after, got, counted, tc.want, tc.wantCounted)
		}
	}
	if got, _, err := st.CastVote(t.Context(), quiz.Vote{RoundID: quiz.NewID(), UserID: "u1", Vote: quiz.Real, At: t0}); err != nil || got != quiz.VoteUnknown {
		t.Errorf("a vote in no round: %v, %v; want VoteUnknown", got, err)
	}
	// Once claimed (tallied), a round takes no vote, even one stamped
	// before its end by a clock running behind.
	claimRounds(t, st, r.EndsAt)
	if got, _ := vote(t, st, r, "u4", quiz.Real, 5*time.Second); got != quiz.VoteClosed {
		t.Errorf("a vote after the tally: %v, want VoteClosed", got)
	}
}

func testQuizVoteConcurrent(t *testing.T, st Store) {
	r := round(t, "g1", "c1", quiz.GlowCloud, t0)
	start(t, st, r)
	// 30 members press at once, each twice with different answers.
	const members = 30
	var wg sync.WaitGroup
	results := make([][2]quiz.Voted, members)
	for i := range members {
		for j := range 2 {
			wg.Go(func() {
				v := []string{quiz.Real, quiz.GlowCloud}[j]
				got, _, err := st.CastVote(t.Context(), quiz.Vote{RoundID: r.ID, UserID: fmt.Sprintf("u%02d", i), Vote: v, At: t0.Add(time.Second)})
				if err != nil {
					t.Errorf("CastVote: %v", err)
				}
				results[i][j] = got
			})
		}
	}
	wg.Wait()
	for i, res := range results {
		if !slices.Contains(res[:], quiz.VoteCounted) || !slices.Contains(res[:], quiz.VoteAlready) {
			t.Errorf("member %d's two presses came to %v, want one counted and one already", i, res)
		}
	}
	got := claimRounds(t, st, r.EndsAt)
	if len(got) != 1 || len(got[0].Votes) != members {
		t.Fatalf("the tally has %d rounds, %v; want 1 with %d votes", len(got), got, members)
	}
}

func testQuizDMEndsAtVote(t *testing.T, st Store) {
	r := round(t, "", "dm1", quiz.Real, t0)
	r.Voters = 1
	start(t, st, r)
	if got := claimRounds(t, st, t0.Add(3*time.Second)); len(got) != 0 {
		t.Fatalf("a DM round before its vote was claimed: %v", got)
	}
	vote(t, st, r, "u1", quiz.Real, 2*time.Second)
	got := claimRounds(t, st, t0.Add(2*time.Second))
	if len(got) != 1 || !got[0].EndsAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("after the DM's one vote: %+v, want the round ended at the vote", got)
	}
}

func testQuizClaimOnceAndLease(t *testing.T, st Store) {
	r := round(t, "g1", "c1", quiz.Real, t0)
	start(t, st, r)
	vote(t, st, r, "u1", quiz.Real, 3*time.Second)
	vote(t, st, r, "u2", quiz.GlowCloud, 2*time.Second)
	if got := claimRounds(t, st, r.EndsAt.Add(-time.Millisecond)); len(got) != 0 {
		t.Fatalf("claimed before its end: %v", got)
	}
	got := claimRounds(t, st, r.EndsAt)
	if len(got) != 1 || !got[0].Tallied {
		t.Fatalf("first claim: %+v, want the round, tallied", got)
	}
	c := got[0]
	want := r
	if c.Round != want {
		t.Errorf("claimed round:\n%+v\nwant\n%+v", c.Round, want)
	}
	if len(c.Votes) != 2 || c.Votes[0].UserID != "u2" || c.Votes[1].UserID != "u1" || !c.Votes[1].At.Equal(t0.Add(3*time.Second)) {
		t.Errorf("votes %+v, want u2's then u1's, oldest first", c.Votes)
	}
	if again := claimRounds(t, st, r.EndsAt.Add(29*time.Second)); len(again) != 0 {
		t.Errorf("claimed again within the lease: %v", again)
	}
	// The lease runs out with no reveal (the Runner was killed): another
	// claims it, without tallying again.
	again := claimRounds(t, st, r.EndsAt.Add(30*time.Second))
	if len(again) != 1 || again[0].Tallied || len(again[0].Votes) != 2 {
		t.Fatalf("after the lease: %+v, want the round again, not tallied again", again)
	}
	if s, _, _ := st.Score(t.Context(), "g1", "u1"); s.Rounds != 1 {
		t.Errorf("u1 has %d rounds after one round claimed twice, want 1", s.Rounds)
	}
	if err := st.FinishReveal(t.Context(), r.ID, r.EndsAt.Add(31*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := claimRounds(t, st, r.EndsAt.Add(time.Hour)); len(got) != 0 {
		t.Errorf("a revealed round was claimed: %v", got)
	}
}

func testQuizClaimConcurrent(t *testing.T, st Store) {
	const rounds = 10
	for i := range rounds {
		r := round(t, "g1", fmt.Sprint("c", i), quiz.Real, t0)
		start(t, st, r)
		vote(t, st, r, "u1", quiz.Real, time.Second)
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids []string
	)
	for range 8 {
		wg.Go(func() {
			got, err := st.ClaimReveals(t.Context(), t0.Add(time.Minute), 30*time.Second, 3)
			if err != nil {
				t.Errorf("ClaimReveals: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range got {
				ids = append(ids, c.ID)
			}
		})
	}
	wg.Wait()
	slices.Sort(ids)
	if len(ids) != rounds || len(slices.Compact(ids)) != rounds {
		t.Errorf("8 concurrent claims took %d rounds (%d distinct), want each of %d once", len(ids), len(slices.Compact(ids)), rounds)
	}
	if s, _, _ := st.Score(t.Context(), "g1", "u1"); s.Rounds != rounds || s.Right != rounds {
		t.Errorf("u1's score after %d right rounds: %+v", rounds, s)
	}
}

// testQuizScores plays rounds and checks the stored scores against
// quiz.Tally applied to the same votes.
func testQuizScores(t *testing.T, st Store) {
	type play struct {
		truth string
		votes map[string]string
	}
	plays := []play{
		{quiz.Real, map[string]string{"a": quiz.Real, "b": quiz.GlowCloud}},
		{quiz.GlowCloud, map[string]string{"a": quiz.GlowCloud, "b": quiz.Real, "c": quiz.GlowCloud}},
		{quiz.Real, map[string]string{"a": quiz.Real, "c": quiz.GlowCloud}},
		{quiz.GlowCloud, map[string]string{"a": quiz.GlowCloud, "b": quiz.GlowCloud}},
		{quiz.Real, map[string]string{"a": quiz.GlowCloud, "b": quiz.Real}},
	}
	want := map[string]quiz.Score{}
	at := t0
	for i, p := range plays {
		r := round(t, "g1", "c1", p.truth, at)
		start(t, st, r)
		k := 0
		for _, u := range []string{"a", "b", "c"} {
			if v, ok := p.votes[u]; ok {
				k++
				after := time.Duration(k*700+i) * time.Millisecond
				vote(t, st, r, u, v, after)
				s := want[u]
				s.GuildID, s.UserID = "g1", u
				want[u] = quiz.Tally(s, p.truth, quiz.Vote{Vote: v, At: r.StartedAt.Add(after)}, r.StartedAt)
			}
		}
		claimRounds(t, st, r.EndsAt)
		at = r.EndsAt.Add(time.Second)
	}
	if want["a"].Points != 6 || want["a"].Best != 4 || want["a"].Streak != 0 {
		t.Fatalf("the rule itself: a = %+v, want 6 points (4 right, a streak bonus for the 3rd and the 4th), best streak 4", want["a"])
	}
	for u, w := range want {
		got, ok, err := st.Score(t.Context(), "g1", u)
		if err != nil || !ok || got != w {
			t.Errorf("score of %s: %+v, %v, %v; want %+v", u, got, ok, err, w)
		}
	}
	if _, ok, err := st.Score(t.Context(), "g2", "a"); ok || err != nil {
		t.Errorf("a has a score in another guild: %v, %v", ok, err)
	}
}

func testQuizTopOrder(t *testing.T, st Store) {
	// fast and slow both answer right once; many answers right twice;
	// wrong answers wrong.
	at := t0
	for i, votes := range []map[string]time.Duration{
		{"fast": time.Second, "slow": 9 * time.Second, "many": 5 * time.Second, "wrong": time.Second},
		{"many": 5 * time.Second, "wrong": time.Second},
	} {
		r := round(t, "g1", "c1", quiz.Real, at)
		start(t, st, r)
		for u, after := range votes {
			v := quiz.Real
			if u == "wrong" {
				v = quiz.GlowCloud
			}
			vote(t, st, r, u, v, after+time.Duration(i))
		}
		claimRounds(t, st, r.EndsAt)
		at = r.EndsAt.Add(time.Second)
	}
	top, err := st.Top(t.Context(), "g1", 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range top {
		order = append(order, s.UserID)
	}
	if want := []string{"many", "fast", "slow", "wrong"}; !slices.Equal(order, want) {
		t.Errorf("leaderboard %v, want %v (points, then speed)", order, want)
	}
	if top, _ := st.Top(t.Context(), "g1", 2); len(top) != 2 {
		t.Errorf("Top(2) gave %d", len(top))
	}
	if top, _ := st.Top(t.Context(), "g2", 10); len(top) != 0 {
		t.Errorf("another guild's leaderboard: %v", top)
	}
}

func testQuizForget(t *testing.T, st Store) {
	for i, g := range []string{"g1", "g2"} {
		r := round(t, g, fmt.Sprint("c", i), quiz.Real, t0)
		start(t, st, r)
		vote(t, st, r, "u1", quiz.Real, time.Second)
		vote(t, st, r, "u2", quiz.Real, time.Second)
		claimRounds(t, st, r.EndsAt)
	}
	n, err := st.Forget(t.Context(), "g1", "u1")
	if err != nil || n != 1 {
		t.Fatalf("Forget = %d, %v; want 1 vote", n, err)
	}
	if _, ok, _ := st.Score(t.Context(), "g1", "u1"); ok {
		t.Error("u1 still has a score in g1")
	}
	for _, who := range [][2]string{{"g2", "u1"}, {"g1", "u2"}} {
		if _, ok, _ := st.Score(t.Context(), who[0], who[1]); !ok {
			t.Errorf("%s's score in %s went too", who[1], who[0])
		}
	}
	c, err := st.CountVotes(t.Context(), "g1")
	if err != nil || c.Votes[quiz.Real][quiz.Real] != 1 {
		t.Errorf("g1's votes after forgetting u1: %+v, %v; want u2's alone", c, err)
	}
}

func testQuizCountVotes(t *testing.T, st Store) {
	at := t0
	for i, p := range []struct {
		guild, truth string
		votes        []string
	}{
		{"g1", quiz.Real, []string{quiz.Real, quiz.Real, quiz.GlowCloud}},
		{"g1", quiz.GlowCloud, []string{quiz.Real, quiz.GlowCloud}},
		{"g2", quiz.GlowCloud, []string{quiz.Real}},
	} {
		r := round(t, p.guild, fmt.Sprint("c", i), p.truth, at)
		start(t, st, r)
		for j, v := range p.votes {
			vote(t, st, r, fmt.Sprint("u", j), v, time.Second)
		}
		claimRounds(t, st, r.EndsAt)
	}
	open := round(t, "g1", "c9", quiz.Real, t0.Add(time.Hour)) // not tallied: not counted
	start(t, st, open)
	vote(t, st, open, "u1", quiz.GlowCloud, time.Second)

	for _, tc := range []struct {
		guild          string
		rounds, real   int
		rr, rg, gr, gg int
	}{
		{"g1", 2, 1, 2, 1, 1, 1},
		{"g2", 1, 0, 0, 0, 1, 0},
		{"", 3, 1, 2, 1, 2, 1},
	} {
		c, err := st.CountVotes(t.Context(), tc.guild)
		if err != nil {
			t.Fatal(err)
		}
		v := c.Votes
		if c.Rounds != tc.rounds || c.RealRounds != tc.real || v[quiz.Real][quiz.Real] != tc.rr || v[quiz.Real][quiz.GlowCloud] != tc.rg ||
			v[quiz.GlowCloud][quiz.Real] != tc.gr || v[quiz.GlowCloud][quiz.GlowCloud] != tc.gg {
			t.Errorf("CountVotes(%q) = %+v", tc.guild, c)
		}
	}
}

func testQuizRecent(t *testing.T, st Store) {
	var want []string
	at := t0
	for i := range 5 {
		r := round(t, "g1", "c1", quiz.Real, at)
		r.Sentence = fmt.Sprint("sentence ", i)
		start(t, st, r)
		claimRounds(t, st, r.EndsAt)
		want = append([]string{r.Sentence}, want...)
		at = r.EndsAt.Add(time.Second)
	}
	start(t, st, round(t, "g1", "c2", quiz.Real, at)) // another channel's
	got, err := st.Recent(t.Context(), "c1", 3)
	if err != nil || !slices.Equal(got, want[:3]) {
		t.Errorf("Recent(c1, 3) = %q, %v; want %q, newest first", got, err, want[:3])
	}
	if got, _ := st.Recent(t.Context(), "c9", 3); len(got) != 0 {
		t.Errorf("Recent of a channel without rounds: %q", got)
	}
}

// testQuizClaimUntalliedFirst: rounds whose reveal keeps failing (claimed,
// never finished) do not crowd out a round that has just ended: a claim
// takes rounds not yet tallied first.
func testQuizClaimUntalliedFirst(t *testing.T, st Store) {
	for i := range 3 {
		start(t, st, round(t, "g1", fmt.Sprint("old", i), quiz.Real, t0))
	}
	if got := claimRounds(t, st, t0.Add(20*time.Second)); len(got) != 3 {
		t.Fatalf("claimed %d, want 3", len(got))
	}
	fresh := round(t, "g1", "new", quiz.Real, t0.Add(time.Minute))
	start(t, st, fresh)
	got, err := st.ClaimReveals(t.Context(), fresh.EndsAt, 30*time.Second, 1)
	if err != nil || len(got) != 1 || got[0].ID != fresh.ID || !got[0].Tallied {
		t.Errorf("with three old rounds unrevealed, a claim of one took %+v, %v; want the new round, tallied", got, err)
	}
}

// testQuizDMPressesAtOnce: the one member of a DM presses ten times at
// once (a double click, a flaky client): one vote counts, no press fails,
// and the round ends with it.
func testQuizDMPressesAtOnce(t *testing.T, st Store) {
	r := round(t, "", "dm1", quiz.Real, t0)
	r.Voters = 1
	start(t, st, r)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counted := 0
	for i := range 10 {
		wg.Go(func() {
			v := []string{quiz.Real, quiz.GlowCloud}[i%2]
			got, _, err := st.CastVote(t.Context(), quiz.Vote{RoundID: r.ID, UserID: "u1", Vote: v, At: t0.Add(time.Second)})
			if err != nil {
				t.Errorf("press %d: %v", i, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if got == quiz.VoteCounted {
				counted++
			}
		})
	}
	wg.Wait()
	if counted != 1 {
		t.Errorf("%d of 10 presses counted, want 1", counted)
	}
	if got := claimRounds(t, st, t0.Add(time.Second)); len(got) != 1 || len(got[0].Votes) != 1 {
		t.Errorf("after the presses: %+v, want the round ended with one vote", got)
	}
}
