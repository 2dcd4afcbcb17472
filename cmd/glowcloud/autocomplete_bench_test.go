package main

import (
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/sharedfiles"
	"github.com/glowcloud/glowcloud/markov"
)

// BenchmarkAutocompleteHandler is the autocomplete path in process on the
// mid5 model (issue 8: <= 5 ms at p99): a decoded type-4 interaction
// through the core (bot.Handle, which asks the Writer's Suggest) and the
// conversion to the type-8 callback, encoded as JSON. The suggestion index
// is built first, as serve's Warm does at start.
func BenchmarkAutocompleteHandler(b *testing.B) {
	path := sharedfiles.Path("corpora/mid5.txt")
	if path == "" {
		b.Skip(sharedfiles.Where("corpora/mid5.txt") + " not found")
	}
	text, err := corpus.Read([]string{path}, corpus.ReadOptions{Compact: true})
	if err != nil {
		b.Fatal(err)
	}
	m, err := markov.TrainLines(text.Lines, markov.TrainOptions{Headings: text.Headings})
	if err != nil {
		b.Fatal(err)
	}
	w := compose.New(m)
	w.Warm()
	bt := bot.New(bot.Config{Writer: func() bot.Writer { return w }, Logger: slog.New(slog.DiscardHandler)})
	prefixes := []string{"", "a", "s", "t", "th", "dem", "plan", "rob", "Sher", "zz", "c", "m", "the wor", "revolution"}
	var d []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ic := &discordgo.Interaction{
			ID: "1", Type: discordgo.InteractionApplicationCommandAutocomplete,
			Data: discordgo.ApplicationCommandInteractionData{Name: "manifesto", Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "topic", Type: discordgo.ApplicationCommandOptionString, Value: prefixes[i%len(prefixes)], Focused: true},
			}},
		}
		t0 := time.Now()
		r := bt.Handle(b.Context(), discord.Request(ic))
		if _, err := json.Marshal(discord.Response(r)); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
		i++
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns/op")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns/op")
}
