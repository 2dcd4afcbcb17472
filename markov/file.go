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
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// envelope is the model file: a small versioned header around gomarkov's
// JSON. The chain goes last so Save can stream it.
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
	SHA256 string          `json:"sha256"`
	Chain  json.RawMessage `json:"chain"`
}

const magic = "glowcloud Markov model; body is gomarkov JSON"

// maxModelFile bounds what Load reads. It is an int64 so the module builds
// where int has 32 bits (a 32-bit process cannot hold such a file anyway:
// reading it fails first).
const maxModelFile int64 = 4 << 30

// Save writes the model to path atomically: to a temporary file in the same
// directory, synced, then renamed over path, so a crash never leaves a
// partial model and readers see the old file or the new one.
func (m *Model) Save(path string) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("markov: save: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := m.Encode(w); err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("markov: save %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("markov: save: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}

// Encode writes the model file format to w.
func (m *Model) Encode(w io.Writer) error {
	chain := m.chainJSON()
	env := envelope{
		Magic:    magic,
		Format:   FormatVersion,
		Meta:     m.meta,
		Headings: m.headings,
		Corpus:   m.novelty.sentenceTexts(),
	}
	if env.Headings == nil {
		env.Headings = []string{}
	}
	env.SHA256 = checksum(env.Meta, env.Headings, env.Corpus, chain)
	head, err := json.Marshal(struct {
		envelope
		Chain *struct{} `json:"chain,omitempty"` // shadows the raw chain: nil, so left out
	}{envelope: env})
	if err != nil {
		return fmt.Errorf("markov: encode: %w", err)
	}
	// head ends with "}": splice the chain in as the last field.
	head = bytes.TrimSuffix(head, []byte("}"))
	for _, part := range [][]byte{head, []byte(`,"chain":`), chain, []byte("}\n")} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("markov: encode: %w", err)
		}
	}
	return nil
}

// chainJSON writes the model's transitions in gomarkov's JSON format
// ({"int":order,"spool_map":{...},"freq_mat":{...}}), which
// gomarkov.Chain.UnmarshalJSON reads back (TestSaveIsGomarkovJSON). It is
// written here rather than by gomarkov's MarshalJSON, which goes through
// encoding/json's sorted maps and takes over a second for a 5 MB corpus.
func (m *Model) chainJSON() []byte {
	var b []byte
	b = append(b, `{"int":`...)
	b = strconv.AppendInt(b, int64(m.order), 10)
	b = append(b, `,"spool_map":{`...)
	// Ids: words first, then (for order > 1) state keys.
	nw := len(m.words)
	for i, w := range m.words {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, w)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(i), 10)
	}
	states := len(m.off) - 1
	stateID := func(s int) int {
		if m.order == 1 {
			return int(m.stateTok[s])
		}
		return nw + s
	}
	if m.order > 1 {
		for s := 0; s < states; s++ {
			b = append(b, ',')
			b = appendJSONString(b, m.stateKey(s))
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(stateID(s)), 10)
		}
	}
	b = append(b, `},"freq_mat":{`...)
	for s := 0; s < states; s++ {
		if s > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, int64(stateID(s)), 10)
		b = append(b, `":{`...)
		prev := uint32(0)
		for e := m.off[s]; e < m.off[s+1]; e++ {
			if e > m.off[s] {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = strconv.AppendInt(b, int64(m.edgeWord[e]), 10)
			b = append(b, `":`...)
			b = strconv.AppendUint(b, uint64(m.edgeCum[e]-prev), 10)
			prev = m.edgeCum[e]
		}
		b = append(b, '}')
	}
	b = append(b, "}}"...)
	return b
}

// stateKey is gomarkov's key for state s: its escaped words joined by "_".
func (m *Model) stateKey(s int) string {
	parts := make([]string, m.order)
	for i, t := range m.stateTok[s*m.order : (s+1)*m.order] {
		parts[i] = m.words[t]
	}
	return strings.Join(parts, "_")
}

// appendJSONString appends s as a JSON string. s is valid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
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
	// The chain is the envelope's last field (Encode writes it so), and by
	// far its largest: split it off and give it to the purpose-built
	// parser, so encoding/json reads only the small header. The pattern
	// cannot occur inside a JSON string, where quotes are escaped.
	header, chain := data, []byte(nil)
	if i := bytes.Index(data, []byte(`,"chain":`)); i >= 0 {
		header = append(data[:i:i], '}')
		rest := bytes.TrimRight(data[i+len(`,"chain":`):], " \t\r\n")
		if !bytes.HasSuffix(rest, []byte("}")) {
			return nil, fmt.Errorf("%w: truncated", ErrFormat)
		}
		chain = rest[:len(rest)-1]
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
		return nil, fmt.Errorf("%w: file has format %d, this build reads %d", ErrVersion, head.Format, FormatVersion)
	}
	var env envelope
	if err := json.Unmarshal(header, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if chain == nil {
		return nil, fmt.Errorf("%w: no chain", ErrFormat)
	}
	env.Chain = chain
	if checksum(env.Meta, env.Headings, env.Corpus, env.Chain) != env.SHA256 {
		return nil, fmt.Errorf("%w: checksum mismatch (the file was changed or damaged)", ErrFormat)
	}
	meta := env.Meta
	if meta.Format != FormatVersion || meta.Order < 1 || meta.Order > MaxOrder {
		return nil, fmt.Errorf("%w: bad meta (format %d, order %d)", ErrFormat, meta.Format, meta.Order)
	}
	// Parse the chain and index the corpus side by side.
	novc := make(chan *noveltyIndex, 1)
	go func() { novc <- buildNovelty(lineTokens(env.Corpus), false) }()
	raw, err := parseChain(env.Chain)
	nov := <-novc
	if err != nil {
		return nil, fmt.Errorf("%w: chain: %v", ErrFormat, err)
	}
	m, err := compile(meta, raw, nov, env.Headings)
	if err != nil {
		return nil, err
	}
	if m.meta != meta {
		return nil, fmt.Errorf("%w: counts do not match the envelope", ErrFormat)
	}
	return m, nil
}

// checksum is the hex SHA-256 of a model file's content: the envelope's
// fields in a fixed text form, each heading and corpus sentence on its own
// line, then the chain's bytes.
func checksum(meta Meta, headings, corpus []string, chain []byte) string {
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
	h.Write(chain)
	return hex.EncodeToString(h.Sum(nil))
}
