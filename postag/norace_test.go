//go:build !race

package postag

// raceEnabled: see TestGobDecoding.
const raceEnabled = false
