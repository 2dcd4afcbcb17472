// Package compose writes the three kinds of text glowcloud posts — the
// manifesto, the squint and the Glow Cloud's proclamation — from a trained
// markov.Model. The command line and the Discord bot share it.
//
// A Writer is safe for concurrent use: each call builds its own *rand.Rand
// from the seed it is given, so the same seed and model always give the same
// text, byte for byte.
package compose

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/markov"
)

// Hail closes every manifesto.
const Hail = "Hail the singularity! Hail the mighty Glow Cloud!"

// The lengths compose keeps its texts to, in characters: its own choices,
// below Discord's limits (which bot defines) to leave room for the bot's
// decorations.
const (
	LongestTitle  = 200  // embed title: 256
	MaxManifesto  = 4000 // embed description: 4096
	MaxShort      = 1800 // message content: 2000
	sentenceChars = 440  // the essay's pooled sentences run long
	squintChars   = 240
)

// Writer writes glowcloud's texts from one model. The zero value is not
// usable; get one from New.
type Writer struct {
	m *markov.Model
	// pool indexes the model's curated sentences; built on first use.
	pool func() *poolIndex
	// topics indexes what Suggest offers; built on first use.
	topics func() *topicIndex
	// titles indexes what titles take from the model; built on first use.
	titles func() *titleIndex
}

// New returns a Writer over m.
func New(m *markov.Model) *Writer {
	return &Writer{
		m:      m,
		pool:   sync.OnceValue(func() *poolIndex { return balanced(m) }),
		topics: sync.OnceValue(func() *topicIndex { return buildTopics(m) }),
		titles: sync.OnceValue(func() *titleIndex { return buildTitleIndex(m) }),
	}
}

// Warm builds now the indexes the first text and the first Suggest would
// otherwise build (what must not be copied, the chain one order lower, the
// topics): on a 5 MB corpus about a second of CPU, once. Call it after
// loading a model, before serving it; it is safe beside any other call.
func (w *Writer) Warm() {
	w.m.Warm()
	w.pool()
	w.topics()
	w.titles()
}

// ModelID returns the short id of the Writer's model.
func (w *Writer) ModelID() string { return w.m.ID() }

// paragraph writes a paragraph of a manifesto of at most per characters:
// three to five sentences, the topic opening it and now and then returning;
// the fourth and fifth only where they carry the corpus's argument on (a
// turn to an unrelated sentence reads as one: readers marked the paragraphs
// that end on one).
// In the manifesto's first paragraph, a topic no sentence says is said in
// the essay's voice instead. It returns the sentences, in order.
func (pc *piece) paragraph(rng *rand.Rand, per int, topic string, first bool) []string {
	want := 3 + rng.IntN(3)
	var out []string
	room := 0
	for i := 0; i < want; i++ {
		var s string
		if i < 3 {
			pc.opening = i == 0
			s = pc.next(i == 0 || (i == 2 && rng.IntN(2) == 0), sentenceChars)
			pc.opening = false
		} else if s = pc.follow(sentenceChars); s == "" {
			break
		}
		if first && i == 0 && topic != "" && !mentions(s, topic) {
			// The model cannot say the topic in anything new (it never
			// saw it, or only in lines it would have to copy): say it in
			// the essay's voice instead.
			s = pc.w.splice(rng, topic)
			pc.add(s)
		}
		if s == "" {
			continue
		}
		n := utf8.RuneCountInString(s)
		if len(out) > 0 && room+1+n > per {
			break
		}
		if len(out) > 0 {
			room++
		}
		room += n
		out = append(out, s)
	}
	return out
}

// paragraphRoom is how many characters each of a manifesto's paragraphs
// may take.
func paragraphRoom(paragraphs int) int { return (MaxManifesto-len(Hail)-2)/paragraphs - 2 }

// NewRand returns the random source every text with this seed is drawn
// from.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x676c6f77636c6f75)) // "glowclou"
}

// Manifesto returns a titled manifesto of 1..5 paragraphs (others are
// clamped) about topic (may be empty), closing with Hail. The title is at
// most LongestTitle characters and the body at most MaxManifesto.
func (w *Writer) Manifesto(seed uint64, topic string, paragraphs int) (title, body string) {
	return manifesto(seed, topic, paragraphs, func() *Writer { return w })
}

// manifesto writes Manifesto's text, each paragraph from the Writer source
// returns for it (called once a paragraph, in order); the title is the
// first paragraph's Writer's. A Writer's paragraphs share one piece (what
// it has said is not said again).
func manifesto(seed uint64, topic string, paragraphs int, source func() *Writer) (title, body string) {
	rng := NewRand(seed)
	paragraphs = min(max(paragraphs, limits.MinParagraphs), limits.MaxParagraphs)
	topic = Clean(topic, limits.MaxTopic)

	per := paragraphRoom(paragraphs)
	var first *Writer
	pieces := make(map[*Writer]*piece, 2)
	var paras []string
	var srcs []*Writer // each paragraph's Writer
	for p := 0; p < paragraphs; p++ {
		w := source()
		if first == nil {
			first = w
		}
		pc := pieces[w]
		if pc == nil {
			pc = w.newPiece(rng, w.steer(topic))
			pc.reserve(Hail)
			pieces[w] = pc
		}
		var b strings.Builder
		b.WriteString(strings.Join(pc.paragraph(rng, per, topic, p == 0), " "))
		if b.Len() == 0 {
			if p > 0 {
				// The model has said all it can: a shorter piece, not
				// filler.
				break
			}
			b.WriteString(silence(rng))
		}
		paras = append(paras, b.String())
		srcs = append(srcs, w)
	}
	title = first.typeset(first.title(rng, topic, paras))
	for i, w := range srcs {
		paras[i] = w.typeset(paras[i])
	}
	paras = append(paras, Hail)
	return title, strings.Join(paras, "\n\n")
}

// Squint returns a short text that opens by declaring thing anarchist if you
// squint, then argues it in two or three generated sentences woven from the
// thing's words where the model knows them. It is at most MaxShort
// characters.
func (w *Writer) Squint(seed uint64, thing string) string {
	rng := NewRand(seed)
	thing = Clean(thing, limits.MaxThing)
	if thing == "" {
		thing = "Everything"
	}
	words := w.steer(thing)
	lines := []string{w.squintLine(thing)}
	n := 2 + rng.IntN(2)
	pc := w.newPiece(rng, words)
	pc.add(lines[0])
	for i := 0; i < n; i++ {
		// What is left of the room, so a long topic still leaves a
		// sentence that fits.
		room := MaxShort - utf8.RuneCountInString(strings.Join(lines, " ")) - 1
		s := pc.next(i < 2, min(squintChars, room))
		if i == 0 && !mentions(s, thing) {
			s = w.splice(rng, thing)
			pc.add(s)
		}
		if s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) == 1 {
		lines = append(lines, silence(rng))
	}
	return w.typeset(joinWithin(lines, MaxShort))
}

// Glowcloud returns a short proclamation of the Glow Cloud: an opening, one
// to three generated sentences, and a hail. It is at most MaxShort
// characters.
func (w *Writer) Glowcloud(seed uint64) string {
	rng := NewRand(seed)
	lines := []string{openings[rng.IntN(len(openings))]}
	n := 1 + rng.IntN(3)
	pc := w.newPiece(rng, w.steer(strings.Join(cloudWords, " ")))
	pc.add(lines[0])
	for _, h := range hails {
		pc.reserve(h)
	}
	for i := 0; i < n; i++ {
		if s := pc.next(i == 0, sentenceChars); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) == 1 {
		lines = append(lines, silence(rng))
	}
	lines = append(lines, hails[rng.IntN(len(hails))])
	return w.typeset(joinWithin(lines, MaxShort))
}

// mentions reports whether sentence s says phrase: its words, in order,
// ignoring case and punctuation.
func mentions(s, phrase string) bool {
	p := strings.Join(textWords(phrase), " ")
	return p != "" && strings.Contains(" "+strings.Join(textWords(s), " ")+" ", " "+p+" ")
}

// steer returns the words of text the model can steer through, leaving out
// words too common to mean anything.
func (w *Writer) steer(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		f = markov.Fold(f)
		if f == "" || stopWords[f] || !w.m.Knows(f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Clean trims user input for use in text: whitespace collapsed, control
// characters dropped, trailing sentence punctuation removed, and at most
// max characters (cut at a word boundary where possible).
func Clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ".!?,;: ")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)[:max]
		s = string(r)
		if i := strings.LastIndexByte(s, ' '); i > max/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, ".!?,;: ")
	}
	return s
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// joinWithin joins lines with spaces, dropping lines from the end (but never the
// first or last) until the text is at most max characters.
func joinWithin(lines []string, max int) string {
	for len(lines) > 2 && utf8.RuneCountInString(strings.Join(lines, " ")) > max {
		lines = append(lines[:len(lines)-2], lines[len(lines)-1])
	}
	s := strings.Join(lines, " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}

// Manifestos returns n manifestos with seeds seed, seed+1, ..., each its
// title, a blank line and its body, separated by lines "---": the text
// `glowcloud manifesto -n N` prints.
func (w *Writer) Manifestos(seed uint64, n int, topic string, paragraphs int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		title, body := w.Manifesto(seed+uint64(i), topic, paragraphs)
		b.WriteString(title)
		b.WriteString("\n\n")
		b.WriteString(body)
		b.WriteString("\n")
	}
	return b.String()
}

// Sentences returns what the model can show of itself alone: the sentences
// it was trained on (corpus) and its curated generated ones (the pool,
// novel by the model's rules: no training sentence repeated, no long run
// of one copied). Real or Glow Cloud? draws its rounds from them.
func (w *Writer) Sentences() (corpus, generated []string) {
	pool := w.m.Pool()
	generated = make([]string, len(pool))
	for i, p := range pool {
		generated[i] = w.typeset(p.Text)
	}
	// Both typeset alike (see typeset): the quiz shows either, and a
	// quote's shape must not tell which.
	corpus = slices.Clone(w.m.TrainingSentences())
	for i, c := range corpus {
		corpus[i] = w.typeset(c)
	}
	return corpus, generated
}
