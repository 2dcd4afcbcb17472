//go:build !race

package markov_test

// raceEnabled: see race_test.go.
const raceEnabled = false
