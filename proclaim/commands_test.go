package proclaim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/limits"
	"github.com/glowcloud/glowcloud/proclaim"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// admin is a caller with Manage Server in guild g1, channel 100.
var admin = bot.Caller{GuildID: "g1", ChannelID: "100", UserID: "7", Permissions: "32"}

func newCommands(st proclaim.Store) *proclaim.Commands {
	return proclaim.NewCommands(st, time.Hour, func() time.Time { return t0 })
}

func ts(t time.Time) string { return fmt.Sprintf("<t:%d:R>", t.Unix()) }

func TestCommandsRefuseWithoutManageServer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		caller bot.Caller
	}{
		{"no permissions", bot.Caller{GuildID: "g1", ChannelID: "100", UserID: "7", Permissions: "0"}},
		{"Manage Channels only", bot.Caller{GuildID: "g1", ChannelID: "100", UserID: "7", Permissions: "16"}},
		{"no member permissions", bot.Caller{GuildID: "g1", ChannelID: "100", UserID: "7"}},
		{"garbage permissions", bot.Caller{GuildID: "g1", ChannelID: "100", UserID: "7", Permissions: "all"}},
		{"in a DM, even with the bit", bot.Caller{ChannelID: "100", UserID: "7", Permissions: "32"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newFakeStore()
			st.hushes["g1"] = proclaim.Hush{GuildID: "g1", Until: t0.Add(time.Hour), By: "1"}
			put, _ := st.PutSchedule(t.Context(), proclaim.Schedule{GuildID: "g1", ChannelID: "101", Every: time.Hour, Kind: bot.CmdGlowcloud, NextAt: t0}, 5)
			cm := newCommands(st)
			for name, call := range map[string]func() (string, error){
				"start": func() (string, error) {
					return cm.Start(t.Context(), tt.caller, bot.StartOptions{Every: "1h"})
				},
				"stop": func() (string, error) { return cm.Stop(t.Context(), tt.caller, "101") },
				"list": func() (string, error) { return cm.List(t.Context(), tt.caller) },
				"hush": func() (string, error) { return cm.Hush(t.Context(), tt.caller, "off") },
			} {
				text, err := call()
				if !errors.Is(err, bot.ErrForbidden) {
					t.Errorf("%s: err = %v, want ErrForbidden", name, err)
				}
				if text == "" || strings.Contains(text, "<#101>") {
					t.Errorf("%s: reply %q, want a refusal that shows nothing of the server", name, text)
				}
			}
			// Nothing changed.
			if got := st.get(t, "101"); got.ID != put.ID || len(st.scheds) != 1 {
				t.Errorf("a refused command changed the schedules: %+v", st.scheds)
			}
			if h, _ := st.Hush(t.Context(), "g1"); !h.Active(t0) {
				t.Errorf("a refused /hush for:off lifted the hush")
			}
		})
	}
}

func TestCommandsAdministratorMayManage(t *testing.T) {
	t.Parallel()
	cm := newCommands(newFakeStore())
	c := admin
	c.Permissions = "8"
	if _, err := cm.Start(t.Context(), c, bot.StartOptions{Every: "6h"}); err != nil {
		t.Errorf("Start by an Administrator: %v", err)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	text, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "6h", Kind: "manifesto", Topic: "  tea  "})
	if err != nil {
		t.Fatal(err)
	}
	first := t0.Add(6 * time.Hour)
	want := fmt.Sprintf("The Glow Cloud will proclaim in <#100> every 6h (manifesto on “tea”). The first proclamation comes %s (<t:%d:f>).", ts(first), first.Unix())
	if text != want {
		t.Errorf("reply\n got %q\nwant %q", text, want)
	}
	s := st.get(t, "100")
	if s.GuildID != "g1" || s.Every != 6*time.Hour || s.Kind != bot.CmdManifesto || s.Topic != "tea" ||
		!s.NextAt.Equal(first) || s.CreatedBy != "7" || !s.CreatedAt.Equal(t0) {
		t.Errorf("stored %+v", s)
	}

	// Another channel by option; glowcloud by default.
	if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1d", Channel: "200"}); err != nil {
		t.Fatal(err)
	}
	if s := st.get(t, "200"); s.Kind != bot.CmdGlowcloud || s.Every != 24*time.Hour {
		t.Errorf("stored %+v", s)
	}

	// Starting again replaces, and says so.
	text, err = cm.Start(t.Context(), admin, bot.StartOptions{Every: "1w"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "replaces") {
		t.Errorf("replacing reply %q does not say it replaces", text)
	}
	if s := st.get(t, "100"); s.Every != 7*24*time.Hour || s.Kind != bot.CmdGlowcloud {
		t.Errorf("replaced schedule %+v", s)
	}
	if len(st.scheds) != 2 {
		t.Errorf("%d schedules, want 2", len(st.scheds))
	}
}

func TestStartWhileHushed(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	st.hushes["g1"] = proclaim.Hush{GuildID: "g1", Until: t0.Add(2 * time.Hour), By: "1"}
	text, err := newCommands(st).Start(t.Context(), admin, bot.StartOptions{Every: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "hushed until "+ts(t0.Add(2*time.Hour))) {
		t.Errorf("reply %q does not warn of the hush", text)
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts bot.StartOptions
		says string
	}{
		{"too often", bot.StartOptions{Every: "30m"}, "shorter than 1h"},
		{"not a duration", bot.StartOptions{Every: "often"}, "not a duration"},
		{"no every", bot.StartOptions{}, "every:"},
		{"bad kind", bot.StartOptions{Every: "1h", Kind: "poem"}, "glowcloud or manifesto"},
		{"long topic", bot.StartOptions{Every: "1h", Topic: strings.Repeat("x", limits.MaxTopic+1)}, "50 characters"},
		{"bad channel", bot.StartOptions{Every: "1h", Channel: "general"}, "channel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newFakeStore()
			text, err := newCommands(st).Start(t.Context(), admin, tt.opts)
			if !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(text, tt.says) {
				t.Errorf("reply %q does not say %q", text, tt.says)
			}
			if len(st.scheds) != 0 {
				t.Errorf("a refused start stored %+v", st.scheds)
			}
		})
	}
}

// TestStartEscapesTypedText: the topic an admin types is stored as every
// typed topic is shown (bot.ShownTopic: so the scheduled posts, their
// buttons and /proclaim list carry it inert, and PostgreSQL gets no NUL),
// and the replies render none of it. The old code stored it raw and
// escaped the reply with a weaker escaper of its own (live "https://",
// "evil.example" and the NUL kept).
func TestStartEscapesTypedText(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	for _, topic := range []string{"**tea** <@1> [x](http://e)", bottest.HostileTopic, "\u202eevil.example/x"} {
		text, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h", Kind: "manifesto", Topic: topic})
		if err != nil {
			t.Fatal(err)
		}
		if err := bottest.Inert(text, "<#100>"); err != nil {
			t.Errorf("/proclaim start topic:%q renders it: %v", topic, err)
		}
		want, _ := bot.ShownTopic(topic)
		if got := st.get(t, "100").Topic; got != want || strings.ContainsRune(got, 0) {
			t.Errorf("topic:%q stored as %q, want %q", topic, got, want)
		}
		list, err := cm.List(t.Context(), admin)
		if err != nil {
			t.Fatal(err)
		}
		if err := bottest.Inert(list, "<#100>"); err != nil {
			t.Errorf("/proclaim list after topic:%q renders it: %v", topic, err)
		}
	}
	_, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "**1h**"})
	if !errors.Is(err, bot.ErrInvalid) {
		t.Fatal(err)
	}
	if text, _ := cm.Start(t.Context(), admin, bot.StartOptions{Every: "<@1>h"}); strings.Contains(text, "<@1>") {
		t.Errorf("refusal %q echoes a mention unescaped", text)
	}
}

func TestStartLimit(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	for i := range proclaim.MaxPerGuild {
		if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h", Channel: fmt.Sprint(100 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	text, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h", Channel: "900"})
	if !errors.Is(err, proclaim.ErrTooMany) || !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("sixth start: err = %v, want ErrTooMany and ErrInvalid", err)
	}
	if !strings.Contains(text, "5 schedules") {
		t.Errorf("sixth start: reply %q", text)
	}
	// Replacing at the limit is fine.
	if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "2h", Channel: "102"}); err != nil {
		t.Errorf("replacing at the limit: %v", err)
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h"}); err != nil {
		t.Fatal(err)
	}
	if text, err := cm.Stop(t.Context(), admin, "300"); err != nil || !strings.Contains(text, "no schedule in <#300>") {
		t.Errorf("Stop of a channel without one = %q, %v", text, err)
	}
	if text, err := cm.Stop(t.Context(), admin, ""); err != nil || text != "The proclamations in <#100> have stopped." {
		t.Errorf("Stop = %q, %v", text, err)
	}
	if len(st.scheds) != 0 {
		t.Errorf("after Stop: %+v", st.scheds)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	text, err := cm.List(t.Context(), admin)
	if err != nil || text != "No proclamations are scheduled in this server. Start one with /proclaim start every:6h." {
		t.Errorf("List of none = %q, %v", text, err)
	}
	for _, o := range []bot.StartOptions{
		{Every: "6h", Kind: "manifesto", Topic: "tea"},
		{Every: "1d", Channel: "200"},
	} {
		if _, err := cm.Start(t.Context(), admin, o); err != nil {
			t.Fatal(err)
		}
	}
	s100, s200 := st.get(t, "100"), st.get(t, "200")
	st.Finish(t.Context(), s100.ID, proclaim.Outcome{At: t0.Add(-time.Minute), Result: "posted"})
	st.Finish(t.Context(), s200.ID, proclaim.Outcome{At: t0.Add(-2 * time.Minute), Result: "failed", Pause: "the bot lacks the permission to post in the channel (Discord error 50013)"})
	st.hushes["g1"] = proclaim.Hush{GuildID: "g1", Until: t0.Add(time.Hour), By: "9"}
	st.hushes["g2"] = proclaim.Hush{GuildID: "g2", Until: t0.Add(time.Hour), By: "9"}
	text, err = cm.List(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	next, hush := t0.Add(6*time.Hour), t0.Add(time.Hour)
	want := strings.Join([]string{
		"Proclamations in this server (2 of at most 5):",
		fmt.Sprintf("- <#100> every 6h, manifesto on “tea”: next %s (<t:%d:f>); last posted %s.", ts(next), next.Unix(), ts(t0.Add(-time.Minute))),
		fmt.Sprintf("- <#200> every 1d, glowcloud: **paused**, since the bot lacks the permission to post in the channel (Discord error 50013); last failed %s. Fix that, then /proclaim start there again to resume.", ts(t0.Add(-2*time.Minute))),
		fmt.Sprintf("Hushed until %s (<t:%d:f>) by <@9>: scheduled posts are skipped. /hush for:off lifts it.", ts(hush), hush.Unix()),
	}, "\n")
	if text != want {
		t.Errorf("List\n got %s\nwant %s", text, want)
	}
	// An expired hush is not shown.
	st.hushes["g1"] = proclaim.Hush{GuildID: "g1", Until: t0, By: "9"}
	if text, _ := cm.List(t.Context(), admin); strings.Contains(text, "Hushed") {
		t.Errorf("List shows an expired hush: %q", text)
	}
	if len(text) > 2000 {
		t.Errorf("List is %d bytes, more than a message holds", len(text))
	}
}

func TestListFitsAMessage(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	for i := range proclaim.MaxPerGuild {
		if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1d12h30m15s", Channel: fmt.Sprint(12345678901234567890 - uint64(i)), Kind: "manifesto", Topic: strings.Repeat("*", limits.MaxTopic)}); err != nil {
			t.Fatal(err)
		}
		s := st.scheds[len(st.scheds)-1]
		st.Finish(t.Context(), s.ID, proclaim.Outcome{At: t0, Result: "failed (shut down while retrying)", Pause: "Discord refused the post (HTTP 403, error 50013)"})
	}
	st.hushes["g1"] = proclaim.Hush{GuildID: "g1", Until: t0.Add(time.Hour), By: "12345678901234567890"}
	text, err := cm.List(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(text)); n > 2000 {
		t.Errorf("the longest List is %d characters, more than Discord's 2000", n)
	}
}

func TestHush(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	cm := newCommands(st)
	text, err := cm.Hush(t.Context(), admin, "off")
	if err != nil || !strings.Contains(text, "was not hushed") {
		t.Errorf("Hush off without a hush = %q, %v", text, err)
	}
	text, err = cm.Hush(t.Context(), admin, "")
	if err != nil || !strings.HasPrefix(text, "Hushed for 1h: ") || !strings.Contains(text, ts(t0.Add(time.Hour))) {
		t.Errorf("Hush = %q, %v", text, err)
	}
	if h := st.hushes["g1"]; !h.Until.Equal(t0.Add(time.Hour)) || h.By != "7" {
		t.Errorf("stored hush %+v", h)
	}
	if _, err := cm.Hush(t.Context(), admin, "12h"); err != nil {
		t.Fatal(err)
	}
	if h := st.hushes["g1"]; !h.Until.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("a second /hush did not replace the first: %+v", h)
	}
	text, err = cm.Hush(t.Context(), admin, "25h")
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(text, "longer than 1d") {
		t.Errorf("Hush 25h = %q, %v", text, err)
	}
	if h := st.hushes["g1"]; !h.Until.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("a refused /hush changed it: %+v", h)
	}
	text, err = cm.Hush(t.Context(), admin, "off")
	if err != nil || !strings.Contains(text, "lifted") {
		t.Errorf("Hush off = %q, %v", text, err)
	}
	if _, ok := st.hushes["g1"]; ok {
		t.Errorf("hush still stored after for:off")
	}
}

func TestCommandsStoreDown(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	st.setFail(errDown)
	cm := newCommands(st)
	for name, call := range map[string]func() (string, error){
		"start":    func() (string, error) { return cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h"}) },
		"stop":     func() (string, error) { return cm.Stop(t.Context(), admin, "") },
		"list":     func() (string, error) { return cm.List(t.Context(), admin) },
		"hush":     func() (string, error) { return cm.Hush(t.Context(), admin, "1h") },
		"hush off": func() (string, error) { return cm.Hush(t.Context(), admin, "off") },
	} {
		text, err := call()
		if !errors.Is(err, errDown) || errors.Is(err, bot.ErrInvalid) || errors.Is(err, bot.ErrForbidden) {
			t.Errorf("%s: err = %v, want the store's error for the operator", name, err)
		}
		if !strings.Contains(text, "could not reach its memory") || strings.Contains(text, errDown.Error()) {
			t.Errorf("%s: reply %q, want an apology without the cause", name, text)
		}
	}
}
