package markov

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

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

// maxModelFile bounds what Load reads. It is an int64 so the module builds
// where int has 32 bits (a 32-bit process cannot hold such a file anyway:
// reading it fails first).
const maxModelFile int64 = 4 << 30

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

// Encode writes the model file format to w.
func (m *Model) Encode(w io.Writer) error {
	env := envelope{
		Magic:      magic,
		Format:     FormatVersion,
		Meta:       m.meta,
		Headings:   m.headings,
		Corpus:     m.novelty.sentenceTexts(),
		ChainBytes: make([]int, len(m.chains)),
	}
	if env.Headings == nil {
		env.Headings = []string{}
	}
	for i, c := range m.chains {
		env.ChainBytes[i] = len(c)
	}
	env.SHA256 = checksum(env.Meta, env.Headings, env.Corpus, m.chains)
	head, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("markov: encode: %w", err)
	}
	// head ends with "}": the chains follow as the last field.
	parts := [][]byte{bytes.TrimSuffix(head, []byte("}")), []byte(chainsKey)}
	for i, c := range m.chains {
		if i > 0 {
			parts = append(parts, []byte(","))
		}
		parts = append(parts, c)
	}
	parts = append(parts, []byte("]}\n"))
	for _, part := range parts {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("markov: encode: %w", err)
		}
	}
	return nil
}

// Load reads a model file. A missing, truncated, corrupt or wrong-version
// file is an error (wrapping ErrFormat or ErrVersion), never half a model.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("markov: load: %w", err)
	}
	defer f.Close()
	m, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("markov: load %s: %w", path, err)
	}
	return m, nil
}

// Decode reads a model in the file format from r.
func Decode(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxModelFile+1))
	if err != nil {
		return nil, fmt.Errorf("markov: decode: %w", err)
	}
	if int64(len(data)) > maxModelFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrFormat, maxModelFile)
	}
	// The chains are the envelope's last field (Encode writes them so),
	// and by far its largest: split them off, so encoding/json reads only
	// the small header.
	header, body := data, []byte(nil)
	if i := bytes.Index(data, []byte(chainsKey)); i >= 0 {
		header = append(data[:i:i], '}')
		body = data[i+len(chainsKey):]
	}
	// Check the kind and version before anything else, so an old or future
	// file says so rather than failing on some field.
	var head struct {
		Magic  string `json:"glowcloud_model"`
		Format int    `json:"format"`
	}
	if err := json.Unmarshal(header, &head); err != nil || head.Magic != magic {
		if err == nil {
			err = errors.New("missing glowcloud_model header")
		}
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if head.Format != FormatVersion {
		return nil, fmt.Errorf("%w: file has format %d, this build reads %d (train the model again)", ErrVersion, head.Format, FormatVersion)
	}
	var env envelope
	if err := json.Unmarshal(header, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if body == nil || len(env.ChainBytes) == 0 {
		return nil, fmt.Errorf("%w: no chain", ErrFormat)
	}
	chains, err := splitChains(body, env.ChainBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if checksum(env.Meta, env.Headings, env.Corpus, chains) != env.SHA256 {
		return nil, fmt.Errorf("%w: checksum mismatch (the file was changed or damaged)", ErrFormat)
	}
	meta := env.Meta
	if meta.Format != FormatVersion || meta.Order < 1 || meta.Order > MaxOrder {
		return nil, fmt.Errorf("%w: bad meta (format %d, order %d)", ErrFormat, meta.Format, meta.Order)
	}
	// Parse the chains side by side, then index the corpus beside
	// compiling them.
	raws := make([]*rawChain, len(chains))
	errs := make([]error, len(chains))
	var wg sync.WaitGroup
	for i, c := range chains {
		wg.Go(func() {
			if raws[i], errs[i] = parseChain(c); errs[i] != nil {
				errs[i] = fmt.Errorf("chain %d: %w", i, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	for _, r := range raws[1:] {
		if r.order != raws[0].order {
			return nil, fmt.Errorf("%w: chains of orders %d and %d", ErrFormat, raws[0].order, r.order)
		}
	}
	novc := make(chan *noveltyIndex, 1)
	go func() { novc <- buildNovelty(lineTokens(env.Corpus), false) }()
	m, err := compile(meta.Order, mergeAll(raws), env.Headings, func() (Meta, *noveltyIndex, error) { return meta, <-novc, nil })
	if err != nil {
		return nil, err
	}
	m.chains = chains
	if m.meta != meta {
		return nil, fmt.Errorf("%w: counts do not match the envelope", ErrFormat)
	}
	return m, nil
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
func checksum(meta Meta, headings, corpus []string, chains [][]byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %s %d %d %d %d %d %s\n", meta.Format, meta.Order, meta.CorpusSHA256,
		meta.Sentences, meta.Words, meta.Vocabulary, meta.States, meta.Transitions, meta.TrainedAt.UTC().Format(time.RFC3339Nano))
	for _, list := range [][]string{headings, corpus} {
		fmt.Fprintf(h, "%d\n", len(list))
		for _, s := range list {
			h.Write([]byte(s))
			h.Write([]byte{'\n'})
		}
	}
	fmt.Fprintf(h, "%d\n", len(chains))
	for _, c := range chains {
		fmt.Fprintf(h, "%d\n", len(c))
		h.Write(c)
	}
	return hex.EncodeToString(h.Sum(nil))
}
