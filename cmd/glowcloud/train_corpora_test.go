package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/markov"
)

// smallWarningRE is train's warning about a text too small to write new
// text: the figure, what the output will do, and what to do about it.
var smallWarningRE = regexp.MustCompile(`(?m)^glowcloud: warning: this text is too small to write new text: (\d+) sentences? and (\d+) words? give its chain (\d+) places? where a sentence can go on in more than one way \(200 are needed; the embedded essay's 6,080 words give 413\)\. ` +
	`(Every sentence it could write is one of its own, which glowcloud never repeats: its manifestos will fall silent\.|Its manifestos will repeat its own sentences with a few words changed, repeat themselves, and fall silent where they run out\.) ` +
	`Train on more text: a few thousand words of prose(, or a lower -order than \d .+)?\.\n\z`)

// TestTrainSmallChat: a small chat log (lower-case lines with no full stop,
// Markdown, mentions, links, emoji, a code block) is cleaned and learned,
// not dropped; train counts what it dropped and why, with what to do, and
// warns that the text is too small to write new text.
func TestTrainSmallChat(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "chat.model")
	r := glowcloud(t, nil, "", "train", "-o", out, filepath.Join("..", "..", "corpus", "testdata", "chat.txt"))
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"glowcloud: learned 9 sentences, 69 words, ",
		"glowcloud: dropped 1 sentence that lost words — a possessive with no owner, a comma where a word was, empty quotes or a link in mid-sentence: check how the text was copied",
		`glowcloud: dropped 3 fragments of fewer than 3 words — write whole sentences: a reply such as "lol ok" teaches the chain nothing`,
		"glowcloud: dropped 1 date, byline or metadata line — nothing to do: they are not prose",
		"glowcloud: dropped 3 lines of code blocks — nothing to do: code is not prose",
		"glowcloud: cleaned: 1 URL removed; 2 mentions and e-mail addresses removed; 2 emoji codes and emoticons removed; 1 link kept as its text; 8 Markdown marks removed; 7 sentence starts capitalised; 8 full stops added to lines that had none\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	m := smallWarningRE.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no warning that the text is too small, at the end of stderr:\n%s", r.stderr)
	}
	if m[1] != "9" || m[2] != "69" {
		t.Errorf("warning names %s sentences and %s words, want 9 and 69", m[1], m[2])
	}
	if forks, _ := strconv.Atoi(m[3]); forks < 1 || forks >= 200 {
		t.Errorf("warning names %d places to fork", forks)
	}
	if !strings.Contains(m[4], "repeat its own sentences") {
		t.Errorf("a chain with %s forks is said to %q", m[3], m[4])
	}

	model, err := markov.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Hey everyone, the meeting is moved to thursday.",
		"IMPORTANT: bring your own snacks this time.",
		"Did you see the new rules?",
		"I think the glow cloud is watching us all.",
		"The Glow Cloud does not care about your snacks.",
		"Check out the wiki for the schedule.",
		"Nobody expects the spanish inquisition glow cloud.",
		"The cloud is made of bees apparently.",
		"We should vote on the new logo before friday.",
	}
	if got := model.TrainingSentences(); !slices.Equal(got, want) {
		t.Errorf("learned:\n%q\nwant:\n%q", got, want)
	}
}

// TestTrainTooSmallFallsSilent: a text with no fork at all is said to fall
// silent; one sentence is one sentence.
func TestTrainTooSmallFallsSilent(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "one.model")
	r := glowcloud(t, nil, "the cloud glows over the quiet town tonight\n", "train", "-order", "1", "-o", out, "-")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "glowcloud: learned 1 sentence, 8 words, ") {
		t.Errorf("stderr does not say 1 sentence, 8 words:\n%s", r.stderr)
	}
	m := smallWarningRE.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no warning that the text is too small, at the end of stderr:\n%s", r.stderr)
	}
	if m[3] != "0" || !strings.Contains(m[4], "fall silent.") || m[5] != "" {
		t.Errorf("a chain without forks at order 1: %q", m[0])
	}
}

// TestTooSmallNamesTheEssay keeps the warning's comparison true: the
// embedded essay's words and forks, and that it is not too small itself.
func TestTooSmallNamesTheEssay(t *testing.T) {
	t.Parallel()
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.Itoa(m.Meta().Words); essayWords != got[:1]+","+got[1:]+" words" {
		t.Errorf("essayWords = %q; the essay has %s words", essayWords, got)
	}
	if m.Forks() != essayForks {
		t.Errorf("essayForks = %d; the essay's model has %d", essayForks, m.Forks())
	}
	if w := tooSmall(m.Forks(), m.Meta()); w != "" {
		t.Errorf("the essay is too small: %s", w)
	}
}

// TestTrainSherlockLearnsNoLicence: trained on The Adventures of Sherlock
// Holmes as Project Gutenberg ships it, the model learns the book and not
// one sentence of Gutenberg's header, credits or licence. The book is cut
// to its first 700 lines (A Scandal in Bohemia's first part and some of
// its second, 5,000 words: enough to write from), between Gutenberg's
// header and its whole footer and licence as shipped: the framing is what
// is tested, and the whole book took minutes to train under -race (its
// first 1,500 lines, seconds).
func TestTrainSherlockLearnsNoLicence(t *testing.T) {
	t.Parallel()
	book := sharedfiles.Path("corpora/sherlock.txt")
	if book == "" {
		t.Skip(sharedfiles.Where("corpora/sherlock.txt") + " not found")
	}
	text, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(text), "\n")
	end := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "*** END OF") })
	if end < 2000 {
		t.Fatalf("sherlock.txt has no Gutenberg footer past line 2000 (at %d)", end)
	}
	cut := 700 // at the blank line after it: the footer's marker starts a paragraph
	for strings.TrimSpace(lines[cut]) != "" {
		cut++
	}
	path := filepath.Join(t.TempDir(), "sherlock.txt")
	if err := os.WriteFile(path, []byte(strings.Join(append(lines[:cut+1:cut+1], lines[end:]...), "")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sherlock.model")
	r := glowcloud(t, nil, "", "train", "-o", out, path)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^glowcloud: dropped \d+ paragraphs of Project Gutenberg header, footer and licence — `).MatchString(r.stderr) {
		t.Errorf("train does not say it dropped Gutenberg's header and licence:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "warning:") {
		t.Errorf("sherlock is not too small:\n%s", r.stderr)
	}
	// The model file holds every word the chain learned (and its
	// headings): not one of Gutenberg's. (Read as bytes: this checks what
	// train wrote, whatever loading a model costs.)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	licence := regexp.MustCompile(`Gutenberg|\beBooks?\b|\b1\.[A-F]\.|\bPGLAF\b|gutenberg\.(org|net)|pglaf\.org`)
	if found := licence.FindAll(data, 10); len(found) > 0 {
		t.Errorf("the model holds Project Gutenberg's words: %q", found)
	}
	// A word is learned as a token, with the punctuation it was written
	// with (Watson, in these pages, is always "Watson," or "Watson.").
	for _, want := range []string{"Irene", "Holmes", "Watson"} {
		if !regexp.MustCompile(`"` + want + `[.,;:!?]?"`).Match(data) {
			t.Errorf("the book's word %s is not learned", want)
		}
	}
}
