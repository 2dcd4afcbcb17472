package markov

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CraftedModels returns hostile model files built from m, each named for
// what it tries, with checksums that match (SHA-256 is no secret): the
// loader must refuse every one cheaply, before it costs memory.
func CraftedModels(m *Model) map[string][]byte {
	craft := func(edit func(*envelope, [][]byte) [][]byte) []byte {
		env := envelope{
			Magic: magic, Format: FormatVersion, Meta: m.meta, Headings: m.headings,
			Corpus: m.novelty.sentenceTexts(),
		}
		if env.Headings == nil {
			env.Headings = []string{}
		}
		chains := edit(&env, slicesClone(m.chains))
		if env.ChainBytes == nil {
			for _, c := range chains {
				env.ChainBytes = append(env.ChainBytes, len(c))
			}
		}
		env.SHA256 = checksum(env.Meta, env.Headings, stringList(env.Corpus), chains)
		head, err := json.Marshal(env)
		if err != nil {
			panic(err)
		}
		var b bytes.Buffer
		b.Write(bytes.TrimSuffix(head, []byte("}")))
		b.WriteString(chainsKey)
		b.Write(bytes.Join(chains, []byte(",")))
		b.WriteString("]}\n")
		return b.Bytes()
	}
	return map[string][]byte{
		"huge declared counts": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.States, env.Meta.Transitions, env.Meta.Vocabulary = math.MaxInt, math.MaxInt, math.MaxInt
			return c
		}),
		"huge declared chain": craft(func(env *envelope, c [][]byte) [][]byte {
			env.ChainBytes = []int{math.MaxInt}
			return c
		}),
		"more transitions than declared": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.Transitions = 1
			return c
		}),
		"more names than declared": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.States, env.Meta.Vocabulary = 1, 1
			return c
		}),
		"giant heading": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Headings = []string{strings.Repeat("Glow ", 200<<10)}
			return c
		}),
		"many chains": craft(func(env *envelope, c [][]byte) [][]byte {
			for len(c) <= maxChains {
				c = append(c, c[0])
			}
			return c
		}),
		"deep json": []byte(headerPrefix + `2,"meta":` + strings.Repeat("[", 1<<20) + chainsKey + "{}]}"),
	}
}

func slicesClone(c [][]byte) [][]byte { return append([][]byte(nil), c...) }

// ExpensiveModels returns honest model files of about size bytes, each
// well-formed, within every declared count and with a matching checksum,
// but built to cost as much memory per byte as one part of the format
// allows: the loader must load each within its memory budget or refuse
// it before spending it.
//
// pad spaces end the last chain body: they cost nothing, so a padded file
// is a cheaper one of its shape.
func ExpensiveModels(size, pad int) map[string][]byte {
	build := func(meta Meta, headings, corpus []string, chains ...[]byte) []byte {
		chains[len(chains)-1] = append(chains[len(chains)-1], strings.Repeat(" ", pad)...)
		env := envelope{Magic: magic, Format: FormatVersion, Meta: meta, Headings: headings, Corpus: corpus}
		if env.Headings == nil {
			env.Headings = []string{}
		}
		if env.Corpus == nil {
			env.Corpus = []string{}
		}
		for _, c := range chains {
			env.ChainBytes = append(env.ChainBytes, len(c))
		}
		env.SHA256 = checksum(env.Meta, env.Headings, stringList(env.Corpus), chains)
		head, err := json.Marshal(env)
		if err != nil {
			panic(err)
		}
		var b bytes.Buffer
		b.Write(bytes.TrimSuffix(head, []byte("}")))
		b.WriteString(chainsKey)
		b.Write(bytes.Join(chains, []byte(",")))
		b.WriteString("]}\n")
		return b.Bytes()
	}
	// meta declares what the file holds, so that what is loadable loads.
	meta := func(corpus []string, names, states, edges int) Meta {
		words := 0
		for _, c := range corpus {
			words += len(strings.Fields(c))
		}
		return Meta{Format: FormatVersion, Order: 1, CorpusSHA256: strings.Repeat("0", 64),
			Sentences: max(1, len(corpus)), Words: max(1, words, len(corpus)), Vocabulary: names - 2, States: states, Transitions: edges}
	}
	// chain writes an order-1 chain of the words w2..w(n-1) beside the
	// markers, whose freq_mat edges writes, padded with spaces to pad
	// bytes.
	chain := func(n int, edges func(b *bytes.Buffer), pad int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"int":1,"spool_map":{"^":0,"$":1`)
		for i := 2; i < n; i++ {
			fmt.Fprintf(&b, `,"w%d":%d`, i, i)
		}
		b.WriteString(`},"freq_mat":{`)
		edges(&b)
		b.WriteString(`}}`)
		if pad > b.Len() {
			b.WriteString(strings.Repeat(" ", pad-b.Len()))
		}
		return b.Bytes()
	}
	simple := func(b *bytes.Buffer) { b.WriteString(`"0":{"2":1},"2":{"1":1}`) }
	one := []string{"w2"}
	out := map[string][]byte{}

	// Empty corpus sentences: 3 bytes each, plus 4 bytes of chain each so
	// the declared count fits.
	k := size / 7
	corpus := append(make([]string, k), "w2")
	out["empty corpus sentences"] = build(meta(corpus, 3, 2, 2), nil, corpus, chain(3, simple, 4*len(corpus)))

	// Spool names: ~19 bytes each.
	n := size / 19
	out["spool names"] = build(meta(one, n, 2, 2), nil, one, chain(n, simple, 0))

	// Fan-out: one state with a successor for every word (~27 bytes each).
	n = size / 27
	out["fan-out"] = build(meta(one, n, 2, n-1), nil, one, chain(n, func(b *bytes.Buffer) {
		b.WriteString(`"0":{`)
		for i := 2; i < n; i++ {
			if i > 2 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `"%d":1`, i)
		}
		b.WriteString(`},"2":{"1":1}`)
	}, 0))

	// A chain: every word a state with one successor (~34 bytes a word).
	n = size / 34
	out["chain of states"] = build(meta(one, n, n-1, n-1), nil, one, chain(n, func(b *bytes.Buffer) {
		b.WriteString(`"0":{"2":1}`)
		for i := 2; i < n; i++ {
			next := i + 1
			if next == n {
				next = 1
			}
			fmt.Fprintf(b, `,"%d":{"%d":1}`, i, next)
		}
	}, 0))

	// Empty headings: 3 bytes each.
	out["empty headings"] = build(meta(one, 3, 2, 2), make([]string, size/3), one, chain(3, simple, 0))

	// Corpus tokens: distinct sentences of 50 short words, 3 bytes a word,
	// and as much chain as the count of sentences needs.
	const w = 1000
	words := strings.TrimSpace(strings.Repeat("w2 ", 48))
	corpus = make([]string, size/150)
	for i := range corpus {
		corpus[i] = fmt.Sprintf("%s w%d w%d", words, 2+i%w, 2+i/w%w)
	}
	out["corpus tokens"] = build(meta(corpus, w+2, 2, 2), nil, corpus, chain(w+2, simple, 4*len(corpus)))

	// Corpus words: every word of the chain a sentence of its own (~26
	// bytes a word).
	n = size / 26
	corpus = make([]string, n-2)
	for i := range corpus {
		corpus[i] = "w" + strconv.Itoa(i+2)
	}
	out["distinct corpus words"] = build(meta(corpus, n, 2, 2), nil, corpus, chain(n, simple, 4*len(corpus)))
	// Order-2 states: few words, a state for every pair of them, each
	// with one successor (~40 bytes a state).
	const pw = 1200
	k = min(pw*pw, size/40)
	var b bytes.Buffer
	b.WriteString(`{"int":2,"spool_map":{"^":0,"$":1`)
	for i := 2; i < pw+2; i++ {
		fmt.Fprintf(&b, `,"w%d":%d`, i, i)
	}
	fmt.Fprintf(&b, `,"^_^":%d`, pw+2)
	for i := range k {
		fmt.Fprintf(&b, `,"w%d_w%d":%d`, 2+i%pw, 2+i/pw, pw+3+i)
	}
	fmt.Fprintf(&b, `},"freq_mat":{"%d":{"2":1}`, pw+2)
	for i := range k {
		fmt.Fprintf(&b, `,"%d":{"%d":1}`, pw+3+i, 2+(i/pw)%pw)
	}
	b.WriteString(`}}`)
	m2 := meta(one, pw+2, k+1, k+1)
	m2.Order = 2
	out["order-2 states"] = build(m2, nil, one, b.Bytes())
	return out
}

// LoadCharged loads the model file at path with no memory budget and
// returns, beside it, the most its budget would have held at once: the
// loader's estimate of the load's peak, to compare with the heap it took.
func LoadCharged(path string) (*Model, int64, error) {
	var b *budget
	l := Loader{budget: func(int64) *budget {
		b = &budget{total: math.MaxInt64 / 2, track: true}
		b.left.Store(b.total)
		return b
	}}
	m, err := l.Load(path)
	var most int64
	if b != nil {
		most = b.most.Load()
	}
	return m, most, err
}

// LoaderWithFloor is the zero Loader with floor in place of MinBudget:
// tests of the budget per byte use files small enough to measure quickly,
// which MinBudget would let through.
func LoaderWithFloor(floor int64) Loader {
	return Loader{budget: func(size int64) *budget { return newBudget(size, floor) }}
}
