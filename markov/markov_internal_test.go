package markov

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mb-14/gomarkov"
)

// chiSquare returns the chi-square statistic of observed counts against
// expected proportions.
func chiSquare(observed []int, weights []float64) float64 {
	total, wsum := 0, 0.0
	for i := range observed {
		total += observed[i]
		wsum += weights[i]
	}
	x := 0.0
	for i, o := range observed {
		e := float64(total) * weights[i] / wsum
		x += (float64(o) - e) * (float64(o) - e) / e
	}
	return x
}

// chiCritical001 holds the chi-square critical values at p = 0.001 for 1..7
// degrees of freedom: a fair sampler exceeds them once in a thousand runs.
var chiCritical001 = []float64{0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32}

// sentencesFor returns one sentence "x w." per word for each count, so the
// order-1 state "x" has successors w with those counts.
func sentencesFor(counts []int) [][]string {
	var out [][]string
	for i, n := range counts {
		w := string(rune('a'+i)) + "."
		for range n {
			out = append(out, []string{"x", w})
		}
	}
	return out
}

func TestDrawIsProportional(t *testing.T) {
	t.Parallel()
	for _, counts := range [][]int{{1, 1, 1}, {1, 2, 3, 10}, {5, 1}, {1, 1, 1, 1, 1, 1, 1}, {7}} {
		m, err := Train(sentencesFor(counts), TrainOptions{Order: 1})
		if err != nil {
			t.Fatal(err)
		}
		x := m.findState(t, "x")
		lo, hi := m.off[x], m.off[x+1]
		if int(hi-lo) != len(counts) {
			t.Fatalf("state x has %d successors, want %d", hi-lo, len(counts))
		}
		rng := rand.New(rand.NewPCG(1, 2))
		const draws = 60000
		observed := make([]int, len(counts))
		for range draws {
			e, _, _ := draw(rng, m.edgeCum, lo, hi)
			observed[e-lo]++
		}
		weights := make([]float64, len(counts))
		for i, e := 0, lo; e < hi; i, e = i+1, e+1 {
			// Successor words sort as a., b., c., so edge i is word i.
			if got, want := m.shown[m.edgeWord[e]], string(rune('a'+i))+"."; got != want {
				t.Fatalf("edge %d is %q, want %q", i, got, want)
			}
			weights[i] = float64(counts[i])
		}
		if len(counts) == 1 {
			if observed[0] != draws {
				t.Errorf("single successor drawn %d of %d times", observed[0], draws)
			}
			continue
		}
		if x2 := chiSquare(observed, weights); x2 > chiCritical001[len(counts)-1] {
			t.Errorf("counts %v: observed %v, chi-square %.2f > %.2f (p < 0.001): draws are not proportional",
				counts, observed, x2, chiCritical001[len(counts)-1])
		}
	}
}

// TestGomarkovDrawIsBiased documents why this package samples by itself:
// gomarkov's GenerateDeterministic fails the same chi-square test.
func TestGomarkovDrawIsBiased(t *testing.T) {
	t.Parallel()
	chain := gomarkov.NewChain(1)
	for _, s := range sentencesFor([]int{1, 1, 1}) {
		chain.Add(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	prng := intnFunc(func(n int) int { return rng.IntN(n) })
	observed := map[string]int{}
	for range 30000 {
		w, err := chain.GenerateDeterministic(gomarkov.NGram{"x"}, prng)
		if err != nil {
			t.Fatal(err)
		}
		observed[w]++
	}
	obs := []int{observed["a."], observed["b."], observed["c."]}
	if x2 := chiSquare(obs, []float64{1, 1, 1}); x2 < chiCritical001[2] {
		t.Errorf("gomarkov's draw looks fair now (%v, chi-square %.1f): revisit the package doc", obs, x2)
	}
}

type intnFunc func(int) int

func (f intnFunc) Intn(n int) int { return f(n) }

// findState returns the id of the state whose words are the given ones.
func (m *Model) findState(t *testing.T, words ...string) int32 {
	t.Helper()
	for s := 0; s < len(m.off)-1; s++ {
		match := true
		for i, w := range words {
			if m.words[m.stateTok[s*m.order+i]] != escape(w) {
				match = false
			}
		}
		if match {
			return int32(s)
		}
	}
	t.Fatalf("no state %q", words)
	return 0
}

func TestBackwardDrawIsProportional(t *testing.T) {
	t.Parallel()
	// "a z." twice, "b z." once, "c z." three times: the order-1 state "z."
	// has predecessors a, b, c with counts 2, 1, 3.
	var sentences [][]string
	for w, n := range map[string]int{"a": 2, "b": 1, "c": 3} {
		for range n {
			sentences = append(sentences, []string{w, "z."})
		}
	}
	m, err := Train(sentences, TrainOptions{Order: 1})
	if err != nil {
		t.Fatal(err)
	}
	z := m.findState(t, "z.")
	lo, hi := m.prevOff[z], m.prevOff[z+1]
	rng := rand.New(rand.NewPCG(3, 4))
	got := map[string]int{}
	for range 60000 {
		e, _, _ := draw(rng, m.prevCum, lo, hi)
		got[m.shown[m.stateTok[m.prevState[e]]]]++
	}
	obs := []int{got["a"], got["b"], got["c"]}
	if x2 := chiSquare(obs, []float64{2, 1, 3}); x2 > chiCritical001[2] {
		t.Errorf("predecessors drawn %v, chi-square %.2f: not proportional", obs, x2)
	}
}

// TestParsedCountsAreGomarkovs checks that reading gomarkov's MarshalJSON
// back gives every transition gomarkov itself reports.
func TestParsedCountsAreGomarkovs(t *testing.T) {
	t.Parallel()
	sentences := [][]string{
		strings.Fields("The ^ costs $ 5 and a_b is 100% real."),
		strings.Fields("The $ sign and the ^ caret and snake_case words."),
		strings.Fields("The Glow Cloud is made up of <what's> to be & \"more\"."),
	}
	for order := 1; order <= 3; order++ {
		chain := addAll(order, tokenSlices(sentences))
		body, err := chain.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := parseChain(body, chainLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if raw.order != order {
			t.Fatalf("order %d, want %d", raw.order, order)
		}
		total := map[int32]uint32{}
		for i := range raw.from {
			total[raw.from[i]] += raw.count[i]
		}
		for i := range raw.from {
			p, err := chain.TransitionProbability(raw.names[raw.to[i]], strings.Split(raw.names[raw.from[i]], "_"))
			if err != nil {
				t.Fatal(err)
			}
			if want := float64(raw.count[i]) / float64(total[raw.from[i]]); math.Abs(p-want) > 1e-12 || p == 0 {
				t.Errorf("order %d: P(%s | %s) = %v from gomarkov, %v read", order, raw.names[raw.to[i]], raw.names[raw.from[i]], p, want)
			}
		}
		// Every transition gomarkov counted is read: one per word of each
		// sentence and one per end marker (gomarkov appends order of them).
		var sum uint32
		for _, c := range raw.count {
			sum += c
		}
		if want := uint32(len(sentences[0]) + len(sentences[1]) + len(sentences[2]) + 3*order); sum != want {
			t.Errorf("order %d: %d transitions read, want %d", order, sum, want)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"^", "$", "_", "a_b", "%", "%5F", "100%", "$5", "^_^", "plain", "ü_ß"} {
		e := escape(w)
		if e == gomarkov.StartToken || e == gomarkov.EndToken || strings.Contains(e, "_") {
			t.Errorf("escape(%q) = %q collides with gomarkov's markers or separator", w, e)
		}
		if got := unescape(e); got != w {
			t.Errorf("unescape(escape(%q)) = %q", w, got)
		}
	}
}

func TestWalkIsCapped(t *testing.T) {
	t.Parallel()
	// A hand-made chain whose state "loop" only ever leads back to itself.
	body := `{"int":1,"spool_map":{"^":0,"$":1,"Loop":2,"loop":3},"freq_mat":{"0":{"2":1},"2":{"3":1},"3":{"3":5}}}`
	raw, err := parseChain([]byte(body), chainLimits{})
	if err != nil {
		t.Fatal(err)
	}
	nov := buildNovelty(tokenSlices{{"Loop", "loop"}}, false, 0, 0)
	m, err := compile(1, raw, nil, func() (Meta, *noveltyIndex, error) {
		return Meta{Format: FormatVersion, Order: 1, Sentences: 1, Words: 2}, nov, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	ids, _, ok := m.walk(rng, m.start, nil, 0, 0)
	if ok || len(ids) != MaxWords {
		t.Errorf("walk through a trap: ok=%v after %d words, want a refusal after %d", ok, len(ids), MaxWords)
	}
	if _, err := m.Sentence(rng, Options{MaxTries: 5}); err == nil {
		t.Error("Sentence from a chain that never ends succeeded")
	}
}

// TestParallelTrainingMatchesOneChain checks that counting in two chains and
// merging gives exactly the model one chain gives. It calls train with two
// parts itself, so the parallel path runs whatever GOMAXPROCS is.
func TestParallelTrainingMatchesOneChain(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	vocab := strings.Fields("the Glow Cloud sees all and hails workers who plan the economy of ^ $ a_b tea party")
	var sentences [][]string
	for range 2000 {
		n := 3 + rng.IntN(8)
		s := make([]string, n)
		for i := range s {
			s[i] = vocab[rng.IntN(len(vocab))]
		}
		s[n-1] += "."
		sentences = append(sentences, s)
	}
	opts := TrainOptions{Now: func() time.Time { return time.Unix(0, 0) }}
	one, err := train(tokenSlices(sentences), opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{2, 3} {
		par, err := train(tokenSlices(sentences), opts, parts)
		if err != nil {
			t.Fatal(err)
		}
		if len(par.chains) != parts || len(one.chains) != 1 {
			t.Fatalf("counted in %d and %d chains, want %d and 1", len(par.chains), len(one.chains), parts)
		}
		if bytes.Equal(par.chains[0], one.chains[0]) {
			t.Fatal("test setup: the first of the parallel chains holds every sentence")
		}
		// The same model in every respect but the bodies it was read from.
		a, b := *par, *one
		a.chains, b.chains = nil, nil
		// lower is a lazily built table (a func value, never DeepEqual);
		// compare what it builds instead.
		if !reflect.DeepEqual(a.lower(), b.lower()) {
			t.Errorf("the back-off tables of %d chains and one differ", parts)
		}
		a.lower, b.lower = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Errorf("the model counted in %d chains differs from the one counted in one", parts)
		}
		// And it survives a save and load, byte for byte.
		var saved, again bytes.Buffer
		if err := par.Encode(&saved); err != nil {
			t.Fatal(err)
		}
		back, err := Decode(bytes.NewReader(saved.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := back.Encode(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(saved.Bytes(), again.Bytes()) {
			t.Errorf("the model counted in %d chains changed in a save and load", parts)
		}
	}
}
