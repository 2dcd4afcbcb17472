package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/scripture"
)

// TestReplicaKilledMidTraining: a serve process SIGKILLed while it trains
// a server's scripture loses no text, and another replica on the same
// PostgreSQL picks the training up once its lease has run out — once: one
// training ends, the model is stored, and nothing trains it again. The
// lease is 2 s here and the trainers look for work every 200 ms (test
// hooks of the helper process); a minute and 2 s in production.
func TestReplicaKilledMidTraining(t *testing.T) {
	t.Parallel()
	dbURL := acceptance(t)
	store, err := postgres.Open(t.Context(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const guild, lease, poll = "1300000000000000555", 2 * time.Second, 200 * time.Millisecond
	// The essay as a server's text: long enough that its training is still
	// under way when the trainer is killed.
	text := []byte(corpus.EssayText())
	sum := sha256.Sum256(text)
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR=127.0.0.1:0",
		"GLOWCLOUD_DATABASE=" + dbURL,
		"GLOWCLOUD_LOG_FORMAT=text",
		"GLOWCLOUD_TEST_SCRIPTURE_LEASE=" + lease.String(),
		"GLOWCLOUD_TEST_SCRIPTURE_POLL=" + poll.String(),
	}
	first, _, firstLog := serveProcessLog(t, env)
	t.Cleanup(func() { _ = first.Process.Kill(); _ = first.Wait() })
	if _, err := store.AddText(t.Context(), scripture.Text{GuildID: guild, Name: "essay", SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(text)), Data: text, AddedBy: "1", AddedAt: time.Now()}, scripture.Limits{Files: 20, Bytes: 10 << 20}); err != nil {
		t.Fatal(err)
	}
	state := func() scripture.Guild {
		t.Helper()
		g, err := store.ScriptureGuild(t.Context(), guild)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	waitState := func(want scripture.State, within time.Duration, log *syncBuffer) scripture.Guild {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			g := state()
			if g.State == want {
				return g
			}
			if g.State == scripture.StateFailed || time.Now().After(deadline) {
				t.Fatalf("waiting for %q: %+v\n%s", want, g, log.String())
			}
			time.Sleep(10 * time.Millisecond) // polls another process
		}
	}
	waitState(scripture.StateTraining, time.Minute, firstLog)
	if err := first.Process.Kill(); err != nil { // SIGKILL mid-training
		t.Fatal(err)
	}
	_ = first.Wait()
	if strings.Contains(firstLog.String(), "scripture: trained") {
		t.Fatalf("the first replica finished before it was killed: make the text longer\n%s", firstLog.String())
	}
	if g := state(); g.State != scripture.StateTraining || g.ModelVersion != 0 {
		t.Fatalf("after the kill: %+v, want the claim left as it was", g)
	}

	second, _, secondLog := serveProcessLog(t, env)
	t.Cleanup(func() { _ = second.Process.Kill(); _ = second.Wait() })
	// The second replica waits out the dead one's lease, then trains.
	waitState(scripture.StateReady, 5*time.Minute, secondLog)
	// And nothing trains it again: past two more leases and polls, the
	// model is the one stored.
	g := state()
	time.Sleep(2*lease + 2*poll)
	after := state()
	if after.ModelVersion != g.ModelVersion || after.State != scripture.StateReady || after.TrainedGen != after.Gen {
		t.Errorf("trained again: %+v, then %+v", g, after)
	}
	if n := strings.Count(secondLog.String(), "scripture: trained"); n != 1 {
		t.Errorf("the second replica logged %d trainings, want 1\n%s", n, secondLog.String())
	}
	texts, err := store.Texts(t.Context(), guild, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || !bytes.Equal(texts[0].Data, text) || texts[0].Sentences <= 0 {
		t.Errorf("texts after the kill and the training: %d, want the one text whole with its sentences counted", len(texts))
	}
	if _, err := store.ScriptureModel(t.Context(), guild); err != nil {
		t.Errorf("no model stored: %v", err)
	}
}
