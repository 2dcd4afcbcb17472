//go:build race

package markov_test

// raceEnabled: the race detector changes what is allocated and how fast
// the collector keeps up, so heap measurements are not made under it.
const raceEnabled = true
