package main

import (
	"flag"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/golden"
)

// update rewrites the golden files from the current output:
//
//	go test ./cmd/glowcloud -run TestGolden -update
//
// Do this only after a deliberate change to the text (the essay, the
// splitter, the model or compose); then read the diff of testdata/.
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// manifesto splits a manifesto's output into its title and paragraphs
// (the closing hail left out), failing the test when its shape is wrong.
func manifesto(t *testing.T, out string) (title string, paras []string) {
	t.Helper()
	if !strings.HasSuffix(out, "\n\n"+compose.Hail+"\n") || strings.HasSuffix(out, "\n\n") {
		t.Fatalf("manifesto does not end with a blank line, %q and one newline:\n%s", compose.Hail, out)
	}
	blocks := strings.Split(strings.TrimSuffix(out, "\n"), "\n\n")
	if len(blocks) < 3 {
		t.Fatalf("manifesto has %d blocks, want a title, paragraphs and the hail:\n%s", len(blocks), out)
	}
	for _, b := range blocks {
		if b == "" || strings.Contains(b, "\n") || b != strings.TrimSpace(b) {
			t.Fatalf("manifesto block %q is not one line of text:\n%s", b, out)
		}
	}
	title = blocks[0]
	if n := utf8.RuneCountInString(title); n > compose.LongestTitle {
		t.Errorf("title of %d characters", n)
	}
	return title, blocks[1 : len(blocks)-1]
}

func TestManifestoParagraphs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want int
	}{
		{nil, 3},
		{[]string{"-paragraphs", "1"}, 1},
		{[]string{"-paragraphs", "2"}, 2},
		{[]string{"-paragraphs", "3"}, 3},
		{[]string{"-paragraphs", "4"}, 4},
		{[]string{"-paragraphs=5"}, 5},
	} {
		for seed := range 3 {
			args := append([]string{"manifesto", "-seed", strconv.Itoa(seed)}, tc.args...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				r := glowcloud(t, nil, "", args...)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
				}
				_, paras := manifesto(t, r.stdout)
				if len(paras) != tc.want {
					t.Errorf("%d paragraphs, want %d:\n%s", len(paras), tc.want, r.stdout)
				}
				if n := utf8.RuneCountInString(strings.Join(append(paras, compose.Hail), "\n\n")); n > compose.MaxManifesto {
					t.Errorf("body of %d characters, more than %d", n, compose.MaxManifesto)
				}
			})
		}
	}
}

func TestManifestoBadParagraphs(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"0", "6", "-1", "many"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, nil, "", "manifesto", "-seed", "1", "-paragraphs", p)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, "-paragraphs") {
				t.Errorf("stderr does not mention -paragraphs:\n%s", r.stderr)
			}
		})
	}
}

func TestManifestoTopic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		topic, want string
		atLeast     int // of 20 seeds
	}{
		{"anarchism", "anarchism", 15},
		{"planning", "planning", 15},
		{"zxqvbn", "zxqvbn", 20}, // unknown to the essay: spliced in
		{"Robot Uprising", "robot", 15},
	}
	for _, tc := range tests {
		t.Run(tc.topic, func(t *testing.T) {
			t.Parallel()
			hits := 0
			for seed := range 20 {
				r := glowcloud(t, nil, "", "manifesto", "-topic", tc.topic, "-seed", strconv.Itoa(seed))
				if r.code != 0 {
					t.Fatalf("seed %d: exit %d, stderr:\n%s", seed, r.code, r.stderr)
				}
				_, paras := manifesto(t, r.stdout)
				if strings.Contains(strings.ToLower(strings.Join(paras, " ")), tc.want) {
					hits++
				}
			}
			if hits < tc.atLeast {
				t.Errorf("topic %q in the body for %d of 20 seeds, want at least %d", tc.topic, hits, tc.atLeast)
			}
		})
	}
}

func TestManifestoUnknownTopicInTitle(t *testing.T) {
	t.Parallel()
	r := glowcloud(t, nil, "", "manifesto", "-topic", "zxqvbn", "-seed", "5")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	title, _ := manifesto(t, r.stdout)
	if !strings.Contains(strings.ToLower(title), "zxqvbn") { // in whatever case the title's form sets it
		t.Errorf("title %q does not name the topic", title)
	}
}

func TestSeedReproduces(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"manifesto", "-topic", "robots"},
		{"manifesto", "-paragraphs", "5"},
		{"squint", "the", "state"},
		{"glowcloud"},
		{"glowcloud", "-n", "3"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			seeded := append([]string{args[0], "-seed", "12345"}, args[1:]...)
			a := glowcloud(t, nil, "", seeded...)
			b := glowcloud(t, nil, "", seeded...)
			if a.code != 0 || b.code != 0 {
				t.Fatalf("exit %d and %d", a.code, b.code)
			}
			if a.stdout != b.stdout {
				t.Errorf("same seed, different text:\n%s\n--- and ---\n%s", a.stdout, b.stdout)
			}
			if a.stderr != "" {
				t.Errorf("stderr with -seed given:\n%s", a.stderr)
			}
			other := glowcloud(t, nil, "", append([]string{args[0], "-seed", "54321"}, args[1:]...)...)
			if other.stdout == a.stdout {
				t.Errorf("seeds 12345 and 54321 gave the same text:\n%s", a.stdout)
			}

			// Without -seed the seed is told on stderr, and gives the text again.
			free := glowcloud(t, nil, "", args...)
			if free.code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", free.code, free.stderr)
			}
			m := regexp.MustCompile(`^glowcloud: seed (\d+) \(pass -seed (\d+) `).FindStringSubmatch(free.stderr)
			if m == nil || m[1] != m[2] || len(lines(free.stderr)) != 1 {
				t.Fatalf("stderr does not tell the seed in one line:\n%s", free.stderr)
			}
			again := glowcloud(t, nil, "", append([]string{args[0], "-seed", m[1]}, args[1:]...)...)
			if again.stdout != free.stdout {
				t.Errorf("-seed %s does not give the text again:\n%s\n--- and ---\n%s", m[1], free.stdout, again.stdout)
			}
		})
	}
}

func TestRandomSeedsDiffer(t *testing.T) {
	t.Parallel()
	seeds := map[string]bool{}
	for range 5 {
		r := glowcloud(t, nil, "", "glowcloud")
		seeds[r.stderr] = true
	}
	if len(seeds) < 2 {
		t.Errorf("five runs without -seed all used %v", seeds)
	}
}

func TestMany(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"manifesto", "-paragraphs", "2"},
		{"squint", "late", "capitalism"},
		{"glowcloud"},
	} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			const seed = 41
			r := glowcloud(t, nil, "", append([]string{args[0], "-n", "3", "-seed", strconv.Itoa(seed)}, args[1:]...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			var want []string
			for i := range 3 {
				one := glowcloud(t, nil, "", append([]string{args[0], "-seed", strconv.Itoa(seed + i)}, args[1:]...)...)
				want = append(want, one.stdout)
			}
			if w := strings.Join(want, "---\n"); r.stdout != w {
				t.Errorf("-n 3 -seed %d:\n%s\nwant seeds %d, %d, %d separated by ---:\n%s", seed, r.stdout, seed, seed+1, seed+2, w)
			}
			seps := 0
			for _, l := range lines(r.stdout) {
				if l == "---" {
					seps++
				}
			}
			if seps != 2 {
				t.Errorf("%d separator lines, want 2:\n%s", seps, r.stdout)
			}
			if want[0] == want[1] || want[1] == want[2] {
				t.Errorf("consecutive seeds gave the same piece")
			}
		})
	}
}

func TestSquint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		first string
	}{
		{[]string{"late", "capitalism"}, "Late capitalism is Anarchist if you squint."},
		{[]string{"late  capitalism "}, "Late capitalism is Anarchist if you squint."},
		{[]string{"Technocracy"}, "Technocracy is Anarchist if you squint."},
		{[]string{"the", "Glow", "Cloud", "itself!"}, "The Glow Cloud itself is Anarchist if you squint."},
		{[]string{"zxqvbn"}, "Zxqvbn is Anarchist if you squint."},
		{[]string{"--", "-dashes"}, "-dashes are Anarchist if you squint."},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			t.Parallel()
			for seed := range 5 {
				r := glowcloud(t, nil, "", append([]string{"squint", "-seed", strconv.Itoa(seed)}, tc.args...)...)
				if r.code != 0 || r.stderr != "" {
					t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
				}
				if !strings.HasPrefix(r.stdout, tc.first+" ") || len(lines(r.stdout)) != 1 || !strings.HasSuffix(r.stdout, "\n") {
					t.Errorf("squint %q: want one line starting %q, got:\n%s", tc.args, tc.first, r.stdout)
				}
				if n := utf8.RuneCountInString(r.stdout); n > compose.MaxShort+1 {
					t.Errorf("squint of %d characters", n)
				}
			}
		})
	}
}

func TestSquintWithoutThing(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"squint"}, {"squint", "-seed", "3"}, {"squint", "   "}, {"squint", ""}} {
		r := glowcloud(t, nil, "", args...)
		if r.code != 2 {
			t.Errorf("%q: exit %d, want 2", args, r.code)
		}
		if r.stdout != "" {
			t.Errorf("%q: stdout not empty:\n%s", args, r.stdout)
		}
		if !strings.Contains(r.stderr, "squint") || !strings.Contains(r.stderr, "Usage: glowcloud squint") {
			t.Errorf("%q: stderr does not explain:\n%s", args, r.stderr)
		}
	}
}

func TestGlowcloud(t *testing.T) {
	t.Parallel()
	hails := []string{"Hail the mighty Glow Cloud!", "ALL HAIL THE GLOW CLOUD.", "Hail the singularity!"}
	texts := map[string]bool{}
	for seed := range 20 {
		r := glowcloud(t, nil, "", "glowcloud", "-seed", strconv.Itoa(seed))
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		text := strings.TrimSuffix(r.stdout, "\n")
		texts[text] = true
		if len(lines(r.stdout)) != 1 || !strings.HasSuffix(r.stdout, "\n") {
			t.Errorf("seed %d: not one line:\n%s", seed, r.stdout)
		}
		if n := utf8.RuneCountInString(text); n > 2000 || n > compose.MaxShort {
			t.Errorf("seed %d: %d characters", seed, n)
		}
		hailed := false
		for _, h := range hails {
			if strings.HasSuffix(text, " "+h) {
				hailed = true
				text = strings.TrimSuffix(text, " "+h)
			}
		}
		if !hailed {
			t.Errorf("seed %d: does not end with a hail: %q", seed, text)
		}
		// What is left is the opening and one to three sentences: at least
		// two marks ending sentences, or an opening ending in a colon.
		ends := strings.Count(text, ". ") + strings.Count(text, "! ") + strings.Count(text, "? ") + strings.Count(text, ": ") + 1
		if ends < 2 || len(strings.Fields(text)) < 6 {
			t.Errorf("seed %d: too little before the hail: %q", seed, text)
		}
	}
	if len(texts) < 15 {
		t.Errorf("20 seeds gave only %d different proclamations", len(texts))
	}
}

// TestGolden pins the text for fixed seeds and the embedded essay, byte for
// byte: the same seed and model must give the same text on every machine
// and every run. See update for rewriting the files.
func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		args []string
	}{
		{"manifesto-seed42-paragraphs2.golden", []string{"manifesto", "-seed", "42", "-paragraphs", "2"}},
		{"squint-seed7-late-capitalism.golden", []string{"squint", "-seed", "7", "late", "capitalism"}},
		{"glowcloud-seed3.golden", []string{"glowcloud", "-seed", "3"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, nil, "", tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			golden.Check(t, filepath.Join("testdata", tc.file), []byte(r.stdout), *update, "go test ./cmd/glowcloud -run TestGolden -update")
		})
	}
}

func TestGoldenIndependentOfEnvironment(t *testing.T) {
	t.Parallel()
	// An unrelated environment and a GLOWCLOUD_MODEL naming the default
	// (empty) change nothing.
	env := map[string]string{"GLOWCLOUD_MODEL": "", "DISCORD_TOKEN": "x", "GLOWCLOUD_HTTP_ADDR": "127.0.0.1:1"}
	a := glowcloud(t, env, "", "glowcloud", "-seed", "3")
	b := glowcloud(t, nil, "", "glowcloud", "-seed", "3")
	if a.stdout != b.stdout || a.code != 0 {
		t.Errorf("environment changed the text:\n%s\n%s", a.stdout, b.stdout)
	}
}
