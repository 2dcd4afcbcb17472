package markov

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// parseChain reads gomarkov's JSON ({"int":order,"spool_map":{name:id},
// "freq_mat":{"id":{"id":count}}}) into transition counts keyed by name. It
// is a small purpose-built reader: encoding/json decoding into gomarkov's
// maps takes most of a second for a 5 MB corpus's model. Anything that is
// not that shape is an error.
//
// lim bounds what a body may hold: no more names or transitions than the
// header declares, so a crafted body costs no more memory than its header
// admits to (and the header's counts are bounded by the file's size).
func parseChain(data []byte, lim chainLimits) (raw *rawChain, err error) {
	p := &chainParser{data: data}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			err = pe
		}
	}()
	raw = &rawChain{}
	seen := map[string]bool{}
	maxID := -1
	p.expect('{')
	for first := true; ; first = false {
		if p.peek() == '}' && first {
			p.pos++
			break
		}
		key := p.str()
		if seen[key] {
			p.fail("duplicate key %q", key)
		}
		seen[key] = true
		p.expect(':')
		switch key {
		case "int":
			raw.order = p.int()
		case "spool_map":
			// Names are placed by id, straight into names: gomarkov's ids
			// are 0..n-1, so they are counted first (freq_mat, if it came
			// first, uses them all; else a cheap scan) to size the slice. A repeated name is caught in compile (duplicate words
			// and states are errors there).
			n := maxID + 1
			if n <= 0 {
				n = countNames(p.data[p.pos:])
			}
			if lim.names > 0 {
				n = min(n, lim.names)
			}
			if raw.names == nil && n > 0 {
				raw.names = make([]string, 0, n)
			}
			var set []bool
			entries := 0
			p.object(func(name string) {
				if lim.names > 0 && entries == lim.names {
					p.fail("more than the %d names the header declares", lim.names)
				}
				entries++
				id := p.int()
				if id < 0 {
					p.fail("spool id %d out of range", id)
				}
				if lim.names > 0 && id >= lim.names {
					p.fail("spool id %d: more than the %d names the header declares", id, lim.names)
				}
				if id >= len(raw.names) {
					raw.names = slices.Grow(raw.names, id+1-len(raw.names))[:id+1]
					set = slices.Grow(set, id+1-len(set))[:id+1]
				}
				if set[id] {
					p.fail("spool id %d used twice", id)
				}
				raw.names[id], set[id] = name, true
			})
			if entries != len(raw.names) {
				p.fail("spool ids are not 0..%d", entries-1)
			}
		case "freq_mat":
			// Its entries are counted first (a cheap scan), so the edges
			// are stored without regrowing.
			if n := countEdges(p.data[p.pos:]); n > 0 {
				if lim.edges > 0 {
					n = min(n, lim.edges)
				}
				raw.from = make([]int32, 0, n)
				raw.to = make([]int32, 0, n)
				raw.count = make([]uint32, 0, n)
			}
			p.object(func(k string) {
				state := atoi(p, k)
				maxID = max(maxID, state)
				p.object(func(k string) {
					if lim.edges > 0 && len(raw.from) == lim.edges {
						p.fail("more than the %d transitions the header declares", lim.edges)
					}
					to, n := atoi(p, k), p.count()
					maxID = max(maxID, to)
					raw.from = append(raw.from, int32(state))
					raw.to = append(raw.to, int32(to))
					raw.count = append(raw.count, n)
				})
			})
		default:
			p.fail("unexpected key %q", key)
		}
		p.ws()
		if p.peek() == ',' {
			p.pos++
			continue
		}
		p.expect('}')
		break
	}
	p.ws()
	if p.pos != len(p.data) {
		p.fail("trailing data")
	}
	if !seen["int"] || !seen["spool_map"] || !seen["freq_mat"] {
		return nil, errors.New("missing int, spool_map or freq_mat")
	}
	for i := range raw.from {
		if raw.from[i] < 0 || int(raw.from[i]) >= len(raw.names) || raw.to[i] < 0 || int(raw.to[i]) >= len(raw.names) {
			return nil, errors.New("id not in spool_map")
		}
	}
	return raw, nil
}

// countEdges counts the transitions of a freq_mat object at the start of
// data ({"id":{"id":count,...},...}, ids and counts only: no strings that
// could hide a brace or colon), from its colons less its states; 0 if data
// is not such an object. It only sizes slices: the parse checks the shape.
func countEdges(data []byte) int {
	end := bytes.Index(data, []byte("}}"))
	if len(data) == 0 || data[0] != '{' || end < 0 {
		return 0
	}
	region := data[:end]
	return max(0, bytes.Count(region, []byte(":"))-(bytes.Count(region, []byte("{"))-1))
}

// countNames counts the entries of a spool_map object at the start of data
// ({"name":id,...}, followed by the freq_mat key), from the quotes followed
// by a colon (an escaped quote in a name may add one); 0 if there is no
// freq_mat after it. It only sizes a slice: the parse checks the shape.
func countNames(data []byte) int {
	end := bytes.Index(data, []byte(`},"freq_mat":`))
	if len(data) == 0 || data[0] != '{' || end < 0 {
		return 0
	}
	return bytes.Count(data[:end], []byte(`":`))
}

// chainLimits bounds what one chain body may hold; 0 is no bound (a body
// this package has just encoded).
type chainLimits struct{ names, edges int }

type parseError struct{ msg string }

func (e parseError) Error() string { return e.msg }

type chainParser struct {
	data []byte
	pos  int
}

func (p *chainParser) fail(format string, args ...any) {
	panic(parseError{fmt.Sprintf("at byte %d: ", p.pos) + fmt.Sprintf(format, args...)})
}

func (p *chainParser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *chainParser) peek() byte {
	p.ws()
	if p.pos >= len(p.data) {
		p.fail("unexpected end")
	}
	return p.data[p.pos]
}

func (p *chainParser) expect(c byte) {
	if p.peek() != c {
		p.fail("want %q, got %q", c, p.data[p.pos])
	}
	p.pos++
}

// object calls field for each key of an object, with the parser positioned
// at the value.
func (p *chainParser) object(field func(key string)) {
	p.expect('{')
	if p.peek() == '}' {
		p.pos++
		return
	}
	for {
		key := p.str()
		p.expect(':')
		field(key)
		if p.peek() == ',' {
			p.pos++
			continue
		}
		p.expect('}')
		return
	}
}

func (p *chainParser) str() string {
	p.expect('"')
	start := p.pos
	escaped := false
	for {
		if p.pos >= len(p.data) {
			p.fail("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '\\':
			escaped = true
			p.pos += 2
			continue
		case c == '"':
		case c < 0x20:
			p.fail("control character in string")
		default:
			p.pos++
			continue
		}
		break
	}
	if p.pos > len(p.data) {
		p.fail("unterminated string")
	}
	raw := p.data[start:p.pos]
	p.pos++
	if !escaped {
		return string(raw)
	}
	var s string
	if err := json.Unmarshal(p.data[start-1:p.pos], &s); err != nil {
		p.fail("bad string: %v", err)
	}
	return s
}

func (p *chainParser) int() int {
	p.ws()
	start := p.pos
	for p.pos < len(p.data) && (p.data[p.pos] == '-' || p.data[p.pos] >= '0' && p.data[p.pos] <= '9') {
		p.pos++
	}
	n, err := strconv.Atoi(string(p.data[start:p.pos]))
	if err != nil {
		p.fail("bad number")
	}
	return n
}

// count reads a transition count: 1 to math.MaxUint32. It parses into a
// uint64, not an int, so the bound compiles where int has 32 bits.
func (p *chainParser) count() uint32 {
	p.ws()
	start := p.pos
	for p.pos < len(p.data) && (p.data[p.pos] == '-' || p.data[p.pos] >= '0' && p.data[p.pos] <= '9') {
		p.pos++
	}
	n, err := strconv.ParseUint(string(p.data[start:p.pos]), 10, 64)
	if err != nil || n == 0 || n > math.MaxUint32 {
		p.fail("count %s out of range", p.data[start:p.pos])
	}
	return uint32(n)
}

func atoi(p *chainParser, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > math.MaxInt32 {
		p.fail("bad id %q", s)
	}
	return n
}
