package serve_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

// TestMain runs 4 tests a CPU at once: they mostly wait, on the fake
// Discord's sockets and on discordgo's one-second close; and end the binary
// through testmain.Exit.
func TestMain(m *testing.M) { testmain.Exit(testmain.Run(m, 4)) }
