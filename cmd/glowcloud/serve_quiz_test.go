package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/internal/store"
	"github.com/glowcloud/glowcloud/quiz"
)

// quizGame drives /quiz end to end through fake Discords: replica n is
// reached through fakes[n % len(fakes)] (one fake for HTTP replicas, one
// each for gateway replicas), and send delivers an interaction to replica n
// (over HTTP, or the gateway) and returns its callback's type and data.
type quizGame struct {
	fakes []*discordtest.Server
	send  func(t *testing.T, n int, i map[string]any) (int, map[string]any)
}

// fake is the fake Discord of replica n.
func (g quizGame) fake(n int) *discordtest.Server { return g.fakes[n%len(g.fakes)] }

// edits are the edits of the message of the interaction token, on every
// fake: whichever replica reveals a round, through its own REST.
func (g quizGame) edits(token string) []map[string]any {
	var out []map[string]any
	for _, f := range g.fakes {
		out = append(out, f.Edits(token)...)
	}
	return out
}

// quizVoters is how many members vote in a round.
const quizVoters = 30

func voterID(k int) string { return fmt.Sprintf("13000000000000001%02d", k) }

// votesReal is what member k votes: Real for two of three.
func votesReal(k int) bool { return k%3 != 0 }

// start sends /quiz to replica n and returns the interaction's token
// and the custom ids of the round's Real and Glow Cloud buttons.
func (g quizGame) start(t *testing.T, n int) (token, real, glow string) {
	t.Helper()
	i := g.fake(n).FillInteraction(map[string]any{
		"data":   map[string]any{"name": "quiz", "type": 1}, // a bare /quiz plays
		"member": map[string]any{"user": map[string]any{"id": voterID(99)}},
	})
	token = i["token"].(string)
	typ, data := g.answer(t, n, i)
	ids := customIDs(data)
	if typ != 4 || len(ids) != 2 || data["flags"] != nil {
		t.Fatalf("/quiz answered type %d %v, want a public message with two buttons", typ, data)
	}
	return token, ids[0], ids[1]
}

// answer sends i to replica n and returns its reply: the callback's, or,
// when the bot deferred (a busy machine: Answer defers after 2 s), the
// edit that followed, as type 4 with the deferral's flags.
func (g quizGame) answer(t *testing.T, n int, i map[string]any) (int, map[string]any) {
	t.Helper()
	typ, data := g.send(t, n, i)
	if typ != 5 {
		return typ, data
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	edit, err := g.fake(n).WaitEdit(ctx, i["token"].(string))
	if err != nil {
		t.Errorf("a deferred reply never came: %v", err)
		return typ, data
	}
	edit["flags"] = data["flags"]
	return 4, edit
}

// customIDs are the custom ids of a message's buttons.
func customIDs(data map[string]any) []string {
	var out []string
	rows, _ := data["components"].([]any)
	for _, row := range rows {
		cs, _ := row.(map[string]any)["components"].([]any)
		for _, c := range cs {
			m := c.(map[string]any)
			id, _ := m["custom_id"].(string)
			if m["disabled"] == true {
				id = "disabled:" + id
			}
			out = append(out, id)
		}
	}
	return out
}

// press sends member k's press of the button customID to replica n and
// returns the ephemeral reply's content.
func (g quizGame) press(t *testing.T, n, k int, customID string) string {
	t.Helper()
	i := g.fake(n).FillInteraction(map[string]any{
		"type":   3,
		"data":   map[string]any{"component_type": 2, "custom_id": customID},
		"member": map[string]any{"user": map[string]any{"id": voterID(k)}},
	})
	typ, data := g.answer(t, n, i)
	content, _ := data["content"].(string)
	if typ != 4 || data["flags"] != float64(64) {
		t.Errorf("member %d's press answered type %d %v, want an ephemeral message", k, typ, data)
	}
	return content
}

// vote has quizVoters members vote at once, member k on replica k%replicas,
// the first five pressing the other button again afterwards (it must not
// count).
func (g quizGame) vote(t *testing.T, replicas int, real, glow string) {
	t.Helper()
	var wg sync.WaitGroup
	for k := range quizVoters {
		wg.Go(func() {
			id, want := glow, "Locked in: **Glow Cloud**."
			if votesReal(k) {
				id, want = real, "Locked in: **Real**."
			}
			if got := g.press(t, k%replicas, k, id); got != want {
				t.Errorf("member %d: %q, want %q", k, got, want)
			}
		})
	}
	wg.Wait()
	for k := range 5 {
		other := real
		if votesReal(k) {
			other = glow
		}
		if got := g.press(t, (k+1)%replicas, k, other); !strings.Contains(got, "already locked in") {
			t.Errorf("member %d's change of mind: %q", k, got)
		}
	}
}

var revealed = regexp.MustCompile(`^\*\*It was (real|the Glow Cloud)\b[^\n]*\n(\d+) of (\d+) voters got it right\. Fastest right answer: <@(\d+)> in [\d.]+ s\.$`)

// checkReveal waits for the round's one reveal (the edit of its
// message) and checks the counts in it. It returns once, which checks that
// no second reveal followed: called at once, it waits a second (a second
// reveal would come within a poll or two); a test with more to do calls
// it later, and waits only what is left of that second, if anything.
func (g quizGame) checkReveal(t *testing.T, token string, within time.Duration, after func()) (once func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	if after != nil {
		after() // the round's end: the test steps the clock past it
	}
	// The reveal is the edit that disables the buttons (a /quiz play
	// deferred on a busy machine had its message edited in before).
	var edit map[string]any
	var seen time.Time
	for edit == nil {
		for _, e := range g.edits(token) {
			if ids := customIDs(e); len(ids) == 3 {
				edit = e
			}
		}
		if edit != nil {
			seen = time.Now()
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no reveal within %v; edits %v", within, g.edits(token))
		case <-time.After(20 * time.Millisecond): // polls the fake's record
		}
	}
	content, _ := edit["content"].(string)
	m := revealed.FindStringSubmatch(content)
	if m == nil {
		t.Fatalf("reveal %q", content)
	}
	right := 0
	for k := range quizVoters {
		if votesReal(k) == (m[1] == "real") {
			right++
		}
	}
	if m[2] != fmt.Sprint(right) || m[3] != fmt.Sprint(quizVoters) {
		t.Errorf("reveal says %s of %s right; %d of %d voters voted %s", m[2], m[3], right, quizVoters, m[1])
	}
	var k int
	fmt.Sscanf(m[4][len(m[4])-2:], "%d", &k)
	if votesReal(k) != (m[1] == "real") {
		t.Errorf("the fastest right answer is member %d's, who was wrong", k)
	}
	if ids := customIDs(edit); len(ids) != 3 || !strings.HasPrefix(ids[0], "disabled:") || !strings.HasPrefix(ids[1], "disabled:") || ids[2] != "gc1|q" {
		t.Errorf("reveal buttons %v, want Real and Glow Cloud disabled and Play again", ids)
	}
	return func() {
		t.Helper()
		wait(time.Second - time.Since(seen))
		reveals := 0
		for _, e := range g.edits(token) {
			if len(customIDs(e)) == 3 {
				reveals++
			}
		}
		if reveals != 1 {
			t.Errorf("%d reveals of the round's message, want 1", reveals)
		}
	}
}

// checkScores checks, in the database, that the round was tallied once:
// every voter has one round, and the vote counts add up.
func checkScores(t *testing.T, db store.Store) {
	t.Helper()
	c, err := db.CountVotes(t.Context(), discordtest.DefaultGuildID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, byVote := range c.Votes {
		for _, n := range byVote {
			total += n
		}
	}
	if c.Rounds != 1 || total != quizVoters {
		t.Errorf("the database counts %d rounds and %d votes, want 1 and %d", c.Rounds, total, quizVoters)
	}
	for k := range quizVoters {
		s, ok, err := db.Score(t.Context(), discordtest.DefaultGuildID, voterID(k))
		if err != nil || !ok || s.Rounds != 1 {
			t.Errorf("member %d's score %+v, %v, %v; want one round", k, s, ok, err)
		}
	}
}

// httpSend delivers interactions as signed POSTs to bases[n].
func httpSend(bases []string, priv ed25519.PrivateKey) func(t *testing.T, n int, i map[string]any) (int, map[string]any) {
	return func(t *testing.T, n int, i map[string]any) (int, map[string]any) {
		body, err := json.Marshal(i)
		if err != nil {
			t.Fatal(err)
		}
		code, resp := signedPost(t, bases[n], priv, string(body))
		if code != http.StatusOK {
			t.Errorf("interaction answered %d: %s", code, resp)
			return 0, nil
		}
		if err := discordtest.CheckInteractionResponse([]byte(resp)); err != nil {
			t.Errorf("reply does not validate: %v\n%s", err, resp)
		}
		var cb struct {
			Type int
			Data map[string]any
		}
		if err := json.Unmarshal([]byte(resp), &cb); err != nil {
			t.Fatal(err)
		}
		return cb.Type, cb.Data
	}
}

// gatewaySend delivers interactions to replica n by having its fake
// Discord, fakes[n % len(fakes)], dispatch them over the gateway.
func gatewaySend(fakes []*discordtest.Server) func(t *testing.T, n int, i map[string]any) (int, map[string]any) {
	return func(t *testing.T, n int, i map[string]any) (int, map[string]any) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cb, err := fakes[n%len(fakes)].Interaction(ctx, i)
		if err != nil {
			t.Errorf("interaction: %v", err)
		}
		return cb.Type, cb.Data
	}
}

// TestServeQuizHTTP: one serve process on SQLite, the HTTP interactions
// endpoint, the round's clock stepped by the test: /quiz play, 30 members
// vote (five press again), the round ends on the clock, and the reveal
// edits the round's message once with the right counts; the scores count
// the round once; /metrics counts the 30 votes.
func TestServeQuizHTTP(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	clock := newSteppedClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	srv := startServeWith(t, map[string]string{
		"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"DISCORD_API_BASE":    fake.URL(),
		"GLOWCLOUD_DATABASE":  path,
		"GLOWCLOUD_COOLDOWN":  "0",
	}, func(e *environment) { e.quizClock = clock })
	g := quizGame{fakes: []*discordtest.Server{fake}, send: httpSend([]string{srv.base}, priv)}
	token, real, glow := g.start(t, 0)
	g.vote(t, 1, real, glow)
	once := g.checkReveal(t, token, 30*time.Second, func() { clock.advance(t, 21*time.Second) })
	db, err := openDatabase(t.Context(), path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkScores(t, db)
	once()
	votes := 0.0
	for _, truth := range []string{quiz.Real, quiz.GlowCloud} {
		for _, v := range []string{quiz.Real, quiz.GlowCloud} {
			votes += metric(t, srv.base, fmt.Sprintf(`glowcloud_quiz_votes_total{truth="%s",vote="%s"}`, truth, v))
		}
	}
	if votes != quizVoters {
		t.Errorf("/metrics counts %v votes, want %d", votes, quizVoters)
	}
	srv.stop(t)
}

// TestServeQuizGateway: the same game over the gateway (interactions
// dispatched by the fake, callbacks POSTed to it), on SQLite.
func TestServeQuizGateway(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	clock := newSteppedClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	srv := startServeWith(t, map[string]string{
		"DISCORD_TOKEN":       proclaimToken,
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"DISCORD_API_BASE":    fake.URL(),
		"GLOWCLOUD_DATABASE":  path,
		"GLOWCLOUD_COOLDOWN":  "0",
	}, func(e *environment) { e.quizClock = clock })
	g := quizGame{fakes: []*discordtest.Server{fake}, send: gatewaySend([]*discordtest.Server{fake})}
	token, real, glow := g.start(t, 0)
	g.vote(t, 1, real, glow)
	once := g.checkReveal(t, token, 30*time.Second, func() { clock.advance(t, 21*time.Second) })
	db, err := openDatabase(t.Context(), path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkScores(t, db)
	once()
	srv.stop(t)
}

// TestReplicasQuiz: two serve processes on one PostgreSQL schema behind
// one fake Discord; a round started on the first, 30 members voting on
// both, one reveal with the right counts, the scores counted once. Then
// again with the replica that started the round killed (SIGKILL) right
// after: the votes go to the other, which reveals the round once. The
// processes share no clock, so the rounds run on real time: 5 s each, the
// shortest GLOWCLOUD_QUIZ_SECONDS (the 30 votes took 0.6 s at a load
// average of 16 on two cores).
func TestReplicasQuiz(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t)
	rs := startReplicas(t, 2, dbURL, "GLOWCLOUD_QUIZ_SECONDS=5", "GLOWCLOUD_COOLDOWN=0")
	g := quizGame{fakes: []*discordtest.Server{rs.fake}, send: httpSend(rs.bases, rs.priv)}
	db, err := openDatabase(t.Context(), dbURL, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	token, real, glow := g.start(t, 0)
	g.vote(t, 2, real, glow)
	// That the first round is revealed once is checked after the second.
	firstOnce := g.checkReveal(t, token, 30*time.Second, nil)
	checkScores(t, db)

	// The replica that starts the next round dies at once; the channel
	// plays on through the other.
	token, real, glow = g.start(t, 0)
	rs.kill(t, 0)
	alive := quizGame{fakes: g.fakes, send: func(t *testing.T, _ int, i map[string]any) (int, map[string]any) {
		return g.send(t, 1, i)
	}}
	alive.vote(t, 1, real, glow)
	alive.checkReveal(t, token, 30*time.Second, nil)()
	firstOnce()
	for k := range quizVoters {
		if s, _, _ := db.Score(t.Context(), discordtest.DefaultGuildID, voterID(k)); s.Rounds != 2 {
			t.Errorf("member %d has %d rounds after two, want 2", k, s.Rounds)
		}
	}
}

// TestReplicasQuizGateway: the game over the gateway on two serves sharing
// one PostgreSQL schema, each connected to a fake Discord of its own (the
// fake dispatches to one connection, as a shard of its own would get its
// guilds' events): the round starts on the first, the 30 members vote on
// both, and one of the two reveals it, once, through its own REST. The
// rounds run on a clock the test steps, shared by both serves.
func TestReplicasQuizGateway(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t)
	clock := newSteppedClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	var fakes []*discordtest.Server
	for range 2 {
		fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
		startServeWith(t, map[string]string{
			"DISCORD_TOKEN":       proclaimToken,
			"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
			"DISCORD_API_BASE":    fake.URL(),
			"GLOWCLOUD_DATABASE":  dbURL,
			"GLOWCLOUD_COOLDOWN":  "0",
		}, func(e *environment) { e.quizClock = clock })
		fakes = append(fakes, fake)
	}
	g := quizGame{fakes: fakes, send: gatewaySend(fakes)}
	token, real, glow := g.start(t, 0)
	g.vote(t, 2, real, glow)
	once := g.checkReveal(t, token, 30*time.Second, func() { clock.advance(t, 21*time.Second) })
	db, err := openDatabase(t.Context(), dbURL, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkScores(t, db)
	once()
}

// TestReplicasQuizGatewayKilled: over the gateway, two serve processes on
// one PostgreSQL schema, each connected to a fake Discord of its own; the
// replica that started a round is killed (SIGKILL) right after, the 30
// members vote through the other, and that one reveals the round, once,
// through its own REST, with the right counts; the scores count the round
// once. The processes share no clock, so the round runs on real time:
// 5 s, the shortest GLOWCLOUD_QUIZ_SECONDS (the 30 votes took 0.7 s at a
// load average of 16 on two cores).
func TestReplicasQuizGatewayKilled(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t)
	var fakes []*discordtest.Server
	var procs []*exec.Cmd
	for range 2 {
		fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
		cmd, _ := serveProcess(t, []string{
			"DISCORD_TOKEN=" + proclaimToken,
			"GLOWCLOUD_HTTP_ADDR=127.0.0.1:0",
			"DISCORD_API_BASE=" + fake.URL(),
			"GLOWCLOUD_DATABASE=" + dbURL,
			"GLOWCLOUD_COOLDOWN=0",
			"GLOWCLOUD_QUIZ_SECONDS=5",
			"GLOWCLOUD_LOG_FORMAT=text",
		})
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		fakes, procs = append(fakes, fake), append(procs, cmd)
	}
	g := quizGame{fakes: fakes, send: gatewaySend(fakes)}
	token, real, glow := g.start(t, 0)
	if err := procs[0].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = procs[0].Wait()

	// The channel plays on through the other replica's gateway; the
	// reveal may come through either fake (only the living one can).
	alive := quizGame{fakes: []*discordtest.Server{fakes[1], fakes[0]}, send: func(t *testing.T, _ int, i map[string]any) (int, map[string]any) {
		return g.send(t, 1, i)
	}}
	alive.vote(t, 1, real, glow)
	once := alive.checkReveal(t, token, 40*time.Second, nil)
	db, err := openDatabase(t.Context(), dbURL, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkScores(t, db)
	once()
	if n := len(fakes[0].Edits(token)); n != 0 {
		t.Errorf("the killed replica's Discord got %d edits of the round", n)
	}
}
