package main

import (
	"fmt"
	"strings"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/markov"
)

func main() {
	t := corpus.Parse(bottest.HostileScripture)
	for _, s := range t.Sentences[:4] {
		fmt.Println(strings.Join(s, " "))
	}
	t = corpus.Parse(corpus.EssayText() + "\n\n" + bottest.HostileScripture)
	m, _ := markov.Train(t.Sentences, markov.TrainOptions{})
	n := 0
	for _, p := range m.Pool() {
		if strings.ContainsAny(p.Text, "<[|") || strings.Contains(p.Text, "http") {
			n++
			if n < 4 {
				fmt.Println("POOL", p.Text)
			}
		}
	}
	fmt.Println(n, len(m.Pool()))
}
