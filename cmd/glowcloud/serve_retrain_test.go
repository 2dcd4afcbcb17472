package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/markov"
)

// TestServeRetrainEndToEnd runs serve as an operator would, over the
// gateway of a fake Discord (DISCORD_API_BASE) with a corpus directory: it
// registers /retrain for admins only, and an operator's /retrain with an
// attachment is deferred ephemerally, learnt, written to GLOWCLOUD_MODEL,
// served, and reported in the edited reply.
func TestServeRetrainEndToEnd(t *testing.T) {
	t.Parallel()
	const token = "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I"
	fake := discordtest.New(t, discordtest.WithToken(token))
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A few lines of chat as the corpus, not the essay: what is tested is
	// the retrain's way through serve, and the essay retrained cost
	// seconds under -race.
	smallCorpusFile(t, corpusDir)
	modelPath := filepath.Join(dir, "glowcloud.model")
	// The first model is half the essay's, trained once for the package:
	// the whole essay's costs serve a third of a second more to index.
	first := variantAt(t, modelPath, 0)
	env := map[string]string{
		"DISCORD_TOKEN":        token,
		"DISCORD_API_BASE":     fake.URL(),
		"GLOWCLOUD_OPERATORS":  "1300000000000000099, " + discordtest.DefaultUserID,
		"GLOWCLOUD_CORPUS_DIR": corpusDir,
		"GLOWCLOUD_MODEL":      modelPath,
		"GLOWCLOUD_HTTP_ADDR":  "127.0.0.1:0",
		"GLOWCLOUD_LOG_FORMAT": "json",
	}
	srv := startServe(t, env)
	base := srv.base
	// Retraining under -race takes a second on a quiet machine and more on
	// a saturated one: the bound is for a hang, not for speed.
	wctx, wcancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer wcancel()

	var registered map[string]any
	for _, c := range fake.Commands("") {
		if c["name"] == "retrain" {
			registered = c
		}
	}
	if registered == nil || registered["default_member_permissions"] != "0" {
		t.Fatalf("/retrain registered as %v, want default_member_permissions \"0\"", registered)
	}

	const scripture = "The xylophonists of the night shift seize the means of percussion. " +
		"Every xylophonist is an anarchist if you squint at the mallets."
	att := fake.Attachment("night shift.txt", []byte(scripture), "text/plain; charset=utf-8")
	id := att["id"].(string)
	cb, err := fake.Interaction(wctx, map[string]any{"data": map[string]any{
		"name": "retrain", "type": 1,
		"options":  []any{map[string]any{"name": "scripture", "type": 11, "value": id}},
		"resolved": map[string]any{"attachments": map[string]any{id: att}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != 5 || cb.Data["flags"] != float64(64) {
		t.Fatalf("callback %s, want an ephemeral deferral", cb.Raw)
	}
	edit, err := fake.WaitEdit(wctx, cb.Token)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := edit["content"].(string)
	m, err := markov.Load(modelPath)
	if err != nil {
		t.Fatalf("the retrained model does not load: %v", err)
	}
	if m.ID() == first.ID() || !m.Knows("xylophonists") {
		t.Fatalf("the model file was not retrained with the attachment")
	}
	if !strings.Contains(content, "added night-shift-") || !strings.Contains(content, "learned") || !strings.Contains(content, m.ID()) {
		t.Errorf("edit %q does not say what was learnt", content)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`glowcloud_model_info{model="` + m.ID() + `"} 1`, `glowcloud_retrains_total{result="ok"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	srv.stop(t)
}

// TestServeRetrainPublishes: with a database and no GLOWCLOUD_MODEL, a
// /retrain publishes the model it made, so every replica on the database
// serves it; this replica does not load it a second time.
func TestServeRetrainPublishes(t *testing.T) {
	t.Parallel()
	const token = "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I"
	fake := discordtest.New(t, discordtest.WithToken(token))
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A few lines of chat as the corpus, not the essay: what is tested is
	// the retrain's way through serve, and the essay retrained cost
	// seconds under -race.
	smallCorpusFile(t, corpusDir)
	dbPath := filepath.Join(dir, "glowcloud.db")
	srv := startServe(t, map[string]string{
		"DISCORD_TOKEN":        token,
		"DISCORD_API_BASE":     fake.URL(),
		"GLOWCLOUD_OPERATORS":  discordtest.DefaultUserID,
		"GLOWCLOUD_CORPUS_DIR": corpusDir,
		"GLOWCLOUD_HTTP_ADDR":  "127.0.0.1:0",
		"GLOWCLOUD_DATABASE":   dbPath,
	})
	// Retraining under -race takes a second on a quiet machine and more on
	// a saturated one: the bound is for a hang, not for speed.
	wctx, wcancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer wcancel()
	att := fake.Attachment("bells.txt", []byte("The bell ringers of the belfry collectivise the carillon. Every carillon is anarchist if you squint."), "text/plain; charset=utf-8")
	id := att["id"].(string)
	cb, err := fake.Interaction(wctx, map[string]any{"data": map[string]any{
		"name": "retrain", "type": 1,
		"options":  []any{map[string]any{"name": "scripture", "type": 11, "value": id}},
		"resolved": map[string]any{"attachments": map[string]any{id: att}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitEdit(wctx, cb.Token); err != nil {
		t.Fatal(err)
	}
	m, err := markov.Load(filepath.Join(corpusDir, "glowcloud.model"))
	if err != nil || !m.Knows("carillon") {
		t.Fatalf("the model file was not retrained: %v", err)
	}
	awaitHealth(t, 5*time.Second, "the retrained model is published and served", serving(m.ID(), 1), srv.base)
	if got := currentModel(t, dbPath); got != 1 {
		t.Errorf("current published model %d, want 1", got)
	}
	srv.stop(t)
	if strings.Contains(srv.stderr.String(), "serving the published model") {
		t.Errorf("serve loaded the model it had published itself again:\n%s", srv.stderr.String())
	}
}
