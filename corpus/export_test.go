package corpus

// ChunkSize is how much of an input Read parses at a time.
const ChunkSize = chunkSize
