package quality

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LM is quality.py's interpolated Kneser-Ney trigram model (discount 0.75)
// of a reference text, for perplexity. It is safe for concurrent use once
// built.
type LM struct {
	ids map[string]int32
	// Counts, keyed by packed ids: c1 by word, c2 by (v, w), c3 by (u, v, w);
	// ctx1/ctx2 count contexts, fol1/fol2 their distinct followers, cont
	// the distinct words before each word.
	c1, cont, ctx1, fol1 []int32
	c2, ctx2, fol2       map[uint64]int32
	c3                   map[[3]int32]int32
	ncont, v             float64
}

// Token ids 0 and 1 are <s> and </s>.
const (
	tokStart int32 = 0
	tokEnd   int32 = 1
)

func pair(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// NewLM trains the model on text, split into sentences after every . ! or ?
// that whitespace follows.
func NewLM(text string) *LM {
	lm := &LM{
		ids: map[string]int32{"<s>": tokStart, "</s>": tokEnd},
		c2:  map[uint64]int32{}, ctx2: map[uint64]int32{}, fol2: map[uint64]int32{},
		c3: map[[3]int32]int32{},
	}
	grow := func(n int) {
		for len(lm.c1) < n {
			lm.c1 = append(lm.c1, 0)
			lm.cont = append(lm.cont, 0)
			lm.ctx1 = append(lm.ctx1, 0)
			lm.fol1 = append(lm.fol1, 0)
		}
	}
	grow(2)
	seen1 := map[int32]bool{} // c1 keys (</s> and words, never <s>)
	var t []int32
	forSentences(text, func(s string) {
		t = append(t[:0], tokStart, tokStart)
		scan(strings.ToLower(s), true, func(w string) {
			id, ok := lm.ids[w]
			if !ok {
				id = int32(len(lm.ids))
				lm.ids[w] = id
				grow(int(id) + 1)
			}
			t = append(t, id)
		})
		t = append(t, tokEnd)
		for i := 2; i < len(t); i++ {
			u, v, w := t[i-2], t[i-1], t[i]
			lm.c1[w]++
			seen1[w] = true
			k2 := pair(v, w)
			if lm.c2[k2] == 0 {
				lm.cont[w]++
				lm.fol1[v]++
			}
			lm.c2[k2]++
			k3 := [3]int32{u, v, w}
			if lm.c3[k3] == 0 {
				lm.fol2[pair(u, v)]++
			}
			lm.c3[k3]++
			lm.ctx1[v]++
			lm.ctx2[pair(u, v)]++
		}
	})
	lm.ncont = float64(len(lm.c2))
	lm.v = float64(len(seen1) + 1)
	return lm
}

// forSentences calls f with each part of text between runs of whitespace
// that follow . ! or ? (re.split(r'(?<=[.!?])\s+', text)).
func forSentences(text string, f func(string)) {
	start := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if (r == '.' || r == '!' || r == '?') && i+n < len(text) {
			j := i + n
			for j < len(text) {
				r, m := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsSpace(r) {
					break
				}
				j += m
			}
			if j > i+n {
				f(text[start : i+n])
				start = j
				i = j
				continue
			}
		}
		i += n
	}
	f(text[start:])
}

const discount = 0.75

// prob is p(w | u v).
func (lm *LM) prob(w, u, v int32) float64 {
	var cont float64
	if w >= 0 {
		cont = float64(lm.cont[w])
	}
	pc := (cont + 0.5) / (lm.ncont + 0.5*lm.v)
	p2 := pc
	if v >= 0 {
		if n1 := float64(lm.ctx1[v]); n1 > 0 {
			var c float64
			if w >= 0 {
				c = float64(lm.c2[pair(v, w)])
			}
			p2 = math.Max(c-discount, 0)/n1 + discount*float64(lm.fol1[v])/n1*pc
		}
	}
	if u >= 0 && v >= 0 {
		if n2 := float64(lm.ctx2[pair(u, v)]); n2 > 0 {
			var c float64
			if w >= 0 {
				c = float64(lm.c3[[3]int32{u, v, w}])
			}
			return math.Max(c-discount, 0)/n2 + discount*float64(lm.fol2[pair(u, v)])/n2*p2
		}
	}
	return p2
}

// Perplexity returns 2 to the mean surprisal, in bits, of each token of
// sents (and each sentence's end) under the model.
func (lm *LM) Perplexity(sents []string) float64 {
	var lp float64
	n := 0
	t := make([]int32, 0, 64)
	for _, s := range sents {
		t = append(t[:0], tokStart, tokStart)
		scan(strings.ToLower(s), true, func(w string) {
			id, ok := lm.ids[w]
			if !ok {
				id = -1 // unseen
			}
			t = append(t, id)
		})
		t = append(t, tokEnd)
		for i := 2; i < len(t); i++ {
			lp -= math.Log2(lm.prob(t[i], t[i-2], t[i-1]))
			n++
		}
	}
	return math.Exp2(lp / float64(max(1, n)))
}
