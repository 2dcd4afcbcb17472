package bot

import (
	"fmt"
	"math"
	"time"
)

// cooldownMessage tells a user how long to wait.
func cooldownMessage(wait time.Duration) string {
	secs := int64(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf("Easy, comrade: the Glow Cloud is still glowing from your last request. Try again in %d %s.", secs, unit)
}
