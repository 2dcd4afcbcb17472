package bottest_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain ends the binary without the race detector's second of sleep
// at exit (see testmain.Exit).
func TestMain(m *testing.M) { testmain.Main(m) }
