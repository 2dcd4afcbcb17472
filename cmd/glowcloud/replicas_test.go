package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/internal/tcpproxy"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/proclaim"
)

// replicaSet is n serve processes on one PostgreSQL schema, against one
// fake Discord, as behind a load balancer: the acceptance setting.
type replicaSet struct {
	fake  *discordtest.Server
	priv  ed25519.PrivateKey
	db    string // the schema's URL, as the replicas reach it
	procs []*exec.Cmd
	bases []string
}

// startReplicas starts n serve processes (the test binary run again; see
// TestServeHelperProcess) on the database at dbURL, each with the HTTP
// interactions endpoint and a token, REST pointed at one fake Discord.
func startReplicas(t testing.TB, n int, dbURL string, extra ...string) *replicaSet {
	t.Helper()
	rs := &replicaSet{fake: discordtest.New(t, discordtest.WithToken(proclaimToken)), db: dbURL}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rs.priv = priv
	env := append([]string{
		"DISCORD_TOKEN=" + proclaimToken,
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR=127.0.0.1:0",
		"DISCORD_API_BASE=" + rs.fake.URL(),
		"GLOWCLOUD_PROCLAIM_MIN=1s",
		"GLOWCLOUD_DATABASE=" + dbURL,
		"GLOWCLOUD_LOG_FORMAT=text",
	}, extra...)
	for range n {
		cmd, base := serveProcess(t, env)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		rs.procs, rs.bases = append(rs.procs, cmd), append(rs.bases, base)
	}
	return rs
}

// kill SIGKILLs replica i.
func (rs *replicaSet) kill(t *testing.T, i int) {
	t.Helper()
	if err := rs.procs[i].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = rs.procs[i].Wait()
}

// reply is what an interaction got back.
type reply struct {
	status    int
	kind      int // the callback type: 4 a message, 5 deferred
	ephemeral bool
	content   string
	embeds    int
	err       error // transport error, or a reply that breaks Discord's spec
}

// failed reports whether Discord would count the interaction as failed.
func (r reply) failed() bool {
	return r.err != nil || r.status != http.StatusOK || (r.kind != 4 && r.kind != 5)
}

// interact posts a signed interaction to base and decodes the answer.
func interact(base string, priv ed25519.PrivateKey, body string) reply {
	ts := fmt.Sprint(time.Now().Unix())
	req, err := http.NewRequest(http.MethodPost, base+"/interactions", strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		return reply{status: resp.StatusCode, err: err}
	}
	r := reply{status: resp.StatusCode}
	if err := discordtest.CheckInteractionResponse(raw); err != nil {
		r.err = err
	}
	var cb struct {
		Type int
		Data struct {
			Content string
			Flags   int
			Embeds  []any
		}
	}
	if err := json.Unmarshal(raw, &cb); err != nil {
		r.err = err
	}
	r.kind, r.ephemeral, r.content, r.embeds = cb.Type, cb.Data.Flags&64 != 0, cb.Data.Content, len(cb.Data.Embeds)
	return r
}

// command returns a signed-ready /NAME interaction from user, filled in by
// the fake as Discord sends it.
func (rs *replicaSet) command(name, user string) string {
	i := rs.fake.FillInteraction(map[string]any{
		"data":   map[string]any{"name": name, "type": 1},
		"member": map[string]any{"user": map[string]any{"id": user}},
	})
	b, _ := json.Marshal(i)
	return string(b)
}

// postTimes records when each post arrives in the fake's default channel,
// polling every 50 ms, until stop is closed.
func (rs *replicaSet) postTimes(stop <-chan struct{}) <-chan []time.Time {
	out := make(chan []time.Time, 1)
	go func() {
		var times []time.Time
		for {
			n := len(rs.fake.ChannelMessages(discordtest.DefaultChannelID))
			for len(times) < n {
				times = append(times, time.Now())
			}
			select {
			case <-stop:
				out <- times
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return out
}

// checkNoSlotTwice fails if two posts in the fake's default channel are
// the same: a slot's text is seeded by the schedule and the slot (its
// footer shows the seed), so a slot posted twice is a message posted twice.
func (rs *replicaSet) checkNoSlotTwice(t *testing.T) {
	t.Helper()
	seen := map[string]int{}
	for i, m := range rs.fake.ChannelMessages(discordtest.DefaultChannelID) {
		b, _ := json.Marshal(m)
		if j, ok := seen[string(b)]; ok {
			t.Errorf("posts %d and %d are the same slot: %s", j, i, b)
		}
		seen[string(b)] = i
	}
}

func acceptance(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs three serve processes for up to a minute of real time: run without -short")
	}
	return pgtest.Schema(t)
}

// TestReplicasProclaimOnce: three replicas on one PostgreSQL and a
// schedule every half second (GLOWCLOUD_PROCLAIM_MIN=500ms, so the
// Runners poll every 125 ms) give one post a slot, none twice, for 7 s:
// 14 slots; in a second run, beside the first, one replica is SIGKILLed
// halfway, and still no slot is doubled, and at most the one it had
// claimed is lost. The two runs (six replicas, two schemas) share one
// wait, and the count is judged against the slots due between the moments
// the schedule was started and stopped, as measured, rather than against
// a fixed window, so a busy machine does not make it fail.
func TestReplicasProclaimOnce(t *testing.T) {
	t.Parallel()
	// 14 slots in 7 s, where a schedule every second took 12 s for 12; the
	// 2 s allowed below for the last slots' posts leaves at least 10 to
	// count, as it did then.
	const every, window = 500 * time.Millisecond, 7 * time.Second
	type run struct {
		kill           bool
		rs             *replicaSet
		stop           chan struct{}
		posts          <-chan []time.Time
		before, after  time.Time // around /proclaim start
		stopAt, endsAt time.Time // around /proclaim stop
	}
	runs := []*run{{kill: false}, {kill: true}}
	for _, r := range runs {
		r.rs = startReplicas(t, 3, acceptance(t), "GLOWCLOUD_PROCLAIM_MIN="+every.String())
		r.stop = make(chan struct{})
		r.posts = r.rs.postTimes(r.stop)
	}
	for _, r := range runs {
		r.before = time.Now()
		got := answer(t, r.rs.bases[1], r.rs.priv, adminCommand(r.rs.fake, adminPermissions, "start", map[string]string{"every": every.String()}))
		r.after = time.Now()
		if !strings.Contains(got, "every "+proclaim.FormatDuration(every)) {
			t.Fatalf("/proclaim start every:%v answered %q", every, got)
		}
	}
	wait(window / 2)
	runs[1].rs.kill(t, 0)
	wait(window / 2)
	for _, r := range runs {
		r.stopAt = time.Now()
		answer(t, r.rs.bases[2], r.rs.priv, adminCommand(r.rs.fake, adminPermissions, "stop", nil))
		r.endsAt = time.Now()
	}
	wait(time.Second) // posts of slots claimed before the stop land
	for _, r := range runs {
		close(r.stop)
		times := <-r.posts
		t.Run(fmt.Sprintf("kill=%v", r.kill), func(t *testing.T) {
			// Slot k falls due k×every after the replica took /proclaim
			// start, somewhere in [before, after]. Every slot due 2 s (two
			// polls and a post, on a busy machine) before the stop was sent
			// has been posted, but
			// the one a killed replica had claimed; none due after the stop
			// was answered has.
			least := int((r.stopAt.Sub(r.after) - 2*time.Second) / every)
			if r.kill {
				least--
			}
			most := int(r.endsAt.Sub(r.before) / every)
			t.Logf("%d posts from 3 replicas (one killed halfway: %v); %d to %d slots were due", len(times), r.kill, least, most)
			if n := len(times); n < least || n > most {
				t.Errorf("%d posts every %v, want %d to %d", n, every, least, most)
			}
			r.rs.checkNoSlotTwice(t)
		})
	}
}

// TestReplicasCooldown: 20 simultaneous /manifesto from one user, spread
// over three replicas: exactly one generates, 19 get the cooldown reply.
func TestReplicasCooldown(t *testing.T) {
	t.Parallel()
	rs := startReplicas(t, 3, acceptance(t), "GLOWCLOUD_COOLDOWN=1m")
	const n = 20
	replies := make([]reply, n)
	var wg, ready sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	for i := range n {
		body := rs.command("manifesto", "424242")
		wg.Go(func() {
			ready.Done()
			<-start
			replies[i] = interact(rs.bases[i%3], rs.priv, body)
		})
	}
	ready.Wait()
	close(start)
	wg.Wait()
	generated, cooled := 0, 0
	for i, r := range replies {
		switch {
		case r.failed():
			t.Errorf("interaction %d (replica %d) failed: %+v", i, i%3, r)
		case r.ephemeral && strings.Contains(r.content, "Try again in"):
			cooled++
		case !r.ephemeral && (r.embeds > 0 || r.kind == 5):
			generated++
		default:
			t.Errorf("interaction %d: unexpected reply %+v", i, r)
		}
	}
	if generated != 1 || cooled != n-1 {
		t.Errorf("%d simultaneous /manifesto from one user over 3 replicas: %d generated, %d cooled down; want 1 and %d", n, generated, cooled, n-1)
	}
}

// TestCooldownSharedOnOneSQLiteFile: two serve processes on one SQLite
// file share the cooldown as PostgreSQL replicas do (docs/operating.md
// promised it; serve kept it in each process's memory): a user who has
// just been answered by one is cooled down by the other.
func TestCooldownSharedOnOneSQLiteFile(t *testing.T) {
	t.Parallel()
	rs := startReplicas(t, 2, filepath.Join(t.TempDir(), "shared.db"), "GLOWCLOUD_COOLDOWN=1m")
	first := interact(rs.bases[0], rs.priv, rs.command("glowcloud", "515151"))
	if first.failed() || first.ephemeral || first.embeds == 0 {
		t.Fatalf("the first /glowcloud: %+v, want a proclamation", first)
	}
	second := interact(rs.bases[1], rs.priv, rs.command("glowcloud", "515151"))
	if second.failed() || !second.ephemeral || !strings.Contains(second.content, "Try again in") {
		t.Errorf("the same user's /glowcloud at the other process: %+v, want the cooldown reply", second)
	}
	other := interact(rs.bases[1], rs.priv, rs.command("glowcloud", "626262"))
	if other.failed() || other.ephemeral {
		t.Errorf("another user's /glowcloud: %+v, want a proclamation", other)
	}
}

// TestReplicasPublish: a model published with glowcloud publish is served
// by all three replicas within 5 s (their /healthz agree); a corrupt one is
// refused, and one that slips into the database anyway is refused by every
// replica, which keep the old.
func TestReplicasPublish(t *testing.T) {
	t.Parallel()
	db := acceptance(t)
	rs := startReplicas(t, 3, db)
	path := filepath.Join(t.TempDir(), "new.model")
	m := variantAt(t, path, 0)
	env := map[string]string{"GLOWCLOUD_DATABASE": db}
	if r := glowcloud(t, env, "", "publish", "-model", path); r.code != 0 {
		t.Fatalf("publish: exit %d: %s", r.code, r.stderr)
	}
	took := awaitHealth(t, 5*time.Second, "all three serve the published model", serving(m.ID(), 1), rs.bases...)
	t.Logf("three replicas serve the published model %v after glowcloud publish returned", took.Round(time.Millisecond))

	corrupt := filepath.Join(t.TempDir(), "corrupt.model")
	if err := writeCorrupt(path, corrupt); err != nil {
		t.Fatal(err)
	}
	if r := glowcloud(t, env, "", "publish", "-model", corrupt); r.code != 1 || !strings.Contains(r.stderr, "nothing published") {
		t.Errorf("publish of a corrupt model: exit %d, stderr %s", r.code, r.stderr)
	}
	store, err := postgres.Open(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Publish(t.Context(), []byte("GLOWCLOUD garbage")); err != nil {
		t.Fatal(err)
	}
	awaitHealth(t, 5*time.Second, "all three see the bad model", func(h map[string]any) bool { return h["current_published_model"] == 2.0 }, rs.bases...)
	for i, b := range rs.bases {
		if h := health(b); h["model"] != m.ID() || h["published_model"] != 1.0 {
			t.Errorf("replica %d after a corrupt model: /healthz %v, want model %s still", i, h, m.ID())
		}
	}
}

// TestReplicasDatabaseCut: PostgreSQL unreachable for 10 s (a TCP proxy
// cuts every connection, the way Toxiproxy does; the server itself is left
// alone) under a load of signed interactions: none fails, /healthz says
// database: down meanwhile, and proclamations (every second) resume, none
// doubled.
func TestReplicasDatabaseCut(t *testing.T) {
	t.Parallel()
	db := acceptance(t)
	proxy, err := tcpproxy.Start(pgtest.Host(db))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	rs := startReplicas(t, 3, pgtest.Via(db, proxy.Addr()))
	answer(t, rs.bases[0], rs.priv, adminCommand(rs.fake, adminPermissions, "start", map[string]string{"every": "1s"}))

	// The load: a signed /glowcloud every 50 ms, each from a new user (so
	// every one takes a cooldown in the database), round robin.
	ctx, stopLoad := context.WithCancel(t.Context())
	var (
		mu       sync.Mutex
		sent     int
		failures []reply
		load     sync.WaitGroup
	)
	load.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			body := rs.command("glowcloud", fmt.Sprint(500000+i))
			load.Go(func() {
				r := interact(rs.bases[i%3], rs.priv, body)
				mu.Lock()
				defer mu.Unlock()
				sent++
				if r.failed() || r.ephemeral {
					failures = append(failures, r)
				}
			})
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	})

	// The cut comes once the schedule has posted and the load is answered,
	// so that both have something to resume.
	until(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return sent > 0 && len(rs.fake.ChannelMessages(discordtest.DefaultChannelID)) > 0
	}, func() string { return "no post and no interaction answered before the cut" })
	cutAt := time.Now()
	proxy.Cut()
	awaitHealth(t, 8*time.Second, "all three say database: down", func(h map[string]any) bool { return h["database"] == "down" }, rs.bases...)
	wait(10*time.Second - time.Since(cutAt))
	proxy.Restore()
	back := awaitHealth(t, 10*time.Second, "all three say database: ok", func(h map[string]any) bool { return h["database"] == "ok" }, rs.bases...)
	t.Logf("the database back on all three /healthz %v after the proxy was restored", back.Round(time.Millisecond))
	// Proclamations resume: the test waits (up to 5 s, the load still
	// running) for two posts after the restore, the catch-up and the next
	// slot, rather than 5 s whatever comes.
	posts := func() int { return len(rs.fake.ChannelMessages(discordtest.DefaultChannelID)) }
	before := posts()
	for deadline := time.Now().Add(5 * time.Second); posts()-before < 2 && time.Now().Before(deadline); {
		wait(50 * time.Millisecond)
	}
	stopLoad()
	load.Wait()
	answer(t, rs.bases[1], rs.priv, adminCommand(rs.fake, adminPermissions, "stop", nil))

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d interactions, %d failed; %d posts", sent, len(failures), posts())
	if len(failures) > 0 {
		t.Errorf("%d of %d interactions failed across the outage; first: %+v", len(failures), sent, failures[0])
	}
	if after := posts() - before; after < 2 {
		t.Errorf("%d posts in the 5 s after the database came back, want proclamations to resume (one a second)", after)
	}
	rs.checkNoSlotTwice(t)
}

// writeCorrupt writes a copy of the model file src to dst with one byte
// flipped in its middle.
func writeCorrupt(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	data[len(data)/2] ^= 0x55
	return os.WriteFile(dst, data, 0o644)
}
