package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/scripture"
)

// The scripture part of the suite: every server's own texts, its blend,
// its training job and its model.

var lim = scripture.Limits{Files: 3, Bytes: 100}

func text(guild, name, data string) scripture.Text {
	sum := sha256.Sum256([]byte(data))
	return scripture.Text{GuildID: guild, Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
		Data: []byte(data), AddedBy: "u1", AddedAt: t0}
}

func addText(t *testing.T, st Store, tx scripture.Text) scripture.Guild {
	t.Helper()
	g, err := st.AddText(t.Context(), tx, lim)
	if err != nil {
		t.Fatalf("AddText(%s/%s): %v", tx.GuildID, tx.Name, err)
	}
	return g
}

func guildOf(t *testing.T, st Store, id string) scripture.Guild {
	t.Helper()
	g, err := st.ScriptureGuild(t.Context(), id)
	if err != nil {
		t.Fatalf("ScriptureGuild(%s): %v", id, err)
	}
	return g
}

func claimJob(t *testing.T, st Store, worker string, now time.Time) (scripture.Job, bool) {
	t.Helper()
	j, ok, err := st.ClaimTraining(t.Context(), worker, now, time.Minute)
	if err != nil {
		t.Fatalf("ClaimTraining: %v", err)
	}
	return j, ok
}

func testScriptureAdd(t *testing.T, st Store) {
	ctx := t.Context()
	if g := guildOf(t, st, "g1"); g.State != scripture.StateNone || g.Essay != scripture.DefaultEssay || g.Texts != 0 {
		t.Errorf("empty server: %+v", g)
	}
	g := addText(t, st, text("g1", "minutes", "We met. We voted."))
	if g.State != scripture.StatePending || g.Texts != 1 || g.Bytes != 17 || g.Gen != 1 || g.ModelVersion != 0 {
		t.Errorf("after one text: %+v", g)
	}
	// Binary-safe round trip, in the order added.
	bin := string([]byte{0, 1, 2, 255, 'x'})
	addText(t, st, text("g1", "lore", bin))
	addText(t, st, text("g2", "minutes", "Another server's minutes."))
	texts, err := st.Texts(ctx, "g1", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != 2 || texts[0].Name != "minutes" || texts[1].Name != "lore" || string(texts[1].Data) != bin ||
		texts[0].Sentences != -1 || texts[0].AddedBy != "u1" || !texts[0].AddedAt.Equal(t0) {
		t.Fatalf("Texts(g1) = %+v", texts)
	}
	bare, err := st.Texts(ctx, "g1", false)
	if err != nil || len(bare) != 2 || bare[0].Data != nil || bare[0].Size != 17 {
		t.Errorf("Texts without data = %+v, %v", bare, err)
	}
}

func testScriptureLimits(t *testing.T, st Store) {
	ctx := t.Context()
	addText(t, st, text("g1", "a", "aaaa"))
	var dup *scripture.DuplicateError
	if _, err := st.AddText(ctx, text("g1", "a", "other bytes"), lim); !errors.As(err, &dup) || dup.SameBytes || dup.Name != "a" {
		t.Errorf("same name: %v", err)
	}
	if _, err := st.AddText(ctx, text("g1", "b", "aaaa"), lim); !errors.As(err, &dup) || !dup.SameBytes || dup.Name != "a" {
		t.Errorf("same bytes: %v", err)
	}
	big := string(make([]byte, 97))
	if _, err := st.AddText(ctx, text("g1", "big", big), lim); !errors.Is(err, scripture.ErrTooLarge) {
		t.Errorf("over the bytes: %v, want ErrTooLarge", err)
	}
	addText(t, st, text("g1", "b", "bbbb"))
	addText(t, st, text("g1", "c", "cccc"))
	if _, err := st.AddText(ctx, text("g1", "d", "dddd"), lim); !errors.Is(err, scripture.ErrTooMany) {
		t.Errorf("over the count: %v, want ErrTooMany", err)
	}
	// Refusals changed nothing.
	if g := guildOf(t, st, "g1"); g.Texts != 3 || g.Bytes != 12 || g.Gen != 3 {
		t.Errorf("after refusals: %+v", g)
	}
	// Another server has its own limits.
	addText(t, st, text("g2", "a", "aaaa"))
}

func testScriptureLimitConcurrent(t *testing.T, st Store) {
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			_, err := st.AddText(t.Context(), text("g1", fmt.Sprintf("t%d", i), fmt.Sprintf("text %d", i)), lim)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, scripture.ErrTooMany):
			t.Errorf("AddText: %v", err)
		}
	}
	if g := guildOf(t, st, "g1"); ok != lim.Files || g.Texts != lim.Files {
		t.Errorf("%d adds succeeded and %d texts stored, want %d", ok, g.Texts, lim.Files)
	}
}

func testScriptureTraining(t *testing.T, st Store) {
	ctx := t.Context()
	if _, ok := claimJob(t, st, "w1", t0); ok {
		t.Fatal("claimed a job from an empty store")
	}
	addText(t, st, text("g1", "a", "aaaa"))
	j, ok := claimJob(t, st, "w1", t0)
	if !ok || j.GuildID != "g1" || j.Gen != 1 || j.Attempt != 1 || j.Worker != "w1" {
		t.Fatalf("claim = %+v, %v", j, ok)
	}
	if _, ok := claimJob(t, st, "w2", t0.Add(30*time.Second)); ok {
		t.Fatal("a job was claimed twice within its lease")
	}
	if g := guildOf(t, st, "g1"); g.State != scripture.StateTraining {
		t.Errorf("state %q, want training", g.State)
	}
	if ok, err := st.RenewTraining(ctx, j, t0.Add(2*time.Minute)); !ok || err != nil {
		t.Errorf("RenewTraining = %v, %v", ok, err)
	}
	if _, ok := claimJob(t, st, "w2", t0.Add(90*time.Second)); ok {
		t.Fatal("claimed within a renewed lease")
	}
	done, err := st.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("model 1"), Summary: "learned 2", Sentences: map[string]int{"a": 2}, At: t0})
	if !done || err != nil {
		t.Fatalf("FinishTraining = %v, %v", done, err)
	}
	g := guildOf(t, st, "g1")
	if g.State != scripture.StateReady || g.Summary != "learned 2" || g.ModelVersion == 0 || g.ModelBytes != 7 || g.TrainedGen != 1 {
		t.Errorf("after training: %+v", g)
	}
	m, err := st.ScriptureModel(ctx, "g1")
	if err != nil || string(m.Data) != "model 1" || m.Version != g.ModelVersion || m.Essay != scripture.DefaultEssay {
		t.Errorf("ScriptureModel = %+v, %v", m, err)
	}
	if v, essay, err := st.ScriptureVersion(ctx, "g1"); v != g.ModelVersion || essay != scripture.DefaultEssay || err != nil {
		t.Errorf("ScriptureVersion = %d, %d, %v", v, essay, err)
	}
	texts, _ := st.Texts(ctx, "g1", false)
	if texts[0].Sentences != 2 {
		t.Errorf("sentences of a = %d, want 2", texts[0].Sentences)
	}
	// A finished job cannot be finished or renewed again.
	if done, err := st.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("again"), At: t0}); done || err != nil {
		t.Errorf("second FinishTraining = %v, %v", done, err)
	}
	if ok, err := st.RenewTraining(ctx, j, t0.Add(time.Hour)); ok || err != nil {
		t.Errorf("RenewTraining after finishing = %v, %v", ok, err)
	}

	// A second model gets a new version; the old one is gone.
	addText(t, st, text("g1", "b", "bbbb"))
	if g := guildOf(t, st, "g1"); g.State != scripture.StatePending || g.ModelVersion == 0 {
		t.Errorf("a text added keeps the old model serving until the new one: %+v", g)
	}
	j2, _ := claimJob(t, st, "w1", t0)
	if _, err := st.FinishTraining(ctx, j2, scripture.Outcome{Model: []byte("model 2"), At: t0}); err != nil {
		t.Fatal(err)
	}
	if g2 := guildOf(t, st, "g1"); g2.ModelVersion == g.ModelVersion || g2.State != scripture.StateReady {
		t.Errorf("second model: %+v (first version %d)", g2, g.ModelVersion)
	}

	// A failure is kept with its reason.
	addText(t, st, text("g1", "c", "cccc"))
	j3, _ := claimJob(t, st, "w1", t0)
	if _, err := st.FinishTraining(ctx, j3, scripture.Outcome{Err: "no sentences", At: t0}); err != nil {
		t.Fatal(err)
	}
	if g := guildOf(t, st, "g1"); g.State != scripture.StateFailed || g.Error != "no sentences" {
		t.Errorf("after a failure: %+v", g)
	}
	if _, ok := claimJob(t, st, "w1", t0.Add(time.Hour)); ok {
		t.Error("a failed training was claimed again without a change of texts")
	}
}

func testScriptureChangedWhileTraining(t *testing.T, st Store) {
	ctx := t.Context()
	addText(t, st, text("g1", "a", "aaaa"))
	j, _ := claimJob(t, st, "w1", t0)
	// A text added while it trains: the server is not claimed by another,
	// and the stale model is not kept.
	addText(t, st, text("g1", "b", "bbbb"))
	if _, ok := claimJob(t, st, "w2", t0); ok {
		t.Fatal("a server was claimed while its training ran")
	}
	if done, err := st.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("stale"), At: t0}); !done || err != nil {
		t.Fatalf("FinishTraining = %v, %v", done, err)
	}
	if g := guildOf(t, st, "g1"); g.State != scripture.StatePending || g.ModelVersion != 0 {
		t.Errorf("after a stale training: %+v", g)
	}
	j2, ok := claimJob(t, st, "w2", t0)
	if !ok || j2.Gen != 2 {
		t.Fatalf("claim after a stale training = %+v, %v", j2, ok)
	}
	// A text removed while it trains: its model never serves.
	if _, err := st.RemoveText(ctx, "g1", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishTraining(ctx, j2, scripture.Outcome{Model: []byte("has a's sentences"), At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ScriptureModel(ctx, "g1"); !errors.Is(err, scripture.ErrNone) {
		t.Errorf("a model trained on a removed text was kept: %v", err)
	}
}

func testScriptureLease(t *testing.T, st Store) {
	ctx := t.Context()
	addText(t, st, text("g1", "a", "aaaa"))
	j, _ := claimJob(t, st, "w1", t0)
	// w1 dies: once its lease is over, exactly one other claims it.
	later := t0.Add(2 * time.Minute)
	var wg sync.WaitGroup
	jobs := make(chan scripture.Job, 8)
	for i := range 8 {
		wg.Go(func() {
			j, ok, err := st.ClaimTraining(ctx, fmt.Sprintf("w%d", i+2), later, time.Minute)
			if err != nil {
				t.Errorf("ClaimTraining: %v", err)
			}
			if ok {
				jobs <- j
			}
		})
	}
	wg.Wait()
	close(jobs)
	var got []scripture.Job
	for j := range jobs {
		got = append(got, j)
	}
	if len(got) != 1 || got[0].Attempt != 2 || got[0].Gen != 1 {
		t.Fatalf("after the lease ran out, claims = %+v; want one, attempt 2", got)
	}
	// The dead trainer's late finish is refused.
	if done, err := st.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("late"), At: t0}); done || err != nil {
		t.Errorf("the first claim's late finish = %v, %v", done, err)
	}
	// Released, it is claimable at once.
	if err := st.ReleaseTraining(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	j3, ok := claimJob(t, st, "w9", later)
	if !ok || j3.Attempt != 2 {
		t.Fatalf("claim after release = %+v, %v", j3, ok)
	}
	// Trainers that keep dying: given up after MaxAttempts.
	now := later
	for j3.Attempt < scripture.MaxAttempts {
		now = now.Add(2 * time.Minute)
		if j3, ok = claimJob(t, st, "w9", now); !ok {
			t.Fatalf("no claim at attempt %d", j3.Attempt)
		}
	}
	if _, ok := claimJob(t, st, "w9", now.Add(2*time.Minute)); ok {
		t.Fatal("claimed past MaxAttempts")
	}
	if g := guildOf(t, st, "g1"); g.State != scripture.StateFailed || g.Error != scripture.MsgAbandoned {
		t.Errorf("after MaxAttempts: %+v", g)
	}
}

func testScriptureClaimConcurrent(t *testing.T, st Store) {
	for i := range 6 {
		addText(t, st, text(fmt.Sprintf("g%d", i), "a", "aaaa"))
	}
	var (
		mu  sync.Mutex
		got = map[string]int{}
		wg  sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for {
				j, ok, err := st.ClaimTraining(t.Context(), fmt.Sprintf("w%d", w), t0, time.Minute)
				if err != nil {
					t.Errorf("ClaimTraining: %v", err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				got[j.GuildID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(got) != 6 {
		t.Errorf("claimed %d servers, want 6: %v", len(got), got)
	}
	for g, n := range got {
		if n != 1 {
			t.Errorf("server %s claimed %d times", g, n)
		}
	}
}

func testScriptureRemoveForget(t *testing.T, st Store) {
	ctx := t.Context()
	addText(t, st, text("g1", "a", "aaaa"))
	addText(t, st, text("g1", "b", "bbbb"))
	addText(t, st, text("g2", "a", "aaaa"))
	j, _ := claimJob(t, st, "w1", t0)
	if _, err := st.FinishTraining(ctx, j, scripture.Outcome{Model: []byte("m"), At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBlend(ctx, "g1", 20); err != nil {
		t.Fatal(err)
	}
	if found, err := st.RemoveText(ctx, "g1", "nope"); found || err != nil {
		t.Errorf("RemoveText of no such text = %v, %v", found, err)
	}
	if found, err := st.RemoveText(ctx, "g1", "a"); !found || err != nil {
		t.Fatalf("RemoveText = %v, %v", found, err)
	}
	g := guildOf(t, st, "g1")
	if g.Texts != 1 || g.ModelVersion != 0 || g.State != scripture.StatePending || g.Essay != 20 {
		t.Errorf("after removing one of two: %+v", g)
	}
	if _, err := st.ScriptureModel(ctx, "g1"); !errors.Is(err, scripture.ErrNone) {
		t.Errorf("the model of a removed text survived: %v", err)
	}
	if found, err := st.RemoveText(ctx, "g1", "b"); !found || err != nil {
		t.Fatalf("RemoveText = %v, %v", found, err)
	}
	if g := guildOf(t, st, "g1"); g.State != scripture.StateNone || g.Texts != 0 || g.Essay != scripture.DefaultEssay {
		t.Errorf("after removing the last text: %+v", g)
	}
	guilds, err := st.ScriptureGuilds(ctx)
	if err != nil || len(guilds) != 1 || guilds[0].GuildID != "g2" {
		t.Errorf("ScriptureGuilds = %+v, %v", guilds, err)
	}
	if n, err := st.ForgetGuild(ctx, "g2"); n != 1 || err != nil {
		t.Errorf("ForgetGuild = %d, %v", n, err)
	}
	if guilds, err := st.ScriptureGuilds(ctx); err != nil || len(guilds) != 0 {
		t.Errorf("after forgetting: %+v, %v", guilds, err)
	}
	if texts, err := st.Texts(ctx, "g2", true); err != nil || len(texts) != 0 {
		t.Errorf("texts after forgetting: %+v, %v", texts, err)
	}
	if n, err := st.ForgetGuild(ctx, "g2"); n != 0 || err != nil {
		t.Errorf("ForgetGuild again = %d, %v", n, err)
	}
	// A forgotten server's job is gone too: nothing to claim.
	if _, ok := claimJob(t, st, "w1", t0.Add(time.Hour)); ok {
		t.Error("a job survived forgetting")
	}
}

func testScriptureBlend(t *testing.T, st Store) {
	ctx := t.Context()
	if err := st.SetBlend(ctx, "g1", 0); err != nil {
		t.Fatal(err)
	}
	if g := guildOf(t, st, "g1"); g.Essay != 0 || g.State != scripture.StateNone {
		t.Errorf("blend before any text: %+v", g)
	}
	addText(t, st, text("g1", "a", "aaaa"))
	if err := st.SetBlend(ctx, "g1", 100); err != nil {
		t.Fatal(err)
	}
	if _, essay, err := st.ScriptureVersion(ctx, "g1"); essay != 100 || err != nil {
		t.Errorf("ScriptureVersion essay = %d, %v", essay, err)
	}
	for _, bad := range []int{-1, 101} {
		if err := st.SetBlend(ctx, "g1", bad); err == nil {
			t.Errorf("SetBlend(%d) accepted", bad)
		}
	}
	if v, essay, err := st.ScriptureVersion(ctx, "nobody"); v != 0 || essay != scripture.DefaultEssay || err != nil {
		t.Errorf("ScriptureVersion of a server without scripture = %d, %d, %v", v, essay, err)
	}
}
