package quiz_test

import (
	"math"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/quiz"
)

// TestNewRate checks Wilson's 95 % interval against values worked out by
// hand from its formula (0/10 and 5/10 are also in Newcombe 1998).
func TestNewRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		hits, votes int
		low, high   float64
	}{
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{81, 263, 0.2553, 0.3662},
		{0, 0, 0, 1},
	} {
		r := quiz.NewRate(tc.hits, tc.votes)
		if math.Abs(r.Low-tc.low) > 5e-4 || math.Abs(r.High-tc.high) > 5e-4 {
			t.Errorf("NewRate(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tc.hits, tc.votes, r.Low, r.High, tc.low, tc.high)
		}
	}
}

func TestStatsString(t *testing.T) {
	t.Parallel()
	s := quiz.NewStats(quiz.Counts{Rounds: 3, RealRounds: 1, Votes: map[string]map[string]int{
		quiz.Real:      {quiz.Real: 5, quiz.GlowCloud: 5},
		quiz.GlowCloud: {quiz.Real: 0, quiz.GlowCloud: 10},
	}})
	got := s.String()
	for _, want := range []string{
		"rounds: 3 revealed (1 real, 2 Glow Cloud), 20 votes",
		"fooled:   0.0 % of 10 votes on Glow Cloud sentences said Real (95 % interval 0.0–27.8 %)",
		"doubt:   50.0 % of 10 votes on real sentences said Glow Cloud (95 % interval 23.7–76.3 %)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stats lack %q:\n%s", want, got)
		}
	}
	if got := quiz.NewStats(quiz.Counts{}).String(); !strings.Contains(got, "no votes yet") {
		t.Errorf("empty stats:\n%s", got)
	}
}
