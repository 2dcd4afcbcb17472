package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
)

// essayFile writes the essay into dir and returns its path.
func essayFile(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "essay.txt")
	if err := os.WriteFile(path, []byte(corpus.EssayText()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallCorpusFile writes a few lines of chat (corpus/testdata/chat.txt)
// into dir as corpus.txt and returns its path: for tests of what train
// does with its arguments and files, where training the essay would cost
// seconds under -race and test nothing more.
func smallCorpusFile(t *testing.T, dir string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "corpus", "testdata", "chat.txt"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dirNames lists the names in dir.
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

// essayModelFile saves the embedded essay's model into a new directory and
// returns its path: the file `glowcloud train -order 2` makes of the essay
// (TestTrainEssayGivesTheEmbeddedID holds them the same), in milliseconds
// where training took seconds under -race. Tests that need a model file,
// not training, use it.
func essayModelFile(t *testing.T) string {
	t.Helper()
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "essay.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// essayHead is the essay's first 1/n, cut between paragraphs: a few
// pages of prose, for tests that need a model that writes but not the
// essay's own, which costs seconds under -race to train.
func essayHead(n int) string {
	text := corpus.EssayText()
	cut := len(text) / n
	cut += strings.Index(text[cut:], "\n\n")
	return text[:cut]
}

// trainModel trains a model of the essay's first eighth at order into a
// new directory and returns the model's path: enough text to write from
// at any order (if too little to write anything new), where the whole
// essay cost seconds more under -race and tested nothing more, and a
// quarter a quarter of a second more at each order.
func trainModel(t *testing.T, order int) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "eighth.txt")
	if err := os.WriteFile(in, []byte(essayHead(8)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model.json")
	r := glowcloud(t, nil, "", "train", "-order", strconv.Itoa(order), "-o", out, in)
	if r.code != 0 {
		t.Fatalf("train: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	return out
}

// essayRun is one `glowcloud train -o out` of the essay: where it ran, and
// what it said.
type essayRun struct {
	dir, out string
	r        result
}

// essayTrained runs `glowcloud train` on the essay read from a file (via
// "file") or from stdin (via "stdin"), once for the package: TestTrain and
// TestTrainEssayGivesTheEmbeddedID judge the same two runs, where each
// trained the essay again (seconds under -race).
func essayTrained(t *testing.T, via string) essayRun {
	t.Helper()
	run, err := essayTrainings[via]()
	if err != nil {
		t.Fatal(err)
	}
	return run
}

var essayTrainings = map[string]func() (essayRun, error){
	"file":  sync.OnceValues(func() (essayRun, error) { return trainEssayVia("file") }),
	"stdin": sync.OnceValues(func() (essayRun, error) { return trainEssayVia("stdin") }),
}

func trainEssayVia(via string) (essayRun, error) {
	shared, err := fixtureDir()
	if err != nil {
		return essayRun{}, err
	}
	dir, err := os.MkdirTemp(shared, "essay-"+via+"-")
	if err != nil {
		return essayRun{}, err
	}
	out := filepath.Join(dir, "model.json")
	args, stdin := []string{"train", "-o", out, "-"}, corpus.EssayText()
	if via == "file" {
		path := filepath.Join(dir, "essay.txt")
		if err := os.WriteFile(path, []byte(corpus.EssayText()), 0o644); err != nil {
			return essayRun{}, err
		}
		args, stdin = []string{"train", "-o", out, path}, ""
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &stdout, &stderr)
	return essayRun{dir: dir, out: out, r: result{code: exitCode(err, &stderr), stdout: stdout.String(), stderr: stderr.String()}}, nil
}

var learnedRE = regexp.MustCompile(`(?m)^glowcloud: learned (\d+) sentences, (\d+) words, (\d+) distinct words, (\d+) states, (\d+) transitions, (\d+) headings from .+\n` +
	`((?:glowcloud: (?:dropped|cleaned:) .+\n)*)` +
	`glowcloud: wrote (.+) \(model ([0-9a-f]+), order (\d+)\) in [0-9.hmµn]+s, peak memory [0-9.]+ (B|KiB|MiB|GiB)\n` +
	`glowcloud: quality of 50 manifestos: \d+ sentences: distinct-3 [0-9.]+, self-BLEU-4 [0-9.]+, copy8 [0-9.]+, copy12 [0-9.]+, unbalanced [0-9.]+, repeat5 [0-9.]+, cohesion [0-9.]+, clause-faults [0-9.]+` +
	`(; TROUBLE: .+|; no figure past its limit \(a blind reader is still the judge\)) \(see 'glowcloud quality'\)\n` +
	`(glowcloud: warning: this text is too small .+\n)?\z`)

// TestTrain judges train's runs on the essay read from a file and from
// stdin (the runs TestTrainEssayGivesTheEmbeddedID judges too), and on the
// essay's first quarter read from a directory and from a file and stdin at
// once: those two test how train reads its paths, which a quarter shows as
// well as the whole (its sentences are the same, read either way, as the
// model's id says), where each whole essay cost seconds more under -race.
func TestTrain(t *testing.T) {
	t.Parallel()
	whole, quarter := corpus.EssayText(), essayHead(4)
	// quarterID is the id of the quarter's model, however its sentences
	// are read: the id hashes the sentences learned.
	quarterID := sync.OnceValues(func() (string, error) {
		parsed := corpus.Parse(quarter)
		m, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings})
		if err != nil {
			return "", err
		}
		return m.ID(), nil
	})
	tests := []struct {
		name  string
		text  string                                                        // what the run learns
		setup func(t *testing.T, dir string) (paths []string, stdin string) // nil: the run essayTrained(name) is judged
	}{
		{"file", whole, nil},
		{"directory", quarter, func(t *testing.T, dir string) ([]string, string) {
			half := len(quarter) / 2
			half += strings.Index(quarter[half:], "\n\n") // split between paragraphs
			in := filepath.Join(dir, "in")
			for name, text := range map[string]string{
				"1-first.txt":     quarter[:half],
				"sub/2-second.md": quarter[half:],
				"sub/ignored.pdf": "Not read at all, this sentence.",
			} {
				path := filepath.Join(in, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return []string{in}, ""
		}},
		{"stdin", whole, nil},
		{"file and stdin, duplicates dropped", quarter, func(t *testing.T, dir string) ([]string, string) {
			path := filepath.Join(dir, "quarter.txt")
			if err := os.WriteFile(path, []byte(quarter), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{path, "-"}, quarter
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var dir, out string
			var r result
			if tc.setup == nil {
				e := essayTrained(t, tc.name)
				dir, out, r = e.dir, e.out, e.r
			} else {
				dir = t.TempDir()
				paths, stdin := tc.setup(t, dir)
				out = filepath.Join(dir, "model.json")
				r = glowcloud(t, nil, stdin, append([]string{"train", "-o", out}, paths...)...)
			}
			if r.code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("train wrote to stdout:\n%s", r.stdout)
			}
			m := learnedRE.FindStringSubmatch(r.stderr)
			if m == nil {
				t.Fatalf("stderr does not report sentences, words, states and time:\n%s", r.stderr)
			}
			text := corpus.Parse(tc.text)
			if m[1] != strconv.Itoa(len(text.Sentences)) || m[2] != strconv.Itoa(text.Words()) || m[6] != strconv.Itoa(len(text.Headings)) {
				t.Errorf("learned %s sentences, %s words, %s headings; the text has %d, %d, %d", m[1], m[2], m[6], len(text.Sentences), text.Words(), len(text.Headings))
			}
			// What was dropped and cleaned, and why, line by line.
			if len(text.Report()) < 2 || tc.text == whole && text.Dropped[corpus.DropDamaged] == 0 {
				t.Fatalf("the text drops no damaged sentence, or reports little: %q", text.Report())
			}
			for _, line := range text.Report() {
				if !strings.Contains(m[7], "glowcloud: "+line+"\n") {
					t.Errorf("report lacks %q:\n%s", line, m[7])
				}
			}
			// The essay is large enough to write from; its first quarter is
			// not (TestTrainSmallChat judges the warning).
			if m[4] == "0" || m[5] == "0" || m[8] != out || m[10] != "2" || (m[13] == "") != (tc.text == whole) {
				t.Errorf("stderr report: %q", m[0])
			}
			if names := dirNames(t, dir); slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".tmp") }) {
				t.Errorf("temporary files left: %q", names)
			}

			// The model works.
			w := glowcloud(t, nil, "", "manifesto", "-model", out, "-seed", "1")
			if w.code != 0 || w.stderr != "" {
				t.Fatalf("manifesto -model: exit %d, stderr:\n%s", w.code, w.stderr)
			}
			manifesto(t, w.stdout)
			if tc.text == quarter {
				// GLOWCLOUD_MODEL names the file as -model does (judged on
				// the quarter's runs: a Writer of the whole essay's model
				// costs a third of a second more under -race).
				env := glowcloud(t, map[string]string{"GLOWCLOUD_MODEL": out}, "", "manifesto", "-seed", "1")
				if env.stdout != w.stdout {
					t.Errorf("GLOWCLOUD_MODEL=%s gives other text than -model:\n%s\n%s", out, env.stdout, w.stdout)
				}
				// The quarter read this way is the quarter: its sentences,
				// so its model's id.
				if id, err := quarterID(); err != nil || m[9] != id {
					t.Errorf("model %s; the quarter read from one file gives model %s (%v)", m[9], id, err)
				}
				return
			}
			// The same essay gives the same chain as the embedded model, so
			// the same text.
			embedded := glowcloud(t, nil, "", "manifesto", "-seed", "1")
			if embedded.stdout != w.stdout {
				t.Errorf("model of the essay file writes other text than the embedded essay:\n%s\n%s", w.stdout, embedded.stdout)
			}
		})
	}
}

func TestTrainOrder(t *testing.T) {
	t.Parallel()
	for _, order := range []int{1, 3, 6} {
		t.Run(strconv.Itoa(order), func(t *testing.T) {
			t.Parallel()
			out := trainModel(t, order)
			r := glowcloud(t, nil, "", "inspect", "-model", out)
			if r.code != 0 {
				t.Fatalf("inspect: exit %d, stderr:\n%s", r.code, r.stderr)
			}
			if !regexp.MustCompile(`(?m)^order +` + strconv.Itoa(order) + `$`).MatchString(r.stdout) {
				t.Errorf("inspect does not say order %d:\n%s", order, r.stdout)
			}
			for _, cmd := range [][]string{{"squint", "the", "weather"}, {"glowcloud"}} {
				w := glowcloud(t, nil, "", append([]string{cmd[0], "-model", out, "-seed", "2"}, cmd[1:]...)...)
				if w.code != 0 || w.stdout == "" {
					t.Errorf("%s with an order-%d model: exit %d, stdout %q, stderr %q", cmd[0], order, w.code, w.stdout, w.stderr)
				}
			}
		})
	}
}

func TestTrainUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   func(dir, essay string) []string
		stderr string
	}{
		{"no -o", func(dir, essay string) []string { return []string{essay} }, "-o"},
		{"empty -o", func(dir, essay string) []string { return []string{"-o", "", essay} }, "-o"},
		{"no PATH", func(dir, essay string) []string { return []string{"-o", filepath.Join(dir, "m.json")} }, "PATH"},
		{"order 0", func(dir, essay string) []string {
			return []string{"-order", "0", "-o", filepath.Join(dir, "m.json"), essay}
		}, "-order 0"},
		{"order 9", func(dir, essay string) []string {
			return []string{"-order", "9", "-o", filepath.Join(dir, "m.json"), essay}
		}, "-order 9"},
		{"order words", func(dir, essay string) []string {
			return []string{"-order", "two", "-o", filepath.Join(dir, "m.json"), essay}
		}, "-order"},
		{"unknown flag", func(dir, essay string) []string {
			return []string{"-x", "-o", filepath.Join(dir, "m.json"), essay}
		}, "-x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			essay := essayFile(t, dir)
			r := glowcloud(t, nil, "", append([]string{"train"}, tc.args(dir, essay)...)...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tc.stderr, r.stderr)
			}
			if names := dirNames(t, dir); !slices.Equal(names, []string{"essay.txt"}) {
				t.Errorf("files after a usage error: %q", names)
			}
		})
	}
}

func TestTrainFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string) []string // the PATHs
		stdin  string
		stderr []string
	}{
		{"missing file", func(t *testing.T, dir string) []string {
			return []string{filepath.Join(dir, "missing.txt")}
		}, "", []string{"missing.txt", "no such file"}},
		{"missing file after a good one", func(t *testing.T, dir string) []string {
			return []string{essayFile(t, dir), filepath.Join(dir, "missing.txt")}
		}, "", []string{"missing.txt"}},
		{"empty file", func(t *testing.T, dir string) []string {
			path := filepath.Join(dir, "empty.txt")
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{path}
		}, "", []string{"no sentences"}},
		{"empty stdin", func(t *testing.T, dir string) []string { return []string{"-"} }, "", []string{"no sentences"}},
		{"only fragments", func(t *testing.T, dir string) []string { return []string{"-"} }, "2022 03 31\n\nfrom Strange Opinions by Ecks D. Essay\n", []string{"no sentences"}},
		{"empty directory", func(t *testing.T, dir string) []string {
			empty := filepath.Join(dir, "empty")
			if err := os.Mkdir(empty, 0o755); err != nil {
				t.Fatal(err)
			}
			return []string{empty}
		}, "", []string{"no sentences"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			paths := tc.setup(t, dir)
			before := dirNames(t, dir)
			out := filepath.Join(dir, "model.json")
			r := glowcloud(t, nil, tc.stdin, append([]string{"train", "-o", out}, paths...)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			wantOneErrorLine(t, r, tc.stderr...)
			if after := dirNames(t, dir); !slices.Equal(after, before) {
				t.Errorf("files before %q, after a failed train %q", before, after)
			}
		})
	}
}

func TestTrainSkipsBinaryWithANote(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "image.txt")
	if err := os.WriteFile(bin, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := glowcloud(t, nil, "", "train", "-o", filepath.Join(dir, "m.json"), bin, smallCorpusFile(t, dir))
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "glowcloud: skipping "+bin+": binary") {
		t.Errorf("no note about the skipped file:\n%s", r.stderr)
	}
}

func TestTrainReplacesModelAtomically(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "model.json")
	text := smallCorpusFile(t, dir)
	train := func(stdin string, args ...string) result {
		return glowcloud(t, nil, stdin, append([]string{"train", "-o", out}, args...)...)
	}
	if r := train("", "-order", "3", text); r.code != 0 {
		t.Fatalf("first train: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	old, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	// A failed train leaves the good model as it was.
	for _, args := range [][]string{{"-"}, {filepath.Join(dir, "missing.txt")}} {
		if r := train("lol ok", args...); r.code != 1 {
			t.Errorf("train %q: exit %d, want 1", args, r.code)
		}
		if now, err := os.ReadFile(out); err != nil || !bytes.Equal(now, old) {
			t.Fatalf("a failed train changed the model file (err %v)", err)
		}
	}

	// A good train replaces it, leaving no temporary files.
	if r := train("", "-order", "2", text); r.code != 0 {
		t.Fatalf("second train: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	now, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(now, old) {
		t.Error("the model file was not replaced")
	}
	if !bytes.Contains(now, []byte(`"order":2`)) {
		t.Error("the new model file is not the order-2 model")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"corpus.txt", "model.json"}) {
		t.Errorf("files after training: %q", names)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("model file mode: %v %v", info.Mode(), err)
	}
}

// TestTrainCannotWrite: an -o that cannot be written is refused before a
// byte of input is read (not after a whole training), in one line naming
// what the user typed rather than a temporary file.
func TestTrainCannotWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		out  func(dir string) string
		want string
	}{
		{"missing directory", func(dir string) string { return filepath.Join(dir, "no", "such", "model.json") }, "cannot create a file in"},
		{"output is a directory", func(dir string) string {
			out := filepath.Join(dir, "model.json")
			os.MkdirAll(filepath.Join(out, "keep"), 0o755)
			return out
		}, "not a regular file (a directory)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			out := tc.out(dir)
			before := dirNames(t, dir)
			stdin := &readRecorder{r: strings.NewReader(corpus.EssayText())}
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), []string{"train", "-o", out, "-"}, func(string) string { return "" }, stdin, &stdout, &stderr)
			r := result{code: exitCode(err, &stderr), stdout: stdout.String(), stderr: stderr.String()}
			if r.code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			if stdin.n > 0 {
				t.Errorf("train read %d bytes of its input before refusing -o", stdin.n)
			}
			wantOneErrorLine(t, r, "model.json", tc.want)
			if strings.Contains(r.stderr, ".tmp") {
				t.Errorf("the error names a temporary file:\n%s", r.stderr)
			}
			if after := dirNames(t, dir); !slices.Equal(after, before) {
				t.Errorf("files before %q, after a failed save %q", before, after)
			}
		})
	}
}

// readRecorder counts what is read through it.
type readRecorder struct {
	r io.Reader
	n int
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	rr.n += n
	return n, err
}

func TestBadModel(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(essayModelFile(t))
	if err != nil {
		t.Fatal(err)
	}
	// edit returns good with the first old replaced by new, failing if old
	// is not there.
	edit := func(t *testing.T, old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("model file has no %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name    string
		content func(t *testing.T) []byte // nil: no file
		stderr  string
	}{
		{"missing", nil, "no such file"},
		{"empty", func(t *testing.T) []byte { return nil }, "not a valid glowcloud model"},
		{"truncated", func(t *testing.T) []byte { return good[:len(good)/2] }, "not a valid glowcloud model"},
		{"truncated at the end", func(t *testing.T) []byte { return good[:len(good)-3] }, "not a valid glowcloud model"},
		{"garbage", func(t *testing.T) []byte { return []byte("\x00\xffPK\x03\x04 not a model at all") }, "not a valid glowcloud model"},
		{"other JSON", func(t *testing.T) []byte { return []byte(`{"hello":"world"}`) }, "not a valid glowcloud model"},
		{"future format", func(t *testing.T) []byte {
			return edit(t, `"format":3,"meta":{"format":3`, `"format":4,"meta":{"format":3`)
		}, "unsupported model format version"},
		{"no format", func(t *testing.T) []byte {
			return edit(t, `"format":3,"meta":{"format":3`, `"meta":{"format":3`)
		}, "unsupported model format version"},
		{"meta format", func(t *testing.T) []byte {
			return edit(t, `"meta":{"format":3`, `"meta":{"format":7`)
		}, "not a valid glowcloud model"},
		{"meta order", func(t *testing.T) []byte {
			return edit(t, `"order":2`, `"order":99`)
		}, "not a valid glowcloud model"},
		{"meta counts", func(t *testing.T) []byte {
			return edit(t, `"sentences":`, `"sentences":1`)
		}, "not a valid glowcloud model"},
		{"chain edited", func(t *testing.T) []byte {
			i := bytes.Index(good, []byte(`"chains":`))
			if i < 0 {
				t.Fatal("no chain")
			}
			b := bytes.Clone(good)
			j := i + bytes.IndexByte(b[i:], '1')
			b[j] = '2'
			return b
		}, "not a valid glowcloud model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "model.json")
			if tc.content != nil {
				if err := os.WriteFile(path, tc.content(t), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range [][]string{
				{"manifesto", "-seed", "1", "-model", path},
				{"squint", "-model", path, "x"},
				{"glowcloud", "-model", path},
				{"inspect", "-model", path},
			} {
				r := glowcloud(t, nil, "", args...)
				if r.code != 1 {
					t.Errorf("%s: exit %d, want 1", args[0], r.code)
				}
				if r.stdout != "" {
					t.Errorf("%s: stdout not empty:\n%s", args[0], r.stdout)
				}
				wantOneErrorLine(t, r, path, tc.stderr)
			}
			// GLOWCLOUD_MODEL is read the same way.
			r := glowcloud(t, map[string]string{"GLOWCLOUD_MODEL": path}, "", "glowcloud", "-seed", "1")
			if r.code != 1 || r.stdout != "" {
				t.Errorf("GLOWCLOUD_MODEL: exit %d, stdout %q", r.code, r.stdout)
			}
			wantOneErrorLine(t, r, path, tc.stderr)
		})
	}
}

func TestInspect(t *testing.T) {
	t.Parallel()
	out := essayModelFile(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // the model line
	}{
		{"-model", []string{"inspect", "-model", out}, nil, out},
		{"GLOWCLOUD_MODEL", []string{"inspect"}, map[string]string{"GLOWCLOUD_MODEL": out}, out},
		{"embedded", []string{"inspect"}, nil, "(embedded essay)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, tc.env, "", tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			essay := corpus.Parse(corpus.EssayText())
			for _, re := range []string{
				`(?m)^model +` + regexp.QuoteMeta(tc.want) + `$`,
				`(?m)^id +[0-9a-f]{6,}$`,
				`(?m)^format +3$`,
				`(?m)^order +2$`,
				`(?m)^sentences +` + strconv.Itoa(len(essay.Sentences)) + `$`,
				`(?m)^words +` + strconv.Itoa(essay.Words()) + `$`,
				`(?m)^vocabulary +\d+ distinct words$`,
				`(?m)^states +[1-9]\d*$`,
				`(?m)^headings +` + strconv.Itoa(len(essay.Headings)) + `$`,
				`(?m)^most common openings:\n +\d+ +The\n`,
				`(?m)^sample sentences:\n(  - \S.*\S\n){3}\z`,
			} {
				if !regexp.MustCompile(re).MatchString(r.stdout) {
					t.Errorf("inspect output does not match %s:\n%s", re, r.stdout)
				}
			}
			again := glowcloud(t, tc.env, "", tc.args...)
			if again.stdout != r.stdout {
				t.Errorf("inspect is not the same twice")
			}
		})
	}
	// The id printed is the model's id, as -n pieces and the bot show it.
	r := glowcloud(t, nil, "", "inspect")
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stdout, "\nid") || !regexp.MustCompile(`(?m)^id +`+m.ID()+`$`).MatchString(r.stdout) {
		t.Errorf("inspect of the embedded essay does not print id %s:\n%s", m.ID(), r.stdout)
	}
	if compose.New(m).ModelID() != m.ID() {
		t.Error("compose's model id differs")
	}
}

// TestTrainEssayGivesTheEmbeddedID checks that the corpus hash has one
// owner: `glowcloud train` on the essay's text gives the model the binary
// embeds, id and hash alike, read from a file or from stdin. (The
// repository's copy, corpus/socialism-is-anarchist-if-you-squint.txt, is
// the embedded file itself, the bytes essayTrained trains: training it too
// cost seconds under -race and tested nothing more.)
func TestTrainEssayGivesTheEmbeddedID(t *testing.T) {
	t.Parallel()
	embedded, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	for _, via := range []string{"file", "stdin"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			e := essayTrained(t, via) // the run TestTrain judges too
			if e.r.code != 0 {
				t.Fatalf("train: exit %d, stderr:\n%s", e.r.code, e.r.stderr)
			}
			m, err := markov.Load(e.out)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID() != embedded.ID() || m.Meta().CorpusSHA256 != embedded.Meta().CorpusSHA256 {
				t.Errorf("train gives model %s (corpus %s), the embedded model is %s (corpus %s)",
					m.ID(), m.Meta().CorpusSHA256, embedded.ID(), embedded.Meta().CorpusSHA256)
			}
		})
	}
}

// TestModelMax: GLOWCLOUD_MODEL_MAX bounds the model files loaded, and says
// so when a file is over it; a bad value is a usage error naming it.
func TestModelMax(t *testing.T) {
	t.Parallel()
	model := essayModelFile(t)
	fi, err := os.Stat(model)
	if err != nil {
		t.Fatal(err)
	}
	under := map[string]string{"GLOWCLOUD_MODEL_MAX": strconv.FormatInt(fi.Size()-1, 10)}
	r := glowcloud(t, under, "", "manifesto", "-seed", "1", "-model", model)
	if r.code != 1 || r.stdout != "" {
		t.Errorf("over the limit: exit %d, stdout %q", r.code, r.stdout)
	}
	wantOneErrorLine(t, r, "over the limit of", "GLOWCLOUD_MODEL_MAX")
	// Within the limit, the model loads: inspect, which loads it as every
	// command does but writes nothing (a new Writer of the essay's model
	// costs a third of a second under -race).
	for _, v := range []string{"1MB", "1 MiB", "1m", "2G"} {
		if r := glowcloud(t, map[string]string{"GLOWCLOUD_MODEL_MAX": v}, "", "inspect", "-model", model); r.code != 0 {
			t.Errorf("GLOWCLOUD_MODEL_MAX=%s: exit %d, stderr:\n%s", v, r.code, r.stderr)
		}
	}
	for _, v := range []string{"lots", "-5", "0", "12XB", "99999999999T"} {
		r := glowcloud(t, map[string]string{"GLOWCLOUD_MODEL_MAX": v}, "", "glowcloud", "-model", model)
		if r.code != 2 {
			t.Errorf("GLOWCLOUD_MODEL_MAX=%s: exit %d, want 2", v, r.code)
		}
		wantOneErrorLine(t, r, "GLOWCLOUD_MODEL_MAX")
	}
}

func TestParseByteSize(t *testing.T) {
	t.Parallel()
	// SI and binary units as written (go-humanize's reading; this parser
	// once took MB for MiB).
	for in, want := range map[string]int64{"512MB": 512e6, "512mib": 512 << 20, "2G": 2e9, "2GiB": 2 << 30, "300000000": 300000000, "10 KB": 10e3, "10 KiB": 10 << 10, "7B": 7, " 1.5 GiB ": 3 << 29} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestTrainDecodesOrRefusesEncodings: Latin-1 input (a file or stdin) was
// silently stripped ("révolution" became "rvolution"); it is decoded now,
// and input in no encoding train knows is refused, naming the file and the
// byte offset, with nothing written.
func TestTrainDecodesOrRefusesEncodings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A few sentences that share words, so its chain forks: train's
	// quality summary writes from a chain without forks only after long
	// tries (most of a second under -race, twice).
	tract := "Vive la r\xe9volution des nuages, camarades. La r\xe9volution brille sur la ville. Les nuages brillent sur la r\xe9volution.\n\n" +
		"La ville chante la r\xe9volution des camarades. Les camarades chantent sous les nuages de la ville.\n"
	latin1 := filepath.Join(dir, "tract.txt")
	mixed := filepath.Join(dir, "mixed.txt")
	if err := os.WriteFile(latin1, []byte(tract), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mixed, []byte("Caf\u00e9 society is here. Vive la r\xe9volution."), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, stdin, path string }{{"file", "", latin1}, {"stdin", tract, "-"}} {
		out := filepath.Join(dir, tc.name+".model")
		if r := glowcloud(t, nil, tc.stdin, "train", "-o", out, tc.path); r.code != 0 {
			t.Fatalf("%s: exit %d, stderr:\n%s", tc.name, r.code, r.stderr)
		}
		m, err := markov.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Knows("révolution") || m.Knows("rvolution") {
			t.Errorf("%s: the model knows révolution %v, rvolution %v", tc.name, m.Knows("révolution"), m.Knows("rvolution"))
		}
	}
	out := filepath.Join(dir, "mixed.model")
	r := glowcloud(t, nil, "", "train", "-o", out, mixed)
	if r.code != 1 {
		t.Errorf("mixed encodings: exit %d, want 1", r.code)
	}
	wantOneErrorLine(t, r, "mixed.txt", "at byte 32")
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused train wrote a model")
	}
}
