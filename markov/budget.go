package markov

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// A model file is untrusted, and an honest one can be built to be
// expensive: a count the header must declare and the file's size must
// allow still buys more memory per byte in one part of the format than in
// another (an empty corpus sentence takes 3 bytes and once cost 60; a
// spool name takes 7 and costs a word's tables). So a load has a memory
// budget, MemoryFactor times the file's size but at least MinBudget, and
// every part of the file is charged for what it will cost before that is
// spent:
//
//   - while it is read and parsed, as it goes: the file's bytes, each
//     heading, the corpus's text and sentences, each spool name and
//     transition of each chain (parsing stops at the first that would
//     overrun the budget);
//   - before the chains are merged, what merging costs;
//   - before the tables and the novelty index are built, what they will
//     cost, from exact counts of the merged chain's words, states and
//     transitions and the corpus's sentences and words (the per-item costs
//     below, measured on this package's tables with a margin; the test
//     TestLoadPeakMemory measures the peak heap of crafted files of every
//     shape, loaded or refused, and fails when they no longer bound it).
//
// A file whose contents would overrun the budget is refused with
// ErrTooCostly, having spent no more than the budget. A new section of the
// format gets its own charge here.

// MemoryFactor bounds what loading a model costs: at most MemoryFactor
// times the size of its file, or MinBudget if that is more, on top of
// what the process held before, not counting the collector's headroom
// (GOGC; a GOMEMLIMIT makes the collector keep to it).
const MemoryFactor = 3

// MinBudget is the least memory budget of a load, whatever the file's
// size. A model's fixed costs (maps, tables, the collector's granularity)
// weigh more per byte the smaller it is: the essay's model (270 KB) peaks
// at 4–5× its file, and the model `glowcloud train` writes for the 600 KB
// sherlock corpus (a 3.3 MB file) at 2.5–2.9×, too close to 3× to refuse
// on an estimate. A crafted file can therefore cost up to MinBudget
// however small it is: still bounded, and refused as cheaply.
const MinBudget = 64 << 20

// ErrTooCostly reports a model file whose contents would cost more memory
// to load than its budget: MemoryFactor times its size, or MinBudget.
var ErrTooCostly = errors.New("model file too costly to load")

// Per-item costs, in bytes, of what a loaded file becomes (see above).
const (
	// costString is a string's header in a slice and its allocation's
	// rounding (the bytes themselves are charged at their length).
	costString = 16 + 8
	// costRawName is a spool name's place in the chain's names and its
	// mark in the parser's set of ids seen (its string is charged at its
	// allocated size).
	costRawName = 16 + 1
	// costRawEdge is a parsed transition: from, to and count.
	costRawEdge = 4 + 4 + 4
	// costMergeIndex is the index of the first chain's names that
	// merging builds (a map, sized at once), costMergeName a name's place
	// in the merged names and in the others' remapping.
	costMergeIndex = 32
	costMergeName  = 16 + 4
	// costWord, costState (costStateOrder1 in a chain of order 1, whose
	// states are words) and costEdge are what compile builds beyond the
	// parsed chain: a word's entries in the name index, the word tables
	// (escaped, shown, folded, marks) and the topic pivots; a state's
	// words, sort entry, offsets and back pointers; a transition's forward
	// and backward tables. Measured (peak heap at GOGC=5 over the parsed
	// chain) on files built of nothing else: 128, 36 (100) and 17 bytes.
	//
	// These are peaks, not what is live: they carry what the collector
	// has not yet taken back of what one step of compile let go when the
	// next allocates (at GOGC=5, 5-25 % of the heap, more on a busy
	// machine). Checked again once the load's word tables and novelty
	// index were built to measure: each crafted shape of ExpensiveModels
	// peaks at 0.7-0.97 of its estimate (but see costCorpusWord). A model
	// trained on real text mixes the shapes and is charged for all of
	// compile's tables on top of the whole parsed chain, which compile
	// lets go first, so its estimate is pessimistic: sherlock's and mid5's
	// models peak at 0.8-0.9 of it (BENCHMARKS.md). An estimate step by
	// step (the most held at once among compile's steps, live sizes read
	// off the code) came to 0.9 for them but fell below the peak of three
	// crafted shapes (0.80-0.91 of it), for want of that lag, and with the
	// lag added back it was no lower than this one. So these stand; small
	// models, which the budget was too tight for, have MinBudget.
	costWord        = 150
	costState       = 44
	costStateOrder1 = 120
	costEdge        = 20
	// costToken, costSentence and costCorpusWord are what the novelty
	// index builds: a word's id, suffix and 4-word hash; a sentence's end
	// and its entry in the set of sentences seen; a distinct word's entry
	// in the index's own word map. Measured: 12.3 bytes a word, 42 a
	// sentence and distinct word together; but the file of distinct
	// corpus words of ExpensiveModels, the crafted shape whose estimate is
	// tightest, once peaked 13 % over it on a busy machine (29.6 MiB for
	// 121 k of them in 3 MiB, the collector lagging): costCorpusWord
	// carries 30 bytes more for it, which costs a real model nothing (its
	// index is smaller than the parsed chain it is built after).
	costToken      = 15
	costSentence   = 26
	costCorpusWord = 26 + 30
	// costHeading is a heading kept for titles.
	costHeading = costString
)

// budget is what a load may still allocate. It is shared by the chains
// parsed side by side, so it is atomic.
type budget struct {
	total int64
	left  atomic.Int64
	// most is the most held at once, kept only when track is set (the
	// tests that compare the estimate with the heap a load really takes).
	track bool
	most  atomic.Int64
}

// newBudget returns the budget of loading a file of size bytes: MemoryFactor
// times size, or floor if that is more (MinBudget but in tests).
func newBudget(size, floor int64) *budget {
	b := &budget{total: max(floor, MemoryFactor*size)}
	b.left.Store(b.total)
	return b
}

// charge takes n bytes for what, or reports that they overrun the budget.
// A nil budget takes anything (a chain this package has just encoded).
func (b *budget) charge(n int64, what string) error {
	if b == nil {
		return nil
	}
	left := b.left.Add(-n)
	if b.track {
		for held := b.total - left; ; {
			most := b.most.Load()
			if held <= most || b.most.CompareAndSwap(most, held) {
				break
			}
		}
	}
	if n < 0 || left < 0 {
		return fmt.Errorf("%w: loading it would take more than its budget of %d bytes of memory (%d× its size, %d MiB at least), counting %s",
			ErrTooCostly, b.total, MemoryFactor, MinBudget>>20, what)
	}
	return nil
}

// release gives back n bytes that were charged and are no longer held.
func (b *budget) release(n int64) {
	if b != nil {
		b.left.Add(n)
	}
}

// allocSize is about what the allocator takes for a string of n bytes.
func allocSize(n int) int64 {
	if n == 0 {
		return 0
	}
	return int64((n + 7) &^ 7)
}
