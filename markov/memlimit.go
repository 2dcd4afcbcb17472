package markov

// TrainMemoryLimit is the soft memory limit (debug.SetMemoryLimit) that
// suits a process whose work is to train on input of inputBytes holding
// words words, as `glowcloud train` is.
//
// gomarkov's chains are most of the live heap while training, and the
// default GOGC=100 lets the heap grow to twice that before collecting. A
// soft limit a third above the expected live heap (measured on 5 and 50 MB
// corpora: under 192 MiB, plus twice the input's bytes, plus 8 bytes a
// word), and no lower than 336 MiB, makes the collector work harder only
// near it: 530 -> 355 MiB peak on a 5 MB corpus (whose live heap peaks near
// 250 MiB, two chains counting at once), for no measurable time; at 300 MiB
// it costs 10 % more CPU. Set too low it would make training crawl, so it
// errs high.
func TrainMemoryLimit(inputBytes, words int64) int64 {
	live := 192<<20 + 2*inputBytes + 8*words
	return max(336<<20, live*4/3)
}
