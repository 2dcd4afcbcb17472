package main

import (
	"os"
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain runs 3 tests a CPU at once: half of these tests wait (on serve
// processes, a fake Discord, a database cut for 10 s), and at one a CPU
// they kept the cores idle while the training tests queued.
func TestMain(m *testing.M) { os.Exit(testmain.Run(m, 3)) }
