package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/sqlite"
)

// health returns the body of a serve's GET /healthz; nil when it does not
// answer (a replica killed or not up).
func health(base string) map[string]any {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var body map[string]any
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return nil
	}
	return body
}

// awaitHealth polls the /healthz of every base until each satisfies ok,
// and returns how long that took, or fails after within. Polling real time
// is the point: the contract promises replicas agree within 5 s of real
// time, and serve takes no injected clock.
func awaitHealth(t *testing.T, within time.Duration, what string, ok func(h map[string]any) bool, bases ...string) time.Duration {
	t.Helper()
	start := time.Now()
	var last []map[string]any
	for time.Since(start) < within {
		last = last[:0]
		all := true
		for _, b := range bases {
			h := health(b)
			last = append(last, h)
			all = all && h != nil && ok(h)
		}
		if all {
			return time.Since(start)
		}
		<-time.After(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v; /healthz said %v", what, within, last)
	return 0
}

// serving reports whether a /healthz body says the replica serves the
// model with id, as published model published.
func serving(id string, published float64) func(map[string]any) bool {
	return func(h map[string]any) bool { return h["model"] == id && h["published_model"] == published }
}

// TestServePublishedModel: serve on an SQLite database serves the model
// published there from its start, switches within 5 s to each one
// published or rolled back to, keeps the old one when the new one is
// corrupt, and says so all in /healthz; with GLOWCLOUD_MODEL set, the file
// wins.
func TestServePublishedModel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.model"), filepath.Join(dir, "b.model")
	// Two models of half the essay, trained once for the package: serve
	// indexes each model it loads (twice the first here), and the
	// essay's whole model costs a third of a second of CPU more each time
	// under -race.
	ma := variantAt(t, a, 1)
	mb := variantAt(t, b, 0)
	dbPath := filepath.Join(dir, "glowcloud.db")
	env := map[string]string{"GLOWCLOUD_DATABASE": dbPath}
	if r := glowcloud(t, env, "", "publish", "-model", a); r.code != 0 {
		t.Fatalf("publish: %s", r.stderr)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	serveEnv := map[string]string{
		"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"GLOWCLOUD_DATABASE":  dbPath,
	}
	// serve asks the database for a new model every 100 ms rather than
	// every 2 s: how soon replicas agree is TestReplicasPublish's, on the
	// default interval.
	fast := func(e *environment) { e.publishEvery = 100 * time.Millisecond }
	srv := startServeWith(t, serveEnv, fast)
	defer srv.stop(t)
	if h := health(srv.base); h["model"] != ma.ID() || h["published_model"] != 1.0 || h["database"] != "ok" {
		t.Errorf("at start /healthz = %v, want model %s, published_model 1, database ok", h, ma.ID())
	}

	if r := glowcloud(t, env, "", "publish", "-model", b); r.code != 0 {
		t.Fatalf("publish: %s", r.stderr)
	}
	awaitHealth(t, 5*time.Second, "switch to the published model", serving(mb.ID(), 2), srv.base)

	// A corrupt model that got past publish's check (written by something
	// else): refused, and the old one keeps serving.
	db, err := sqlite.Open(t.Context(), dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Publish(t.Context(), []byte("GLOWCLOUD not a model")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	awaitHealth(t, 5*time.Second, "see the corrupt model", func(h map[string]any) bool { return h["current_published_model"] == 3.0 }, srv.base)
	// /healthz names the new model as current before the watcher has tried
	// to load it: wait for the refusal, then look at what serves.
	const refused = "the published model does not load; the old model keeps serving"
	for start := time.Now(); !strings.Contains(srv.stderr.String(), refused) && time.Since(start) < 5*time.Second; {
		<-time.After(20 * time.Millisecond)
	}
	if !strings.Contains(srv.stderr.String(), refused) {
		t.Errorf("the refusal is not logged within 5 s:\n%s", srv.stderr.String())
	}
	if h := health(srv.base); h["model"] != mb.ID() || h["published_model"] != 2.0 {
		t.Errorf("after a corrupt publish /healthz = %v, want model %s still serving", h, mb.ID())
	}

	for range 2 { // 3 -> 2 -> 1
		if r := glowcloud(t, env, "", "publish", "-rollback"); r.code != 0 {
			t.Fatalf("publish -rollback: %s", r.stderr)
		}
	}
	awaitHealth(t, 5*time.Second, "roll back", serving(ma.ID(), 1), srv.base)

	// GLOWCLOUD_MODEL wins: this serve keeps the file, and says what is published.
	serveEnv["GLOWCLOUD_MODEL"] = b
	pinned := startServeWith(t, serveEnv, fast)
	defer pinned.stop(t)
	if h := health(pinned.base); h["model"] != mb.ID() || h["published_model"] != 0.0 || h["current_published_model"] != 1.0 {
		t.Errorf("with GLOWCLOUD_MODEL set /healthz = %v, want model %s (the file), published_model 0, current_published_model 1", h, mb.ID())
	}
}
