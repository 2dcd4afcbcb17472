package postag

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// prose's model files are gob streams of a []string (the classes), a
// map[string]string (the tag dictionary) and a map[string]map[string]float64
// (the weights). encoding/gob decodes the weights, 75,000 maps of a few
// floats each, through reflection, a map and a string at a time: most of a
// short training's time, and several times that under the race detector.
// They are read here by hand instead, straight into the Tagger's tables: a
// gob stream is messages of a length and a type id, type definitions (a
// negative id, skipped here) and values (the id of their type), and each
// of these values is a top-level non-struct value, written as a 0 (the
// delta of its one field), then for a slice or a map its length and its
// items, a string as its length and bytes, a float as an unsigned integer
// of the float's bits in reverse byte order. TestGobDecoding checks the
// result against encoding/gob's.

// errGob reports a model file that is not the gob stream expected.
var errGob = errors.New("unexpected gob encoding")

// gobReader reads the one value of a gob stream.
type gobReader struct {
	b   []byte
	err error
}

// newGobReader skips data's type definitions and returns a reader at its
// value, past the field delta that starts it.
func newGobReader(data []byte) *gobReader {
	r := &gobReader{b: data}
	for r.err == nil {
		n := r.uint()
		if r.err != nil || n > uint64(len(r.b)) {
			r.fail()
			break
		}
		msg := r.b[:n]
		rest := r.b[n:]
		r.b = msg
		if id := r.int(); id > 0 {
			if r.uint() != 0 {
				r.fail()
			}
			break
		}
		r.b = rest // a type definition
	}
	return r
}

func (r *gobReader) fail() {
	if r.err == nil {
		r.err = errGob
	}
	r.b = nil
}

// uint reads an unsigned integer: one byte below 128, else the negated
// count of big-endian bytes that follow.
func (r *gobReader) uint() uint64 {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	if c < 0x80 {
		r.b = r.b[1:]
		return uint64(c)
	}
	n := int(-int8(c))
	if n > 8 || len(r.b) < 1+n {
		r.fail()
		return 0
	}
	var u uint64
	for _, x := range r.b[1 : 1+n] {
		u = u<<8 | uint64(x)
	}
	r.b = r.b[1+n:]
	return u
}

// int reads a signed integer: its complement shifted left with the low bit
// set if negative, shifted left otherwise.
func (r *gobReader) int() int64 {
	u := r.uint()
	if u&1 != 0 {
		return ^int64(u >> 1)
	}
	return int64(u >> 1)
}

// count reads a length of at most one item per remaining byte.
func (r *gobReader) count() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

// bytes reads a string's bytes, without copying them.
func (r *gobReader) bytes() []byte {
	n := r.count()
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *gobReader) float() float64 {
	return math.Float64frombits(bits.ReverseBytes64(r.uint()))
}

// decodeStrings decodes a gob of a []string.
func decodeStrings(data []byte) ([]string, error) {
	r := newGobReader(data)
	out := make([]string, r.count())
	for i := range out {
		out[i] = string(r.bytes())
	}
	return out, r.err
}

// decodeTags decodes a gob of a map[string]string.
func decodeTags(data []byte) (map[string]string, error) {
	r := newGobReader(data)
	n := r.count()
	out := make(map[string]string, n)
	for range n {
		k := string(r.bytes())
		out[k] = string(r.bytes())
	}
	return out, r.err
}

// decodeWeights decodes a gob of a map[string]map[string]float64 into
// each feature's weights of the classes (by index) that have one other
// than 0. All rows share one array, and all feature names one string.
func decodeWeights(data []byte, index map[string]int) (map[string][]classWeight, error) {
	r := newGobReader(data)
	n := r.count()
	type feature struct{ name, lo, hi int }
	features := make([]feature, 0, n)
	var names []byte
	var all []classWeight
	for range n {
		f := feature{name: len(names), lo: len(all)}
		names = append(names, r.bytes()...)
		for range r.count() {
			c := r.bytes()
			w := r.float()
			if i, ok := index[string(c)]; ok && w != 0 {
				all = append(all, classWeight{i, w})
			}
		}
		f.hi = len(all)
		features = append(features, f)
	}
	if r.err != nil {
		return nil, r.err
	}
	text := string(names)
	out := make(map[string][]classWeight, n)
	for i, f := range features {
		end := len(text)
		if i+1 < len(features) {
			end = features[i+1].name
		}
		out[text[f.name:end]] = all[f.lo:f.hi:f.hi]
	}
	if len(out) != n {
		return nil, fmt.Errorf("%w: a feature named twice", errGob)
	}
	return out, nil
}
