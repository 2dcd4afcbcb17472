package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/scripture"
	"github.com/glowcloud/glowcloud/sqlite"
)

// TestScriptureFlags: GLOWCLOUD_SCRIPTURE and its limits, their defaults
// and their units.
func TestScriptureFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    scriptureFlags
		want scriptureConfig
		err  string
	}{
		{scriptureFlags{}, scriptureConfig{on: true, limits: scripture.Limits{Files: 20, Bytes: 10 << 20}, cache: 256 << 20, trainings: 1}, ""},
		{scriptureFlags{on: "off", files: "x"}, scriptureConfig{limits: scripture.Limits{Files: 20, Bytes: 10 << 20}, cache: 256 << 20, trainings: 1}, ""},
		{scriptureFlags{on: "on", files: "5", bytes: "1MB", cache: "64MiB", trainings: "2"}, scriptureConfig{on: true, limits: scripture.Limits{Files: 5, Bytes: 1000000}, cache: 64 << 20, trainings: 2}, ""},
		{scriptureFlags{files: "-1"}, scriptureConfig{}, "GLOWCLOUD_SCRIPTURE_FILES"},
		{scriptureFlags{trainings: "0"}, scriptureConfig{}, "want 1 to 64"},
		{scriptureFlags{bytes: "100"}, scriptureConfig{}, "at least 1.0 KiB"},
		{scriptureFlags{on: "sometimes"}, scriptureConfig{}, "want on or off"},
	} {
		got, err := tc.f.check()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: %v, want an error saying %q", tc.f, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%+v: %+v, %v; want %+v", tc.f, got, err, tc.want)
		}
	}
}

// TestServeScripture: serve trains a server's scripture added to its
// database (by another process on the same SQLite file: a replica) and
// preaches that server its blend over the HTTP endpoint, while another
// server gets the essay; /healthz and /metrics show the cache and the
// training. With GLOWCLOUD_SCRIPTURE=off nothing is trained.
func TestServeScripture(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	harbour, err := os.ReadFile(filepath.Join("..", "..", "scripture", "testdata", "harbour.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The trainer looks for work every 100 ms rather than every 2 s, so
	// that a trainer wrongly running with scripture off would claim the
	// text within the wait below.
	const poll = 100 * time.Millisecond
	for _, on := range []string{"", "off"} {
		dbPath := filepath.Join(t.TempDir(), "glowcloud.db")
		srv := startServeWith(t, map[string]string{
			"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
			"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
			"GLOWCLOUD_DATABASE":  dbPath,
			"GLOWCLOUD_COOLDOWN":  "0",
			"GLOWCLOUD_SCRIPTURE": on,
		}, func(e *environment) { e.scripturePoll = poll })
		db, err := sqlite.Open(t.Context(), dbPath, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(harbour)
		if _, err := db.AddText(t.Context(), scripture.Text{GuildID: "4", Name: "harbour", SHA256: hex.EncodeToString(sum[:]),
			Size: int64(len(harbour)), Data: harbour, AddedBy: "1", AddedAt: time.Now()}, scripture.Limits{Files: 20, Bytes: 10 << 20}); err != nil {
			t.Fatal(err)
		}
		if on == "off" {
			time.Sleep(2*poll + 500*time.Millisecond) // a trainer would have claimed it
			if g, err := db.ScriptureGuild(t.Context(), "4"); err != nil || g.State != scripture.StatePending {
				t.Errorf("scripture off: %+v, %v; want it untouched", g, err)
			}
			if body := get(t, srv.base+"/healthz"); strings.Contains(body, "scripture") {
				t.Errorf("scripture off: /healthz says %s", body)
			}
			db.Close()
			srv.stop(t)
			continue
		}
		deadline := time.Now().Add(time.Minute)
		for {
			g, err := db.ScriptureGuild(t.Context(), "4")
			if err != nil {
				t.Fatal(err)
			}
			if g.State == scripture.StateReady {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not trained within a minute: %+v\n%s", g, srv.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		says := 0
		for i := range 20 {
			_, body := signedPost(t, srv.base, priv, manifestoInteraction(i))
			if strings.Contains(strings.ToLower(body), "harbour") || strings.Contains(body, "Morwenna") || strings.Contains(body, "lighthouse") {
				says++
			}
			other := strings.Replace(manifestoInteraction(i), `"guild_id":"4"`, `"guild_id":"5"`, 1)
			if _, body := signedPost(t, srv.base, priv, other); strings.Contains(body, "Morwenna") || strings.Contains(body, "lighthouse") {
				t.Fatalf("another server was preached the harbour: %s", body)
			}
		}
		if says == 0 {
			t.Error("none of 20 manifestos in the server says a word of its scripture")
		}
		health := get(t, srv.base+"/healthz")
		metrics := get(t, srv.base+"/metrics")
		for _, want := range []string{`"scripture":{`, `"models":1`} {
			if !strings.Contains(health, want) {
				t.Errorf("/healthz lacks %s: %s", want, health)
			}
		}
		for _, want := range []string{"glowcloud_scripture_models 1\n", `glowcloud_scripture_trainings_total{result="ok"} 1` + "\n", "glowcloud_scripture_cache_misses_total 1\n"} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
		db.Close()
		srv.stop(t)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// TestMemoryLimit: serve's soft limit is the cache plus the headroom,
// raised by each running training's allowance and lowered again when it
// ends (once, however often its done is called).
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	var set []int64
	record := func(n int64) int64 { set = append(set, n); return 0 }
	const cache = 256 << 20
	m := newMemoryLimit(record, cache)
	first := m.train(1 << 20)
	second := m.train(10 << 20)
	first()
	first()
	second()
	a, b := markov.TrainMemoryLimit(1<<20, 1<<20/5), markov.TrainMemoryLimit(10<<20, 10<<20/5)
	base := int64(cache + servingHeadroom)
	want := []int64{base, base + a, base + a + b, base + b, base}
	if !slices.Equal(set, want) {
		t.Errorf("limits set %v, want %v", set, want)
	}
}
