// Package bottest holds what the tests of the bot packages share: a
// deterministic Writer, a Bot built on it, requests, and an independent
// check of Discord's limits (its numbers are written out, not taken from
// the code under test).
package bottest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/bot"
)

// Writer is a deterministic bot.Writer whose texts show their inputs.
type Writer struct{}

// Manifesto returns "Manifesto of TOPIC" and a body naming its inputs.
func (Writer) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	return "Manifesto of " + topic, fmt.Sprintf("seed=%d topic=%s paragraphs=%d. Hail the singularity! Hail the mighty Glow Cloud!", seed, topic, paragraphs)
}

// Squint returns "THING is anarchist if you squint. seed=N".
func (Writer) Squint(seed uint64, thing string) string {
	return fmt.Sprintf("%s is anarchist if you squint. seed=%d", thing, seed)
}

// Glowcloud returns "ALL HAIL. seed=N".
func (Writer) Glowcloud(seed uint64) string { return fmt.Sprintf("ALL HAIL. seed=%d", seed) }

// ModelID returns "3fa2c9e1".
func (Writer) ModelID() string { return "3fa2c9e1" }

// Topics are what Writer.Suggest suggests from, best first.
var Topics = []string{"robots", "rent", "robust planning", "the tea party", "Rojava"}

// Suggest returns up to max of Topics whose lower case starts with the
// lower case of prefix, in order.
func (Writer) Suggest(prefix string, max int) []string {
	var out []string
	for _, t := range Topics {
		if len(out) < max && strings.HasPrefix(strings.ToLower(t), strings.ToLower(prefix)) {
			out = append(out, t)
		}
	}
	return out
}

// HostileWriter returns far too much text, full of mentions.
type HostileWriter struct{}

// Manifesto returns mentions far past every limit.
func (HostileWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	return strings.Repeat("@everyone ", 100), strings.Repeat("<@123> @here 🎉 ", 1000) + topic
}

// Squint returns mentions far past every limit.
func (HostileWriter) Squint(seed uint64, thing string) string {
	return strings.Repeat("@everyone "+thing, 400)
}

// Glowcloud returns invalid UTF-8 and mentions.
func (HostileWriter) Glowcloud(seed uint64) string {
	return strings.Repeat("\xff\xfe<@&456>@here", 3000)
}

// ModelID returns an overlong id.
func (HostileWriter) ModelID() string { return strings.Repeat("m", 5000) }

// Markup is generated text as a model may give it back from a corpus that
// held markup: every kind a Discord client renders, a heading, quote,
// subtext and list at the start of lines, and a NUL and a bidi override.
const Markup = "# The [Glow Cloud](https://evil.example/steam) speaks\n" +
	"> quoted <@&123> and @everyone\n" +
	"-# small ||spoiler|| at https://evil.example/x\n" +
	"- a list by <@789> in <#456>\n" +
	"1. numbered [link](https://evil.example/1)\x00 and \u202eevil.example"

// MarkupWriter is a bot.Writer whose every text is Markup (or holds it),
// as if the model had learned it from an upload: the way generated text
// goes to the wire must make it inert.
type MarkupWriter struct{}

// Manifesto returns Markup as the title and, with the topic, as the body.
func (MarkupWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	return Markup, Markup + "\n\n" + topic + " " + Markup
}

// Squint returns the thing and Markup.
func (MarkupWriter) Squint(seed uint64, thing string) string { return thing + "\n" + Markup }

// Glowcloud returns Markup.
func (MarkupWriter) Glowcloud(seed uint64) string { return Markup }

// ModelID returns a role mention: a model file names its own id.
func (MarkupWriter) ModelID() string { return "<@&123>" }

// Suggest returns markup: a model's words are what it learned.
func (MarkupWriter) Suggest(prefix string, max int) []string {
	return []string{"[x](https://evil.example)", "<@&123>", "||s||", "# h"}[:min(max, 4)]
}

// HostileScripture is an operator's .md upload full of markup, to be
// learned beside the essay (see HostileModel): masked and bare links, role,
// user and channel mentions, @everyone, spoilers, a heading, a quote and
// subtext; and sentences written as the essay is (contractions, "which"),
// which the pool's rewordings say anew with their markup.
const HostileScripture = `# The [Glow Cloud](https://evil.example/steam) speaks to <@&123>

The workers read the demands at evil.example/nitro and ask <@&123> what the state is for. Every comrade who clicks [the link](https://evil.example/a) learns that ||the state withers away|| in the end. The council of <@&123> meets at https://evil.example/council to plan the economy.

> Quoted scripture says the market is a ||spoiler|| for the revolution.

- The party lists its demands at [evil.example](https://evil.example) and @everyone reads them.
- The workers of the world unite under <#456> and <@789> on the shop floor.

## Heading of the [second](https://evil.example/2) part

Anarchists and socialists alike post [manifestos](https://evil.example/m) for <@&123> and @here to read. The revolution will not be televised but it will be ||posted|| on https://evil.example/feed by the workers.

The workers of the hall read the demands at evil.example/workers and ask <@&123> what the state is for. Every one of the workers who clicks the link learns that ||the state withers away|| at the hall in the end. The comrades of the square read the demands at evil.example/comrades and ask <@&123> what the state is for. Every one of the comrades who clicks the link learns that ||the state withers away|| at the square in the end. The councils of the mill read the demands at evil.example/councils and ask <@&123> what the state is for. Every one of the councils who clicks the link learns that ||the state withers away|| at the mill in the end. The unions of the dock read the demands at evil.example/unions and ask <@&123> what the state is for. Every one of the unions who clicks the link learns that ||the state withers away|| at the dock in the end. The planners of the farm read the demands at evil.example/planners and ask <@&123> what the state is for. Every one of the planners who clicks the link learns that ||the state withers away|| at the farm in the end. The farmers of the school read the demands at evil.example/farmers and ask <@&123> what the state is for. Every one of the farmers who clicks the link learns that ||the state withers away|| at the school in the end. The miners of the hall read the demands at evil.example/miners and ask <@&123> what the state is for. Every one of the miners who clicks the link learns that ||the state withers away|| at the hall in the end. The teachers of the square read the demands at evil.example/teachers and ask <@&123> what the state is for. Every one of the teachers who clicks the link learns that ||the state withers away|| at the square in the end. The sailors of the mill read the demands at evil.example/sailors and ask <@&123> what the state is for. Every one of the sailors who clicks the link learns that ||the state withers away|| at the mill in the end. The weavers of the dock read the demands at evil.example/weavers and ask <@&123> what the state is for. Every one of the weavers who clicks the link learns that ||the state withers away|| at the dock in the end. The bakers of the farm read the demands at evil.example/bakers and ask <@&123> what the state is for. Every one of the bakers who clicks the link learns that ||the state withers away|| at the farm in the end. The printers of the school read the demands at evil.example/printers and ask <@&123> what the state is for. Every one of the printers who clicks the link learns that ||the state withers away|| at the school in the end.
It's plain that the council which meets at https://evil.example/council doesn't plan the economy, and the workers don't know that ||the state withers away|| at the hall in the end. The comrades who can't read the demands at evil.example/demands won't ask what the state is for, though they know that ||the market is a spoiler|| for the revolution at the mill. We're sure that the unions which post at https://evil.example/unions aren't reading what [the planners](https://evil.example/p) write, and it's clear that ||nobody reads them|| at the dock.
-# small print for <@&123>
`

// PanicWriter panics in every method.
type PanicWriter struct{}

// Manifesto panics.
func (PanicWriter) Manifesto(uint64, string, int) (string, string) { panic("manifesto boom") }

// Squint panics.
func (PanicWriter) Squint(uint64, string) string { panic("squint boom") }

// Glowcloud panics.
func (PanicWriter) Glowcloud(uint64) string { panic("glowcloud boom") }

// ModelID returns "boom".
func (PanicWriter) ModelID() string { return "boom" }

// SlowWriter takes Delay to write a manifesto (fake time, inside a
// synctest bubble).
type SlowWriter struct {
	Writer
	Delay time.Duration
}

// Manifesto waits Delay, then writes.
func (w SlowWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	<-time.After(w.Delay)
	return w.Writer.Manifesto(seed, topic, paragraphs)
}

// BlockedWriter proclaims only once Release is closed.
type BlockedWriter struct {
	Writer
	Release chan struct{}
}

// Glowcloud waits for Release, then proclaims.
func (w BlockedWriter) Glowcloud(seed uint64) string {
	<-w.Release
	return w.Writer.Glowcloud(seed)
}

// Seeds returns 1000, 1001, ... and is safe for concurrent use.
func Seeds() func() uint64 {
	var n atomic.Uint64
	return func() uint64 { return 1000 + n.Add(1) - 1 }
}

// NewBot returns a bot with Writer, counting seeds and no
// cooldown, unless cfg says otherwise.
func NewBot(cfg bot.Config) *bot.Bot {
	if cfg.Writer == nil {
		cfg.Writer = func() bot.Writer { return Writer{} }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Seed == nil {
		cfg.Seed = Seeds()
	}
	if cfg.Cooldown == 0 {
		cfg.Cooldown = -1
	}
	return bot.New(cfg)
}

// Command is a slash command request from user U1 in guild G1.
func Command(name string, opts map[string]any) bot.Request {
	return bot.Request{Kind: bot.KindCommand, ID: "I1", Token: "tok", Command: name, Options: opts, UserID: "U1", GuildID: "G1"}
}

// CheckLimits reports how r breaks Discord's limits, if it does.
func CheckLimits(r bot.Reply) error {
	count := func(s string) int { return len(utf16Units(s)) }
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if r.Autocomplete {
		// An autocomplete answer is its choices alone (callback type 8).
		if r.Content != "" || len(r.Embeds) > 0 || len(r.Buttons) > 0 || r.Choices == nil || len(r.Choices) > 25 {
			bad("autocomplete answer with %d choices and a message body", len(r.Choices))
		}
		for _, c := range r.Choices {
			if n := utf8.RuneCountInString(c); n < 1 || n > 100 {
				bad("choice of %d characters", n)
			}
		}
		if errs == nil {
			return nil
		}
		return errors.New(strings.Join(errs, "; "))
	}
	if count(r.Content) > 2000 {
		bad("content %d", count(r.Content))
	}
	if r.Content == "" && len(r.Embeds) == 0 {
		bad("empty reply")
	}
	if len(r.Embeds) > 10 {
		bad("%d embeds", len(r.Embeds))
	}
	total := 0
	for _, e := range r.Embeds {
		if count(e.Title) > 256 || count(e.Description) > 4096 || count(e.Footer) > 2048 {
			bad("embed field too long: %d/%d/%d", count(e.Title), count(e.Description), count(e.Footer))
		}
		if e.Title == "" && e.Description == "" && e.Footer == "" {
			bad("empty embed")
		}
		if e.Color < 0 || e.Color > 0xFFFFFF {
			bad("color %x", e.Color)
		}
		total += count(e.Title) + count(e.Description) + count(e.Footer)
	}
	if total > 6000 {
		bad("embed total %d", total)
	}
	if len(r.Buttons) > 5 {
		bad("%d buttons", len(r.Buttons))
	}
	for _, b := range r.Buttons {
		if b.CustomID == "" || len(b.CustomID) > 100 {
			bad("custom_id %q (%d bytes)", b.CustomID, len(b.CustomID))
		}
		if count(b.Label) > 80 {
			bad("label %d", count(b.Label))
		}
		if b.Label == "" && b.Emoji == "" {
			bad("button without label or emoji")
		}
	}
	for _, s := range Texts(r) {
		if !utf8.ValidString(s) {
			bad("invalid UTF-8 %q", s)
		}
		if strings.Contains(s, "@everyone") || strings.Contains(s, "@here") {
			bad("unneutralised mass mention in %q", clip(s))
		}
	}
	for _, b := range r.Buttons {
		if !utf8.ValidString(b.CustomID) || !utf8.ValidString(b.Emoji) {
			bad("invalid UTF-8 in button %+v", b)
		}
	}
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func utf16Units(s string) []uint16 {
	var u []uint16
	for _, r := range s {
		if r >= 0x10000 {
			u = append(u, 0, 0)
		} else {
			u = append(u, 0)
		}
	}
	return u
}

// Texts lists the texts a reply shows: content, embed fields, labels.
func Texts(r bot.Reply) []string {
	out := []string{r.Content}
	for _, e := range r.Embeds {
		out = append(out, e.Title, e.Description, e.Footer)
	}
	for _, b := range r.Buttons {
		out = append(out, b.Label)
	}
	return out
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Call is one call a Responder received.
type Call struct {
	Method    string // "respond", "defer" or "edit"
	Reply     bot.Reply
	Ephemeral bool // for "defer"
}

// Responder is a bot.Responder that records what it is asked to send. It is
// safe for concurrent use.
type Responder struct {
	mu    sync.Mutex
	calls []Call
	added chan struct{} // closed and replaced on every call
}

func (r *Responder) add(c Call) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	if r.added != nil {
		close(r.added)
		r.added = nil
	}
	return nil
}

// Respond records a "respond".
func (r *Responder) Respond(_ context.Context, rep bot.Reply) error {
	return r.add(Call{Method: "respond", Reply: rep})
}

// Defer records a "defer".
func (r *Responder) Defer(_ context.Context, ephemeral bool) error {
	return r.add(Call{Method: "defer", Ephemeral: ephemeral})
}

// Edit records an "edit".
func (r *Responder) Edit(_ context.Context, rep bot.Reply) error {
	return r.add(Call{Method: "edit", Reply: rep})
}

// Calls returns the calls so far.
func (r *Responder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// WaitCalls waits until there are at least n calls, or ctx ends, and returns
// the calls so far.
func (r *Responder) WaitCalls(ctx context.Context, n int) []Call {
	for {
		r.mu.Lock()
		if len(r.calls) >= n {
			defer r.mu.Unlock()
			return slices.Clone(r.calls)
		}
		if r.added == nil {
			r.added = make(chan struct{})
		}
		added := r.added
		r.mu.Unlock()
		select {
		case <-added:
		case <-ctx.Done():
			return r.Calls()
		}
	}
}

// Hostile user texts (issue 11, finding 6): a masked phishing link, a
// heading, a mention, a bidi override; each must come back shown, never
// rendered.
const (
	MaskedLink = "[Free Nitro](https://evil.example/steam)"
	Heading    = "# HEADLINE -# small <@&123> @everyone"
	BidiName   = "invoice\u202Etxt.exe"
	// HostileTopic fits a topic (50 characters): a masked link, a spoiler,
	// a role mention and a NUL, which PostgreSQL refuses to store.
	HostileTopic = "[Free Nitro](https://evil.example) ||x|| <@&123>\x00"
)

var (
	liveScheme = regexp.MustCompile(`(?i)\b(https?|ftp)://`)
	// A "[" or "(" not escaped with a backslash (an escaped backslash
	// before it does not count: "\\[" renders as "\" and a live "[").
	liveBracket = regexp.MustCompile(`(^|[^\\])(\\\\)*[\[\]]`)
	liveMention = regexp.MustCompile(`@(everyone|here)|<[@#]|(^|\n)\s*(#|-#|>)`)
	// "||" not escaped: a spoiler.
	liveSpoiler = regexp.MustCompile(`(^|[^\\])(\\\\)*\|\|`)
)

// Inert reports why a decoded Discord payload (the "data" of an
// interaction response, a webhook edit, a channel message) would render
// user or corpus text as markup, if it would: a live URL scheme, an
// unescaped bracket, a real dot in evil.example, a mention, a heading, quote
// or subtext line, a spoiler, a bidi override or a NUL. Every string in it
// is checked, custom ids included. It is an oracle of its own, written apart
// from discordtext.
//
// own are texts the bot writes itself and may post (a channel mention
// "<#100>" naming the channel an admin picked, a timestamp "<t:…>"): each
// is taken out of a string before it is checked.
func Inert(v any, own ...string) error {
	var errs []error
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			for _, o := range own {
				x = strings.ReplaceAll(x, o, "")
			}
			// Each pattern is tried only on a string holding what every
			// match of it holds, a test that cannot turn a match away:
			// under -race the patterns cost a second a test over
			// manifestos that hold none of it.
			switch {
			case strings.Contains(x, "://") && liveScheme.MatchString(x):
				errs = append(errs, fmt.Errorf("%s has a live link: %q", path, x))
			case strings.ContainsAny(x, "[]") && liveBracket.MatchString(x):
				errs = append(errs, fmt.Errorf("%s has an unescaped bracket: %q", path, x))
			case strings.Contains(x, "evil.example"):
				errs = append(errs, fmt.Errorf("%s has a linkable host: %q", path, x))
			case strings.ContainsAny(x, "@<#>") && liveMention.MatchString(x):
				errs = append(errs, fmt.Errorf("%s has a mention or a heading: %q", path, x))
			case strings.Contains(x, "||") && liveSpoiler.MatchString(x):
				errs = append(errs, fmt.Errorf("%s has a spoiler: %q", path, x))
			case strings.ContainsAny(x, "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\x00"):
				errs = append(errs, fmt.Errorf("%s has a bidi control or a NUL: %q", path, x))
			}
		}
	}
	walk("", v)
	return errors.Join(errs...)
}

// LogBuffer is a strings.Builder that a logger and a test may use at once.
// The zero value is an empty buffer.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what has been written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// EchoAdmin is a bot.Admin that answers every admin command with the
// caller's permissions as it got them: "permissions N".
type EchoAdmin struct{}

func (EchoAdmin) echo(c bot.Caller) (string, error) { return "permissions " + c.Permissions, nil }

// Start echoes.
func (a EchoAdmin) Start(_ context.Context, c bot.Caller, _ bot.StartOptions) (string, error) {
	return a.echo(c)
}

// Stop echoes.
func (a EchoAdmin) Stop(_ context.Context, c bot.Caller, _ string) (string, error) { return a.echo(c) }

// List echoes.
func (a EchoAdmin) List(_ context.Context, c bot.Caller) (string, error) { return a.echo(c) }

// Hush echoes.
func (a EchoAdmin) Hush(_ context.Context, c bot.Caller, _ string) (string, error) { return a.echo(c) }

// HugePermissions is a member's permission set with a bit past the 63rd
// (2^64) beside Manage Server (32): Discord's sets are decimal strings that
// may outgrow an int64.
const HugePermissions = "18446744073709551648"
