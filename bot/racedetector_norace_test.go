//go:build !race

package bot_test

// raceEnabled reports whether the race detector is on (see the bot
// package's own copy): wall-clock deadlines say nothing under it.
const raceEnabled = false
