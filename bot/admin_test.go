package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// fakeAdmin records the calls it gets and answers with what it is told.
type fakeAdmin struct {
	mu    sync.Mutex
	calls []string
	err   error
	delay time.Duration
}

func (f *fakeAdmin) call(ctx context.Context, s string) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	err := f.err
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay) // inside a synctest bubble: fake time
	}
	return "did " + s, err
}

func (f *fakeAdmin) Start(ctx context.Context, c bot.Caller, o bot.StartOptions) (string, error) {
	return f.call(ctx, fmt.Sprintf("start %+v %+v", c, o))
}

func (f *fakeAdmin) Stop(ctx context.Context, c bot.Caller, channel string) (string, error) {
	return f.call(ctx, fmt.Sprintf("stop %+v %s", c, channel))
}

func (f *fakeAdmin) List(ctx context.Context, c bot.Caller) (string, error) {
	return f.call(ctx, fmt.Sprintf("list %+v", c))
}

func (f *fakeAdmin) Hush(ctx context.Context, c bot.Caller, forOpt string) (string, error) {
	return f.call(ctx, fmt.Sprintf("hush %+v %s", c, forOpt))
}

func adminReq(sub string, opts map[string]any) bot.Request {
	cmd := bot.CmdProclaim
	if sub == "" {
		cmd = bot.CmdHush
	}
	return bot.Request{Kind: bot.KindCommand, Command: cmd, Subcommand: sub, Options: opts,
		GuildID: "10", ChannelID: "20", UserID: "30", Permissions: "32"}
}

// TestAdminCommands: /proclaim and /hush go to the Admin with the caller's
// guild, channel, user and permissions and the typed options, and its text
// comes back ephemeral; options the definitions lack are refused before it.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	const caller = "{GuildID:10 ChannelID:20 UserID:30 Permissions:32}"
	for _, tt := range []struct {
		name     string
		req      bot.Request
		wantCall string // "" = the Admin is not called
		wantText string
	}{
		{"start", adminReq("start", map[string]any{"every": "2s", "channel": "99", "kind": "manifesto", "topic": "tea"}),
			"start " + caller + " {Every:2s Channel:99 Kind:manifesto Topic:tea}", ""},
		{"stop", adminReq("stop", map[string]any{"channel": "99"}), "stop " + caller + " 99", ""},
		{"stop here", adminReq("stop", nil), "stop " + caller + " ", ""},
		{"list", adminReq("list", nil), "list " + caller, ""},
		{"hush", adminReq("", map[string]any{"for": "off"}), "hush " + caller + " off", ""},
		{"unknown subcommand", adminReq("explode", nil), "", "Use /proclaim start, /proclaim stop or /proclaim list."},
		{"no subcommand", adminReq("", nil), "hush " + caller + " ", ""},
		{"option of another subcommand", adminReq("list", map[string]any{"every": "1h"}), "", `/proclaim list has no option "every".`},
		{"not text", adminReq("start", map[string]any{"every": 2.0}), "", "every must be text."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.name == "no subcommand" {
				tt.req.Command = bot.CmdHush
			}
			admin := &fakeAdmin{}
			b := bottest.NewBot(bot.Config{Admin: admin, Cooldown: time.Hour})
			r := b.Handle(t.Context(), tt.req)
			if !r.Ephemeral || len(r.Embeds) != 0 || len(r.Buttons) != 0 {
				t.Errorf("reply %+v, want ephemeral text only", r)
			}
			switch {
			case tt.wantCall == "" && len(admin.calls) != 0:
				t.Errorf("the Admin was called: %v", admin.calls)
			case tt.wantCall != "" && (len(admin.calls) != 1 || admin.calls[0] != tt.wantCall):
				t.Errorf("calls %q, want %q", admin.calls, tt.wantCall)
			case tt.wantCall != "" && r.Content != "did "+tt.wantCall:
				t.Errorf("content %q, want the Admin's text", r.Content)
			case tt.wantText != "" && r.Content != tt.wantText:
				t.Errorf("content %q, want %q", r.Content, tt.wantText)
			}
			// Admin commands take no cooldown: a second one goes through.
			if tt.wantCall != "" {
				if b.Handle(t.Context(), tt.req); len(admin.calls) != 2 {
					t.Errorf("a second command within the cooldown did not reach the Admin")
				}
			}
		})
	}
}

// TestAdminOutcomes: a refusal counts as forbidden or bad_request, a store
// failure as an error with an apology the Admin wrote, and no Admin at all
// says so.
func TestAdminOutcomes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		admin   bot.Admin
		outcome string
	}{
		{"ok", &fakeAdmin{}, "ok"},
		{"forbidden", &fakeAdmin{err: fmt.Errorf("%w: no Manage Server", bot.ErrForbidden)}, "forbidden"},
		{"invalid", &fakeAdmin{err: fmt.Errorf("%w: every", bot.ErrInvalid)}, "bad_request"},
		{"store down", &fakeAdmin{err: errors.New("database is locked")}, "error"},
		{"no admin", nil, "bad_request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &fakeRecorder{}
			b := bottest.NewBot(bot.Config{Admin: tt.admin, Metrics: rec})
			var rs bottest.Responder
			if err := b.Answer(t.Context(), adminReq("list", nil), &rs); err != nil {
				t.Fatal(err)
			}
			calls := rs.Calls()
			if len(calls) != 1 || calls[0].Method != "respond" || !calls[0].Reply.Ephemeral {
				t.Fatalf("calls %+v, want one ephemeral respond", calls)
			}
			if tt.admin == nil && calls[0].Reply.Content != "Proclamations are not configured here." {
				t.Errorf("content %q", calls[0].Reply.Content)
			}
			if rec.interactions["proclaim/"+tt.outcome] != 1 {
				t.Errorf("metrics %v, want proclaim/%s", rec.interactions, tt.outcome)
			}
		})
	}
}

// TestAdminDeferralIsEphemeral: a slow store makes Answer defer, and for an
// admin command the deferral is ephemeral, so the reply edited in stays the
// admin's alone.
func TestAdminDeferralIsEphemeral(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := bottest.NewBot(bot.Config{Admin: &fakeAdmin{delay: 5 * time.Second}})
		var rs bottest.Responder
		if err := b.Answer(t.Context(), adminReq("list", nil), &rs); err != nil {
			t.Fatal(err)
		}
		calls := rs.Calls()
		if len(calls) != 2 || calls[0].Method != "defer" || !calls[0].Ephemeral || calls[1].Method != "edit" {
			t.Fatalf("calls %+v, want an ephemeral defer, then an edit", calls)
		}
	})
}

// FuzzAdminRequest: whatever subcommand and options arrive (a forged HTTP
// request, a stale definition), an admin command gets an ephemeral reply
// within Discord's limits, and the Admin only sees options its definitions
// name, as text.
func FuzzAdminRequest(f *testing.F) {
	f.Add("proclaim", "start", "every", "1h", 0.0, false)
	f.Add("proclaim", "stop", "channel", "123", 0.0, false)
	f.Add("proclaim", "", "every", "", 1.5, true)
	f.Add("hush", "", "for", "off", 0.0, false)
	f.Add("hush", "", "for", "", 2.0, true)
	f.Add("hush", "start", "for\x00", "@everyone", 0.0, true)
	f.Fuzz(func(t *testing.T, command, sub, key, value string, num float64, useNum bool) {
		var v any = value
		if useNum {
			v = num
		}
		admin := &fakeAdmin{}
		b := bottest.NewBot(bot.Config{Admin: admin})
		req := bot.Request{Kind: bot.KindCommand, Command: command, Subcommand: sub, Options: map[string]any{key: v},
			GuildID: "1", ChannelID: "2", UserID: "3", Permissions: "32"}
		r := b.Handle(context.Background(), req)
		if err := bottest.CheckLimits(r); err != nil {
			t.Fatalf("reply breaks limits: %v", err)
		}
		if command != bot.CmdProclaim && command != bot.CmdHush {
			return
		}
		if !r.Ephemeral {
			t.Fatalf("admin reply %+v is not ephemeral", r)
		}
		if len(admin.calls) > 0 && useNum {
			t.Fatalf("a number reached the Admin: %v", admin.calls)
		}
	})
}
