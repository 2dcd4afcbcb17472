package testmain_test

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain ends this binary through Exit only as a child of TestExitCode:
// were Exit to turn failures into success, a parent ending through it
// would pass whatever TestExitCode found.
func TestMain(m *testing.M) {
	code := testmain.Run(m, 3)
	if os.Getenv(childMode) != "" {
		testmain.Exit(code)
	}
	os.Exit(code)
}

// TestParallelRaised: with no -test.parallel given, tests run 3 per CPU
// (with one given, Run leaves it alone).
func TestParallelRaised(t *testing.T) {
	want := strconv.Itoa(3 * runtime.GOMAXPROCS(0))
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if got := flag.Lookup("test.parallel").Value.String(); !given && got != want {
		t.Errorf("-test.parallel = %s, want %s", got, want)
	}
}

// childMode is what TestChild does when this binary runs as a child of
// TestExitCode.
const childMode = "TESTMAIN_TEST_CHILD"

// TestChild passes, fails or races as its parent asks; run alone, it
// passes.
func TestChild(t *testing.T) {
	switch os.Getenv(childMode) {
	case "fail":
		t.Error("failing as asked")
	case "race":
		n := 0
		done := make(chan bool)
		go func() { n++; done <- true }()
		n++
		<-done
		_ = n
	}
}

// TestExitCode: the binary's exit code is its tests' verdict, through
// Exit's shortcut and around it: a failed test and a data race (under the
// race detector) end it non-zero, a pass ends it 0.
func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode string
		ok   bool
	}{
		{"pass", true},
		{"fail", false},
		{"race", !raceEnabled},
	} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), childMode+"="+c.mode)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			if (err == nil) != c.ok {
				t.Errorf("child asked to %s: exit %v, want success %v\n%s", c.mode, err, c.ok, out)
			}
		})
	}
}

// TestChildEnv: GORACE gains atexit_sleep_ms=0 beside what it held,
// unless it says atexit_sleep_ms itself; nothing else changes.
func TestChildEnv(t *testing.T) {
	for _, c := range []struct {
		name     string
		env, out []string
	}{
		{"none", []string{"A=1"}, []string{"A=1", "GORACE=atexit_sleep_ms=0"}},
		{"empty", []string{"GORACE=", "A=1"}, []string{"A=1", "GORACE=atexit_sleep_ms=0"}},
		{"others kept", []string{"GORACE=halt_on_error=1"}, []string{"GORACE=halt_on_error=1 atexit_sleep_ms=0"}},
		{"user's sleep kept", []string{"GORACE=atexit_sleep_ms=50 halt_on_error=1"}, []string{"GORACE=atexit_sleep_ms=50 halt_on_error=1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := testmain.ChildEnv(c.env); !slices.Equal(got, c.out) {
				t.Errorf("ChildEnv(%q) = %q, want %q", c.env, got, c.out)
			}
		})
	}
}

// TestEveryPackageEndsThroughExit: each package of the module with tests
// has a TestMain that ends through Exit (Main, or Exit itself), so a new
// package does not bring back the race detector's second at exit.
func TestEveryPackageEndsThroughExit(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the package directory: %v", err)
	}
	ends := regexp.MustCompile(`testmain\.(Main\(m\)|Exit\()`)
	tested := make(map[string]bool) // directory: ends through Exit
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		tested[dir] = tested[dir] || ends.Match(src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tested) < 30 {
		t.Fatalf("found tests in %d directories; the walk is wrong", len(tested))
	}
	for dir, ok := range tested {
		if !ok {
			t.Errorf("%s: tests, but no TestMain ending through testmain.Exit (add func TestMain(m *testing.M) { testmain.Main(m) })", dir)
		}
	}
}
