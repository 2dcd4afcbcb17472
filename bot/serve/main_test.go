package serve_test

import (
	"os"
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain runs 4 tests a CPU at once: they mostly wait, on the fake
// Discord's sockets and on discordgo's one-second close.
func TestMain(m *testing.M) { os.Exit(testmain.Run(m, 4)) }
