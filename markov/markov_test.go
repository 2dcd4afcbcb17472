package markov_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/corpus"
	embedded "github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/mb-14/gomarkov"
)

// essay returns the embedded essay's model and the essay's text. The
// model is the package essay's, decoded from the file training the essay
// gives (essay.TestEmbeddedModelIsCurrent keeps it so) in milliseconds:
// training it again for each test cost seconds under -race. Tests of
// training itself use trainedEssay.
func essay(t testing.TB) (*markov.Model, *corpus.Text) {
	t.Helper()
	m, err := embedded.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m, corpus.Parse(corpus.EssayText())
}

// essayTrainings are two models of the essay, each trained once for the
// package on first use: the tests of training that need a model trained
// in process share them (each training costs 2 s of CPU under -race), and
// the tests that two trainings agree compare the first with the second.
// The first is Train of the parsed essay; the second is the essay file
// trained as `glowcloud train` trains it (trainLikeTheCommand:
// corpus.Read's compact lines given to TrainLines), which
// TestTrainLinesMatchesTrain holds to be the first byte for byte and
// TestTrainedModelsLoad loads.
var essayTrainings = [2]func() (*markov.Model, error){
	sync.OnceValues(func() (*markov.Model, error) {
		text := corpus.Parse(corpus.EssayText())
		return markov.Train(text.Sentences, markov.TrainOptions{Headings: text.Headings, Now: fixedNow})
	}),
	sync.OnceValues(func() (*markov.Model, error) { return trainLikeTheCommand(essayFile, fixedNow) }),
}

// essayFile is the essay's text file, the one corpus.EssayText embeds.
var essayFile = filepath.Join("..", "corpus", "socialism-is-anarchist-if-you-squint.txt")

// trainedEssay returns training i (0 or 1) of the essay (see
// essayTrainings): two calls with different i are two trainings, two
// calls with the same i one. The model is shared: do not change it.
func trainedEssay(t testing.TB, i int) *markov.Model {
	t.Helper()
	m, err := essayTrainings[i]()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

// longestShared returns a func giving the longest run of words that s
// shares with any corpus sentence, by brute force: the independent check
// of the model's suffix-array novelty index. Every place a word of s
// stands in the corpus is a start tried, and only those: a run cannot
// start where the words differ (comparing every pair of places instead
// cost two seconds a thousand sentences under -race).
func longestShared(text *corpus.Text) func(s []string) int {
	at := map[string][][2]int{} // a word's places: sentence, word
	for n, c := range text.Sentences {
		for j, w := range c {
			at[w] = append(at[w], [2]int{n, j})
		}
	}
	return func(s []string) int {
		best := 0
		for i := range s {
			for _, p := range at[s[i]] {
				c, j := text.Sentences[p[0]], p[1]
				k := 0
				for i+k < len(s) && j+k < len(c) && s[i+k] == c[j+k] {
					k++
				}
				best = max(best, k)
			}
		}
		return best
	}
}

func TestSentencesAreNovelDistinctAndReadable(t *testing.T) {
	t.Parallel()
	m, text := essay(t)
	sharedRun := longestShared(text)
	verbatim := map[string]bool{}
	for _, s := range text.Sentences {
		verbatim[strings.Join(s, " ")] = true
	}
	const n = 1000
	seen := map[string]int{}
	for seed := range uint64(n) {
		s, err := m.Sentence(rng(seed), markov.Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		seen[s.Text]++
		words := strings.Fields(s.Text)
		if verbatim[s.Text] {
			t.Errorf("seed %d: verbatim corpus sentence %q", seed, s.Text)
		}
		// The first word may have been capitalised; compare as generated.
		if shared, limit := sharedRun(words[1:]), min(len(words)*7/10, 14); shared > limit {
			t.Errorf("seed %d: shares %d consecutive words with the corpus (limit %d): %q", seed, shared, limit, s.Text)
		}
		checkReadable(t, s.Text)
		if len(words) != s.Words {
			t.Errorf("seed %d: Words = %d, text has %d", seed, s.Words, len(words))
		}
	}
	if distinct := len(seen); distinct < n*95/100 {
		t.Errorf("%d distinct sentences of %d, want at least 95%%", distinct, n)
	}
}

func checkReadable(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("invalid UTF-8: %q", s)
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, `"'([`))
	if unicode.IsLetter(first) && !unicode.IsUpper(first) {
		t.Errorf("not capitalised: %q", s)
	}
	core := strings.TrimRight(s, `"')]`)
	if !strings.ContainsAny(core[len(core)-1:], ".!?") {
		t.Errorf("no terminal punctuation: %q", s)
	}
	if strings.Count(s, `"`)%2 != 0 || strings.Count(s, "(") != strings.Count(s, ")") {
		t.Errorf("unbalanced: %q", s)
	}
	if strings.Contains(s, "  ") || strings.HasSuffix(s, "—") || strings.HasPrefix(s, "—") {
		t.Errorf("doubled space or dangling dash: %q", s)
	}
	if n := utf8.RuneCountInString(s); n > 280 {
		t.Errorf("%d characters: %q", n, s)
	}
}

func TestSameSeedSameSentence(t *testing.T) {
	t.Parallel()
	m1, m2 := trainedEssay(t, 0), trainedEssay(t, 1)
	for seed := range uint64(50) {
		a, err1 := m1.Sentence(rng(seed), markov.Options{Topic: []string{"anarchism"}})
		b, err2 := m2.Sentence(rng(seed), markov.Options{Topic: []string{"anarchism"}})
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("seed %d: %+v %v vs %+v %v", seed, a, err1, b, err2)
		}
	}
}

func TestTopicSteering(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	for _, topic := range []string{"anarchism", "Capitalism", "cloud", "planning"} {
		if !m.Knows(topic) {
			t.Fatalf("model does not know %q", topic)
		}
		hits := 0
		for seed := range uint64(100) {
			s, err := m.Sentence(rng(seed), markov.Options{Topic: []string{topic}})
			if err != nil {
				continue
			}
			for _, w := range strings.Fields(s.Text) {
				if markov.Fold(w) == markov.Fold(topic) {
					hits++
					break
				}
			}
		}
		if hits < 80 {
			t.Errorf("topic %q appears in %d of 100 sentences, want most", topic, hits)
		}
	}
	if m.Knows("zxqvbn") {
		t.Error("model knows a word that is not in the essay")
	}
	if _, err := m.Sentence(rng(1), markov.Options{Topic: []string{"zxqvbn"}}); err != nil {
		t.Errorf("unknown topic: %v, want a sentence anyway", err)
	}
}

func TestConcurrentGeneration(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	var wg sync.WaitGroup
	results := make([]string, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				s, err := m.Sentence(rng(uint64(g*1000+i)), markov.Options{Topic: []string{"socialism"}})
				if err != nil {
					t.Error(err)
					return
				}
				if i == 0 {
					results[g] = s.Text
				}
			}
		})
	}
	wg.Wait()
	for g, got := range results {
		want, _ := m.Sentence(rng(uint64(g*1000)), markov.Options{Topic: []string{"socialism"}})
		if got != want.Text {
			t.Errorf("goroutine %d: %q, serially %q", g, got, want.Text)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	path := filepath.Join(t.TempDir(), "essay.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := markov.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meta() != m.Meta() || got.ID() != m.ID() || !slices.Equal(got.Headings(), m.Headings()) {
		t.Errorf("loaded %+v %s, saved %+v %s", got.Meta(), got.ID(), m.Meta(), m.ID())
	}
	for seed := range uint64(100) {
		a, _ := m.Sentence(rng(seed), markov.Options{Topic: []string{"anarchism"}})
		b, _ := got.Sentence(rng(seed), markov.Options{Topic: []string{"anarchism"}})
		if a != b {
			t.Fatalf("seed %d: saved model says %q, loaded %q", seed, a.Text, b.Text)
		}
	}
	// Saving the loaded model gives the same bytes.
	var b1, b2 bytes.Buffer
	if err := m.Encode(&b1); err != nil {
		t.Fatal(err)
	}
	if err := got.Encode(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("re-encoding a loaded model changed its bytes")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("save left %d files behind, want only the model", len(entries))
	}
}

// TestSaveIsGomarkovJSON checks that the file's body is gomarkov's own
// format: gomarkov reads it and agrees on every transition.
func TestSaveIsGomarkovJSON(t *testing.T) {
	t.Parallel()
	sentences := [][]string{
		strings.Fields("The ^ caret costs $ 5 and a_b is 100% real."),
		strings.Fields("The Glow Cloud says \"hello\" and \\ back."),
		strings.Fields("The Glow Cloud is made of a_b and ^."),
	}
	for order := 1; order <= 3; order++ {
		m, err := markov.Train(sentences, markov.TrainOptions{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		var env struct {
			Chains []json.RawMessage `json:"chains"`
		}
		if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		if len(env.Chains) != 1 {
			t.Fatalf("%d chains in the file of a small corpus, want 1", len(env.Chains))
		}
		// The body is gomarkov's own MarshalJSON of the (escaped) sentences,
		// byte for byte.
		want := gomarkov.NewChain(order)
		for _, s := range sentences {
			want.Add(strings.Fields(strings.NewReplacer("%", "%25", "_", "%5F", "^", "%5E", "$", "%24").Replace(strings.Join(s, " "))))
		}
		if wantJSON, err := want.MarshalJSON(); err != nil || !bytes.Equal(env.Chains[0], wantJSON) {
			t.Errorf("order %d: the file's body is not gomarkov's MarshalJSON (%v):\n%s\nwant\n%s", order, err, env.Chains[0], wantJSON)
		}
		var chain gomarkov.Chain
		if err := json.Unmarshal(env.Chains[0], &chain); err != nil {
			t.Fatalf("gomarkov cannot read the body: %v", err)
		}
		if chain.Order != order {
			t.Errorf("gomarkov reads order %d, want %d", chain.Order, order)
		}
		// Every sentence start: gomarkov agrees "The" always opens.
		start := make(gomarkov.NGram, order)
		for i := range start {
			start[i] = gomarkov.StartToken
		}
		if p, err := chain.TransitionProbability("The", start); err != nil || p != 1 {
			t.Errorf("order %d: P(The | start) = %v, %v; want 1", order, p, err)
		}
		// The escaped tokens are what gomarkov sees.
		if order == 1 {
			// "and" is followed by "a_b", "\" and "^." once each.
			if p, _ := chain.TransitionProbability("a%5Fb", gomarkov.NGram{"and"}); p != 1.0/3 {
				t.Errorf("P(a_b | and) = %v, want 1/3", p)
			}
		}
	}
}

func TestTokensLikeMarkersSurvive(t *testing.T) {
	t.Parallel()
	var sentences [][]string
	for range 5 {
		sentences = append(sentences, strings.Fields("One ^ two $ three a_b four % five."))
	}
	m, err := markov.Train(sentences, markov.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The only walk is the sentence itself (a copy, so with novelty off).
	ids := m.Meta()
	if ids.Vocabulary != 9 {
		t.Errorf("vocabulary %d, want 9 (the markers must be words like any other)", ids.Vocabulary)
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := markov.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meta() != m.Meta() {
		t.Errorf("round trip changed meta: %+v vs %+v", got.Meta(), m.Meta())
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	var good bytes.Buffer
	if err := m.Encode(&good); err != nil {
		t.Fatal(err)
	}
	g := good.String()
	at := strings.Index(g, `"freq_mat":`)
	flip := g[:at] + strings.Replace(g[at:], `":1}`, `":2}`, 1)
	if flip == g {
		t.Fatal("test setup: no count to edit")
	}
	for _, tt := range []struct {
		name string
		data string
		want error
	}{
		{"empty", "", markov.ErrFormat},
		{"garbage", "not a model at all", markov.ErrFormat},
		{"other json", `{"hello":"world"}`, markov.ErrFormat},
		{"truncated", g[:len(g)/2], markov.ErrFormat},
		{"truncated end", g[:len(g)-3], markov.ErrFormat},
		{"future version", strings.Replace(g, `"format":3,`, `"format":4,`, 1), markov.ErrVersion},
		{"version 1", strings.Replace(g, `"format":3,`, `"format":1,`, 1), markov.ErrVersion},
		{"version 2", strings.Replace(g, `"format":3,`, `"format":2,`, 1), markov.ErrVersion},
		{"chain bytes edited", strings.Replace(g, `"chain_bytes":[`, `"chain_bytes":[1`, 1), markov.ErrFormat},
		{"no chains", g[:strings.Index(g, `,"chains":[`)] + `,"chains":[]}`, markov.ErrFormat},
		{"data after the chains", strings.TrimSuffix(g, "\n") + "{}", markov.ErrFormat},
		{"chain edited", flip, markov.ErrFormat},
		{"meta edited", strings.Replace(g, fmt.Sprintf(`"sentences":%d`, m.Meta().Sentences), `"sentences":3`, 1), markov.ErrFormat},
		{"order edited", strings.Replace(g, `"order":2`, `"order":3`, 1), markov.ErrFormat},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := markov.Decode(strings.NewReader(tt.data))
			if !errors.Is(err, tt.want) || got != nil {
				t.Errorf("Decode: model %v, error %v; want no model, %v", got != nil, err, tt.want)
			}
		})
	}
	// A model file written by the previous release (one chain body,
	// re-encoded by this package) says it is of another version.
	if _, err := markov.Load(filepath.Join("testdata", "format1.model")); !errors.Is(err, markov.ErrVersion) {
		t.Errorf("Load(a format 1 file) = %v, want %v", err, markov.ErrVersion)
	}
	if _, err := markov.Load(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want not-exist", err)
	}
}

// TestSaveFailureKeepsOldFile makes Save fail at its last step, the rename
// over path (a non-empty directory stands in the model's place): what is at
// path stays as it was and the temporary file is cleaned up.
func TestSaveFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m")
	if err := os.MkdirAll(filepath.Join(path, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path); err == nil {
		t.Fatal("save over a non-empty directory succeeded")
	}
	if entries, _ := os.ReadDir(path); len(entries) != 1 || entries[0].Name() != "old" {
		t.Errorf("what was at the model's path changed: %v", entries)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"m"}) {
		t.Errorf("files beside the model after a failed save: %q, want only %q", names, "m")
	}
}

// TestSaveNeverWritesIntoTheOldFile checks that Save replaces the file at
// path instead of rewriting it in place: a hard link to the old file still
// reads the old content, so a reader holding it open never sees half a
// model, and a crash mid-save leaves the old model whole.
func TestSaveNeverWritesIntoTheOldFile(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	dir := t.TempDir()
	path, link := filepath.Join(dir, "m"), filepath.Join(dir, "old")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, link); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(link); string(b) != "old" {
		t.Errorf("Save wrote into the old file: it now holds %d bytes", len(b))
	}
	if got, err := markov.Load(path); err != nil || got.ID() != m.ID() {
		t.Errorf("Load after Save: %v", err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"m", "old"}) {
		t.Errorf("files after a save: %q, want the model and the link", names)
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestTrainErrors(t *testing.T) {
	t.Parallel()
	if _, err := markov.Train(nil, markov.TrainOptions{}); !errors.Is(err, corpus.ErrEmpty) {
		t.Errorf("Train(nil) = %v, want ErrEmpty", err)
	}
	if _, err := markov.Train([][]string{{"", " "}}, markov.TrainOptions{}); !errors.Is(err, corpus.ErrEmpty) {
		t.Errorf("Train(blank) = %v, want ErrEmpty", err)
	}
	if _, err := markov.Train([][]string{{"a", "b"}}, markov.TrainOptions{Order: markov.MaxOrder + 1}); err == nil {
		t.Error("order beyond MaxOrder accepted")
	}
}

func FuzzDecode(f *testing.F) {
	text := corpus.Parse("The cloud is here. The cloud is near! What is the cloud?")
	m, err := markov.Train(text.Sentences, markov.TrainOptions{Order: 1, Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"glowcloud_model":"x","format":1}`))
	f.Add([]byte(`{}`))
	// Crafted files: huge declared counts and chains, bodies holding more
	// than their header declares, deep JSON, a giant heading.
	for _, data := range markov.CraftedModels(m) {
		f.Add(data)
	}
	// Honest files built to be expensive: every shape of the load-memory
	// budget's test (see TestLoadPeakMemory).
	for _, data := range markov.ExpensiveModels(128<<10, 0) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := markov.Decode(bytes.NewReader(data))
		if err == nil && len(data) > 1<<20 {
			t.Errorf("decoded a %d-byte model, larger than any this fuzz target seeds", len(data))
		}
		if err != nil {
			return
		}
		for seed := range uint64(3) {
			if s, err := m.Sentence(rng(seed), markov.Options{MinBits: -1}); err == nil && !utf8.ValidString(s.Text) {
				t.Errorf("invalid UTF-8 from a decoded model: %q", s.Text)
			}
		}
	})
}

func FuzzTrainGenerate(f *testing.F) {
	f.Add("The cloud is here. The cloud is near! What is the cloud?", uint64(1), 2)
	f.Add("A ^ b $ c. A_b ^_^ $$ %. D e f g.", uint64(2), 1)
	f.Add(corpus.EssayText()[:2000], uint64(3), 3)
	f.Fuzz(func(t *testing.T, input string, seed uint64, order int) {
		order = 1 + (order%3+3)%3
		text := corpus.Parse(input)
		m, err := markov.Train(text.Sentences, markov.TrainOptions{Order: order})
		if err != nil {
			if !errors.Is(err, corpus.ErrEmpty) {
				t.Fatalf("Train: %v", err)
			}
			return
		}
		topic := strings.Fields(input)
		for i := range uint64(3) {
			// BackOff 0, 0.5 and 1: the lower-order tables of any chain.
			s, err := m.Sentence(rng(seed+i), markov.Options{Topic: topic, MinBits: -1, MinWords: 1, BackOff: float64(i) / 2})
			if err != nil {
				continue
			}
			if !utf8.ValidString(s.Text) || strings.Contains(s.Text, "  ") {
				t.Errorf("bad sentence %q", s.Text)
			}
		}
		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := markov.Decode(&buf)
		if err != nil {
			t.Fatalf("decode what was encoded: %v", err)
		}
		if back.Meta() != m.Meta() {
			t.Errorf("round trip changed meta")
		}
	})
}

// Two sentences meet in "the Glow Cloud", so a walk can cross from one to
// the other. Both copies of the corpus are refused, and so is the crossing
// that ends with the second sentence's long tail (it shares 12 of its 16
// words with the corpus, more than 70 %): one sentence is left to say, for
// any seed.
func ExampleModel_Sentence() {
	m, err := markov.Train([][]string{
		strings.Fields("All the workers hail the Glow Cloud at dawn each day."),
		strings.Fields("Every night the anarchists fear the Glow Cloud and its many eyes that see all of them."),
	}, markov.TrainOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rng := rand.New(rand.NewPCG(1, 2)) // one per caller: a Model is safe for concurrent use
	s, err := m.Sentence(rng, markov.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Text)
	fmt.Println(s.Words, "words")
	// Output:
	// Every night the anarchists fear the Glow Cloud at dawn each day.
	// 12 words
}

// TestTrainLinesMatchesTrain checks that the compact input (the essay file
// as corpus.Read gives it to train: see essayTrainings) gives the same
// model as Train of the parsed essay, byte for byte.
func TestTrainLinesMatchesTrain(t *testing.T) {
	t.Parallel()
	a, b := trainedEssay(t, 0), trainedEssay(t, 1)
	var ea, eb bytes.Buffer
	if err := a.Encode(&ea); err != nil {
		t.Fatal(err)
	}
	if err := b.Encode(&eb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ea.Bytes(), eb.Bytes()) {
		t.Error("TrainLines and Train made different models of the same sentences")
	}
}

// TestLoadRefusesCraftedModels: crafted 20–48 MB files once cost 300–505 MB
// to load. Each crafted file (valid checksum, hostile header or body) is
// refused, and the ones whose header gives them away are refused having
// read little more than the header.
func TestLoadRefusesCraftedModels(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	for name, data := range markov.CraftedModels(m) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := markov.Decode(bytes.NewReader(data))
			if err == nil || got != nil {
				t.Fatalf("Decode accepted a crafted model (%d bytes)", len(data))
			}
			if !errors.Is(err, markov.ErrFormat) && !errors.Is(err, markov.ErrTooLarge) {
				t.Errorf("Decode: %v, want ErrFormat or ErrTooLarge", err)
			}
			if strings.Contains(name, "than declared") && !strings.Contains(err.Error(), "the header declares") {
				t.Errorf("Decode: %v, want the body's excess refused", err)
			}
			// The file's bytes, then an endless stream: a loader that
			// trusts the header's sizes without checking them reads on.
			r := &countingReader{r: io.MultiReader(bytes.NewReader(data), endless{})}
			if _, err := markov.Decode(r); err == nil || r.n > int64(len(data))+1<<20 {
				t.Errorf("Decode(the file, then endless zeros) = %v after %d bytes of a %d-byte file", err, r.n, len(data))
			}
		})
	}
}

// TestLoadLimit: a file over the Loader's limit is refused unread, and so is
// anything but a regular file.
func TestLoadLimit(t *testing.T) {
	t.Parallel()
	m, _ := essay(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (markov.Loader{MaxBytes: fi.Size() - 1}).Load(path); !errors.Is(err, markov.ErrTooLarge) {
		t.Errorf("Load over the limit = %v, want ErrTooLarge", err)
	}
	if got, err := (markov.Loader{MaxBytes: fi.Size()}).Load(path); err != nil || got.ID() != m.ID() {
		t.Errorf("Load at the limit = %v", err)
	}
	// A 5 GB file renamed over the model once held serve for 38 s and
	// 9.8 GB: one over the limit (sparse, so it costs no disk) is refused
	// without a byte read.
	huge := filepath.Join(dir, "huge.model")
	if err := os.WriteFile(huge, good(t, m), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, markov.DefaultMaxModel+1); err != nil {
		t.Fatal(err)
	}
	if _, err := markov.Load(huge); !errors.Is(err, markov.ErrTooLarge) {
		t.Errorf("Load(a file over DefaultMaxModel) = %v, want ErrTooLarge", err)
	}
	r := &countingReader{r: io.MultiReader(bytes.NewReader(make([]byte, 0)), endless{})}
	if _, err := (markov.Loader{MaxBytes: 1 << 20}).Decode(r); !errors.Is(err, markov.ErrFormat) || r.n > 1<<20 {
		t.Errorf("Decode(endless zeros) = %v after %d bytes, want ErrFormat at once", err, r.n)
	}
	if _, err := markov.Load(dir); !errors.Is(err, markov.ErrFormat) || !strings.Contains(err.Error(), "a directory, not a regular file") {
		t.Errorf("Load(a directory) = %v", err)
	}
}

// good returns m's model file.
func good(t *testing.T, m *markov.Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := m.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless reads zeros forever, as /dev/zero does.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }
