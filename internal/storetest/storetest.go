// Package storetest is the conformance suite every glowcloud store adapter
// passes: the sqlite package runs it on real files, the postgres package on
// a real server. A behaviour the domain relies on (limits, atomic claims,
// catch-up, hushes, cooldowns) is asserted here once, so the adapters cannot
// drift apart.
package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/cooldown"
	"github.com/glowcloud/glowcloud/internal/store"
	"github.com/glowcloud/glowcloud/proclaim"
)

// Store is what the suite tests: store.Store, the state an adapter keeps.
type Store = store.Store

// T0 is the suite's epoch: every time in it is T0 plus something.
var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// Run runs the suite. open must return a new, empty store for each call
// (the suite's subtests run in parallel) and close it in t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, st Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Replace", testReplace},
		{"Limit", testLimit},
		{"LimitConcurrent", testLimitConcurrent},
		{"Delete", testDelete},
		{"Hush", testHush},
		{"Claim", testClaim},
		{"ClaimOrderAndLimit", testClaimOrderAndLimit},
		{"CatchUp", testCatchUp},
		{"ClaimHushed", testClaimHushed},
		{"ClaimConcurrent", testClaimConcurrent},
		{"FinishAndPause", testFinishAndPause},
		{"Publish", testPublish},
		{"Rollback", testRollback},
		{"PublishKeeps", testPublishKeeps},
		{"PublishConcurrent", testPublishConcurrent},
		{"TypedTopic", testTypedTopic},
		{"ScriptureAdd", testScriptureAdd},
		{"ScriptureLimits", testScriptureLimits},
		{"ScriptureLimitConcurrent", testScriptureLimitConcurrent},
		{"ScriptureTraining", testScriptureTraining},
		{"ScriptureChangedWhileTraining", testScriptureChangedWhileTraining},
		{"ScriptureLease", testScriptureLease},
		{"ScriptureClaimConcurrent", testScriptureClaimConcurrent},
		{"ScriptureRemoveForget", testScriptureRemoveForget},
		{"ScriptureBlend", testScriptureBlend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, open(t))
		})
	}
	for _, tc := range quizTests() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, open(t))
		})
	}
	RunCooldowns(t, func(t *testing.T) cooldown.Store { return open(t) })
}

// RunCooldowns runs the cooldown part of the suite, which cooldown.Memory
// passes too: what a cooldown means is the same wherever it is kept. open
// must return a new, empty store for each call.
func RunCooldowns(t *testing.T, open func(t *testing.T) cooldown.Store) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, st cooldown.Store)
	}{
		{"Cooldown", testCooldown},
		{"CooldownConcurrent", testCooldownConcurrent},
		{"CooldownPrune", testCooldownPrune},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, open(t))
		})
	}
}

// sched returns a schedule of channel ch in guild g, every 1 h, first due
// at next.
func sched(g, ch string, next time.Time) proclaim.Schedule {
	return proclaim.Schedule{
		GuildID: g, ChannelID: ch, Every: time.Hour, Kind: bot.CmdGlowcloud,
		NextAt: next, CreatedBy: "u1", CreatedAt: t0,
	}
}

func put(t *testing.T, st Store, s proclaim.Schedule) proclaim.Schedule {
	t.Helper()
	got, err := st.PutSchedule(t.Context(), s, proclaim.MaxPerGuild)
	if err != nil {
		t.Fatalf("PutSchedule(%s/%s): %v", s.GuildID, s.ChannelID, err)
	}
	return got
}

func list(t *testing.T, st Store, g string) []proclaim.Schedule {
	t.Helper()
	got, err := st.Schedules(t.Context(), g)
	if err != nil {
		t.Fatalf("Schedules(%s): %v", g, err)
	}
	return got
}

func claim(t *testing.T, st Store, now time.Time, limit int) []proclaim.Claim {
	t.Helper()
	got, err := st.Claim(t.Context(), now, limit)
	if err != nil {
		t.Fatalf("Claim(%v): %v", now, err)
	}
	return got
}

// same reports the differences between two schedules, times compared as
// instants.
func same(got, want proclaim.Schedule) error {
	if got.ID != want.ID || got.GuildID != want.GuildID || got.ChannelID != want.ChannelID ||
		got.Every != want.Every || got.Kind != want.Kind || got.Topic != want.Topic ||
		got.CreatedBy != want.CreatedBy || got.LastResult != want.LastResult || got.Paused != want.Paused ||
		!got.NextAt.Equal(want.NextAt) || !got.CreatedAt.Equal(want.CreatedAt) || !got.LastAt.Equal(want.LastAt) {
		return fmt.Errorf("got  %+v\nwant %+v", got, want)
	}
	return nil
}

func testRoundTrip(t *testing.T, st Store) {
	s := sched("g1", "100", t0.Add(time.Hour))
	s.Every = 6*time.Hour + 30*time.Minute
	s.Kind = bot.CmdManifesto
	s.Topic = "tea & “robots”"
	got := put(t, st, s)
	if got.ID == 0 {
		t.Fatalf("PutSchedule returned ID 0")
	}
	s.ID = got.ID
	if err := same(got, s); err != nil {
		t.Errorf("PutSchedule returned:\n%v", err)
	}
	all := list(t, st, "g1")
	if len(all) != 1 {
		t.Fatalf("Schedules = %d, want 1", len(all))
	}
	if err := same(all[0], s); err != nil {
		t.Errorf("Schedules returned:\n%v", err)
	}
	if other := list(t, st, "g2"); len(other) != 0 {
		t.Errorf("Schedules(g2) = %v, want none", other)
	}
}

func testReplace(t *testing.T, st Store) {
	ctx := t.Context()
	old := put(t, st, sched("g1", "100", t0))
	if err := st.Finish(ctx, old.ID, proclaim.Outcome{At: t0, Result: "failed", Pause: "no access"}); err != nil {
		t.Fatal(err)
	}
	s := sched("g1", "100", t0.Add(2*time.Hour))
	s.Every = 2 * time.Hour
	repl := put(t, st, s)
	if repl.ID == old.ID {
		t.Errorf("replacement has the old ID %d: a late Finish of the old schedule would land on it", old.ID)
	}
	all := list(t, st, "g1")
	if len(all) != 1 {
		t.Fatalf("after replacing: %d schedules, want 1", len(all))
	}
	if all[0].Every != 2*time.Hour || all[0].Paused != "" || all[0].LastResult != "" {
		t.Errorf("replacement = %+v, want every 2h, not paused, no last result", all[0])
	}
	// A Finish of the old claim, arriving late, must not touch the new one.
	if err := st.Finish(ctx, old.ID, proclaim.Outcome{At: t0, Result: "posted", Pause: "stale"}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, st, "g1")[0]; got.Paused != "" || got.LastResult != "" {
		t.Errorf("a Finish of the replaced schedule changed the new one: %+v", got)
	}
	// Deleting and starting again never reuses an ID either.
	if _, err := st.DeleteSchedule(ctx, "g1", "100"); err != nil {
		t.Fatal(err)
	}
	again := put(t, st, s)
	if again.ID == repl.ID || again.ID == old.ID {
		t.Errorf("schedule started after a delete reuses ID %d", again.ID)
	}
}

func testLimit(t *testing.T, st Store) {
	ctx := t.Context()
	for i := range proclaim.MaxPerGuild {
		put(t, st, sched("g1", fmt.Sprint(100+i), t0))
	}
	_, err := st.PutSchedule(ctx, sched("g1", "200", t0), proclaim.MaxPerGuild)
	if !errors.Is(err, proclaim.ErrTooMany) {
		t.Fatalf("PutSchedule beyond the limit: err = %v, want ErrTooMany", err)
	}
	if n := len(list(t, st, "g1")); n != proclaim.MaxPerGuild {
		t.Errorf("after a refused PutSchedule: %d schedules, want %d", n, proclaim.MaxPerGuild)
	}
	// Replacing one at the limit is allowed.
	s := sched("g1", "102", t0)
	s.Every = 3 * time.Hour
	put(t, st, s)
	// Other guilds have their own limit.
	put(t, st, sched("g2", "300", t0))
	// Stopping one makes room.
	if _, err := st.DeleteSchedule(ctx, "g1", "100"); err != nil {
		t.Fatal(err)
	}
	put(t, st, sched("g1", "200", t0))
	if n := len(list(t, st, "g1")); n != proclaim.MaxPerGuild {
		t.Errorf("%d schedules, want %d", n, proclaim.MaxPerGuild)
	}
}

func testLimitConcurrent(t *testing.T, st Store) {
	const n = 12
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		ok, tooMany   int
		unexpectedErr error
	)
	for i := range n {
		wg.Go(func() {
			_, err := st.PutSchedule(t.Context(), sched("g1", fmt.Sprint(100+i), t0), proclaim.MaxPerGuild)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, proclaim.ErrTooMany):
				tooMany++
			default:
				unexpectedErr = err
			}
		})
	}
	wg.Wait()
	if unexpectedErr != nil {
		t.Fatalf("concurrent PutSchedule: %v", unexpectedErr)
	}
	if ok != proclaim.MaxPerGuild || tooMany != n-proclaim.MaxPerGuild {
		t.Errorf("%d concurrent starts: %d stored, %d refused; want %d and %d", n, ok, tooMany, proclaim.MaxPerGuild, n-proclaim.MaxPerGuild)
	}
	if got := len(list(t, st, "g1")); got != proclaim.MaxPerGuild {
		t.Errorf("guild has %d schedules, want %d", got, proclaim.MaxPerGuild)
	}
}

func testDelete(t *testing.T, st Store) {
	ctx := t.Context()
	put(t, st, sched("g1", "100", t0))
	put(t, st, sched("g1", "101", t0))
	for _, tt := range []struct {
		guild, channel string
		want           bool
	}{
		{"g2", "100", false}, // another guild's channel of that id: not ours to delete
		{"g1", "100", true},
		{"g1", "100", false},
		{"g1", "999", false},
	} {
		found, err := st.DeleteSchedule(ctx, tt.guild, tt.channel)
		if err != nil {
			t.Fatal(err)
		}
		if found != tt.want {
			t.Errorf("DeleteSchedule(%s, %s) = %v, want %v", tt.guild, tt.channel, found, tt.want)
		}
	}
	if all := list(t, st, "g1"); len(all) != 1 || all[0].ChannelID != "101" {
		t.Errorf("after deletes: %+v, want channel 101 only", all)
	}
}

func testHush(t *testing.T, st Store) {
	ctx := t.Context()
	h, err := st.Hush(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Until.IsZero() {
		t.Errorf("Hush of a guild never hushed = %+v, want zero Until", h)
	}
	for _, until := range []time.Time{t0.Add(time.Hour), t0.Add(30 * time.Minute)} { // the second replaces the first, even shorter
		if err := st.SetHush(ctx, proclaim.Hush{GuildID: "g1", Until: until, By: "u9"}); err != nil {
			t.Fatal(err)
		}
		h, err = st.Hush(ctx, "g1")
		if err != nil {
			t.Fatal(err)
		}
		if !h.Until.Equal(until) || h.By != "u9" || h.GuildID != "g1" {
			t.Errorf("Hush = %+v, want until %v by u9", h, until)
		}
	}
	if h, _ := st.Hush(ctx, "g2"); !h.Until.IsZero() {
		t.Errorf("hushing g1 hushed g2: %+v", h)
	}
	if err := st.ClearHush(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.Hush(ctx, "g1"); !h.Until.IsZero() {
		t.Errorf("after ClearHush: %+v", h)
	}
	if err := st.ClearHush(ctx, "g1"); err != nil {
		t.Errorf("ClearHush with no hush: %v", err)
	}
}

func testClaim(t *testing.T, st Store) {
	s := put(t, st, sched("g1", "100", t0.Add(time.Hour)))
	if got := claim(t, st, t0.Add(59*time.Minute), 10); len(got) != 0 {
		t.Fatalf("Claim before the slot = %+v, want none", got)
	}
	got := claim(t, st, t0.Add(time.Hour), 10) // exactly at the slot
	if len(got) != 1 {
		t.Fatalf("Claim at the slot = %d claims, want 1", len(got))
	}
	c := got[0]
	if c.ID != s.ID || c.ChannelID != "100" || c.Kind != bot.CmdGlowcloud || c.Hushed {
		t.Errorf("claim = %+v, want schedule %d of channel 100, not hushed", c, s.ID)
	}
	if !c.Slot.Equal(t0.Add(time.Hour)) || !c.NextAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("claim slot %v next %v, want %v and %v", c.Slot, c.NextAt, t0.Add(time.Hour), t0.Add(2*time.Hour))
	}
	if again := claim(t, st, t0.Add(time.Hour+time.Minute), 10); len(again) != 0 {
		t.Errorf("second Claim of the same slot = %+v, want none", again)
	}
	if all := list(t, st, "g1"); !all[0].NextAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("stored NextAt = %v after the claim, want %v", all[0].NextAt, t0.Add(2*time.Hour))
	}
	if next := claim(t, st, t0.Add(2*time.Hour), 10); len(next) != 1 || !next[0].Slot.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("Claim of the next slot = %+v", next)
	}
}

func testClaimOrderAndLimit(t *testing.T, st Store) {
	for i, offset := range []time.Duration{30, 10, 20, 40} { // minutes before now
		put(t, st, sched("g"+fmt.Sprint(i), "10"+fmt.Sprint(i), t0.Add(-offset*time.Minute)))
	}
	put(t, st, sched("g9", "109", t0.Add(time.Minute))) // not due
	got := claim(t, st, t0, 2)
	if len(got) != 2 {
		t.Fatalf("Claim(limit 2) = %d claims", len(got))
	}
	if !got[0].Slot.Equal(t0.Add(-40*time.Minute)) || !got[1].Slot.Equal(t0.Add(-30*time.Minute)) {
		t.Errorf("Claim(limit 2) took slots %v and %v, want the two oldest (-40m, -30m)", got[0].Slot, got[1].Slot)
	}
	rest := claim(t, st, t0, 10)
	if len(rest) != 2 || !rest[0].Slot.Equal(t0.Add(-20*time.Minute)) || !rest[1].Slot.Equal(t0.Add(-10*time.Minute)) {
		t.Errorf("second Claim = %+v, want the slots at -20m and -10m in that order", rest)
	}
}

func testCatchUp(t *testing.T, st Store) {
	// Down for five and a half hours over an hourly schedule: one catch-up
	// post, and the next slot is the first one in the future.
	put(t, st, sched("g1", "100", t0))
	now := t0.Add(5*time.Hour + 30*time.Minute)
	got := claim(t, st, now, 10)
	if len(got) != 1 {
		t.Fatalf("Claim after downtime = %d claims, want exactly 1 (no burst)", len(got))
	}
	if !got[0].Slot.Equal(t0) || !got[0].NextAt.Equal(t0.Add(6*time.Hour)) {
		t.Errorf("catch-up claim slot %v next %v, want %v and %v", got[0].Slot, got[0].NextAt, t0, t0.Add(6*time.Hour))
	}
	if want := proclaim.NextSlot(t0, now, time.Hour); !got[0].NextAt.Equal(want) {
		t.Errorf("NextAt %v, proclaim.NextSlot says %v", got[0].NextAt, want)
	}
	if again := claim(t, st, now, 10); len(again) != 0 {
		t.Errorf("Claim again after catching up = %d claims, want 0", len(again))
	}
}

func testClaimHushed(t *testing.T, st Store) {
	ctx := t.Context()
	put(t, st, sched("g1", "100", t0))
	put(t, st, sched("g2", "200", t0))
	if err := st.SetHush(ctx, proclaim.Hush{GuildID: "g1", Until: t0.Add(90 * time.Minute), By: "u1"}); err != nil {
		t.Fatal(err)
	}
	hushed := map[string]bool{}
	for _, c := range claim(t, st, t0, 10) {
		hushed[c.GuildID] = c.Hushed
	}
	if len(hushed) != 2 || !hushed["g1"] || hushed["g2"] {
		t.Errorf("claims while g1 is hushed: hushed = %v, want both claimed (the slot is consumed), g1 hushed only", hushed)
	}
	// At the hush's end it no longer applies.
	got := claim(t, st, t0.Add(2*time.Hour), 10)
	for _, c := range got {
		if c.Hushed {
			t.Errorf("claim after the hush ended is still hushed: %+v", c)
		}
	}
	if len(got) != 2 {
		t.Errorf("after the hush: %d claims, want 2", len(got))
	}
}

// testClaimConcurrent has several claimers step a clock through many slots
// at once, each in steps shorter than the interval: every slot must be
// claimed exactly once (none twice, none skipped).
func testClaimConcurrent(t *testing.T, st Store) {
	const (
		claimers = 4
		slots    = 24
		every    = time.Hour
		step     = 20 * time.Minute
	)
	ids := map[int64]bool{}
	for i := range 3 {
		s := sched("g1", fmt.Sprint(100+i), t0.Add(time.Duration(i)*time.Minute))
		ids[put(t, st, s).ID] = true
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		seen   = map[string]int{}
		errs   []error
		finish = t0.Add(slots * every)
	)
	for range claimers {
		wg.Go(func() {
			for now := t0; !now.After(finish); now = now.Add(step) {
				got, err := st.Claim(t.Context(), now, 10)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, c := range got {
					seen[fmt.Sprintf("%d@%s", c.ID, c.Slot.Format(time.RFC3339))]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent Claim: %d errors, first %v", len(errs), errs[0])
	}
	want := 0
	for i := range len(ids) {
		for slot := t0.Add(time.Duration(i) * time.Minute); !slot.After(finish); slot = slot.Add(every) {
			want++
		}
	}
	if len(seen) != want {
		t.Errorf("%d distinct slots claimed, want %d", len(seen), want)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("slot %s claimed %d times", k, n)
		}
	}
}

func testFinishAndPause(t *testing.T, st Store) {
	ctx := t.Context()
	s := put(t, st, sched("g1", "100", t0))
	c := claim(t, st, t0, 10)
	if len(c) != 1 {
		t.Fatalf("claim: %+v", c)
	}
	at := t0.Add(2 * time.Second)
	if err := st.Finish(ctx, s.ID, proclaim.Outcome{At: at, Result: "posted"}); err != nil {
		t.Fatal(err)
	}
	got := list(t, st, "g1")[0]
	if got.LastResult != "posted" || !got.LastAt.Equal(at) || got.Paused != "" {
		t.Errorf("after Finish(posted): %+v", got)
	}
	if err := st.Finish(ctx, s.ID, proclaim.Outcome{At: at.Add(time.Hour), Result: "failed", Pause: "no access (50001)"}); err != nil {
		t.Fatal(err)
	}
	got = list(t, st, "g1")[0]
	if got.LastResult != "failed" || got.Paused != "no access (50001)" {
		t.Errorf("after Finish with a pause: %+v", got)
	}
	if c := claim(t, st, t0.Add(10*time.Hour), 10); len(c) != 0 {
		t.Errorf("a paused schedule was claimed: %+v", c)
	}
	// A later outcome without a pause keeps the pause.
	if err := st.Finish(ctx, s.ID, proclaim.Outcome{At: at.Add(2 * time.Hour), Result: "posted"}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, st, "g1")[0]; got.Paused == "" {
		t.Errorf("a Finish without a pause cleared it: %+v", got)
	}
	if err := st.Finish(ctx, 999999, proclaim.Outcome{At: at, Result: "posted"}); err != nil {
		t.Errorf("Finish of an unknown schedule: %v, want nil (it was deleted meanwhile)", err)
	}
}

// testCooldown walks one store through the rule cooldown.Store states.
func testCooldown(t *testing.T, st cooldown.Store) {
	ctx := t.Context()
	const every = 3 * time.Second
	for _, step := range []struct {
		name string
		key  string
		at   time.Duration // after t0
		want time.Duration
	}{
		{"first", "u1", 0, 0},
		{"again soon", "u1", time.Second, 2 * time.Second},
		{"refused take does not restart it", "u1", 2500 * time.Millisecond, 500 * time.Millisecond},
		{"another user", "u2", time.Second, 0},
		{"after the cooldown", "u1", every, 0},
		{"clock slightly behind another replica's", "u1", every - time.Second, every},
		{"clock stepped far back", "u1", -time.Hour, 0},
		{"clock stepped back by the whole cooldown", "u1", -time.Hour - every, every},
		{"clock stepped back by more", "u1", -time.Hour - every - time.Millisecond, 0},
		{"the cooldown started there holds", "u1", -time.Hour - every - time.Millisecond + time.Second, 2 * time.Second},
	} {
		got, err := st.TakeCooldown(ctx, step.key, t0.Add(step.at), every)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got != step.want {
			t.Errorf("%s: TakeCooldown(%s, t0%+v) = %v, want %v", step.name, step.key, step.at, got, step.want)
		}
	}
}

func testCooldownConcurrent(t *testing.T, st cooldown.Store) {
	const n = 20
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
		errs      []error
	)
	for i := range n {
		wg.Go(func() {
			// The same user, 20 requests within a few milliseconds.
			wait, err := st.TakeCooldown(t.Context(), "u1", t0.Add(time.Duration(i)*time.Millisecond), 3*time.Second)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case wait == 0:
				won++
			default:
				lost++
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent TakeCooldown: %v", errs[0])
	}
	if won != 1 || lost != n-1 {
		t.Errorf("%d concurrent takes: %d won, %d refused; want 1 and %d", n, won, lost, n-1)
	}
}

// testTypedTopic: a topic typed into /proclaim start with a NUL, a bidi
// override and markup is stored, shown, whatever the database: PostgreSQL
// refuses a NUL in text, which once made the command a logged ERROR and an
// apology there while SQLite took it.
func testTypedTopic(t *testing.T, st Store) {
	cm := proclaim.NewCommands(st, time.Hour, nil)
	admin := bot.Caller{GuildID: "g9", ChannelID: "900", UserID: "7", Permissions: "32"}
	typed := "tea\x00 \u202e[x](https://evil.example) <@&1>"
	if _, err := cm.Start(t.Context(), admin, bot.StartOptions{Every: "1h", Kind: bot.CmdManifesto, Topic: typed}); err != nil {
		t.Fatalf("/proclaim start topic:%q: %v", typed, err)
	}
	all, err := st.Schedules(t.Context(), "g9")
	if err != nil || len(all) != 1 {
		t.Fatalf("schedules %v, %v", all, err)
	}
	want, _ := bot.ShownTopic(typed)
	if all[0].Topic != want || strings.ContainsRune(all[0].Topic, 0) {
		t.Errorf("topic stored as %q, want %q", all[0].Topic, want)
	}
}

// testCooldownPrune: a prune forgets the cooldowns that started at or
// before its time, and no other.
func testCooldownPrune(t *testing.T, st cooldown.Store) {
	ctx := t.Context()
	const every = 3 * time.Second
	take := func(key string, at, want time.Duration) {
		t.Helper()
		got, err := st.TakeCooldown(ctx, key, t0.Add(at), every)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("TakeCooldown(%s, t0%+v) = %v, want %v", key, at, got, want)
		}
	}
	if err := st.PruneCooldowns(ctx, t0); err != nil {
		t.Fatalf("PruneCooldowns of an empty store: %v", err)
	}
	take("u1", 0, 0)
	take("u2", 2*time.Second, 0)
	if err := st.PruneCooldowns(ctx, t0.Add(time.Second)); err != nil {
		t.Fatalf("PruneCooldowns: %v", err)
	}
	take("u1", time.Second, 0)               // pruned: a new cooldown starts
	take("u2", 3*time.Second, 2*time.Second) // kept
	take("u1", 2*time.Second, 2*time.Second) // the new one holds
}
