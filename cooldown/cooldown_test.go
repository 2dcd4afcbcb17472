package cooldown_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/cooldown"
	"github.com/glowcloud/glowcloud/internal/storetest"
)

// TestMemoryConformance: the cooldowns kept in memory mean what those kept
// in a database mean (the suite the sqlite and postgres adapters pass).
func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	storetest.RunCooldowns(t, func(*testing.T) cooldown.Store { return cooldown.NewMemory() })
}
