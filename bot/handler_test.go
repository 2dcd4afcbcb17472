package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// coreWriter is a deterministic fake Writer whose text shows its inputs.
// coreEmptyWriter says nothing.
type coreEmptyWriter struct{ coreWriter }

func (coreEmptyWriter) Glowcloud(uint64) string { return "  " }

// The shared fakes, under the names these tests grew up with.
type (
	coreWriter        = bottest.Writer
	coreHostileWriter = bottest.HostileWriter
	corePanicWriter   = bottest.PanicWriter
	coreSlowWriter    = bottest.SlowWriter
	coreBlockedWriter = bottest.BlockedWriter
)

var (
	coreSeeds   = bottest.Seeds
	newCoreBot  = bottest.NewBot
	cmd         = bottest.Command
	checkLimits = bottest.CheckLimits
	replyTexts  = bottest.Texts
)

// fakeRecorder is a bot.Recorder that remembers what it was told.
type fakeRecorder struct {
	mu           sync.Mutex
	interactions map[string]int // "command/outcome"
	generation   int
}

func (f *fakeRecorder) Interaction(command, outcome string, _ time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.interactions == nil {
		f.interactions = map[string]int{}
	}
	f.interactions[command+"/"+outcome]++
}

func (f *fakeRecorder) GenerationError() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.generation++
}

func (f *fakeRecorder) genErrors() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.generation
}

func (f *fakeRecorder) count(command, outcome string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.interactions[command+"/"+outcome]
}

// show is a reply's texts, one a line, its buttons as [emoji label], and
// "(ephemeral)" for an ephemeral one.
func show(r bot.Reply) string {
	s := strings.Join(replyTexts(r), "\n")
	for _, b := range r.Buttons {
		s += "\n[" + strings.TrimSpace(b.Emoji+" "+b.Label) + "]"
	}
	if r.Ephemeral {
		s += "\n(ephemeral)"
	}
	return s
}

func clipForTest(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func TestHandleCommands(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 101)
	for _, tt := range []struct {
		name      string
		req       bot.Request
		ephemeral bool
		want      []string // substrings of the rendered reply
		unwanted  []string
	}{
		{"manifesto defaults", cmd("manifesto", nil), false,
			[]string{"seed=1000 topic= paragraphs=3", "seed 1000 · model 3fa2c9e1 · /manifesto seed:1000 to summon it again", "[🔁 Hail again]"}, nil},
		{"manifesto all options", cmd("manifesto", map[string]any{"topic": "robots", "paragraphs": float64(2), "seed": float64(12345)}), false,
			[]string{"Manifesto of robots", "seed=12345 topic=robots paragraphs=2", "seed 12345 · model 3fa2c9e1 · /manifesto topic:robots paragraphs:2 seed:12345 to summon it again"}, nil},
		{"manifesto topic trimmed", cmd("manifesto", map[string]any{"topic": "  tea  "}), false, []string{"topic=tea paragraphs"}, nil},
		{"manifesto int options from Go", cmd("manifesto", map[string]any{"paragraphs": 5, "seed": int64(7)}), false, []string{"seed=7 topic= paragraphs=5"}, nil},
		{"manifesto seed zero", cmd("manifesto", map[string]any{"seed": float64(0)}), false, []string{"seed=0 "}, nil},
		{"manifesto max seed", cmd("manifesto", map[string]any{"seed": float64(1<<53 - 1)}), false, []string{"seed=9007199254740991 "}, nil},
		{"manifesto 50-char topic", cmd("manifesto", map[string]any{"topic": strings.Repeat("é", 50)}), false, []string{"Manifesto of éé"}, nil},
		{"squint", cmd("squint", map[string]any{"thing": "tea party"}), false,
			[]string{"Squinting at “tea party”", "tea party is anarchist if you squint. seed=1000", "seed 1000 · model 3fa2c9e1", "[🔁 Hail again]"}, nil},
		{"squint 100 chars", cmd("squint", map[string]any{"thing": strings.Repeat("y", 100)}), false, []string{"anarchist if you squint"}, nil},
		{"glowcloud", cmd("glowcloud", nil), false, []string{"ALL HAIL THE GLOW CLOUD", "ALL HAIL. seed=1000", "[🔁 Hail again]"}, nil},

		{"unknown command", cmd("retrainz", nil), true, []string{"does not know that command"}, []string{"Hail again"}},
		{"empty command", cmd("", nil), true, []string{"does not know that command"}, nil},
		{"glowcloud extra option", cmd("glowcloud", map[string]any{"loud": true}), true, []string{`/glowcloud has no option “loud”`}, nil},
		{"squint missing thing", cmd("squint", nil), true, []string{"what to squint at"}, nil},
		{"squint blank thing", cmd("squint", map[string]any{"thing": "   "}), true, []string{"what to squint at"}, nil},
		{"squint thing not text", cmd("squint", map[string]any{"thing": float64(3)}), true, []string{"thing must be text"}, nil},
		{"squint thing nil", cmd("squint", map[string]any{"thing": nil}), true, []string{"thing must be text"}, nil},
		{"squint thing too long", cmd("squint", map[string]any{"thing": long}), true, []string{"100 characters at most"}, nil},
		{"squint thing bad utf8", cmd("squint", map[string]any{"thing": "\xff"}), true, []string{"thing must be text"}, nil},
		{"manifesto topic too long", cmd("manifesto", map[string]any{"topic": strings.Repeat("t", 51)}), true, []string{"50 characters at most"}, nil},
		{"manifesto topic not text", cmd("manifesto", map[string]any{"topic": true}), true, []string{"topic must be text"}, nil},
		{"manifesto paragraphs 0", cmd("manifesto", map[string]any{"paragraphs": float64(0)}), true, []string{"from 1 to 5"}, nil},
		{"manifesto paragraphs 6", cmd("manifesto", map[string]any{"paragraphs": float64(6)}), true, []string{"from 1 to 5"}, nil},
		{"manifesto paragraphs fraction", cmd("manifesto", map[string]any{"paragraphs": 2.5}), true, []string{"from 1 to 5"}, nil},
		{"manifesto paragraphs text", cmd("manifesto", map[string]any{"paragraphs": "2"}), true, []string{"from 1 to 5"}, nil},
		{"manifesto seed negative", cmd("manifesto", map[string]any{"seed": float64(-1)}), true, []string{"seed must be a whole number from 0 to 9007199254740991"}, nil},
		{"manifesto seed too big", cmd("manifesto", map[string]any{"seed": float64(1 << 53)}), true, []string{"seed must be"}, nil},
		{"manifesto seed huge", cmd("manifesto", map[string]any{"seed": 1e300}), true, []string{"seed must be"}, nil},
		{"manifesto seed text", cmd("manifesto", map[string]any{"seed": "12"}), true, []string{"seed must be"}, nil},
		{"unknown kind", bot.Request{Kind: bot.KindUnknown, Command: "manifesto"}, true, []string{"only answers its slash commands"}, nil},
		{"ping kind", bot.Request{Kind: bot.KindPing}, true, []string{"only answers its slash commands"}, nil},
		{"zero request", bot.Request{}, true, []string{"only answers"}, nil},
		{"garbled button", bot.Request{Kind: bot.KindComponent, CustomID: "gc1|m|9|x"}, true, []string{"faded from the Glow Cloud's memory"}, nil},
		{"future button", bot.Request{Kind: bot.KindComponent, CustomID: "gc2|g"}, true, []string{"faded"}, nil},
		{"empty button", bot.Request{Kind: bot.KindComponent}, true, []string{"faded"}, nil},
		{"button manifesto", bot.Request{Kind: bot.KindComponent, CustomID: "gc1|m|4|rent"}, false, []string{"seed=1000 topic=rent paragraphs=4", "/manifesto topic:rent paragraphs:4 seed:1000"}, nil},
		{"button squint", bot.Request{Kind: bot.KindComponent, CustomID: `gc1|s|a\|b`}, false, []string{`a\|b is anarchist`}, nil},
		{"button glowcloud", bot.Request{Kind: bot.KindComponent, CustomID: "gc1|g"}, false, []string{"ALL HAIL. seed=1000"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newCoreBot(bot.Config{})
			r := b.Handle(t.Context(), tt.req)
			if r.Ephemeral != tt.ephemeral {
				t.Errorf("Ephemeral = %v, want %v; reply:\n%s", r.Ephemeral, tt.ephemeral, show(r))
			}
			if r.Update {
				t.Errorf("Update = true; every reply should post a new message")
			}
			if err := checkLimits(r); err != nil {
				t.Errorf("reply breaks limits: %v", err)
			}
			shown := show(r)
			for _, w := range tt.want {
				if !strings.Contains(shown, w) {
					t.Errorf("reply lacks %q; got:\n%s", w, shown)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(shown, u) {
					t.Errorf("reply has %q; got:\n%s", u, shown)
				}
			}
			if tt.ephemeral && len(r.Buttons) > 0 {
				t.Errorf("ephemeral error reply has buttons: %+v", r.Buttons)
			}
			if !tt.ephemeral {
				if len(r.Embeds) != 1 || len(r.Buttons) != 1 {
					t.Fatalf("want 1 embed and 1 button, got %+v", r)
				}
				if r.Embeds[0].Color == 0 {
					t.Errorf("embed has no colour")
				}
				if r.Buttons[0].Label != "Hail again" {
					t.Errorf("button label = %q", r.Buttons[0].Label)
				}
			}
		})
	}
}

// TestHandleSameSeedSameReply: a footer's seed reproduces its manifesto.
func TestHandleSameSeedSameReply(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{})
	first := b.Handle(t.Context(), cmd("manifesto", map[string]any{"topic": "robots"}))
	seed := strings.Fields(first.Embeds[0].Footer)[1]
	var n float64
	if _, err := fmt.Sscan(seed, &n); err != nil {
		t.Fatalf("footer %q: %v", first.Embeds[0].Footer, err)
	}
	again := b.Handle(t.Context(), cmd("manifesto", map[string]any{"topic": "robots", "seed": n}))
	if first.Embeds[0].Description != again.Embeds[0].Description || first.Embeds[0].Color != again.Embeds[0].Color {
		t.Errorf("seed %s did not reproduce the reply:\n%+v\n%+v", seed, first, again)
	}
}

func TestHandleButtonRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		req  bot.Request
		want string // in the regenerated text
	}{
		{"manifesto", cmd("manifesto", map[string]any{"topic": "robots", "paragraphs": float64(2), "seed": float64(5)}), "topic=robots paragraphs=2"},
		{"manifesto default", cmd("manifesto", nil), "topic= paragraphs=3"},
		{"squint", cmd("squint", map[string]any{"thing": "the tea party"}), "the tea party is anarchist"},
		{"glowcloud", cmd("glowcloud", nil), "ALL HAIL."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newCoreBot(bot.Config{})
			first := b.Handle(t.Context(), tt.req)
			if len(first.Buttons) != 1 {
				t.Fatalf("no button on %+v", first)
			}
			press := bot.Request{Kind: bot.KindComponent, ID: "I2", CustomID: first.Buttons[0].CustomID, UserID: "U1"}
			again := b.Handle(t.Context(), press)
			if again.Ephemeral || again.Update || len(again.Embeds) != 1 {
				t.Fatalf("pressing %q gave %+v", press.CustomID, again)
			}
			if !strings.Contains(again.Embeds[0].Description, tt.want) {
				t.Errorf("regenerated %q, want it to contain %q", again.Embeds[0].Description, tt.want)
			}
			if first.Embeds[0].Footer == again.Embeds[0].Footer {
				t.Errorf("same footer (seed) after pressing: %q", again.Embeds[0].Footer)
			}
			if again.Buttons[0].CustomID != first.Buttons[0].CustomID {
				t.Errorf("custom_id changed: %q -> %q", first.Buttons[0].CustomID, again.Buttons[0].CustomID)
			}
		})
	}
}

func TestHandleLongSquintButton(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{})
	// 100 bytes; the 94 bytes left in the custom_id end in the middle of a word.
	thing := "xy " + strings.Repeat("word ", 20)[:97]
	r := b.Handle(t.Context(), cmd("squint", map[string]any{"thing": thing}))
	if r.Ephemeral {
		t.Fatalf("100-char thing refused: %s", r.Content)
	}
	id := r.Buttons[0].CustomID
	if len(id) > 100 {
		t.Fatalf("custom_id is %d bytes", len(id))
	}
	// The first reply squints at everything; the button at a prefix cut
	// after a whole word.
	if !strings.Contains(r.Embeds[0].Description, thing) {
		t.Errorf("first reply lost the thing: %q", r.Embeds[0].Description)
	}
	again := b.Handle(t.Context(), bot.Request{Kind: bot.KindComponent, CustomID: id, UserID: "U"})
	got := strings.TrimSuffix(again.Embeds[0].Description, " is anarchist if you squint. seed=1001")
	if !strings.HasPrefix(thing, got) || len(got) >= len(thing) || thing[len(got)] != ' ' || len(got) < 80 {
		t.Errorf("regenerated thing %q is not the longest word-boundary prefix of %q", got, thing)
	}
}

func TestHandleMentionSafety(t *testing.T) {
	t.Parallel()
	evil := "@everyone <@123> <@&456> @here"
	for _, tt := range []struct {
		name   string
		writer bot.Writer
		req    bot.Request
	}{
		{"topic echoed", coreWriter{}, cmd("manifesto", map[string]any{"topic": evil[:30]})},
		{"thing echoed", coreWriter{}, cmd("squint", map[string]any{"thing": evil})},
		{"writer manifesto", coreHostileWriter{}, cmd("manifesto", map[string]any{"topic": "@here"})},
		{"writer squint", coreHostileWriter{}, cmd("squint", map[string]any{"thing": evil})},
		{"writer glowcloud", coreHostileWriter{}, cmd("glowcloud", nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newCoreBot(bot.Config{Writer: func() bot.Writer { return tt.writer }})
			r := b.Handle(t.Context(), tt.req)
			if err := checkLimits(r); err != nil {
				t.Errorf("limits: %v", err)
			}
			if !strings.Contains(show(r), "@\u200b") {
				t.Errorf("no neutralised mention in:\n%s", clipForTest(show(r)))
			}
		})
	}
}

func TestHandleWriterProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		writer    func() bot.Writer
		req       bot.Request
		want      string
		genErrors int // generation errors to expect
	}{
		{"panic manifesto", func() bot.Writer { return corePanicWriter{} }, cmd("manifesto", nil), "Something went wrong", 1},
		{"panic squint", func() bot.Writer { return corePanicWriter{} }, cmd("squint", map[string]any{"thing": "x"}), "Something went wrong", 1},
		{"panic button", func() bot.Writer { return corePanicWriter{} }, bot.Request{Kind: bot.KindComponent, CustomID: "gc1|g"}, "Something went wrong", 1},
		{"panic getting writer", func() bot.Writer { panic("no model") }, cmd("glowcloud", nil), "Something went wrong", 1},
		{"nil writer", func() bot.Writer { return nil }, cmd("glowcloud", nil), "still gathering itself", 1},
		{"nil writer func", nil, cmd("glowcloud", nil), "still gathering itself", 1},
		{"empty text", func() bot.Writer { return coreEmptyWriter{} }, cmd("glowcloud", nil), "nothing to say", 1},
		{"bad request needs no writer", func() bot.Writer { panic("not called") }, cmd("squint", nil), "what to squint at", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &fakeRecorder{}
			var logs strings.Builder
			cfg := bot.Config{Writer: tt.writer, Metrics: m, Cooldown: -1, Seed: coreSeeds(),
				Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs}, nil))}
			b := bot.New(cfg)
			r := b.Handle(t.Context(), tt.req)
			if !r.Ephemeral || !strings.Contains(r.Content, tt.want) {
				t.Errorf("reply = %+v, want ephemeral %q", r, tt.want)
			}
			if got := m.genErrors(); got != tt.genErrors {
				t.Errorf("%d generation errors recorded, want %d", got, tt.genErrors)
			}
			if strings.Contains(tt.name, "panic") && !strings.Contains(logs.String(), "handler panic") {
				t.Errorf("panic not logged: %s", logs.String())
			}
		})
	}
}

func TestHandleLimitsHostileWriter(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{Writer: func() bot.Writer { return coreHostileWriter{} }})
	for _, req := range []bot.Request{
		cmd("manifesto", map[string]any{"topic": strings.Repeat("🎉", 50)}),
		cmd("squint", map[string]any{"thing": strings.Repeat("🎉", 100)}),
		cmd("glowcloud", nil),
	} {
		r := b.Handle(t.Context(), req)
		if err := checkLimits(r); err != nil {
			t.Errorf("%s: %v", req.Command, err)
		}
		if r.Ephemeral {
			t.Errorf("%s: refused: %s", req.Command, r.Content)
		}
		if d := r.Embeds[0].Description; !strings.HasSuffix(d, "…") {
			t.Errorf("%s: cut description does not end with …: %q", req.Command, d[len(d)-20:])
		}
	}
}

func TestHandleCooldown(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	b := newCoreBot(bot.Config{Cooldown: 3 * time.Second, Now: clock})

	asUser := func(user string, req bot.Request) bot.Request { req.UserID = user; return req }
	steps := []struct {
		advance time.Duration
		req     bot.Request
		want    string // "" = a generated reply
	}{
		{0, asUser("A", cmd("glowcloud", nil)), ""},
		{0, asUser("B", cmd("glowcloud", nil)), ""}, // other users are not affected
		{time.Second, asUser("A", cmd("squint", map[string]any{"thing": "x"})), "Try again in 2 seconds"},
		{0, asUser("A", cmd("squint", nil)), "what to squint at"}, // bad requests are answered, not throttled
		{1500 * time.Millisecond, asUser("A", bot.Request{Kind: bot.KindComponent, CustomID: "gc1|g"}), "Try again in 1 second."},
		{500 * time.Millisecond, asUser("A", cmd("manifesto", nil)), ""}, // 3 s after the first
		{2999 * time.Millisecond, asUser("A", cmd("manifesto", nil)), "Try again in 1 second."},
		{time.Millisecond, asUser("A", cmd("manifesto", nil)), ""},
	}
	for i, s := range steps {
		advance(s.advance)
		r := b.Handle(t.Context(), s.req)
		switch {
		case s.want == "" && r.Ephemeral:
			t.Errorf("step %d: refused: %s", i, r.Content)
		case s.want != "" && (!r.Ephemeral || !strings.Contains(r.Content, s.want)):
			t.Errorf("step %d: got %+v, want ephemeral %q", i, r, s.want)
		}
	}
}

func TestHandleCooldownOff(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{Cooldown: -1})
	for i := range 5 {
		if r := b.Handle(t.Context(), cmd("glowcloud", nil)); r.Ephemeral {
			t.Fatalf("request %d refused: %s", i, r.Content)
		}
	}
}

func TestHandleDefaultCooldown(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := bot.New(bot.Config{Writer: func() bot.Writer { return coreWriter{} }, Now: func() time.Time { return now }})
	b.Handle(t.Context(), cmd("glowcloud", nil))
	if r := b.Handle(t.Context(), cmd("glowcloud", nil)); !strings.Contains(r.Content, "Try again in 3 seconds") {
		t.Errorf("second request = %+v, want the default 3 s cooldown", r)
	}
}

func TestHandleConcurrent(t *testing.T) {
	t.Parallel()
	b := newCoreBot(bot.Config{Cooldown: time.Hour})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range 50 {
		wg.Go(func() {
			req := cmd("manifesto", nil)
			req.UserID = fmt.Sprint("U", i%10)
			if r := b.Handle(context.Background(), req); !r.Ephemeral {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if got := ok.Load(); got != 10 {
		t.Errorf("%d requests generated, want one per user (10)", got)
	}
}

func BenchmarkHandle(b *testing.B) {
	bt := newCoreBot(bot.Config{})
	for _, bm := range []struct {
		name string
		req  bot.Request
	}{
		{"manifesto", cmd("manifesto", map[string]any{"topic": "robots", "paragraphs": float64(3)})},
		{"squint", cmd("squint", map[string]any{"thing": "the tea party"})},
		{"glowcloud", cmd("glowcloud", nil)},
		{"button", bot.Request{Kind: bot.KindComponent, CustomID: "gc1|m|3|robots"}},
		{"bad_request", cmd("manifesto", map[string]any{"paragraphs": float64(9)})},
	} {
		req := bm.req
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				bt.Handle(ctx, req)
			}
		})
	}
}

// lockedWriter serialises writes to w for concurrent loggers.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func ExampleBot_Handle() {
	b := bot.New(bot.Config{
		Writer: func() bot.Writer { return coreWriter{} },
		Seed:   func() uint64 { return 12345 },
	})
	r := b.Handle(context.Background(), bot.Request{
		Kind:    bot.KindCommand,
		Command: "manifesto",
		Options: map[string]any{"topic": "robots", "paragraphs": float64(2)},
		UserID:  "1300000000000000004",
	})
	e := r.Embeds[0]
	fmt.Println(e.Title)
	fmt.Println(e.Description)
	fmt.Println(e.Footer)
	fmt.Println(r.Buttons[0].Emoji, r.Buttons[0].Label, r.Buttons[0].CustomID)
	// Output:
	// Manifesto of robots
	// seed=12345 topic=robots paragraphs=2. Hail the singularity! Hail the mighty Glow Cloud!
	// seed 12345 · model 3fa2c9e1 · /manifesto topic:robots paragraphs:2 seed:12345 to summon it again
	// 🔁 Hail again gc1|m|2|robots
}
