package markov

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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
func parseChain(data []byte, lim chainLimits) (*rawChain, error) {
	return parseChainWithin(context.Background(), data, lim, nil)
}

// parseChainWithin is parseChain charging b (nil: no budget) for what it
// stores, and stopping when ctx is done.
func parseChainWithin(ctx context.Context, data []byte, lim chainLimits, b *budget) (raw *rawChain, err error) {
	p := &chainParser{data: data, ctx: ctx}
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case parseError:
				err = e
			case error: // the budget's, or the context's
				err = e
			default:
				panic(r)
			}
		}
	}()
	charge := func(n int64, what string) {
		if err := b.charge(n, what); err != nil {
			panic(err)
		}
	}
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
				charge(int64(n)*costRawName, "its spool names")
				raw.names = make([]string, 0, n)
			}
			var set []bool
			entries := 0
			p.object(func(name string) {
				if lim.names > 0 && entries == lim.names {
					p.fail("more than the %d names the header declares", lim.names)
				}
				entries++
				if entries&0xfff == 0 {
					p.checkContext()
				}
				charge(allocSize(len(name)), "its spool names")
				id := p.int()
				if id < 0 {
					p.fail("spool id %d out of range", id)
				}
				if lim.names > 0 && id >= lim.names {
					p.fail("spool id %d: more than the %d names the header declares", id, lim.names)
				}
				if id >= len(raw.names) {
					if c := cap(raw.names); id >= c {
						charge(int64(id+1-c)*costRawName, "its spool names")
					}
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
				charge(int64(n)*costRawEdge, "its transitions")
				raw.from = make([]int32, 0, n)
				raw.to = make([]int32, 0, n)
				raw.count = make([]uint32, 0, n)
			}
			p.objectIDs(func(state int) {
				maxID = max(maxID, state)
				p.objectIDs(func(to int) {
					if lim.edges > 0 && len(raw.from) == lim.edges {
						p.fail("more than the %d transitions the header declares", lim.edges)
					}
					if len(raw.from)&0xfff == 0xfff {
						p.checkContext()
					}
					if len(raw.from) == cap(raw.from) {
						// Beyond the count: appending doubles.
						charge(int64(max(len(raw.from), 64))*costRawEdge, "its transitions")
					}
					n := p.count()
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
	ctx  context.Context // checked every few thousand entries; may be nil
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
	p.members(func() {
		key := p.str()
		p.expect(':')
		field(key)
	})
}

// objectIDs is object for an object keyed by ids (see atoi), as freq_mat
// is: a key of digits alone is read where it lies, without making a
// string of it (a string for each of a large chain's transitions was most
// of the parse's allocations); any other goes through str and atoi.
func (p *chainParser) objectIDs(field func(id int)) {
	p.members(func() {
		id, ok := p.digitsKey()
		if !ok {
			id = atoi(p, p.str())
		}
		p.expect(':')
		field(id)
	})
}

// members reads an object's braces and the commas between its members,
// and member reads each member (its key, the colon and its value).
func (p *chainParser) members(member func()) {
	p.expect('{')
	if p.peek() == '}' {
		p.pos++
		return
	}
	for {
		member()
		if p.peek() == ',' {
			p.pos++
			continue
		}
		p.expect('}')
		return
	}
}

// digitsKey reads a key of 1 to 9 decimal digits, as atoi would read it,
// or reports that the key is not one, having read nothing.
func (p *chainParser) digitsKey() (int, bool) {
	p.ws()
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return 0, false
	}
	n, i := 0, p.pos+1
	for ; i < len(p.data) && i-p.pos <= 9 && '0' <= p.data[i] && p.data[i] <= '9'; i++ {
		n = n*10 + int(p.data[i]-'0')
	}
	if i == p.pos+1 || i >= len(p.data) || p.data[i] != '"' {
		return 0, false
	}
	p.pos = i + 1
	return n, true
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

// header is a model file's header: the envelope but its chains.
type header struct {
	meta       Meta
	sha256     string
	chainBytes []int
	// Where the lists are, read by readLists once the budget is known.
	headingsAt, corpusAt, poolAt listAt
	headings                     []string
	corpus                       *corpusText
	pool                         []string
}

// listAt is where a list of strings is in a header: its position, how
// many strings it holds, their raw bytes, and the longest.
type listAt struct{ pos, n, size, longest int }

// maxMetaBytes bounds the meta object (about 300 bytes as Encode writes it).
const maxMetaBytes = 4 << 10

// readHeader reads a model file's header, data up to the chains (the
// envelope less chainsKey and what follows), exactly as Encode writes it:
// its fields in Encode's order, nothing else. It reads the small fields
// and counts the lists without storing them; readLists stores them.
// encoding/json held each corpus sentence as a string of its own, grown by
// doubling: 37 M empty ones (3 bytes each) took 2.3 GB.
func readHeader(ctx context.Context, data []byte) (h header, err error) {
	p := &chainParser{data: data, ctx: ctx}
	defer p.recoverInto(&err)
	p.expect('{')
	p.key("glowcloud_model")
	if p.str() != magic {
		p.fail("not a glowcloud model")
	}
	p.expect(',')
	p.key("format")
	if p.int() != FormatVersion {
		p.fail("format does not match its first bytes")
	}
	p.expect(',')
	p.key("meta")
	start := p.pos
	p.skipFlatObject(maxMetaBytes)
	if err := json.Unmarshal(p.data[start:p.pos], &h.meta); err != nil {
		p.fail("bad meta: %v", err)
	}
	p.expect(',')
	p.key("headings")
	h.headingsAt = p.skimStrings()
	p.expect(',')
	p.key("corpus")
	h.corpusAt = p.skimStrings()
	p.expect(',')
	p.key("pool")
	h.poolAt = p.skimStrings()
	if h.poolAt.n > poolMax || h.poolAt.longest > 6*maxPoolBytes {
		p.fail("%d pooled sentences, the longest %d bytes (at most %d of %d)", h.poolAt.n, h.poolAt.longest, poolMax, maxPoolBytes)
	}
	p.expect(',')
	p.key("sha256")
	h.sha256 = p.str()
	p.expect(',')
	p.key("chain_bytes")
	p.expect('[')
	for first := true; p.peek() != ']'; first = false {
		if !first {
			p.expect(',')
		}
		if len(h.chainBytes) == maxChains {
			p.fail("more than %d chains", maxChains)
		}
		h.chainBytes = append(h.chainBytes, p.int())
	}
	p.pos++
	p.ws()
	if p.pos != len(p.data) {
		p.fail("unexpected data after chain_bytes")
	}
	return h, nil
}

// readLists stores the header's headings and corpus, charging b for them
// before they are stored: the corpus as one text with the ends of its
// sentences, not a string a sentence.
func (h *header) readLists(ctx context.Context, data []byte, b *budget) (err error) {
	p := &chainParser{data: data, ctx: ctx}
	defer p.recoverInto(&err)
	at := h.headingsAt
	if err := b.charge(int64(at.n)*costHeading+int64(at.size), fmt.Sprintf("its %d headings", at.n)); err != nil {
		return err
	}
	h.headings = make([]string, 0, at.n)
	p.pos = at.pos
	p.stringBytes(func(s []byte) { h.headings = append(h.headings, string(s)) })

	at = h.corpusAt
	if at.n > math.MaxInt32 || at.size > math.MaxInt32 {
		return fmt.Errorf("%w: a corpus of %d sentences in %d bytes", ErrFormat, at.n, at.size)
	}
	if err := b.charge(int64(at.size)+4*int64(at.n), fmt.Sprintf("the %d sentences of its corpus", at.n)); err != nil {
		return err
	}
	var text strings.Builder // its String does not copy
	text.Grow(at.size)
	c := &corpusText{ends: make([]int32, 0, at.n)}
	p.pos = at.pos
	p.stringBytes(func(s []byte) {
		if len(s) == 0 {
			p.fail("an empty corpus sentence (Encode writes none)")
		}
		text.Write(s)
		c.ends = append(c.ends, int32(text.Len()))
	})
	c.text = text.String()
	h.corpus = c

	at = h.poolAt
	if err := b.charge(int64(at.n)*(costHeading+costPoolSentence)+2*int64(at.size), fmt.Sprintf("its %d pooled sentences", at.n)); err != nil {
		return err
	}
	h.pool = make([]string, 0, at.n)
	p.pos = at.pos
	p.stringBytes(func(s []byte) { h.pool = append(h.pool, string(s)) })
	return nil
}

// corpusText is a model's corpus as read from its file: sentence i is
// text[ends[i-1]:ends[i]] (from 0 for the first), words joined by spaces.
// It is what the novelty index is built from, without a string a sentence.
type corpusText struct {
	text string
	ends []int32
}

func (c *corpusText) len() int { return len(c.ends) }

func (c *corpusText) at(i int) string {
	from := int32(0)
	if i > 0 {
		from = c.ends[i-1]
	}
	return c.text[from:c.ends[i]]
}

func (c *corpusText) tokens(i int, buf []string) []string {
	buf = buf[:0]
	for w := range strings.FieldsSeq(c.at(i)) {
		buf = append(buf, w)
	}
	return buf
}

// words counts the corpus's words, as the novelty index will see them.
func (c *corpusText) words() int {
	n := 0
	for i := range c.len() {
		for range strings.FieldsSeq(c.at(i)) {
			n++
		}
	}
	return n
}

// textList is a list of texts, as checksum reads them.
type textList interface {
	len() int
	at(i int) string
}

// stringList is a []string as a textList.
type stringList []string

func (s stringList) len() int        { return len(s) }
func (s stringList) at(i int) string { return s[i] }

// recoverInto turns the parser's panics (a parseError, or a budget's or
// context's error) into *err.
func (p *chainParser) recoverInto(err *error) {
	if r := recover(); r != nil {
		switch e := r.(type) {
		case parseError:
			*err = fmt.Errorf("%w: %v", ErrFormat, e)
		case error:
			*err = e
		default:
			panic(r)
		}
	}
}

// key reads an object key, which must be want, and its colon.
func (p *chainParser) key(want string) {
	if k := p.str(); k != want {
		p.fail("want key %q, got %q", want, clipKey(k))
	}
	p.expect(':')
}

func clipKey(k string) string {
	if len(k) > 32 {
		return k[:32] + "…"
	}
	return k
}

// skipFlatObject skips an object holding no object or array (the meta),
// of at most max bytes.
func (p *chainParser) skipFlatObject(max int) {
	start := p.pos
	p.expect('{')
	for {
		if p.pos-start > max {
			p.fail("an object over %d bytes", max)
		}
		switch c := p.peek(); c {
		case '}':
			p.pos++
			return
		case '"':
			p.skipStr()
		case '{', '[':
			p.fail("a nested value in a flat object")
		default:
			p.pos++
		}
	}
}

// skipStr skips a string, returning its raw bytes (between the quotes) and
// whether it holds an escape.
func (p *chainParser) skipStr() (raw []byte, escaped bool) {
	p.expect('"')
	start := p.pos
	for {
		if p.pos >= len(p.data) {
			p.fail("unterminated string")
		}
		switch c := p.data[p.pos]; {
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
	raw = p.data[start:p.pos]
	p.pos++
	return raw, escaped
}

// skimStrings reads past a list of strings, counting them, without
// storing any.
func (p *chainParser) skimStrings() listAt {
	at := listAt{pos: p.pos}
	p.stringRaw(func(raw []byte, _ bool) {
		at.n++
		at.longest = max(at.longest, len(raw))
	}, &at.size)
	return at
}

// stringBytes calls f with the decoded bytes of each string of a list of
// strings (valid only during the call).
func (p *chainParser) stringBytes(f func([]byte)) {
	var size int
	p.stringRaw(func(raw []byte, escaped bool) {
		if !escaped {
			f(raw)
			return
		}
		var s string
		if err := json.Unmarshal(p.data[p.pos-len(raw)-2:p.pos], &s); err != nil {
			p.fail("bad string: %v", err)
		}
		f([]byte(s))
	}, &size)
}

// stringRaw calls f with the raw bytes of each string of a list of strings
// as it is read, adding their lengths to *size.
func (p *chainParser) stringRaw(f func(raw []byte, escaped bool), size *int) {
	p.expect('[')
	if p.peek() == ']' {
		p.pos++
		return
	}
	for i := 0; ; i++ {
		if i&0xfff == 0xfff {
			p.checkContext()
		}
		raw, escaped := p.skipStr()
		if !utf8.Valid(raw) {
			p.fail("a string that is not UTF-8")
		}
		*size += len(raw)
		f(raw, escaped)
		if p.peek() == ',' {
			p.pos++
			continue
		}
		p.expect(']')
		return
	}
}

// checkContext stops the parse when its context is done.
func (p *chainParser) checkContext() {
	if p.ctx != nil {
		if err := p.ctx.Err(); err != nil {
			panic(fmt.Errorf("markov: load stopped: %w", err))
		}
	}
}
