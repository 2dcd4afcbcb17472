package markov

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// CraftedModels returns hostile model files built from m, each named for
// what it tries, with checksums that match (SHA-256 is no secret): the
// loader must refuse every one cheaply, before it costs memory.
func CraftedModels(m *Model) map[string][]byte {
	craft := func(edit func(*envelope, [][]byte) [][]byte) []byte {
		env := envelope{
			Magic: magic, Format: FormatVersion, Meta: m.meta, Headings: m.headings,
			Corpus: m.novelty.sentenceTexts(),
		}
		if env.Headings == nil {
			env.Headings = []string{}
		}
		chains := edit(&env, slicesClone(m.chains))
		if env.ChainBytes == nil {
			for _, c := range chains {
				env.ChainBytes = append(env.ChainBytes, len(c))
			}
		}
		env.SHA256 = checksum(env.Meta, env.Headings, env.Corpus, env.Pool, chains)
		head, err := json.Marshal(env)
		if err != nil {
			panic(err)
		}
		var b bytes.Buffer
		b.Write(bytes.TrimSuffix(head, []byte("}")))
		b.WriteString(chainsKey)
		b.Write(bytes.Join(chains, []byte(",")))
		b.WriteString("]}\n")
		return b.Bytes()
	}
	return map[string][]byte{
		"huge declared counts": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.States, env.Meta.Transitions, env.Meta.Vocabulary = math.MaxInt, math.MaxInt, math.MaxInt
			return c
		}),
		"huge declared chain": craft(func(env *envelope, c [][]byte) [][]byte {
			env.ChainBytes = []int{math.MaxInt}
			return c
		}),
		"more transitions than declared": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.Transitions = 1
			return c
		}),
		"more names than declared": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Meta.States, env.Meta.Vocabulary = 1, 1
			return c
		}),
		"giant heading": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Headings = []string{strings.Repeat("Glow ", 200<<10)}
			return c
		}),
		"many chains": craft(func(env *envelope, c [][]byte) [][]byte {
			for len(c) <= maxChains {
				c = append(c, c[0])
			}
			return c
		}),
		"pool sentence from a sentence that is not there": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Pool = []string{strconv.Itoa(len(env.Corpus)) + " 0 The Glow Cloud says nothing."}
			return c
		}),
		"pool sentence without its sources": craft(func(env *envelope, c [][]byte) [][]byte {
			env.Pool = []string{"The Glow Cloud says nothing."}
			return c
		}),
		"more pooled sentences than a pool holds": craft(func(env *envelope, c [][]byte) [][]byte {
			for len(env.Pool) <= poolMax {
				env.Pool = append(env.Pool, "0 0 x")
			}
			return c
		}),
		"deep json": []byte(headerPrefix + strconv.Itoa(FormatVersion) + `,"meta":` + strings.Repeat("[", 1<<20) + chainsKey + "{}]}"),
	}
}

func slicesClone(c [][]byte) [][]byte { return append([][]byte(nil), c...) }
