// Package markov holds glowcloud's model type: training, saving, loading and
// sampling a word-level Markov chain. It is the only package that imports
// github.com/mb-14/gomarkov, and it hides gomarkov's traps behind its own API:
//
//   - Training counts transitions with gomarkov.Chain.Add and reads them
//     back through gomarkov's exported MarshalJSON, whose bytes are written
//     into the model file as they are: gomarkov's public API only, no
//     reaching into its private fields. Tokens are escaped first (see escape):
//     gomarkov joins a state's words with "_" and uses "^" and "$" as its
//     start and end markers, so a corpus token equal to a marker or holding
//     a "_" would otherwise corrupt the chain.
//   - Sampling does not use gomarkov. Its GenerateDeterministic is biased
//     (it draws Intn(sum) and stops where the remainder reaches <= 0, so the
//     first successor gains a share and the last loses one), it sums and
//     sorts a state's successors on every draw, and Generate shares one
//     unsynchronised *rand.Rand. A Model instead precomputes, per state, its
//     successors in a fixed order with cumulative counts, and draws each in
//     exact proportion to its count from a *rand.Rand the caller owns.
//   - A Model never changes after Train or Load, so it is safe for concurrent
//     use; a reload swaps in a new one (atomic.Pointer[Model]), because
//     gomarkov's Add beside a read crashes the process.
//   - Every walk is capped (MaxWords), since some chains have states that
//     never reach the end.
package markov

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/glowcloud/glowcloud/postag"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mb-14/gomarkov"

	"github.com/glowcloud/glowcloud/corpus"
)

// FormatVersion is the version of the model file envelope this package
// reads and writes. Version 3 adds the curated sentence pool (see
// PoolSentence); version 2 held one gomarkov JSON body per chain counted
// (training counts large corpora in several chains at once); version 1 held
// one body written by this package. Both are refused with ErrVersion.
const FormatVersion = 3

// modelVersion is the version of what a model means: how sentences are
// tokenised, escaped and counted. It, not FormatVersion, goes into ID, so a
// new file layout leaves the ids of the same corpora alone; bump it when
// the same corpus would give a different chain.
const modelVersion = 2

// DefaultOrder is the number of words in a chain state unless told otherwise.
const DefaultOrder = 2

// MaxOrder is the largest order Train accepts.
const MaxOrder = 6

// MaxWords caps every walk through the chain, in either direction.
const MaxWords = 120

// Sentinel errors that callers test with errors.Is.
var (
	// ErrFormat reports a model file that is corrupt or not a model.
	ErrFormat = errors.New("not a valid glowcloud model")
	// ErrVersion reports a model file of another format version.
	ErrVersion = errors.New("unsupported model format version")
	// ErrNoSentence reports that no acceptable sentence was found within the tries.
	ErrNoSentence = errors.New("no acceptable sentence found")
)

// Meta is the model file's envelope: what a model is and where it came from.
type Meta struct {
	Format int `json:"format"`
	Order  int `json:"order"`
	// CorpusSHA256 is the hex SHA-256 of the training sentences as this
	// package reads them (see buildNovelty), computed only here: the same
	// sentences give the same hash, and so the same ID, however they were
	// read (a file, a directory, the embedded essay, Train or TrainLines).
	CorpusSHA256 string    `json:"corpus_sha256"`
	Sentences    int       `json:"sentences"`
	Words        int       `json:"words"`
	Vocabulary   int       `json:"vocabulary"`
	States       int       `json:"states"`
	Transitions  int       `json:"transitions"`
	TrainedAt    time.Time `json:"trained_at"`
	// CurlyQuotes records that the corpus was set with typographic quotes
	// (corpus.Text.CurlyQuotes): what the model writes is set so too.
	CurlyQuotes bool `json:"curly_quotes,omitempty"`
}

// Word ids 0 and 1 are gomarkov's start and end markers.
const (
	wordStart int32 = 0
	wordEnd   int32 = 1
	noState   int32 = -1
)

// Model is a trained chain. It never changes after Train or Load, so it is
// safe for concurrent use. The zero value is not usable: get one from Train
// or Load.
type Model struct {
	meta     Meta
	headings []string
	id       string
	// chains are the gomarkov JSON bodies the counts came from, one per
	// chain counted: Encode writes them as they are. A model loaded from a
	// file has none: source says where in the file they are.
	chains [][]byte
	source *chainFile

	order int
	words []string // word id -> escaped token (as gomarkov saw it)
	shown []string // word id -> token as printed
	marks []marks  // word id -> what balanced needs

	// States: stateTok[s*order:(s+1)*order] are state s's word ids.
	stateTok []int32
	start    int32 // the all-markers start state

	// Successors of state s are edges off[s]..off[s+1]: the word drawn, the
	// state it leads to (noState for the end marker) and a running count.
	off      []int32
	edgeWord []int32
	edgeNext []int32
	edgeCum  []uint32

	// Predecessors of state s are prevOff[s]..prevOff[s+1], with running
	// counts, for walking backwards from a topic word to a sentence start.
	prevOff   []int32
	prevState []int32
	prevCum   []uint32

	// byWord maps a folded word (see Fold) to the states that end in it.
	byWord map[string]*pivots

	// novelty indexes the training sentences; nid maps word ids to its ids
	// (-1: a word that is in no sentence).
	novelty *noveltyIndex
	nid     []int32

	// cost is what its load charged its memory budget (see Cost).
	cost int64

	// pool is the curated sentences (see PoolSentence).
	pool []PoolSentence

	// lower is the chain one order lower (see backoff), built on first use.
	lower func() *backoff
}

// TrainOptions tunes Train. The zero value trains an order-2 chain.
type TrainOptions struct {
	Order int // DefaultOrder when 0
	// Headings are kept in the model for titles.
	Headings []string
	// Now stamps TrainedAt; time.Now when nil.
	Now func() time.Time
	// CurlyQuotes is the corpus's typography (corpus.Text.CurlyQuotes),
	// kept in Meta.
	CurlyQuotes bool
}

// Train builds a model from sentences of tokens (words with punctuation
// attached, no whitespace inside). Transitions are counted by gomarkov.
func Train(sentences [][]string, opts TrainOptions) (*Model, error) {
	s := tokenSlices(sentences)
	return train(s, opts, trainParts(s.len()))
}

// TrainLines is Train for sentences given as lines of words separated by
// spaces. It holds a large corpus in a fraction of the memory: 16 bytes a
// sentence instead of 16 bytes a word.
func TrainLines(lines []string, opts TrainOptions) (*Model, error) {
	s := lineTokens(lines)
	return train(s, opts, trainParts(s.len()))
}

// sentences is training input, sentence by sentence.
type sentences interface {
	len() int
	// tokens returns sentence i's tokens, using buf's storage if it needs any.
	tokens(i int, buf []string) []string
}

// tokenSlices holds each sentence as its tokens.
type tokenSlices [][]string

func (t tokenSlices) len() int                          { return len(t) }
func (t tokenSlices) tokens(i int, _ []string) []string { return t[i] }

// lineTokens holds each sentence as a line of space-separated tokens.
type lineTokens []string

func (l lineTokens) len() int { return len(l) }
func (l lineTokens) tokens(i int, buf []string) []string {
	buf = buf[:0]
	for w := range strings.FieldsSeq(l[i]) {
		buf = append(buf, w)
	}
	return buf
}

// span is sentences lo..hi of src.
type span struct {
	src    sentences
	lo, hi int
}

func (s span) len() int                            { return s.hi - s.lo }
func (s span) tokens(i int, buf []string) []string { return s.src.tokens(s.lo+i, buf) }

// train trains on sentences, counting in parts chains at once (see
// trainParts).
func train(sentences sentences, opts TrainOptions, parts int) (*Model, error) {
	order := opts.Order
	if order == 0 {
		order = DefaultOrder
	}
	if order < 1 || order > MaxOrder {
		return nil, fmt.Errorf("markov: train: order %d out of range 1..%d", order, MaxOrder)
	}
	raw, chains, err := countChains(order, sentences, parts)
	if err != nil {
		return nil, fmt.Errorf("markov: train: %w", err)
	}
	// The novelty index (and the corpus hash) need only the sentences:
	// build them beside compiling the chain, which uses one core, rather
	// than beside the counting, which uses them all and most of the memory.
	novc := make(chan *noveltyIndex, 1)
	go func() { novc <- buildNovelty(sentences, true, 0, 0) }()
	var nov *noveltyIndex
	describe := func() (Meta, *noveltyIndex, error) {
		nov = <-novc
		if nov.sentences == 0 {
			return Meta{}, nil, corpus.ErrEmpty
		}
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		return Meta{
			Format:       FormatVersion,
			Order:        order,
			CorpusSHA256: nov.sha256,
			Sentences:    nov.sentences,
			Words:        nov.tokens,
			TrainedAt:    now().UTC().Truncate(time.Second),
			CurlyQuotes:  opts.CurlyQuotes,
		}, nov, nil
	}
	m, err := compile(order, raw, opts.Headings, describe)
	if err != nil {
		if nov == nil {
			nov = <-novc
		}
		if nov.sentences == 0 {
			err = corpus.ErrEmpty
		}
		return nil, fmt.Errorf("markov: train: %w", err)
	}
	m.chains = chains
	tagger, err := postag.Default()
	if err != nil {
		return nil, fmt.Errorf("markov: train: %w", err)
	}
	m.pool = buildPool(m.novelty, 2, tagger.Tag, poolSeed(m.meta.CorpusSHA256))
	return m, nil
}

// poolSeed derives the pool's random source from the corpus, so the same
// corpus always curates the same pool.
func poolSeed(sha string) uint64 {
	var s uint64
	for i := 0; i < len(sha) && i < 16; i++ {
		s = s<<4 | uint64(hexVal(sha[i]))
	}
	return s
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}

// trainParts is how many chains Train counts n sentences in at once.
// gomarkov's Add is most of training and one chain takes a lock per word, so
// from parallelMin sentences up to parallelMax, and with a second core,
// two chains count halves of the corpus side by side (each then encoded
// and parsed side by side too). Below, one chain is quick anyway; above, two
// chains that each hold most of a large corpus's states would double the
// memory.
func trainParts(n int) int {
	if n >= parallelMin && n <= parallelMax && runtime.GOMAXPROCS(0) > 1 {
		return 2
	}
	return 1
}

const (
	parallelMin = 20000
	parallelMax = 200000
)

// countChains counts sentences in parts gomarkov chains at once, each over
// its share of the sentences, and returns the summed counts and each
// chain's JSON. Each chain is encoded by its own MarshalJSON and parsed
// back as soon as its counting is done, beside the others.
func countChains(order int, sentences sentences, parts int) (*rawChain, [][]byte, error) {
	n := sentences.len()
	raws := make([]*rawChain, parts)
	chains := make([][]byte, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		share := span{sentences, n * i / parts, n * (i + 1) / parts}
		wg.Go(func() {
			body, err := addAll(order, share).MarshalJSON()
			if err != nil {
				errs[i] = fmt.Errorf("gomarkov: %w", err)
				return
			}
			raw, err := parseChain(body, chainLimits{})
			if err != nil {
				errs[i] = fmt.Errorf("read gomarkov's JSON: %w", err)
				return
			}
			raws[i], chains[i] = raw, body
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return mergeAll(raws), chains, nil
}

// mergeAll sums chains counted apart into the first, emptying the others
// as it goes (the first holds what it needs of them).
func mergeAll(raws []*rawChain) *rawChain {
	for _, r := range raws[1:] {
		raws[0].merge(r)
		*r = rawChain{}
	}
	return raws[0]
}

// addAll counts sentences' transitions in a new gomarkov chain, escaping
// tokens and skipping empty or invalid ones as buildNovelty does.
func addAll(order int, sentences sentences) *gomarkov.Chain {
	chain := gomarkov.NewChain(order)
	buf := make([]string, 0, 64)
	var toks []string
	for i := range sentences.len() {
		toks = sentences.tokens(i, toks)
		buf = buf[:0]
		for _, w := range toks {
			if w = strings.TrimSpace(w); w != "" && utf8.ValidString(w) {
				buf = append(buf, escape(w))
			}
		}
		if len(buf) > 0 {
			chain.Add(buf)
		}
	}
	return chain
}

// rawChain is a chain's transitions as gomarkov stores them: names[id] is
// the string of spool id id (a word, or for order > 1 a state key of words
// joined by "_"), and edge i goes from state id from[i] to word id to[i],
// count[i] times.
type rawChain struct {
	order    int
	names    []string
	from, to []int32
	count    []uint32
	// merged chains may list one transition more than once; its counts add.
	merged bool
}

// merge adds b's transitions to r, matching states and words by name.
// Looking names up is most of its time, so the index of r's names is built
// in two halves at once (by a bit of each name) and b's names are looked
// up in two halves at once.
func (r *rawChain) merge(b *rawChain) {
	const shards = 2
	shard := func(name string) int {
		if name == "" {
			return 0
		}
		return int(name[len(name)-1]) % shards
	}
	var ids [shards]map[string]int32
	var wg sync.WaitGroup
	for sh := range shards {
		wg.Go(func() {
			m := make(map[string]int32, len(r.names)/shards+1)
			for i, name := range r.names {
				if shard(name) == sh {
					m[name] = int32(i)
				}
			}
			ids[sh] = m
		})
	}
	wg.Wait()
	remap := make([]int32, len(b.names))
	for half := range 2 {
		wg.Go(func() {
			lo, hi := len(b.names)*half/2, len(b.names)*(half+1)/2
			for i, name := range b.names[lo:hi] {
				id, ok := ids[shard(name)][name]
				if !ok {
					id = -1
				}
				remap[lo+i] = id
			}
		})
	}
	wg.Wait()
	// A chain's names are distinct, so each name r lacks is added once.
	missing := 0
	for _, id := range remap {
		if id < 0 {
			missing++
		}
	}
	r.names = slices.Grow(r.names, missing)
	for i, id := range remap {
		if id < 0 {
			remap[i] = int32(len(r.names))
			r.names = append(r.names, b.names[i])
		}
	}
	r.from = slices.Grow(r.from, len(b.from))
	r.to = slices.Grow(r.to, len(b.from))
	r.count = slices.Grow(r.count, len(b.from))
	for i := range b.from {
		r.from = append(r.from, remap[b.from[i]])
		r.to = append(r.to, remap[b.to[i]])
		r.count = append(r.count, b.count[i])
	}
	r.merged = true
}

// escape makes a corpus token safe for gomarkov: "%" and gomarkov's key
// separator "_" and marker characters "^" and "$" are percent-encoded, so no
// token equals a marker or splits into two when a state key is split on "_".
func escape(w string) string {
	if !strings.ContainsAny(w, "%_^$") {
		return w
	}
	return tokenEscaper.Replace(w)
}

var tokenEscaper = strings.NewReplacer("%", "%25", "_", "%5F", "^", "%5E", "$", "%24")
var tokenUnescaper = strings.NewReplacer("%25", "%", "%5F", "_", "%5E", "^", "%24", "$")

// unescape reverses escape.
func unescape(w string) string {
	if !strings.Contains(w, "%") {
		return w
	}
	return tokenUnescaper.Replace(w)
}

// compile turns transition counts into sampling tables. Everything is laid
// out in a deterministic order (words sorted, states sorted by their words,
// successors by word), so the same counts give the same Model, and the same
// seed the same text, on every machine, however the counts were stored.
//
// The envelope and the corpus's novelty index are asked for (corpus) only
// once the tables are built, so they can be made meanwhile; the envelope
// must say order. Its counts of states, transitions and words are set here.
// compile consumes raw: its names, then its counts, are let go as soon as
// the tables hold what they said.
func compile(order int, raw *rawChain, headings []string, corpus func() (Meta, *noveltyIndex, error)) (*Model, error) {
	if raw.order != order {
		return nil, fmt.Errorf("%w: chain order %d, envelope order %d", ErrFormat, raw.order, order)
	}
	isState, err := checkTransitions(raw)
	if err != nil {
		return nil, err
	}
	v, err := collectWords(order, raw)
	if err != nil {
		return nil, err
	}
	// The slow steps are shared out among the cores.
	parts := min(runtime.GOMAXPROCS(0), 4)
	st, err := splitStates(order, raw, isState, v.index, parts)
	if err != nil {
		return nil, err
	}
	// Only the words are looked up from here on, by id: the state keys,
	// most of the names, can go.
	v.index = nil
	n := len(raw.names)
	raw.names = nil
	stateOf, err := st.sort(n, len(v.words))
	if err != nil {
		return nil, err
	}
	start := st.find(make([]int32, order))
	if start == noState {
		return nil, fmt.Errorf("%w: no start state", ErrFormat)
	}
	m := &Model{
		headings: headings,
		order:    order,
		words:    v.words,
		shown:    v.shown,
		marks:    v.marks,
		stateTok: st.stateTok,
		start:    start,
		byWord:   make(map[string]*pivots),
	}
	if err := m.fillEdges(raw, stateOf, v.wordOf); err != nil {
		return nil, err
	}
	m.linkEdges(st, parts)
	m.indexPivots(v.folded)
	m.buildPredecessors()
	if err := m.attachCorpus(corpus); err != nil {
		return nil, err
	}
	return m, nil
}

// checkTransitions checks raw's transitions (ids in range, counts not
// zero) and reports which spool ids are states: have successors.
func checkTransitions(raw *rawChain) ([]bool, error) {
	n := len(raw.names)
	isState := make([]bool, n)
	for i := range raw.from {
		f, t := raw.from[i], raw.to[i]
		if f < 0 || int(f) >= n || t < 0 || int(t) >= n {
			return nil, fmt.Errorf("%w: id out of range", ErrFormat)
		}
		if raw.count[i] == 0 {
			return nil, fmt.Errorf("%w: zero count", ErrFormat)
		}
		isState[f] = true
	}
	return isState, nil
}

// vocabulary is a chain's words while compiling it.
type vocabulary struct {
	words  []string         // word id -> escaped word; 0 and 1 are the markers, the rest sorted
	index  map[string]int32 // escaped word -> word id
	wordOf []int32          // spool id -> word id, or -1 for a multi-word state key
	shown  []string         // word id -> word as printed
	folded []string         // word id -> Fold(shown)
	marks  []marks          // word id -> what balanced needs
}

// collectWords gathers raw's words: every name that is not a multi-word
// state key. They are counted first so that the index and list are made to
// measure (growing them cost twice the memory at the load's peak). Every
// successor must be a word.
func collectWords(order int, raw *rawChain) (*vocabulary, error) {
	isWord := func(name string) bool { return order == 1 || !strings.Contains(name, "_") }
	nw := 0
	for _, name := range raw.names {
		if isWord(name) {
			nw++
		}
	}
	vocab := make(map[string]int32, nw) // escaped word -> spool id, until the words are sorted
	words := make([]string, 2, nw+2)
	words[0], words[1] = gomarkov.StartToken, gomarkov.EndToken
	for id, name := range raw.names {
		if !isWord(name) {
			continue
		}
		if _, dup := vocab[name]; dup {
			return nil, fmt.Errorf("%w: duplicate name %q", ErrFormat, name)
		}
		vocab[name] = int32(id)
		if name != gomarkov.StartToken && name != gomarkov.EndToken {
			if name == "" || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
				return nil, fmt.Errorf("%w: bad word %q", ErrFormat, name)
			}
			words = append(words, name)
		}
	}
	slices.Sort(words[2:])
	wordOf := make([]int32, len(raw.names))
	for i := range wordOf {
		wordOf[i] = -1
	}
	for i, w := range words {
		// The start marker is no successor, so gomarkov may not list it alone.
		if id, ok := vocab[w]; ok {
			wordOf[id] = int32(i)
		}
		vocab[w] = int32(i) // from now on: escaped word -> word id
	}
	for _, t := range raw.to {
		if wordOf[t] < 0 {
			return nil, fmt.Errorf("%w: successor %q is not a word", ErrFormat, raw.names[t])
		}
	}
	v := &vocabulary{
		words:  words,
		index:  vocab,
		wordOf: wordOf,
		shown:  make([]string, len(words)),
		folded: make([]string, len(words)),
		marks:  make([]marks, len(words)),
	}
	for i, w := range words[2:] {
		v.shown[i+2] = unescape(w)
		v.folded[i+2] = Fold(v.shown[i+2])
		v.marks[i+2] = markWord(v.shown[i+2])
	}
	return v, nil
}

// stateTable is a chain's states while compiling it: each state's words as
// word ids, sorted (see sort), and found by binary search (find).
type stateTable struct {
	order int
	// packed: chains of order 1 and 2 (the default) pack a state's words
	// into one integer (key); sorting and searching those is several times
	// faster.
	packed bool
	states []state
	toks   []int32 // states' words, order each, at state.at
	// first[w]..first[w+1] are the states whose first word is w, so finding
	// a state searches only those (set by sort).
	first []int32
	// stateTok is toks in the sorted states' order (set by sort): the
	// Model's.
	stateTok []int32
}

// state is one state in a stateTable.
type state struct {
	key   uint64 // the words packed, when the table is packed
	spool int32  // its spool id
	at    int32  // offset into toks
}

// splitStates splits the state keys into word ids (a map lookup a word).
// The ids are shared out among parts goroutines, each writing its states,
// counted first, into its own stretch of states and toks.
func splitStates(order int, raw *rawChain, isState []bool, vocab map[string]int32, parts int) (*stateTable, error) {
	n := len(raw.names)
	at := make([]int, parts+1) // part p's states start at at[p]
	for p := range parts {
		at[p+1] = at[p]
		for id := n * p / parts; id < n*(p+1)/parts; id++ {
			if isState[id] {
				at[p+1]++
			}
		}
	}
	st := &stateTable{
		order:  order,
		packed: order <= 2,
		states: make([]state, at[parts]),
		toks:   make([]int32, at[parts]*order),
	}
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			i := at[p]
			for id := n * p / parts; id < n*(p+1)/parts; id++ {
				if !isState[id] {
					continue
				}
				key := raw.names[id]
				if k := strings.Count(key, "_") + 1; k != order {
					errs[p] = fmt.Errorf("%w: state %q has %d words, want %d", ErrFormat, key, k, order)
					return
				}
				t := st.toks[i*order : (i+1)*order]
				j := 0
				for part := range strings.SplitSeq(key, "_") {
					w, ok := vocab[part]
					if !ok || (order == 1 && part != key) {
						errs[p] = fmt.Errorf("%w: state %q has an unknown word", ErrFormat, key)
						return
					}
					t[j] = w
					j++
				}
				st.states[i] = state{spool: int32(id), at: int32(i * order)}
				i++
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *stateTable) tokAt(s state) []int32 { return st.toks[s.at : s.at+int32(st.order)] }

func pack(t []int32) uint64 {
	if len(t) == 1 {
		return uint64(t[0])
	}
	return uint64(t[0])<<32 | uint64(t[1])
}

// sort sorts the states by their words, refuses a state listed twice,
// lays out stateTok and first (nw words), and returns each spool id's
// state index (n spool ids).
func (st *stateTable) sort(n, nw int) ([]int32, error) {
	order, states := st.order, st.states
	if st.packed {
		for i := range states {
			states[i].key = pack(st.tokAt(states[i]))
		}
		slices.SortFunc(states, func(a, b state) int { return cmp.Compare(a.key, b.key) })
	} else {
		slices.SortFunc(states, func(a, b state) int { return slices.Compare(st.tokAt(a), st.tokAt(b)) })
	}
	stateOf := make([]int32, n)
	st.stateTok = make([]int32, 0, len(states)*order)
	for i, s := range states {
		stateOf[s.spool] = int32(i)
		st.stateTok = append(st.stateTok, st.tokAt(s)...)
	}
	for i := 1; i < len(states); i++ {
		if slices.Equal(st.stateTok[(i-1)*order:i*order], st.stateTok[i*order:(i+1)*order]) {
			return nil, fmt.Errorf("%w: duplicate state", ErrFormat)
		}
	}
	st.first = make([]int32, nw+1)
	for _, s := range states {
		st.first[st.toks[s.at]+1]++
	}
	for i := range nw {
		st.first[i+1] += st.first[i]
	}
	return stateOf, nil
}

// find returns the index of the state with words t, or noState.
func (st *stateTable) find(t []int32) int32 {
	lo, hi := st.first[t[0]], st.first[t[0]+1]
	var i int
	var ok bool
	if st.packed {
		k := pack(t)
		i, ok = slices.BinarySearchFunc(st.states[lo:hi], k, func(s state, k uint64) int { return cmp.Compare(s.key, k) })
	} else {
		i, ok = slices.BinarySearchFunc(st.states[lo:hi], t, func(s state, t []int32) int { return slices.Compare(st.tokAt(s), t) })
	}
	if !ok {
		return noState
	}
	return lo + int32(i)
}

// fillEdges lays out the successor tables (off, edgeWord, edgeCum): the
// edges grouped by state (a counting sort), each state's sorted by word,
// successors counted in several chains (a parallel training) summed, and
// the counts made running sums. It lets raw go once the counts are in the
// tables, and sizes edgeNext for linkEdges.
func (m *Model) fillEdges(raw *rawChain, stateOf, wordOf []int32) error {
	ns := len(m.stateTok) / m.order
	m.off = make([]int32, ns+1)
	for _, f := range raw.from {
		m.off[stateOf[f]+1]++
	}
	for i := range ns {
		m.off[i+1] += m.off[i]
	}
	ne := len(raw.from)
	m.edgeWord = make([]int32, ne)
	m.edgeNext = make([]int32, ne)
	m.edgeCum = make([]uint32, ne)
	fill := slices.Clone(m.off[:ns])
	for i, f := range raw.from {
		s := stateOf[f]
		w := wordOf[raw.to[i]] // a word: collectWords checked
		e := fill[s]
		fill[s]++
		m.edgeWord[e] = w
		m.edgeCum[e] = raw.count[i] // made cumulative below
	}
	merged := raw.merged
	*raw = rawChain{}
	// Each row is sorted by word, then written back from position out on:
	// successors counted in several chains are summed, so rows can only
	// shrink and out never passes the row being read.
	out := int32(0)
	row := &edgeRow{} // one for every row: sort.Sort(edgeRow{...}) allocates each time
	for s := range ns {
		lo, hi := m.off[s], m.off[s+1]
		row.word, row.count = m.edgeWord[lo:hi], m.edgeCum[lo:hi]
		sort.Sort(row)
		m.off[s] = out
		var cum uint64
		for e := lo; e < hi; e++ {
			c := uint64(m.edgeCum[e])
			if e > lo && m.edgeWord[e] == m.edgeWord[e-1] {
				if !merged {
					return fmt.Errorf("%w: duplicate successor", ErrFormat)
				}
				cum += c
				if cum > math.MaxUint32 {
					return fmt.Errorf("%w: counts overflow", ErrFormat)
				}
				m.edgeCum[out-1] = uint32(cum)
				continue
			}
			cum += c
			if cum > math.MaxUint32 {
				return fmt.Errorf("%w: counts overflow", ErrFormat)
			}
			m.edgeWord[out] = m.edgeWord[e]
			m.edgeCum[out] = uint32(cum)
			out++
		}
	}
	m.off[ns] = out
	ne = int(out)
	m.edgeWord, m.edgeCum, m.edgeNext = m.edgeWord[:ne], m.edgeCum[:ne], m.edgeNext[:ne]
	return nil
}

// linkEdges sets where each edge leads (edgeNext): a search per edge, read
// only, so the states are shared out among parts goroutines.
func (m *Model) linkEdges(st *stateTable, parts int) {
	order, ns := m.order, len(m.off)-1
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			next := make([]int32, order)
			for s := ns * p / parts; s < ns*(p+1)/parts; s++ {
				for e := m.off[s]; e < m.off[s+1]; e++ {
					t := noState
					if w := m.edgeWord[e]; w != wordEnd {
						copy(next, m.stateTok[(s*order)+1:(s+1)*order])
						next[order-1] = w
						// A successor with no state of its own (never
						// written by gomarkov, but possible in a
						// hand-edited file) ends the walk.
						t = st.find(next)
					}
					m.edgeNext[e] = t
				}
			}
		})
	}
	wg.Wait()
}

// indexPivots fills byWord: for each folded word, the states that end in
// it with running counts of how often each occurs (the sum of its
// successors' counts). The states a word ends are counted first, so that
// each word's pivots are made to measure.
func (m *Model) indexPivots(folded []string) {
	order, ns := m.order, len(m.off)-1
	ends := make([]int32, len(m.words))
	for s := range ns {
		ends[m.stateTok[(s+1)*order-1]]++
	}
	need := make(map[*pivots]int, len(m.words)/2)
	for w, k := range ends {
		if w <= int(wordEnd) || k == 0 || folded[w] == "" {
			continue
		}
		p := m.byWord[folded[w]]
		if p == nil {
			p = &pivots{}
			m.byWord[folded[w]] = p
		}
		need[p] += int(k) // several words may fold alike
	}
	for p, k := range need {
		p.states = make([]int32, 0, k)
		p.cum = make([]uint64, 0, k)
	}
	for s := range ns {
		if last := m.stateTok[(s+1)*order-1]; last > wordEnd && folded[last] != "" {
			p := m.byWord[folded[last]]
			p.cum = append(p.cum, lastOr(p.cum, 0)+uint64(m.edgeCum[m.off[s+1]-1]))
			p.states = append(p.states, int32(s))
		}
	}
}

// buildPredecessors lays out the predecessor tables (prevOff, prevState,
// prevCum, running counts) from the successor tables.
func (m *Model) buildPredecessors() {
	ns := len(m.off) - 1
	m.prevOff = make([]int32, ns+1)
	for _, t := range m.edgeNext {
		if t != noState {
			m.prevOff[t+1]++
		}
	}
	for i := range ns {
		m.prevOff[i+1] += m.prevOff[i]
	}
	np := m.prevOff[ns]
	m.prevState = make([]int32, np)
	m.prevCum = make([]uint32, np)
	fill := slices.Clone(m.prevOff[:ns])
	for s := range ns {
		prev := uint32(0)
		for e := m.off[s]; e < m.off[s+1]; e++ {
			c := m.edgeCum[e] - prev
			prev = m.edgeCum[e]
			if t := m.edgeNext[e]; t != noState {
				m.prevState[fill[t]] = int32(s)
				m.prevCum[fill[t]] = c // made cumulative below
				fill[t]++
			}
		}
	}
	for s := range ns {
		var cum uint32
		for e := m.prevOff[s]; e < m.prevOff[s+1]; e++ {
			cum += m.prevCum[e]
			m.prevCum[e] = cum
		}
	}
}

// attachCorpus asks for the envelope and the novelty index, checks them
// against the tables, maps the model's word ids onto the index's, and sets
// the model's counts and id.
func (m *Model) attachCorpus(corpus func() (Meta, *noveltyIndex, error)) error {
	meta, nov, err := corpus()
	if err != nil {
		return err
	}
	if meta.Order != m.order {
		return fmt.Errorf("%w: chain order %d, envelope order %d", ErrFormat, m.order, meta.Order)
	}
	words := m.words
	m.meta = meta
	m.meta.States = len(m.off) - 1
	m.meta.Transitions = len(m.edgeWord)
	m.meta.Vocabulary = len(words) - 2

	if nov.distinct == 0 || nov.distinct > meta.Sentences || nov.tokens > meta.Words {
		return fmt.Errorf("%w: corpus has %d distinct sentences and %d words, envelope says %d and %d",
			ErrFormat, nov.distinct, nov.tokens, meta.Sentences, meta.Words)
	}
	m.novelty = nov
	m.lower = sync.OnceValue(m.buildBackoff)
	m.nid = make([]int32, len(words))
	mapped := 0
	for i, w := range words {
		m.nid[i] = -1
		if id, ok := nov.ids[w]; ok && i > int(wordEnd) {
			m.nid[i] = id
			// The index's words become the model's: one copy of each.
			nov.words[id] = w
			mapped++
		}
	}
	if mapped != len(nov.words)-1 {
		for _, w := range nov.words[1:] {
			if _, ok := slices.BinarySearch(words[2:], w); !ok {
				return fmt.Errorf("%w: corpus word %q is not in the chain", ErrFormat, w)
			}
		}
	}
	nov.ids = nil // only compile looks words up in it

	h := sha256.New()
	fmt.Fprintf(h, "%d %d %s", modelVersion, m.order, meta.CorpusSHA256)
	m.id = hex.EncodeToString(h.Sum(nil))[:8]
	return nil
}

// edgeRow sorts a state's successors by word id, keeping counts alongside.
type edgeRow struct {
	word  []int32
	count []uint32
}

func (r edgeRow) Len() int           { return len(r.word) }
func (r edgeRow) Less(i, j int) bool { return r.word[i] < r.word[j] }
func (r edgeRow) Swap(i, j int) {
	r.word[i], r.word[j] = r.word[j], r.word[i]
	r.count[i], r.count[j] = r.count[j], r.count[i]
}

// Fold is the form in which words are matched against topics: lower case,
// with surrounding punctuation and possessive "'s" removed.
func Fold(w string) string {
	w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	w = strings.ToLower(w)
	w = strings.TrimSuffix(w, "'s")
	return w
}

// Meta returns the model's envelope.
func (m *Model) Meta() Meta { return m.meta }

// ID returns a short id of the model: the same corpus, order and format give
// the same id.
func (m *Model) ID() string { return m.id }

// Cost estimates the memory a loaded model holds, in bytes: what its load
// charged its budget for it (see MemoryFactor), the bytes of its file that
// a model decoded with DecodeBytes keeps (the caller's) not counted. It is
// pessimistic (a load's peak, not what stays live) and 0 for a model
// trained in this process. Caches of many models charge it.
func (m *Model) Cost() int64 { return m.cost }

// Headings returns the headings of the training text, for titles. The
// caller must not modify the slice.
func (m *Model) Headings() []string { return m.headings }

// Knows reports whether the folded word w ends any state, so a walk can be
// steered through it.
func (m *Model) Knows(w string) bool { return m.byWord[Fold(w)] != nil }

// pivots are the states that end in one word, with running counts of how
// often each occurs, for drawing a state to steer a sentence through.
type pivots struct {
	states []int32
	cum    []uint64
}

func lastOr(s []uint64, def uint64) uint64 {
	if len(s) == 0 {
		return def
	}
	return s[len(s)-1]
}
