package markov

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"unicode/utf8"
)

// noveltyIndex indexes the training sentences so that "does this run of
// words occur in the corpus?" costs O(run length × log corpus size), not a
// scan of the corpus. Words get their own ids here (nids, first seen first,
// 0 separating sentences), so the index can be built from the sentences
// alone, beside training.
type noveltyIndex struct {
	words  []string         // nid -> escaped word; words[0] is the separator
	ids    map[string]int32 // escaped word -> nid
	corpus []int32          // the sentences as nids, each followed by 0
	// suffixes are the positions of corpus's words, sorted by the words
	// from there to the end of their sentence: a suffix array of words,
	// not bytes (index/suffixarray over an encoding of the ids holds an
	// int32 for each of about three bytes a word, and the bytes too).
	suffixes []int32
	// grams holds the hashes of every run of gramLen words in the corpus,
	// sorted: a cheap first test, since a run can only occur in the corpus
	// if all its gramLen-word pieces do. 32 bits are enough: a run whose
	// hash is here by chance (about 1 in 5,000 for a 5 MB corpus) only
	// gets the closer look.
	grams []uint32
	// sentences and tokens count what was read; distinct counts the
	// sentences indexed (an exact repeat adds nothing to the index).
	sentences, tokens, distinct int
	// sha256 is the hex SHA-256 of the sentences (escaped words, each
	// followed by a space, each sentence by a newline), when asked for.
	sha256 string
}

// buildNovelty indexes sentences, skipping empty and invalid tokens as
// Train does. words and distinct, if more than 0, are how many words and
// sentences and how many distinct words there are at most (a loaded
// model's counts), to size the index: growing it would hold the old and
// the new beside each other at the load's peak.
func buildNovelty(sentences sentences, withHash bool, words, distinct int) *noveltyIndex {
	x := &noveltyIndex{words: []string{""}, ids: make(map[string]int32)}
	if words > 0 {
		x.corpus = make([]int32, 0, words)
	}
	var h hash.Hash
	if withHash {
		h = sha256.New()
	}
	seen := make(map[uint64]struct{}, sentences.len())
	var run []int32
	var toks []string
	for i := range sentences.len() {
		toks = sentences.tokens(i, toks)
		had := false
		run = run[:0]
		for _, w := range toks {
			if w = strings.TrimSpace(w); w == "" || !utf8.ValidString(w) {
				continue
			}
			w = escape(w)
			run = append(run, x.intern(w))
			had = true
			if h != nil {
				h.Write([]byte(w))
				h.Write([]byte{' '})
			}
		}
		if had {
			x.add(run, seen)
			if h != nil {
				h.Write([]byte{'\n'})
			}
		}
	}
	if h != nil {
		x.sha256 = hex.EncodeToString(h.Sum(nil))
	}
	x.sortSuffixes()
	x.grams = make([]uint32, 0, len(x.corpus))
	start := 0
	for i, id := range x.corpus {
		if id != 0 {
			continue
		}
		for j := start; j+gramLen <= i; j++ {
			x.grams = append(x.grams, gramHash(x.corpus[j:j+gramLen]))
		}
		start = i + 1
	}
	slices.Sort(x.grams)
	x.grams = slices.Clip(slices.Compact(x.grams))
	return x
}

// intern returns word w's id, giving it the next one if it is new.
func (x *noveltyIndex) intern(w string) int32 {
	id, ok := x.ids[w]
	if !ok {
		id = int32(len(x.words))
		x.ids[w] = id
		x.words = append(x.words, w)
	}
	return id
}

// add counts a sentence read (its words' ids, at least one) and indexes
// it unless seen holds it already (an exact repeat adds nothing).
func (x *noveltyIndex) add(run []int32, seen map[uint64]struct{}) {
	x.sentences++
	x.tokens += len(run)
	if h := hashIDs(run); !contains(seen, h) {
		seen[h] = struct{}{}
		x.corpus = append(x.corpus, run...)
		x.corpus = append(x.corpus, 0)
		x.distinct++
	}
}

// gramLen is the length of the runs noveltyIndex.grams holds.
const gramLen = 4

// hasGram reports whether the gramLen words at run may occur in the corpus
// (a false true costs only a closer look).
func (x *noveltyIndex) hasGram(run []int32) bool {
	_, ok := slices.BinarySearch(x.grams, gramHash(run[:gramLen]))
	return ok
}

// gramHash is hashIDs folded to 32 bits.
func gramHash(run []int32) uint32 {
	h := hashIDs(run)
	return uint32(h ^ h>>32)
}

// contains reports whether the run of nids (none of them 0) occurs in the
// corpus.
func (x *noveltyIndex) contains(run []int32) bool {
	// The first suffix not before run (a search by hand: a method value
	// passed to slices.BinarySearchFunc costs an allocation a call).
	lo, hi := 0, len(x.suffixes)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.comparePrefix(x.suffixes[mid], run) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(x.suffixes) && x.comparePrefix(x.suffixes[lo], run) == 0
}

// comparePrefix compares the corpus's words from p on with run, as far as
// run goes.
func (x *noveltyIndex) comparePrefix(p int32, run []int32) int {
	for i, id := range run {
		if c := x.corpus[int(p)+i]; c != id {
			return cmp.Compare(c, id)
		}
	}
	return 0
}

// narrow returns the part of suffixes[lo:hi] whose word at depth is id,
// where suffixes[lo:hi] are the suffixes that begin with the same depth
// words (none of them 0): those that begin with one word more. Such
// suffixes are sorted by their word at depth first (see sortSuffixes), so
// that part is found by two binary searches comparing one word each, where
// contains compares the whole run at every step.
func (x *noveltyIndex) narrow(lo, hi, depth int, id int32) (int, int) {
	at := func(i int) int32 { return x.corpus[int(x.suffixes[i])+depth] }
	first, b := lo, hi // the first whose word is id or after
	for first < b {
		if mid := int(uint(first+b) >> 1); at(mid) < id {
			first = mid + 1
		} else {
			b = mid
		}
	}
	end, b := first, hi // the first whose word is after id
	for end < b {
		if mid := int(uint(end+b) >> 1); at(mid) <= id {
			end = mid + 1
		} else {
			b = mid
		}
	}
	return first, end
}

// sortSuffixes builds suffixes: the positions are put in buckets by their
// first word (a counting sort), then each bucket is sorted by the words
// that follow.
func (x *noveltyIndex) sortSuffixes() { x.sortSuffixesWithin(keyedMax) }

// sortSuffixesWithin is sortSuffixes sorting buckets of up to most places
// by keys.
func (x *noveltyIndex) sortSuffixesWithin(most int) {
	start := make([]int32, len(x.words)+1)
	for _, id := range x.corpus {
		start[id]++ // a bucket's end, for now; the ends (0) are not indexed
	}
	start[0] = 0
	sum := int32(0)
	for id, n := range start {
		start[id] = sum
		sum += n
	}
	x.suffixes = make([]int32, sum)
	fill := slices.Clone(start)
	for i, id := range x.corpus {
		if id != 0 {
			x.suffixes[fill[id]] = int32(i)
			fill[id]++
		}
	}
	// Each bucket is sorted by its next two words, read once into keys
	// beside the positions (not looked up in the corpus at every
	// comparison), and only suffixes that share them are compared further.
	// A sentence's end (0) sorts first, and suffixes equal up to one are
	// in the order of their positions, as compareSuffixes orders them.
	// A bucket too large for the keys' buffer (most, keyedMax: a load's
	// budget does not count it) is sorted in place.
	type keyed struct {
		next uint64 // the next two words, or none after an end
		pos  int32
	}
	var scratch []keyed
	after := func(a, b int32) int { return x.compareSuffixes(a+1, b+1) }
	for id := 1; id < len(x.words); id++ {
		b := x.suffixes[start[id]:start[id+1]]
		if len(b) < 2 {
			continue
		}
		if len(b) > most {
			slices.SortFunc(b, after)
			continue
		}
		scratch = scratch[:0]
		for _, p := range b {
			k := keyed{pos: p}
			if w1 := x.corpus[p+1]; w1 != 0 {
				k.next = uint64(w1)<<32 | uint64(x.corpus[p+2])
			}
			scratch = append(scratch, k)
		}
		slices.SortFunc(scratch, func(a, b keyed) int {
			if a.next != b.next {
				return cmp.Compare(a.next, b.next)
			}
			if uint32(a.next) == 0 { // both end within two words
				return cmp.Compare(a.pos, b.pos)
			}
			return x.compareSuffixes(a.pos+3, b.pos+3)
		})
		for i, k := range scratch {
			b[i] = k.pos
		}
	}
}

// keyedMax is the largest bucket sortSuffixes sorts by keys: a buffer of
// 1 MiB. mid5's commonest word has about 50,000 places.
const keyedMax = 1 << 16

// compareSuffixes orders corpus positions by their words up to the end of
// their sentence (the 0 that ends it sorts first).
func (x *noveltyIndex) compareSuffixes(a, b int32) int {
	c := x.corpus
	for i, j := int(a), int(b); ; i, j = i+1, j+1 {
		if c[i] != c[j] {
			return cmp.Compare(c[i], c[j])
		}
		if c[i] == 0 {
			return cmp.Compare(a, b)
		}
	}
}

// sentenceTexts returns the indexed sentences, words unescaped and joined by
// spaces.
func (x *noveltyIndex) sentenceTexts() []string {
	out := make([]string, 0, x.distinct)
	var words []string
	for _, id := range x.corpus {
		if id == 0 {
			out = append(out, strings.Join(words, " "))
			words = words[:0]
			continue
		}
		words = append(words, unescape(x.words[id]))
	}
	return out
}

// hashIDs is FNV-1a over ids, to tell repeated sentences apart.
func hashIDs(ids []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, id := range ids {
		for i := 0; i < 4; i++ {
			h ^= uint64(byte(id >> (8 * i)))
			h *= 1099511628211
		}
	}
	return h
}

func contains(set map[uint64]struct{}, h uint64) bool {
	_, ok := set[h]
	return ok
}
