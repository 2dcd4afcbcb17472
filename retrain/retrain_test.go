package retrain_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/retrain"
)

// corpusDir returns a new corpus directory holding a few sentences of
// prose (notes.txt), so that a Trainer over it does not seed it with the
// essay: for the tests of what a retrain does with names, bytes, encodings
// and files, where training the essay cost seconds under -race each time
// and tested nothing more. (TestEmptyCorpusIsSeededWithTheEssay and
// TestRetrainAddsTrainsSavesAndSwaps keep the seeding.)
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	notes := "The Glow Cloud drifts over the town hall at dusk. The council votes to hail it, and nobody remembers the vote. " +
		"The dog park is closed until the cloud has passed.\n"
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(notes), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRetrainAddsTrainsSavesAndSwaps: a retrain into an empty corpus
// directory seeds it with the essay, learns the uploads beside it, saves
// the model and swaps it in.
func TestRetrainAddsTrainsSavesAndSwaps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(t.TempDir(), "glowcloud.model")
	var swapped *markov.Model
	tr := &retrain.Trainer{Dir: dir, ModelPath: model, Swap: func(m *markov.Model) { swapped = m }}
	res, err := tr.Retrain(t.Context(), []retrain.File{
		{Name: "essay.txt", Data: []byte(corpus.EssayText())},
		{Name: "../../etc/passwd notes.md", Data: []byte("The tea is anarchist if you squint hard. The tea party is a cooperative.")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// essay.txt holds the bytes of the essay the empty corpus was seeded
	// with: found by its hash and not stored again (it used to be).
	if len(res.Added) != 1 || len(res.Known) != 1 || res.Known[0].Upload != "essay.txt" || swapped == nil || swapped.ID() != res.ModelID {
		t.Fatalf("result %+v, swapped %v", res, swapped)
	}
	// The essay's sentences, seeded, and the two of the upload.
	if essay := corpus.Parse(corpus.EssayText()); res.Meta.Sentences != len(essay.Sentences)+2 {
		t.Errorf("learned %d sentences, want the essay's %d and the upload's 2", res.Meta.Sentences, len(essay.Sentences))
	}
	for _, name := range res.Added {
		if strings.ContainsAny(name, "/\\ ") || !strings.HasSuffix(name, ".txt") && !strings.HasSuffix(name, ".md") {
			t.Errorf("unsafe corpus file name %q", name)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	loaded, err := markov.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Meta() != swapped.Meta() || !loaded.Knows("tea") {
		t.Errorf("saved model differs from the swapped one, or misses the new text")
	}
	if sum := res.Summary(); !strings.Contains(sum, "learned") || strings.Contains(sum, "Too small") {
		t.Errorf("summary %q", sum)
	}
	// The same file again adds nothing; retraining from the directory as it is works.
	res2, err := tr.Retrain(t.Context(), []retrain.File{{Name: "essay.txt", Data: []byte(corpus.EssayText())}})
	if err != nil || len(res2.Added) != 0 || res2.Meta.Sentences != res.Meta.Sentences || res2.ModelID != res.ModelID {
		t.Errorf("retrain with a known file: %+v, %v", res2, err)
	}
}

// TestRetrainSaysWhatItDroppedAndWhenTooSmall: a corpus of chat (the
// essay deleted by its operator) is learned; the summary counts what was
// not learned and says the text is too small to write new text.
func TestRetrainSaysWhatItDroppedAndWhenTooSmall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.txt"), []byte("the glow cloud watches over the town tonight\nlol ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := &retrain.Trainer{Dir: dir}
	res, err := tr.Retrain(t.Context(), []retrain.File{{Name: "chat.md", Data: []byte("2022-03-31\nthe cloud is made of bees apparently\n```\ncode\n```\n")}})
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary()
	for _, want := range []string{
		"learned 2 sentences",
		"; not learned: 1 fragment of fewer than 3 words; 1 date, byline or metadata line; 3 lines of code blocks. ",
		"Too small to write new text: its chain can go more than one way at 1 of the 200 places it needs — its manifestos will repeat its sentences or fall silent",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

func TestRetrainRejectsAndKeepsTheModel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(dir, "glowcloud.model")
	if err := os.WriteFile(model, []byte("the old model"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Text without a sentence, so the directory is not seeded with the essay.
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	swaps := 0
	tr := &retrain.Trainer{Dir: dir, ModelPath: model, Swap: func(*markov.Model) { swaps++ }}
	for _, tt := range []struct {
		name string
		file retrain.File
		want error
	}{
		{"binary", retrain.File{Name: "x.txt", Data: []byte{0x7f, 'E', 'L', 'F', 0, 1}}, corpus.ErrNotText},
		{"UTF-8 mixed with Latin-1", retrain.File{Name: "x.txt", Data: []byte("caf\u00e9 au r\xe9volution")}, corpus.ErrNotText},
		{"image", retrain.File{Name: "cat.png", Data: []byte("PNG")}, corpus.ErrNotText},
		{"huge", retrain.File{Name: "big.txt", Data: make([]byte, corpus.MaxUpload+1)}, corpus.ErrNotText},
		{"no sentences", retrain.File{Name: "x.txt", Data: []byte("hello")}, corpus.ErrEmpty},
	} {
		if _, err := tr.Retrain(t.Context(), []retrain.File{tt.file}); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if b, _ := os.ReadFile(model); string(b) != "the old model" || swaps != 0 {
		t.Errorf("model file changed (%d bytes) after %d swaps; want it untouched", len(b), swaps)
	}
	if _, err := (&retrain.Trainer{}).Retrain(t.Context(), nil); !errors.Is(err, retrain.ErrDisabled) {
		t.Errorf("no directory: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := (&retrain.Trainer{Dir: t.TempDir()}).Retrain(ctx, []retrain.File{{Name: "a.txt", Data: []byte(corpus.EssayText())}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestRetrainOfTheEssayGivesTheEssayID checks that an empty corpus
// directory is seeded with the essay, and that a retrain hashes its corpus
// as training the essay directly does: one corpus, one model id. With no
// ModelPath the model is written into the directory. (Each retrain of the
// essay costs seconds under -race: TestRetrainAddsTrainsSavesAndSwaps
// checks that uploads are learned beside the seeded essay.)
func TestRetrainOfTheEssayGivesTheEssayID(t *testing.T) {
	t.Parallel()
	// The embedded model is the essay trained directly (package essay's
	// TestEmbeddedModelIsCurrent holds it so), decoded in milliseconds.
	want, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := (&retrain.Trainer{Dir: dir}).Retrain(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.ModelID != want.ID() || res.Meta.CorpusSHA256 != want.Meta().CorpusSHA256 {
		t.Errorf("retrain of the seeded essay gives model %s (corpus %s), training the essay gives %s (corpus %s)",
			res.ModelID, res.Meta.CorpusSHA256, want.ID(), want.Meta().CorpusSHA256)
	}
	if m, err := markov.Load(filepath.Join(dir, retrain.ModelName)); err != nil || m.ID() != res.ModelID {
		t.Errorf("the model in the corpus directory: %v", err)
	}
}

// TestRetrainLongName: an upload whose name is far too long for a file
// system (the old code failed on ~243+ characters with a generic error) is
// stored under a shortened name that keeps its extension, and the summary
// says it was renamed.
func TestRetrainLongName(t *testing.T) {
	t.Parallel()
	for _, n := range []int{243, 255, 1000} {
		dir := corpusDir(t)
		tr := &retrain.Trainer{Dir: dir, ModelPath: filepath.Join(t.TempDir(), "m.model")}
		name := strings.Repeat("Scripture", n)[:n-3] + ".md"
		res, err := tr.Retrain(t.Context(), []retrain.File{{Name: name, Data: []byte("The tea is anarchist if you squint hard. The tea party is a cooperative of tea.")}})
		if err != nil {
			t.Fatalf("%d characters: %v", n, err)
		}
		if len(res.Added) != 1 || len(res.Shortened) != 1 || res.Shortened[0] != name {
			t.Fatalf("%d characters: result %+v", n, res)
		}
		if got := res.Added[0]; len(got) > 255-len(".upload-1234567890") || !strings.HasSuffix(got, ".md") {
			t.Errorf("stored as %q (%d bytes)", got, len(got))
		}
		if _, err := os.Stat(filepath.Join(dir, res.Added[0])); err != nil {
			t.Error(err)
		}
		if !strings.Contains(res.Summary(), "renamed") {
			t.Errorf("summary does not say it was renamed: %q", res.Summary())
		}
	}
}

// TestRetrainSameBytesOtherName: the same upload under another name is
// found by the SHA-256 of its bytes and not stored again, and the summary
// says so (the old code stored it once per name).
func TestRetrainSameBytesOtherName(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	tr := &retrain.Trainer{Dir: dir, ModelPath: filepath.Join(t.TempDir(), "m.model")}
	data := []byte("The tea is anarchist if you squint hard. The tea party is a cooperative of tea.")
	first, err := tr.Retrain(t.Context(), []retrain.File{{Name: "tea.txt", Data: data}})
	if err != nil || len(first.Added) != 1 {
		t.Fatalf("first upload: %+v, %v", first, err)
	}
	for _, names := range [][]string{{"TEA (copy).md"}, {"one.txt", "two.txt"}} {
		var files []retrain.File
		for _, n := range names {
			files = append(files, retrain.File{Name: n, Data: data})
		}
		res, err := tr.Retrain(t.Context(), files)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Added) != 0 || len(res.Known) != len(names) || res.Known[0].As != first.Added[0] {
			t.Errorf("%v: result %+v; want nothing added, each known as %s", names, res, first.Added[0])
		}
		if !strings.Contains(res.Summary(), "already scripture") {
			t.Errorf("summary does not say so: %q", res.Summary())
		}
	}
	entries, _ := os.ReadDir(dir)
	texts := 0
	for _, e := range entries {
		if corpus.IsTextName(e.Name()) {
			texts++
		}
	}
	if texts != 2 { // notes.txt and tea.txt
		t.Errorf("%d text files in the corpus, want 2", texts)
	}
}

// TestRetrainInterruptedWritesNothing: a retrain whose context has ended
// before it commits writes nothing: no seeded essay, no upload, no model
// (the old code had added both files before it looked at the context).
func TestRetrainInterruptedWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(t.TempDir(), "m.model")
	tr := &retrain.Trainer{Dir: dir, ModelPath: model, Swap: func(*markov.Model) { t.Error("swapped") }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := tr.Retrain(ctx, []retrain.File{{Name: "tea.txt", Data: []byte("The tea is anarchist if you squint hard.")}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Retrain = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the corpus directory holds %d entries, want none", len(entries))
	}
	if _, err := os.Stat(model); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("model: %v, want none", err)
	}
}
