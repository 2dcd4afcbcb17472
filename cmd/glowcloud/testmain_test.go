package main

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain runs 3 tests a CPU at once: half of these tests wait (on serve
// processes, a fake Discord, a database cut for 10 s), and at one a CPU
// they kept the cores idle while the training tests queued. It removes
// the fixtures the package's tests shared (fixtureDir) when they are done,
// and ends the binary through testmain.Exit.
func TestMain(m *testing.M) {
	code := testmain.Run(m, 3)
	if dir, err := fixtureDir(); err == nil {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	testmain.Exit(code)
}

// fixtureDir is a directory for what tests share across the package (a
// model trained once, say), made when first asked for and removed by
// TestMain; a test's own files go in its t.TempDir.
var fixtureDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "glowcloud-test-") })
