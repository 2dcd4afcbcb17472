package markov

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/atomicfile"
)

// envelope is the model file: a small versioned header around the
// gomarkov JSON of each chain counted, as gomarkov's MarshalJSON wrote it.
// The chains go last so Save can stream them and Load can hand them to
// the purpose-built parser without encoding/json reading them.
type envelope struct {
	// Magic names the file's kind; Format its version (checked first).
	Magic    string   `json:"glowcloud_model"`
	Format   int      `json:"format"`
	Meta     Meta     `json:"meta"`
	Headings []string `json:"headings"`
	// Corpus is the training sentences, words joined by single spaces: the
	// novelty check needs them and a chain cannot give them back.
	Corpus []string `json:"corpus"`
	// Pool is the curated sentences (see PoolSentence), each as "FROM TO
	// TEXT".
	Pool []string `json:"pool"`
	// SHA256 covers everything else (see checksum), so an edit or a
	// flipped bit anywhere is caught.
	SHA256 string `json:"sha256"`
	// ChainBytes is the length of each body in Chains, so Load can find
	// them all and parse them side by side.
	ChainBytes []int `json:"chain_bytes"`
	// Chains (written after the header, not through encoding/json) holds
	// one gomarkov JSON body per chain counted; their counts add up.
}

const magic = "glowcloud Markov model; body is gomarkov JSON"

// chainsKey starts the chain bodies: the header is everything before it.
// It cannot occur earlier, inside a JSON string, where quotes are escaped.
const chainsKey = `,"chains":[`

// DefaultMaxModel is the largest model file a zero Loader reads: 256 MiB,
// eight times the model of a 5 MB corpus (30 MB), and what a model costs in
// memory grows with its size (see Loader).
const DefaultMaxModel int64 = 256 << 20

// maxChains bounds the chain bodies a file may declare (training writes one
// or two).
const maxChains = 16

// minEntryBytes is the fewest bytes a spool_map or freq_mat entry takes in
// a chain body (`"a":0,`, less one for slack): the header's declared counts
// can be no larger than the bodies' bytes allow.
const minEntryBytes = 4

// maxHeadingBytes bounds a heading in a model file: corpus.Read keeps
// headings of up to 200 characters.
const maxHeadingBytes = 1 << 10

// ErrTooLarge reports a model file over the Loader's size limit.
var ErrTooLarge = errors.New("model file too large")

// Loader reads model files within limits; Load and Decode use its zero
// value. A file is checked in the order that makes a bad one cheapest to
// refuse: it must be a regular file (a device such as /dev/zero, a FIFO or
// a directory is refused before it is opened for reading) of at most
// MaxBytes; its first bytes must name the format and version; its header is
// then read and checked — the chain sizes it declares must add up to the
// file's size, and its counts (states, transitions) must fit in those bytes
// — before any of the body is read; and no chain body may hold more
// entries than the header declares. A Loader is a value: safe for
// concurrent use.
type Loader struct {
	// MaxBytes is the largest file read; DefaultMaxModel when 0 or less.
	MaxBytes int64
	// budget, when set, gives the budget of a file of size bytes in place
	// of newBudget's (tests: a lower floor, or no budget at all).
	budget func(size int64) *budget
}

// newBudget returns the budget of loading a file of size bytes.
func (l Loader) newBudget(size int64) *budget {
	if l.budget != nil {
		return l.budget(size)
	}
	return newBudget(size, MinBudget)
}

func (l Loader) limit() int64 {
	if l.MaxBytes <= 0 {
		return DefaultMaxModel
	}
	return l.MaxBytes
}

// Save writes the model to path atomically through atomicfile, the one
// owner of temporary file, fsync and rename: a crash never leaves a partial
// model, and readers see the old file or the new one. What is at path must
// be a regular file or nothing: a device, a FIFO or a directory is an error
// (wrapping atomicfile.ErrNotRegular) and is left untouched; a symbolic
// link is followed and stays a link. Temporary files a killed save left
// beside the model are removed.
func (m *Model) Save(path string) error {
	err := atomicfile.Write(path, 0o644, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		if err := m.Encode(w); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	return nil
}

// Encode writes the model file format to w. A model loaded from a file
// (Load) does not keep its chain bodies in memory: Encode reads them again
// from that file, and fails, having written nothing, if the file no longer
// holds them (see chainFile).
func (m *Model) Encode(w io.Writer) error {
	env := envelope{
		Magic:    magic,
		Format:   FormatVersion,
		Meta:     m.meta,
		Headings: m.headings,
		Corpus:   m.novelty.sentenceTexts(),
		Pool:     encodePool(m.pool),
	}
	if env.Headings == nil {
		env.Headings = []string{}
	}
	var file *os.File
	if m.source != nil {
		f, err := m.source.open()
		if err != nil {
			return fmt.Errorf("markov: encode: %w", err)
		}
		defer f.Close()
		file = f
		env.ChainBytes = m.source.sizes
		// Check the bodies before writing any of them.
		h := checksumHead(env.Meta, env.Headings, stringList(env.Corpus), stringList(env.Pool), len(env.ChainBytes))
		if err := m.source.copyChains(f, h, nil); err != nil {
			return fmt.Errorf("markov: encode: %w", err)
		}
		if env.SHA256 = hex.EncodeToString(h.Sum(nil)); env.SHA256 != m.source.sha256 {
			return fmt.Errorf("markov: encode: %s has changed since the model was loaded from it", m.source.path)
		}
	} else {
		env.ChainBytes = make([]int, len(m.chains))
		for i, c := range m.chains {
			env.ChainBytes[i] = len(c)
		}
		env.SHA256 = checksum(env.Meta, env.Headings, stringList(env.Corpus), stringList(env.Pool), m.chains)
	}
	head, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("markov: encode: %w", err)
	}
	// head ends with "}": the chains follow as the last field.
	if _, err := w.Write(append(bytes.TrimSuffix(head, []byte("}")), chainsKey...)); err != nil {
		return fmt.Errorf("markov: encode: %w", err)
	}
	if file != nil {
		// Check them again as they are copied: a file changed in between
		// makes Encode fail (Save then leaves the old file in place).
		h := checksumHead(env.Meta, env.Headings, stringList(env.Corpus), stringList(env.Pool), len(env.ChainBytes))
		if err := m.source.copyChains(file, h, w); err != nil {
			return fmt.Errorf("markov: encode: %w", err)
		}
		if hex.EncodeToString(h.Sum(nil)) != m.source.sha256 {
			return fmt.Errorf("markov: encode: %s changed while the model was written", m.source.path)
		}
	} else {
		for i, c := range m.chains {
			if i > 0 {
				if _, err := w.Write([]byte(",")); err != nil {
					return fmt.Errorf("markov: encode: %w", err)
				}
			}
			if _, err := w.Write(c); err != nil {
				return fmt.Errorf("markov: encode: %w", err)
			}
		}
	}
	if _, err := w.Write([]byte("]}\n")); err != nil {
		return fmt.Errorf("markov: encode: %w", err)
	}
	return nil
}

// chainFile is where a loaded model's chain bodies are: Load does not keep
// them (they are a model file's bulk, a third of what a loaded model would
// hold), since only Encode needs them again, and it reads them back from
// the file, checking the file's checksum.
type chainFile struct {
	path   string
	at     []int64 // where each body starts
	sizes  []int
	sha256 string // the file's checksum
}

// open opens the file again, refusing anything but a regular file.
func (c *chainFile) open() (*os.File, error) {
	fi, err := os.Stat(c.path)
	if err != nil {
		return nil, fmt.Errorf("the chains of a loaded model: %w", err)
	}
	if err := (Loader{MaxBytes: math.MaxInt64}).checkFile(fi); err != nil {
		return nil, fmt.Errorf("the chains of a loaded model: %s: %w", c.path, err)
	}
	f, err := os.Open(c.path)
	if err != nil {
		return nil, fmt.Errorf("the chains of a loaded model: %w", err)
	}
	return f, nil
}

// copyChains writes each body, as checksum does, to h, and with the
// commas between them to w unless it is nil.
func (c *chainFile) copyChains(f *os.File, h hash.Hash, w io.Writer) error {
	for i, n := range c.sizes {
		fmt.Fprintf(h, "%d\n", n)
		dst := io.Writer(h)
		if w != nil {
			if i > 0 {
				if _, err := w.Write([]byte(",")); err != nil {
					return err
				}
			}
			dst = io.MultiWriter(h, w)
		}
		k, err := io.Copy(dst, io.NewSectionReader(f, c.at[i], int64(n)))
		if err != nil {
			return fmt.Errorf("read the chains of a loaded model from %s: %w", c.path, err)
		}
		if k != int64(n) {
			return fmt.Errorf("read the chains of a loaded model from %s: the file is shorter", c.path)
		}
	}
	return nil
}

// Load reads a model file with the zero Loader (DefaultMaxModel). A
// missing, truncated, corrupt or wrong-version file is an error (wrapping
// ErrFormat, ErrVersion, ErrTooLarge or ErrTooCostly), never half a model.
func Load(path string) (*Model, error) { return Loader{}.Load(path) }

// Decode reads a model in the file format from r with the zero Loader.
func Decode(r io.Reader) (*Model, error) { return Loader{}.Decode(r) }

// Load reads the model file at path (see Loader for what it checks first).
func (l Loader) Load(path string) (*Model, error) { return l.LoadContext(context.Background(), path) }

// LoadContext is Load, given up when ctx is done: it then returns at once
// with ctx's error, and the load itself stops at its next look at ctx
// (reading checks it every chunk, parsing every few thousand entries; only
// building the tables, a second for a 30 MB model, runs to its end).
func (l Loader) LoadContext(ctx context.Context, path string) (*Model, error) {
	f, fi, err := l.open(path)
	if err != nil {
		return nil, fmt.Errorf("markov: load %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("markov: load %s: %w", path, err)
	}
	m, err := stoppable(ctx, func() (*Model, error) {
		defer f.Close()
		return l.decode(ctx, f, fi.Size(), abs)
	})
	if err != nil {
		return nil, fmt.Errorf("markov: load %s: %w", path, err)
	}
	return m, nil
}

// ReadFile returns the bytes of the model file at path once they have
// loaded as a model, with Load's checks and budget (the bytes, held
// meanwhile, aside): what is checked is what the caller keeps (glowcloud
// publish stores them).
func (l Loader) ReadFile(ctx context.Context, path string) ([]byte, error) {
	f, fi, err := l.open(path)
	if err != nil {
		return nil, fmt.Errorf("markov: read %s: %w", path, err)
	}
	data, err := stoppable(ctx, func() ([]byte, error) {
		defer f.Close()
		data := make([]byte, 0, fi.Size()+1)
		for {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("markov: load stopped: %w", err)
			}
			_, err := readSome(f, &data, readBodyChunk)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if int64(len(data)) > fi.Size() {
				return nil, fmt.Errorf("%w: the file grew while it was read", ErrFormat)
			}
		}
		if _, err := l.decodeBytes(ctx, data); err != nil {
			return nil, err
		}
		return data, nil
	})
	if err != nil {
		return nil, fmt.Errorf("markov: read %s: %w", path, err)
	}
	return data, nil
}

// open opens the file at path for a load, refusing what must not be read
// before and after opening it: what was opened may not be what was looked
// at.
func (l Loader) open(path string) (*os.File, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := l.checkFile(fi); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if fi, err = f.Stat(); err == nil {
		err = l.checkFile(fi)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// stoppable runs do, returning at once with ctx's error if ctx is done
// first; do, given the same ctx, stops at its next look at it, and its
// result is dropped.
func stoppable[T any](ctx context.Context, do func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return do()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := do()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("markov: load stopped: %w", context.Cause(ctx))
	}
}

// checkFile refuses what Load must not read: anything but a regular file,
// and a file over the limit.
func (l Loader) checkFile(fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s, not a regular file", ErrFormat, atomicfile.Kind(fi.Mode()))
	}
	if fi.Size() > l.limit() {
		return fmt.Errorf("%w: %d bytes, over the limit of %d", ErrTooLarge, fi.Size(), l.limit())
	}
	return nil
}

// Decode reads a model in the file format from r (see Loader).
func (l Loader) Decode(r io.Reader) (*Model, error) { return l.decode(context.Background(), r, -1, "") }

// DecodeBytes reads a model in the file format from data, which it does
// not copy (a published model, read from the database), with Load's
// checks and budget (data, which the caller holds, aside).
func (l Loader) DecodeBytes(ctx context.Context, data []byte) (*Model, error) {
	return stoppable(ctx, func() (*Model, error) { return l.decodeBytes(ctx, data) })
}

// headerPrefix is how every model file starts (Encode writes the
// envelope's fields in order): the kind, then the version's digits.
const headerPrefix = `{"glowcloud_model":"` + magic + `","format":`

// readChunk is how much of the header is read at a time; readBodyChunk
// how much of the rest (the context is checked between).
const (
	readChunk     = 64 << 10
	readBodyChunk = 4 << 20
)

// bodySlack is the white space Load accepts after the envelope's end.
const bodySlack = 64

// decode reads a model from r, whose size is known (a file) or -1. A
// model read from the file at path (absolute) leaves its chain bodies
// there (see chainFile); one read from elsewhere ("") keeps them.
func (l Loader) decode(ctx context.Context, r io.Reader, size int64, path string) (*Model, error) {
	limit := l.limit()
	if size > limit {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", ErrTooLarge, size, limit)
	}
	// Read the header, a chunk at a time, up to the chains. A file of known
	// size is read into one buffer of that size: the chains are kept as
	// slices of it, and growing it would cost twice the file.
	var data []byte
	if size >= 0 {
		data = make([]byte, 0, size+1) // +1: room to see EOF
	}
	checked, split := false, -1
	for split < 0 {
		if len(data) >= int(min(limit, math.MaxInt-readChunk)) {
			return nil, fmt.Errorf("%w: header over the limit of %d bytes", ErrTooLarge, limit)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("markov: load stopped: %w", err)
		}
		n, err := readSome(r, &data, readChunk)
		if !checked && (len(data) >= len(headerPrefix)+8 || err != nil) {
			if err := checkPrefix(data); err != nil {
				return nil, err
			}
			checked = true
		}
		from := max(0, len(data)-n-len(chainsKey))
		if i := bytes.Index(data[from:], []byte(chainsKey)); i >= 0 {
			split = from + i
			break
		}
		if err == io.EOF {
			return nil, fmt.Errorf("%w: no chains (truncated?)", ErrFormat)
		}
		if err != nil {
			return nil, fmt.Errorf("markov: decode: %w", err)
		}
	}
	h, want, err := readChecked(ctx, data[:split], limit)
	if err != nil {
		return nil, err
	}
	// The body: exactly what the header declares, plus the end and a
	// little white space; a file of another size is refused unread.
	if size >= 0 && (size < want-1 || size > want+bodySlack) {
		return nil, fmt.Errorf("%w: file is %d bytes, its header declares %d", ErrFormat, size, want)
	}
	b := l.newBudget(want)
	if need := want + bodySlack + 1 - int64(len(data)); size < 0 && need > 0 {
		data = slices.Grow(data, int(need))
	}
	held := int64(cap(data))
	if err := b.charge(held, "its bytes"); err != nil {
		return nil, err
	}
	for int64(len(data)) <= want+bodySlack {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("markov: load stopped: %w", err)
		}
		_, err := readSome(r, &data, int(min(readBodyChunk, want+bodySlack+1-int64(len(data)))))
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("markov: decode: %w", err)
		}
	}
	if int64(len(data)) > want+bodySlack {
		return nil, fmt.Errorf("%w: data after the chains", ErrFormat)
	}
	return decodeData(ctx, data, split, h, b, path, held)
}

// decodeBytes is DecodeBytes without the stop.
func (l Loader) decodeBytes(ctx context.Context, data []byte) (*Model, error) {
	limit := l.limit()
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %d bytes, over the limit of %d", ErrTooLarge, len(data), limit)
	}
	if err := checkPrefix(data); err != nil {
		return nil, err
	}
	split := bytes.Index(data, []byte(chainsKey))
	if split < 0 {
		return nil, fmt.Errorf("%w: no chains (truncated?)", ErrFormat)
	}
	h, want, err := readChecked(ctx, data[:split], limit)
	if err != nil {
		return nil, err
	}
	if size := int64(len(data)); size < want-1 || size > want+bodySlack {
		return nil, fmt.Errorf("%w: %d bytes, the header declares %d", ErrFormat, size, want)
	}
	return decodeData(ctx, data, split, h, l.newBudget(want), "", 0)
}

// readChecked reads a file's header and checks it, returning it and the
// file's size as it declares it.
func readChecked(ctx context.Context, head []byte, limit int64) (header, int64, error) {
	h, err := readHeader(ctx, head)
	if err != nil {
		return h, 0, err
	}
	want, err := checkHeader(h, int64(len(head)), limit)
	return h, want, err
}

// decodeData builds the model of data, a whole model file whose header h
// has been read and checked (split is where its chains start), within the
// budget b. held is what b was charged for data (0 when the caller holds
// it); a model read from the file at path (absolute) leaves its chain
// bodies there (see chainFile), and lets data go once they are parsed.
func decodeData(ctx context.Context, data []byte, split int, h header, b *budget, path string, held int64) (*Model, error) {
	if err := h.readLists(ctx, data[:split], b); err != nil {
		return nil, err
	}
	body := data[split+len(chainsKey):]
	chains, err := splitChains(body, h.chainBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var source *chainFile
	if path != "" {
		source = &chainFile{path: path, sizes: h.chainBytes, sha256: h.sha256}
		at := int64(split + len(chainsKey))
		for _, n := range h.chainBytes {
			source.at = append(source.at, at)
			at += int64(n) + 1
		}
	}
	if checksum(h.meta, h.headings, h.corpus, stringList(h.pool), chains) != h.sha256 {
		return nil, fmt.Errorf("%w: checksum mismatch (the file was changed or damaged)", ErrFormat)
	}
	meta := h.meta
	// Parse the chains side by side, then index the corpus beside
	// compiling them.
	lim := chainLimits{names: meta.States + meta.Vocabulary + 4, edges: meta.Transitions}
	raws := make([]*rawChain, len(chains))
	errs := make([]error, len(chains))
	var wg sync.WaitGroup
	for i, c := range chains {
		wg.Go(func() {
			raws[i], errs[i] = parseChainWithin(ctx, c, lim, b)
			var pe parseError
			if errors.As(errs[i], &pe) {
				errs[i] = fmt.Errorf("%w: chain %d: %v", ErrFormat, i, pe)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if source != nil {
		// The file's bytes are read: let them go before compiling, and
		// collect them now. The budget counts them as gone, but until the
		// collector next runs they are a third of what the heap holds, and
		// merging and compiling would allocate beside them: a 30 MB model
		// peaked at 2.6× its file instead of 2.2×. One collection is a few
		// milliseconds of a load that takes a second.
		data, body, chains = nil, nil, nil
		b.release(held)
		runtime.GC()
	}
	for _, r := range raws[1:] {
		if r.order != raws[0].order {
			return nil, fmt.Errorf("%w: chains of orders %d and %d", ErrFormat, raws[0].order, r.order)
		}
	}
	// Merging indexes the first chain's names and copies them all into new
	// slices; the index and the old slices go when it is done.
	var merging int64
	if len(raws) > 1 {
		names, edges := int64(0), int64(0)
		for _, r := range raws {
			names += int64(len(r.names))
			edges += int64(len(r.from))
		}
		merging = int64(len(raws[0].names))*costMergeIndex + names*costMergeName + edges*costRawEdge
		if err := b.charge(merging, "merging its chains"); err != nil {
			return nil, err
		}
	}
	raw := mergeAll(raws)
	b.release(merging)
	counts, err := chargeTables(b, raw, h.corpus, meta.Order)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("markov: load stopped: %w", err)
	}
	// Only the index keeps (its own words of) the corpus. It is built
	// once compile has let the parsed chain go (it asks for the index
	// after its tables), not beside compile: the two peaks added up.
	pool, err := decodePool(h.pool, h.corpus.len())
	if err != nil {
		return nil, err
	}
	h.pool = nil
	corpus := h.corpus
	h.corpus = nil
	m, err := compile(meta.Order, raw, h.headings, func() (Meta, *noveltyIndex, error) {
		return meta, buildNovelty(corpus, false, counts.words, counts.distinct), nil
	})
	if err != nil {
		return nil, err
	}
	if source != nil {
		m.source = source
	} else {
		m.chains = chains
	}
	if m.meta != meta {
		return nil, fmt.Errorf("%w: counts do not match the envelope", ErrFormat)
	}
	m.pool = pool
	if b != nil {
		m.cost = b.total - b.left.Load()
	}
	return m, nil
}

// chargeTables charges b for the tables compile and the novelty index
// will build from raw and corpus, from exact counts, before they are built.
// The index is built once compile has let raw go, so it needs only what it
// costs beyond raw's share of the budget. It returns the size of the
// index, to build it to measure.
func chargeTables(b *budget, raw *rawChain, corpus *corpusText, order int) (indexSize, error) {
	n := len(raw.names)
	words, held := 0, int64(len(raw.from))*costRawEdge
	for _, name := range raw.names {
		if order == 1 || !strings.Contains(name, "_") {
			words++
		}
		held += costRawName + allocSize(len(name))
	}
	isState := make([]uint64, (n+63)/64)
	states := 0
	for _, f := range raw.from {
		if f >= 0 && int(f) < n && isState[f/64]&(1<<(f%64)) == 0 {
			isState[f/64] |= 1 << (f % 64)
			states++
		}
	}
	perState := int64(costState)
	if order == 1 {
		perState = costStateOrder1
	}
	tables := int64(words)*costWord + int64(states)*perState + int64(len(raw.from))*costEdge
	tokens := corpus.words()
	size := indexSize{words: tokens + corpus.len(), distinct: min(tokens, words)}
	index := int64(tokens)*costToken + int64(corpus.len())*costSentence + int64(size.distinct)*costCorpusWord
	return size, b.charge(tables+max(0, index-held), fmt.Sprintf("the tables of its %d words, %d states and %d transitions and the index of its %d sentences",
		words, states, len(raw.from), corpus.len()))
}

// indexSize is how many words and sentence ends, and how many distinct
// words, a novelty index holds at most.
type indexSize struct{ words, distinct int }

// readSome reads at most n more bytes from r onto *data: no more than fit
// while any room is left (a file's buffer is sized to the file), growing
// it only when full.
func readSome(r io.Reader, data *[]byte, n int) (int, error) {
	if free := cap(*data) - len(*data); free > 0 {
		n = min(n, free)
	}
	*data = slices.Grow(*data, n)
	k, err := r.Read((*data)[len(*data) : len(*data)+n])
	*data = (*data)[:len(*data)+k]
	if k > 0 && err == io.EOF {
		err = nil // the next read says EOF again
	}
	if k == 0 && err == nil {
		err = io.ErrNoProgress
	}
	return k, err
}

// checkPrefix checks a file's first bytes: the kind, then the version, so an
// old or future file says so rather than failing on some field, and what is
// not a model at all is refused before more of it is read.
func checkPrefix(data []byte) error {
	kind, version, _ := strings.Cut(headerPrefix, ",")
	rest, ok := bytes.CutPrefix(data, []byte(kind))
	if !ok {
		return fmt.Errorf("%w: missing glowcloud_model header", ErrFormat)
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(","+version)); !ok {
		// No version: older than any format this package wrote.
		return fmt.Errorf("%w: file has format 0, this build reads %d (train the model again)", ErrVersion, FormatVersion)
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return fmt.Errorf("%w: truncated header", ErrFormat)
	}
	v, err := strconv.Atoi(string(rest[:end]))
	if err != nil {
		return fmt.Errorf("%w: bad format version %.10q", ErrFormat, rest[:end])
	}
	if v != FormatVersion {
		return fmt.Errorf("%w: file has format %d, this build reads %d (train the model again)", ErrVersion, v, FormatVersion)
	}
	return nil
}

// checkHeader checks what a file's header declares before its body is read,
// and returns the file's size as the header declares it (the header's
// headerBytes, the chain bodies and the envelope's end).
func checkHeader(h header, headerBytes, limit int64) (int64, error) {
	meta := h.meta
	if meta.Format != FormatVersion || meta.Order < 1 || meta.Order > MaxOrder {
		return 0, fmt.Errorf("%w: bad meta (format %d, order %d)", ErrFormat, meta.Format, meta.Order)
	}
	if n := len(h.chainBytes); n == 0 || n > maxChains {
		return 0, fmt.Errorf("%w: %d chains declared (1 to %d)", ErrFormat, n, maxChains)
	}
	// A heading's raw bytes may hold escapes (6 bytes a character at most).
	if n := h.headingsAt.longest; n > 6*maxHeadingBytes {
		return 0, fmt.Errorf("%w: a heading of %d bytes (at most %d)", ErrFormat, n, maxHeadingBytes)
	}
	want := headerBytes + int64(len(chainsKey)+len(h.chainBytes)-1+len("]}\n"))
	var body int64
	for _, n := range h.chainBytes {
		if n <= 0 || int64(n) > limit {
			return 0, fmt.Errorf("%w: chain of %d bytes declared", ErrFormat, n)
		}
		body += int64(n)
	}
	if want += body; want > limit {
		return 0, fmt.Errorf("%w: header declares %d bytes, over the limit of %d", ErrTooLarge, want, limit)
	}
	// What the body holds costs memory in proportion to these counts, and
	// the counts must fit in the body's bytes: a small file cannot claim
	// a huge chain.
	fits := func(n int) bool { return n >= 1 && int64(n) <= body/minEntryBytes }
	if !fits(meta.States) || !fits(meta.Transitions) || !fits(meta.Vocabulary) || !fits(meta.Sentences) ||
		meta.Words < meta.Sentences || h.corpusAt.n > meta.Sentences {
		return 0, fmt.Errorf("%w: counts do not fit the file (%d states, %d transitions, %d words, %d sentences in %d bytes of chains)",
			ErrFormat, meta.States, meta.Transitions, meta.Vocabulary, meta.Sentences, body)
	}
	return want, nil
}

// splitChains cuts the bodies of a file's chains out of what follows
// chainsKey: the bodies of the given sizes, separated by commas, then "]}"
// and nothing but white space.
func splitChains(body []byte, sizes []int) ([][]byte, error) {
	chains := make([][]byte, len(sizes))
	for i, n := range sizes {
		if i > 0 {
			if len(body) == 0 || body[0] != ',' {
				return nil, errors.New("chains are not where chain_bytes says")
			}
			body = body[1:]
		}
		if n <= 0 || n > len(body) {
			return nil, fmt.Errorf("truncated: chain %d of %d bytes, %d left", i, n, len(body))
		}
		chains[i], body = body[:n:n], body[n:]
	}
	if rest := bytes.TrimRight(body, " \t\r\n"); string(rest) != "]}" {
		return nil, errors.New("truncated, or data after the chains")
	}
	return chains, nil
}

// checksum is the hex SHA-256 of a model file's content: the envelope's
// fields in a fixed text form, each heading and corpus sentence on its own
// line, then each chain's length and bytes.
func checksum(meta Meta, headings []string, corpus, pool textList, chains [][]byte) string {
	h := checksumHead(meta, headings, corpus, pool, len(chains))
	for _, c := range chains {
		fmt.Fprintf(h, "%d\n", len(c))
		h.Write(c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checksumHead is checksum's hash of all but the chains' lengths and bytes.
func checksumHead(meta Meta, headings []string, corpus, pool textList, chains int) hash.Hash {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %s %d %d %d %d %d %s\n", meta.Format, meta.Order, meta.CorpusSHA256,
		meta.Sentences, meta.Words, meta.Vocabulary, meta.States, meta.Transitions, meta.TrainedAt.UTC().Format(time.RFC3339Nano))
	if meta.CurlyQuotes {
		// Only when set, so that files written before it sum as they did.
		io.WriteString(h, "curly quotes\n")
	}
	for _, list := range []textList{stringList(headings), corpus, pool} {
		fmt.Fprintf(h, "%d\n", list.len())
		for i := range list.len() {
			io.WriteString(h, list.at(i))
			h.Write([]byte{'\n'})
		}
	}
	fmt.Fprintf(h, "%d\n", chains)
	return h
}

// maxPoolBytes bounds a pooled sentence in a model file.
const maxPoolBytes = 4096

// encodePool writes the pool as the file holds it.
func encodePool(pool []PoolSentence) []string {
	out := make([]string, len(pool))
	for i, p := range pool {
		out[i] = strconv.Itoa(int(p.From)) + " " + strconv.Itoa(int(p.To)) + " " + p.Text
	}
	return out
}

// decodePool reads the pool of a file whose corpus has sentences
// sentences, refusing anything Encode would not have written.
func decodePool(lines []string, sentences int) ([]PoolSentence, error) {
	pool := make([]PoolSentence, 0, len(lines))
	for _, l := range lines {
		from, rest, ok1 := strings.Cut(l, " ")
		to, text, ok2 := strings.Cut(rest, " ")
		f, err1 := strconv.Atoi(from)
		t, err2 := strconv.Atoi(to)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || f < 0 || t < 0 || f >= sentences || t >= sentences ||
			text == "" || len(text) > maxPoolBytes || !utf8.ValidString(text) || strings.ContainsAny(text, "\n\r") {
			return nil, fmt.Errorf("%w: a bad pooled sentence", ErrFormat)
		}
		pool = append(pool, PoolSentence{Text: text, From: int32(f), To: int32(t)})
	}
	return pool, nil
}
