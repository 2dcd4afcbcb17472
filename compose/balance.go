package compose

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/glowcloud/glowcloud/markov"
)

// balanced returns the pool index of m, balanced: with the penalties of
// essay.balance when m's pool is the embedded essay's (see
// precomputedBalance), else learned now (see balance).
func balanced(m *markov.Model) *poolIndex {
	x := buildPoolIndex(m)
	if p := precomputedBalance(x); p != nil {
		x.penalty = p
		return x
	}
	x.balance(m)
	return x
}

// Balance settings: pieces written to learn how often each corpus
// sentence is said.
const (
	balanceRounds     = 6
	balancePieces     = 40
	balanceParagraphs = 3
	balanceRate       = 1.5
)

// balance learns a penalty for each corpus sentence that the choice of
// the next sentence makes common, so that sentences are said about
// equally often. Following the corpus's argument gathers pieces into the
// few sentences that follow many sayable ones (the last of a run of them),
// and a paragraph's room favours the short: in 300 essay manifestos one
// sentence was said 212 times and the median 37, and blind readers noticed
// the same sentences in paragraph after paragraph. It writes manifestos as
// Manifesto does, without a topic and from fixed seeds (so the penalties
// are the same for every run of one model), counts the sentences they
// print, and penalises each by how much more often than the mean it was
// printed.
func (x *poolIndex) balance(m *markov.Model) {
	if len(x.sources) < 8 {
		return
	}
	from := make(map[string]int32, len(x.s))
	for _, s := range x.s {
		from[s.Text] = s.From
	}
	penalty := make([]float64, x.sources[len(x.sources)-1]+1)
	x.penalty = penalty // the pieces below see each round's
	w := &Writer{m: m, pool: func() *poolIndex { return x }}
	per := paragraphRoom(balanceParagraphs)
	for round := range balanceRounds {
		count := make([]int, len(penalty))
		total := 0
		for k := range balancePieces {
			rng := NewRand(uint64(round*balancePieces + k))
			pc := w.newPiece(rng, nil)
			pc.reserve(Hail)
			for range balanceParagraphs {
				for _, s := range pc.paragraph(rng, per, "", false) {
					if f, ok := from[s]; ok {
						count[f]++
						total++
					}
				}
			}
		}
		// Steps that shrink round by round settle rather than swing (each
		// round's counts are few and noisy).
		mean := float64(total) / float64(len(x.sources))
		rate := balanceRate / float64(round+1)
		for _, f := range x.sources {
			// Rarely said sentences are pushed forward a little only.
			penalty[f] = max(penalty[f]+rate*math.Log((float64(count[f])+1)/(mean+1)), -0.5)
		}
	}
}

// essayBalance is the balance of the embedded essay's pool (essay.Model),
// learned once and kept: learning it writes 240 manifestos, a tenth of a
// second at every start and a third under the race detector, in every
// process that writes from the essay. TestEmbeddedBalanceIsCurrent checks
// it against what balance learns now; `go generate ./compose` writes it
// again.
//
//go:generate go test -run ^TestEmbeddedBalanceIsCurrent$ . -update-balance
//go:embed essay.balance
var essayBalance string

// balanceFormat is the first line of a balance file.
const balanceFormat = "glowcloud pool balance 1"

// precomputedBalance returns the penalties essay.balance holds when x
// indexes the pool they were learned for, else nil. balance reads nothing
// of a model but its pool (it writes without a topic, and a piece with a
// pool never walks the chain at a manifesto's length), so the same pool
// learns the same penalties, whatever model holds it.
func precomputedBalance(x *poolIndex) []float64 {
	n, digest, penalty, err := decodeBalance(strings.NewReader(essayBalance))
	if err != nil || n != len(x.s) || digest != poolDigest(x.s) {
		// A bad file is caught by TestEmbeddedBalanceIsCurrent; here it
		// costs only the time to learn the balance again.
		return nil
	}
	return penalty
}

// poolDigest is the SHA-256 of a pool: each sentence's From and To, then
// its text, length first.
func poolDigest(pool []markov.PoolSentence) string {
	h := sha256.New()
	var b [16]byte
	for _, s := range pool {
		binary.LittleEndian.PutUint32(b[0:], uint32(s.From))
		binary.LittleEndian.PutUint32(b[4:], uint32(s.To))
		binary.LittleEndian.PutUint64(b[8:], uint64(len(s.Text)))
		h.Write(b[:])
		io.WriteString(h, s.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// encodeBalance writes the balance file of a pool index: the format line,
// "pool" with the pool's size and digest, then one penalty a line, by
// corpus sentence, each in the fewest digits that read back exactly.
func encodeBalance(w io.Writer, x *poolIndex) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\npool %d %s\n", balanceFormat, len(x.s), poolDigest(x.s))
	for _, p := range x.penalty {
		bw.WriteString(strconv.FormatFloat(p, 'g', -1, 64))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write balance: %w", err)
	}
	return nil
}

// decodeBalance reads what encodeBalance writes: the pool's size and
// digest, and the penalties.
func decodeBalance(r io.Reader) (n int, digest string, penalty []float64, err error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() || sc.Text() != balanceFormat {
		return 0, "", nil, fmt.Errorf("read balance: not %q", balanceFormat)
	}
	if !sc.Scan() {
		return 0, "", nil, fmt.Errorf("read balance: no pool line")
	}
	if _, err := fmt.Sscanf(sc.Text(), "pool %d %s", &n, &digest); err != nil {
		return 0, "", nil, fmt.Errorf("read balance: pool line: %w", err)
	}
	for sc.Scan() {
		p, err := strconv.ParseFloat(sc.Text(), 64)
		if err != nil {
			return 0, "", nil, fmt.Errorf("read balance: line %d: %w", len(penalty)+3, err)
		}
		penalty = append(penalty, p)
	}
	if err := sc.Err(); err != nil {
		return 0, "", nil, fmt.Errorf("read balance: %w", err)
	}
	if len(penalty) == 0 {
		return 0, "", nil, fmt.Errorf("read balance: no penalties")
	}
	return n, digest, penalty, nil
}
