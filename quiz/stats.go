package quiz

import (
	"fmt"
	"math"
	"strings"
)

// Rate is a proportion of votes with its 95 % interval (Wilson's score
// interval, which stays within 0..1 and is honest for small counts).
type Rate struct {
	Hits, Votes int
	Low, High   float64 // the interval; 0 and 1 with no votes
}

// Value is Hits/Votes, or 0 with no votes.
func (r Rate) Value() float64 {
	if r.Votes == 0 {
		return 0
	}
	return float64(r.Hits) / float64(r.Votes)
}

// NewRate returns hits of votes with its 95 % Wilson interval.
func NewRate(hits, votes int) Rate {
	r := Rate{Hits: hits, Votes: votes, High: 1}
	if votes == 0 {
		return r
	}
	const z = 1.959963984540054 // the 97.5th percentile of the normal
	n, p := float64(votes), float64(hits)/float64(votes)
	centre := (p + z*z/(2*n)) / (1 + z*z/n)
	half := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	r.Low, r.High = math.Max(0, centre-half), math.Min(1, centre+half)
	return r
}

// Stats are what the votes say of the text: how often readers took the
// Glow Cloud for a person, and a person for the Glow Cloud.
type Stats struct {
	Rounds, RealRounds int
	// Fooled is the share of votes on generated sentences that said Real.
	Fooled Rate
	// Doubt is the share of votes on real sentences that said Glow Cloud.
	Doubt Rate
}

// NewStats reads Stats from vote counts.
func NewStats(c Counts) Stats {
	v := func(truth, vote string) int { return c.Votes[truth][vote] }
	return Stats{
		Rounds: c.Rounds, RealRounds: c.RealRounds,
		Fooled: NewRate(v(GlowCloud, Real), v(GlowCloud, Real)+v(GlowCloud, GlowCloud)),
		Doubt:  NewRate(v(Real, GlowCloud), v(Real, GlowCloud)+v(Real, Real)),
	}
}

// String writes the stats for people, as `glowcloud quiz stats` prints
// them.
func (s Stats) String() string {
	var sb strings.Builder
	votes := s.Fooled.Votes + s.Doubt.Votes
	fmt.Fprintf(&sb, "rounds: %d revealed (%d real, %d Glow Cloud), %d %s\n", s.Rounds, s.RealRounds, s.Rounds-s.RealRounds, votes, plural(votes, "vote", "votes"))
	line := func(name, what string, r Rate) {
		if r.Votes == 0 {
			fmt.Fprintf(&sb, "%s no votes yet on %s\n", name, what)
			return
		}
		fmt.Fprintf(&sb, "%s %5.1f %% of %d %s on %s (95 %% interval %.1f–%.1f %%)\n",
			name, 100*r.Value(), r.Votes, plural(r.Votes, "vote", "votes"), what, 100*r.Low, 100*r.High)
	}
	line("fooled:", "Glow Cloud sentences said Real", s.Fooled)
	line("doubt: ", "real sentences said Glow Cloud", s.Doubt)
	return sb.String()
}
