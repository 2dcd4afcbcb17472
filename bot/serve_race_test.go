//go:build race

package bot

// raceEnabled reports whether the race detector is on: it slows code down
// by 5-20x, so wall-clock deadlines say nothing about production then.
const raceEnabled = true
