package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// fakeScripture records what the core asks of /scripture's work.
type fakeScripture struct {
	mu     sync.Mutex
	calls  []string
	deny   bool
	delay  time.Duration
	err    error
	names  []string
	addJob chan bot.Responder
}

func (f *fakeScripture) call(s string) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay) // inside a synctest bubble: fake time
	}
	if f.err != nil {
		return "", f.err
	}
	return "did " + s, nil
}

func (f *fakeScripture) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeScripture) Allowed(c bot.Caller) (string, error) {
	if f.deny || c.GuildID == "" {
		return "only admins", fmt.Errorf("%w: no", bot.ErrForbidden)
	}
	return "", nil
}

func (f *fakeScripture) Add(_ context.Context, c bot.Caller, file bot.Attachment, name string, rs bot.Responder) {
	f.call(fmt.Sprintf("add %s %s %q", c.GuildID, file.Filename, name))
	if f.addJob != nil {
		f.addJob <- rs
	}
}

func (f *fakeScripture) List(_ context.Context, c bot.Caller) (string, error) {
	return f.call("list " + c.GuildID)
}

func (f *fakeScripture) Remove(_ context.Context, c bot.Caller, name string) (string, error) {
	return f.call(fmt.Sprintf("remove %s %q", c.GuildID, name))
}

func (f *fakeScripture) Forget(_ context.Context, c bot.Caller, confirmed bool) (string, error) {
	return f.call(fmt.Sprintf("forget %s %v", c.GuildID, confirmed))
}

func (f *fakeScripture) Blend(_ context.Context, c bot.Caller, essay int) (string, error) {
	return f.call(fmt.Sprintf("blend %s %d", c.GuildID, essay))
}

func (f *fakeScripture) Names(_ context.Context, c bot.Caller, prefix string, max int) []string {
	f.call(fmt.Sprintf("names %s %q %d", c.GuildID, prefix, max))
	return f.names
}

func scriptureReq(sub string, opts map[string]any) bot.Request {
	return bot.Request{Kind: bot.KindCommand, ID: "I1", Token: "tok", Command: bot.CmdScripture, Subcommand: sub, Options: opts,
		UserID: "U1", GuildID: "G1", ChannelID: "C1", Permissions: "32"}
}

var goodFile = bot.Attachment{ID: "A1", Filename: "lore.txt", ContentType: "text/plain; charset=utf-8", Size: 300, URL: "https://cdn.example/lore.txt"}

func withFile(r bot.Request, a bot.Attachment) bot.Request {
	r.Attachments = map[string]bot.Attachment{a.ID: a}
	return r
}

// TestScriptureRouting: each subcommand reaches the Scripture with its
// options, and its text comes back ephemeral; refusals and bad options
// never reach it.
func TestScriptureRouting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		req       bot.Request
		deny      bool
		wantCall  string // "" for none
		wantReply string
	}{
		{"list", scriptureReq(bot.SubList, nil), false, "list G1", "did list G1"},
		{"remove", scriptureReq(bot.SubRemove, map[string]any{"name": "lore"}), false, `remove G1 "lore"`, `did remove G1 "lore"`},
		{"blend", scriptureReq(bot.SubBlend, map[string]any{"essay": 30.0}), false, "blend G1 30", "did blend G1 30"},
		{"blend 0", scriptureReq(bot.SubBlend, map[string]any{"essay": 0.0}), false, "blend G1 0", "did blend G1 0"},
		{"blend out of range", scriptureReq(bot.SubBlend, map[string]any{"essay": 101.0}), false, "", "essay must be a whole number from 0 to 100."},
		{"blend not whole", scriptureReq(bot.SubBlend, map[string]any{"essay": 2.5}), false, "", "essay must be a whole number from 0 to 100."},
		{"blend missing", scriptureReq(bot.SubBlend, nil), false, "", "/scripture blend needs essay:."},
		{"remove missing", scriptureReq(bot.SubRemove, nil), false, "", "/scripture remove needs name:."},
		{"unknown option", scriptureReq(bot.SubList, map[string]any{"<@1>": "x"}), false, "", "has no option"},
		{"unknown subcommand", scriptureReq("burn", nil), false, "", "Use /scripture add, list, remove, forget or blend."},
		{"not an admin", scriptureReq(bot.SubList, nil), true, "", "only admins"},
		{"add: not text", withFile(scriptureReq(bot.SubAdd, map[string]any{"file": "A2"}), bot.Attachment{ID: "A2", Filename: "cat.png", Size: 3, URL: "https://cdn.example/cat.png"}), false, "", "is not scripture"},
		{"add: too big", withFile(scriptureReq(bot.SubAdd, map[string]any{"file": "A2"}), bot.Attachment{ID: "A2", Filename: "big.txt", Size: 9 << 20, URL: "https://cdn.example/big.txt"}), false, "", "at most 8 MiB"},
		{"add: no file", scriptureReq(bot.SubAdd, map[string]any{"file": "A9"}), false, "", "did not pass on the attached file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeScripture{deny: tc.deny}
			b := bottest.NewBot(bot.Config{Scripture: f})
			r := b.Handle(t.Context(), tc.req)
			if !r.Ephemeral || !strings.Contains(r.Content, tc.wantReply) || len(r.Buttons) != 0 {
				t.Errorf("reply %+v, want an ephemeral %q", r, tc.wantReply)
			}
			calls := f.Calls()
			if (tc.wantCall == "" && len(calls) != 0) || (tc.wantCall != "" && !slices.Equal(calls, []string{tc.wantCall})) {
				t.Errorf("calls %q, want %q", calls, tc.wantCall)
			}
		})
	}
}

// TestScriptureOff: without a Scripture the command answers politely,
// and is registered only when asked for.
func TestScriptureOff(t *testing.T) {
	t.Parallel()
	r := bottest.NewBot(bot.Config{}).Handle(t.Context(), scriptureReq(bot.SubList, nil))
	if !r.Ephemeral || !strings.Contains(r.Content, "not configured") {
		t.Errorf("reply %+v", r)
	}
	has := func(cmds []bot.Command) bool {
		return slices.ContainsFunc(cmds, func(c bot.Command) bool { return c.Name == bot.CmdScripture })
	}
	if has(bot.Commands(false, false)) || !has(bot.Commands(false, true)) {
		t.Error("/scripture is registered whatever the switch says")
	}
	def, _ := bot.Lookup(bot.CmdScripture)
	if !def.Admin {
		t.Error("/scripture is not a server admins' command (Manage Server, guild only)")
	}
}

// TestScriptureAdd: an allowed add is deferred at once, ephemerally, and
// handed to the Scripture, whose job edits the reply; a refusal is sent
// at once without deferring.
func TestScriptureAdd(t *testing.T) {
	t.Parallel()
	f := &fakeScripture{addJob: make(chan bot.Responder, 1)}
	b := bottest.NewBot(bot.Config{Scripture: f})
	var rs bottest.Responder
	req := withFile(scriptureReq(bot.SubAdd, map[string]any{"file": "A1", "name": "Our Lore"}), goodFile)
	if err := b.Answer(t.Context(), req, &rs); err != nil {
		t.Fatal(err)
	}
	if calls := rs.Calls(); len(calls) != 1 || calls[0].Method != "defer" || !calls[0].Ephemeral {
		t.Fatalf("calls %+v, want an ephemeral defer", calls)
	}
	if got := <-f.addJob; got != bot.Responder(&rs) {
		t.Error("the job was not given the interaction's Responder")
	}
	if calls := f.Calls(); !slices.Equal(calls, []string{`add G1 lore.txt "Our Lore"`}) {
		t.Errorf("calls %q", calls)
	}

	f.deny = true
	var refused bottest.Responder
	if err := b.Answer(t.Context(), req, &refused); err != nil {
		t.Fatal(err)
	}
	if calls := refused.Calls(); len(calls) != 1 || calls[0].Method != "respond" || calls[0].Reply.Content != "only admins" || !calls[0].Reply.Ephemeral {
		t.Errorf("a refusal: calls %+v", calls)
	}
}

// TestScriptureForget: forget asks first, with two buttons; Keep deletes
// nothing, the confirm button does (editing the prompt), an expired
// prompt's does not, and a forged button is refused.
func TestScriptureForget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := now
	f := &fakeScripture{}
	b := bottest.NewBot(bot.Config{Scripture: f, Now: func() time.Time { return clock }})
	prompt := b.Handle(t.Context(), scriptureReq(bot.SubForget, nil))
	if !prompt.Ephemeral || prompt.Content != "did forget G1 false" || len(prompt.Buttons) != 2 {
		t.Fatalf("prompt %+v", prompt)
	}
	if err := bottest.CheckLimits(prompt); err != nil {
		t.Error(err)
	}
	press := func(id string) bot.Reply {
		return b.Handle(t.Context(), bot.Request{Kind: bot.KindComponent, CustomID: id, UserID: "U1", GuildID: "G1", ChannelID: "C1", Permissions: "32"})
	}
	forget, keep := prompt.Buttons[0].CustomID, prompt.Buttons[1].CustomID
	if r := press(keep); !r.Update || !strings.Contains(r.Content, "Nothing was forgotten") {
		t.Errorf("keep: %+v", r)
	}
	if r := press(forget); !r.Update || r.Content != "did forget G1 true" || len(r.Buttons) != 0 {
		t.Errorf("forget: %+v", r)
	}
	clock = now.Add(16 * time.Minute)
	if r := press(forget); !strings.Contains(r.Content, "expired") {
		t.Errorf("an expired prompt: %+v", r)
	}
	for _, forged := range []string{"gc1|sf|", "gc1|sf|x", "gc1|sf|-5", "gc1|sf|01", "gc1|sf|" + strings.Repeat("9", 30)} {
		if r := press(forged); r.Content != "That button has faded from the Glow Cloud's memory. Run the command again to summon a fresh one." {
			t.Errorf("%q: %+v", forged, r)
		}
	}
	if calls := f.Calls(); !slices.Equal(calls, []string{"forget G1 false", "forget G1 true"}) {
		t.Errorf("calls %q", calls)
	}
}

// TestScriptureNames: remove's name: is autocompleted with the server's
// names; other options, and names that would render, get nothing.
func TestScriptureNames(t *testing.T) {
	t.Parallel()
	f := &fakeScripture{names: []string{"lore", "<@1>", "minutes 2026"}}
	b := bottest.NewBot(bot.Config{Scripture: f})
	ac := func(sub, focused string) bot.Request {
		return bot.Request{Kind: bot.KindAutocomplete, Command: bot.CmdScripture, Subcommand: sub, Focused: focused,
			Options: map[string]any{focused: "l"}, GuildID: "G1", UserID: "U1", Permissions: "32"}
	}
	r := b.Handle(t.Context(), ac(bot.SubRemove, "name"))
	if !r.Autocomplete || !slices.Equal(r.Choices, []string{"lore", "minutes 2026"}) {
		t.Errorf("choices %+v", r)
	}
	if r := b.Handle(t.Context(), ac(bot.SubAdd, "name")); !r.Autocomplete || len(r.Choices) != 0 {
		t.Errorf("add's name: %+v", r)
	}
	if calls := f.Calls(); !slices.Equal(calls, []string{`names G1 "l" 25`}) {
		t.Errorf("calls %q", calls)
	}
}

// TestScriptureDeferrals: a slow Scripture makes Answer defer
// ephemerally, and an operator's error is an apology.
func TestScriptureDeferrals(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := bottest.NewBot(bot.Config{Scripture: &fakeScripture{delay: 5 * time.Second, err: errors.New("db down")}})
		var rs bottest.Responder
		if err := b.Answer(t.Context(), scriptureReq(bot.SubList, nil), &rs); err != nil {
			t.Fatal(err)
		}
		calls := rs.Calls()
		if len(calls) != 2 || calls[0].Method != "defer" || !calls[0].Ephemeral || calls[1].Method != "edit" ||
			!strings.Contains(calls[1].Reply.Content, "Something went wrong") {
			t.Errorf("calls %+v, want an ephemeral defer, then an apology", calls)
		}
	})
}

// FuzzScriptureRequest: whatever subcommand and options arrive (a forged
// HTTP request, a stale definition), /scripture gets an ephemeral reply
// within Discord's limits; the Scripture sees only known subcommands, and
// blend only a share of 0..100.
func FuzzScriptureRequest(f *testing.F) {
	f.Add("blend", "essay", "", 50.0, true)
	f.Add("blend", "essay", "", 101.0, true)
	f.Add("remove", "name", "lore", 0.0, false)
	f.Add("add", "file", "A1", 0.0, false)
	f.Add("list", "x\x00", "@everyone", 0.0, false)
	f.Add("", "", "", 0.0, false)
	f.Fuzz(func(t *testing.T, sub, key, value string, num float64, useNum bool) {
		var v any = value
		if useNum {
			v = num
		}
		s := &fakeScripture{}
		b := bottest.NewBot(bot.Config{Scripture: s})
		req := withFile(scriptureReq(sub, map[string]any{key: v}), goodFile)
		r := b.Handle(context.Background(), req)
		if err := bottest.CheckLimits(r); err != nil {
			t.Fatalf("reply breaks limits: %v", err)
		}
		if !r.Ephemeral {
			t.Fatalf("reply %+v is not ephemeral", r)
		}
		for _, c := range s.Calls() {
			name, rest, _ := strings.Cut(c, " ")
			if !slices.Contains([]string{"list", "remove", "forget", "blend"}, name) {
				t.Fatalf("the Scripture was asked %q", c)
			}
			if name == "blend" {
				var guild string
				var n int
				if _, err := fmt.Sscanf(rest, "%s %d", &guild, &n); err != nil || n < 0 || n > 100 {
					t.Fatalf("blend asked with %q", c)
				}
			}
		}
	})
}

// longScripture answers list with a text longer than a message's content.
type longScripture struct{ fakeScripture }

func (*longScripture) List(context.Context, bot.Caller) (string, error) {
	return strings.Repeat("- a text of this server, with its details\n", 80) + "end", nil
}

// TestScriptureLongReply: a reply longer than a message's content (a list
// of twenty texts) is sent whole, as an embed's description.
func TestScriptureLongReply(t *testing.T) {
	t.Parallel()
	b := bottest.NewBot(bot.Config{Scripture: &longScripture{}})
	r := b.Handle(t.Context(), scriptureReq(bot.SubList, nil))
	if !r.Ephemeral || r.Content != "" || len(r.Embeds) != 1 || !strings.HasSuffix(r.Embeds[0].Description, "end") {
		t.Errorf("reply %+v, want the whole text in an ephemeral embed", r)
	}
	if err := bottest.CheckLimits(r); err != nil {
		t.Error(err)
	}
}
