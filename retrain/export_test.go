package retrain

// MayCommit lets the external tests' fake learners ask what Trainer asks.
var MayCommit = mayCommit
