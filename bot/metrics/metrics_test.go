package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// scrape returns what m's handler serves.
func scrape(t testing.TB, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.GatewayReconnect()
	m.GatewayReconnect()
	m.SetModel("old")
	m.SetModel("3fa2c9e1")
	m.ModelReloaded(true)
	m.ModelReloaded(false)
	m.ModelReloaded(false)
	m.Retrained("ok")
	m.HTTPRejected("stale")

	b := bottest.NewBot(bot.Config{Metrics: m})
	rs := &bottest.Responder{}
	for _, req := range []bot.Request{
		bottest.Command("manifesto", nil),
		bottest.Command("manifesto", nil),
		bottest.Command("squint", nil),
		bottest.Command("no-such-command-1", nil),
		bottest.Command("no-such-command-2", nil),
		{Kind: bot.KindComponent, CustomID: "gc1|g"},
		{Kind: bot.KindComponent, CustomID: "garbage"},
	} {
		if err := b.Answer(t.Context(), req, rs); err != nil {
			t.Fatal(err)
		}
	}
	got := scrape(t, m)
	for _, want := range []string{
		"glowcloud_gateway_reconnects_total 2",
		`glowcloud_model_info{model="3fa2c9e1"} 1`,
		`glowcloud_model_reloads_total{result="ok"} 1`,
		`glowcloud_model_reloads_total{result="error"} 2`,
		`glowcloud_interactions_total{command="manifesto",outcome="ok"} 2`,
		`glowcloud_interactions_total{command="squint",outcome="bad_request"} 1`,
		`glowcloud_interactions_total{command="glowcloud",outcome="ok"} 1`,
		`glowcloud_interactions_total{command="unknown",outcome="bad_request"} 3`,
		`glowcloud_interaction_duration_seconds_count{command="manifesto"} 2`,
		"glowcloud_generation_errors_total 0",
		`glowcloud_retrains_total{result="ok"} 1`,
		`glowcloud_retrains_total{result="busy"} 0`,
		`glowcloud_http_rejected_total{reason="stale"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(got, want+"\n") && !strings.Contains(got, want+" ") {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, unwanted := range []string{`model="old"`, "no-such-command"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("metrics have %q", unwanted)
		}
	}
}

func TestMetricsNil(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.GatewayReconnect()
	m.SetModel("x")
	m.ModelReloaded(true)
	if m.Registry() != nil {
		t.Error("nil Metrics has a registry")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Metrics handler: %d", rec.Code)
	}
	// A bot without metrics answers all the same.
	b := bottest.NewBot(bot.Config{})
	if err := b.Answer(t.Context(), bottest.Command("glowcloud", nil), &bottest.Responder{}); err != nil {
		t.Error(err)
	}
}

func TestMetricsOwnRegistry(t *testing.T) {
	t.Parallel()
	// Two sets of metrics in one process must not collide (no global registry).
	a, b := metrics.New(), metrics.New()
	a.GatewayReconnect()
	if got := scrape(t, b); !strings.Contains(got, "glowcloud_gateway_reconnects_total 0\n") {
		t.Errorf("metrics are shared between registries")
	}
}

// TestScriptureMetrics: the trainings by result, and the cache's figures
// as they are at the scrape.
func TestScriptureMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.ScriptureTrained("ok")
	m.ScriptureTrained("ok")
	m.ScriptureTrained("failed")
	st := metrics.ScriptureCacheStats{Models: 3, Bytes: 3 << 20, Limit: 256 << 20, Hits: 90, Misses: 10}
	m.WatchScriptureCache(func() metrics.ScriptureCacheStats { return st })
	got := scrape(t, m)
	st.Hits = 91
	again := scrape(t, m)
	for _, want := range []string{
		`glowcloud_scripture_trainings_total{result="ok"} 2`,
		`glowcloud_scripture_trainings_total{result="failed"} 1`,
		`glowcloud_scripture_trainings_total{result="released"} 0`,
		"glowcloud_scripture_models 3",
		"glowcloud_scripture_cache_bytes 3.145728e+06",
		"glowcloud_scripture_cache_limit_bytes 2.68435456e+08",
		"glowcloud_scripture_cache_hits_total 90",
		"glowcloud_scripture_cache_misses_total 10",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(again, "glowcloud_scripture_cache_hits_total 91\n") {
		t.Error("the hits are not read at the scrape")
	}
	var nilM *metrics.Metrics
	nilM.ScriptureTrained("ok")
	nilM.WatchScriptureCache(nil)
}
