package testmain

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// Main runs m and ends the test binary with its exit code (see Exit):
//
//	func TestMain(m *testing.M) { testmain.Main(m) }
func Main(m *testing.M) { Exit(m.Run()) }

// Exit ends a test binary with code, the exit code m.Run returned.
//
// Built with the race detector, a program that exits 0 first sleeps for
// the race runtime's atexit_sleep_ms, a second unless GORACE says
// otherwise (https://go.dev/doc/articles/race_detector#Options), so that
// goroutines still running may report a race. A test binary has nothing
// left to wait for by then: m.Run has failed the run for every race
// reported during its tests and after them ("race detected outside of
// test execution"), and its profiles and coverage are written. Forty
// packages each waiting a second were a sixth of `go test -race ./...`
// on two cores, so Exit leaves at once unless GORACE sets
// atexit_sleep_ms itself. Any other code exits as os.Exit does.
func Exit(code int) {
	if code == 0 && raceEnabled && !strings.Contains(os.Getenv("GORACE"), "atexit_sleep_ms") {
		// os.Exit(0) is what would sleep; nothing else runs at exit in
		// a test binary (exit hooks serve binaries built with -cover,
		// whose coverage a test binary writes in m.Run).
		syscall.Exit(0)
	}
	os.Exit(code)
}

// ChildEnv returns env (os.Environ() when nil) for a process a test starts
// from a binary built as the test was, with GORACE telling the race
// runtime not to sleep at exit: a child a test stops cleanly would wait a
// second for nothing. A race the child finds still fails it (exit code
// 66), and GORACE's other options are kept.
func ChildEnv(env []string) []string {
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env)+1)
	race := "atexit_sleep_ms=0"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GORACE="); ok {
			if strings.Contains(v, "atexit_sleep_ms") {
				race = v
			} else if v != "" {
				race = v + " " + race
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GORACE="+race)
}
