package markov

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"index/suffixarray"
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
	sa     *suffixarray.Index
	// grams holds the hashes of every run of gramLen words in the corpus,
	// sorted: a cheap first test, since a run can only occur in the corpus
	// if all its gramLen-word pieces do.
	grams []uint64
	// sentences and tokens count what was read; distinct counts the
	// sentences indexed (an exact repeat adds nothing to the index).
	sentences, tokens, distinct int
	// sha256 is the hex SHA-256 of the sentences (escaped words, each
	// followed by a space, each sentence by a newline), when asked for.
	sha256 string
}

// buildNovelty indexes sentences, skipping empty and invalid tokens as
// Train does. words, if more than 0, is how many words and sentences
// there are at most (a loaded model's header says), to size the index.
func buildNovelty(sentences sentences, withHash bool, words int) *noveltyIndex {
	x := &noveltyIndex{words: []string{""}, ids: make(map[string]int32)}
	if words > 0 {
		x.corpus = make([]int32, 0, words)
	}
	var h hash.Hash
	if withHash {
		h = sha256.New()
	}
	seen := make(map[uint64]struct{})
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
			id, ok := x.ids[w]
			if !ok {
				id = int32(len(x.words))
				x.ids[w] = id
				x.words = append(x.words, w)
			}
			run = append(run, id)
			x.tokens++
			had = true
			if h != nil {
				h.Write([]byte(w))
				h.Write([]byte{' '})
			}
		}
		if had {
			x.sentences++
			if h := hashIDs(run); !contains(seen, h) {
				seen[h] = struct{}{}
				x.corpus = append(x.corpus, run...)
				x.corpus = append(x.corpus, 0)
				x.distinct++
			}
			if h != nil {
				h.Write([]byte{'\n'})
			}
		}
	}
	if h != nil {
		x.sha256 = hex.EncodeToString(h.Sum(nil))
	}
	x.sa = suffixarray.New(encodeIDs(nil, x.corpus))
	x.grams = make([]uint64, 0, len(x.corpus))
	start := 0
	for i, id := range x.corpus {
		if id != 0 {
			continue
		}
		for j := start; j+gramLen <= i; j++ {
			x.grams = append(x.grams, hashIDs(x.corpus[j:j+gramLen]))
		}
		start = i + 1
	}
	slices.Sort(x.grams)
	x.grams = slices.Clip(slices.Compact(x.grams))
	return x
}

// gramLen is the length of the runs noveltyIndex.grams holds.
const gramLen = 4

// hasGram reports whether the gramLen words at run may occur in the corpus
// (a false true costs only a closer look).
func (x *noveltyIndex) hasGram(run []int32) bool {
	_, ok := slices.BinarySearch(x.grams, hashIDs(run[:gramLen]))
	return ok
}

// contains reports whether the run of nids occurs in the corpus.
func (x *noveltyIndex) contains(run []int32) bool {
	var buf [16 * 6]byte
	q := encodeIDs(buf[:0], run)
	q = append(q, 0)
	return len(x.sa.Lookup(q, 1)) > 0
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

// encodeIDs appends ids in a self-synchronising byte code for the suffix
// array: each id is a 0x00 byte followed by its base-255 digits (each
// 1..255), so a byte match that starts with 0x00 and ends with a 0x00 can
// only align with whole words.
func encodeIDs(b []byte, ids []int32) []byte {
	for _, id := range ids {
		b = append(b, 0)
		v := uint32(id)
		for {
			b = append(b, byte(v%255)+1)
			v /= 255
			if v == 0 {
				break
			}
		}
	}
	return b
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
