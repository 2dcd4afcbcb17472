package markov

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
			// Names are placed by id; a repeated name is caught in compile
			// (duplicate words and states are errors there), so no map is
			// needed here.
			type entry struct {
				name string
				id   int
			}
			var entries []entry
			p.object(func(name string) {
				if lim.names > 0 && len(entries) == lim.names {
					p.fail("more than the %d names the header declares", lim.names)
				}
				entries = append(entries, entry{name, p.int()})
			})
			raw.names = make([]string, len(entries))
			set := make([]bool, len(entries))
			for _, e := range entries {
				if e.id < 0 || e.id >= len(raw.names) || set[e.id] {
					p.fail("spool ids are not 0..%d", len(raw.names)-1)
				}
				raw.names[e.id], set[e.id] = e.name, true
			}
		case "freq_mat":
			p.object(func(k string) {
				state := atoi(p, k)
				p.object(func(k string) {
					if lim.edges > 0 && len(raw.from) == lim.edges {
						p.fail("more than the %d transitions the header declares", lim.edges)
					}
					to, n := atoi(p, k), p.count()
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
