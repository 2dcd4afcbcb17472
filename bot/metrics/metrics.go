// Package metrics holds glowcloud's Prometheus metrics, in a registry of
// its own, and serves them for GET /metrics.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the bot's Prometheus metrics in a registry of its own (never
// the global one, so tests and several bots in one process do not collide).
// Every method is safe for concurrent use, and safe on a nil *Metrics, which
// records nothing. It is the bot.Recorder of the core, and what the
// gateway, the HTTP endpoint, the model reloader and the retrain runner
// count with.
//
// Label values are bounded: command is a known command name or "unknown",
// outcome one of the outcomes the core logs, model the one current model
// id, result and reason one of a fixed few.
type Metrics struct {
	reg          *prometheus.Registry
	interactions *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	genErrors    prometheus.Counter
	reconnects   prometheus.Counter
	modelInfo    *prometheus.GaugeVec
	reloads      *prometheus.CounterVec
	rejected     *prometheus.CounterVec
	retrains     *prometheus.CounterVec
	proclaim     *proclaimMetrics
	quiz         *quizMetrics
	pages        *prometheus.CounterVec
	scripture    *prometheus.CounterVec
}

// retrainResults are the values of glowcloud_retrains_total's result label.
var retrainResults = []string{"ok", "busy", "too_large", "not_text", "download_error", "empty_corpus", "cancelled", "error"}

// New returns metrics registered in a new registry, together with the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_interactions_total",
			Help: "Interactions answered, by command and outcome (ok, deferred, cooldown, bad_request, forbidden, error, panic).",
		}, []string{"command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "glowcloud_interaction_duration_seconds",
			Help:    "Time from receiving an interaction to delivering its reply (the edit, when deferred).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10},
		}, []string{"command"}),
		genErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "glowcloud_generation_errors_total",
			Help: "Replies the text generator failed to produce (panic, no model, empty text).",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "glowcloud_gateway_reconnects_total",
			Help: "Gateway connections re-established after a disconnect.",
		}),
		modelInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "glowcloud_model_info",
			Help: "1 for the id of the model currently serving.",
		}, []string{"model"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_model_reloads_total",
			Help: "Model reloads, by result (ok, error).",
		}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_http_rejected_total",
			Help: "HTTP interaction requests refused before reaching the bot, by reason (signature, stale, too_large, malformed, busy).",
		}, []string{"reason"}),
		retrains: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_retrains_total",
			Help: "Retrain jobs started by /retrain, by result (ok, busy, too_large, not_text, download_error, empty_corpus, cancelled, error).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(
		m.interactions, m.duration, m.genErrors, m.reconnects, m.modelInfo, m.reloads, m.rejected, m.retrains,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.proclaim = newProclaimMetrics(m.reg)
	m.quiz = newQuizMetrics(m.reg)
	m.pages = newPageMetrics(m.reg)
	m.scripture = newScriptureMetrics(m.reg)
	for _, r := range []string{"ok", "error"} {
		m.reloads.WithLabelValues(r)
	}
	for _, r := range retrainResults {
		m.retrains.WithLabelValues(r)
	}
	return m
}

// Registry returns the registry behind Handler, for registering more
// collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the metrics in the Prometheus exposition format; on a nil
// *Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "metrics are disabled", http.StatusNotFound)
		})
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// GatewayReconnect counts a gateway reconnect.
func (m *Metrics) GatewayReconnect() {
	if m != nil {
		m.reconnects.Inc()
	}
}

// SetModel records id as the model now serving; the previous id's series is
// removed.
func (m *Metrics) SetModel(id string) {
	if m == nil {
		return
	}
	m.modelInfo.Reset()
	m.modelInfo.WithLabelValues(id).Set(1)
}

// ModelReloaded counts a model reload attempt that succeeded or failed.
func (m *Metrics) ModelReloaded(ok bool) {
	if m == nil {
		return
	}
	r := "ok"
	if !ok {
		r = "error"
	}
	m.reloads.WithLabelValues(r).Inc()
}

// Interaction counts an answered interaction and how long it took.
func (m *Metrics) Interaction(command, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.interactions.WithLabelValues(command, outcome).Inc()
	m.duration.WithLabelValues(command).Observe(d.Seconds())
}

// GenerationError counts a reply the text generator failed to produce.
func (m *Metrics) GenerationError() {
	if m != nil {
		m.genErrors.Inc()
	}
}

// HTTPRejected counts an HTTP interaction refused before reaching the bot:
// reason is signature, stale, too_large, malformed or busy.
func (m *Metrics) HTTPRejected(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reason).Inc()
	}
}

// Retrained counts a finished retrain job by its result.
func (m *Metrics) Retrained(result string) {
	if m != nil {
		m.retrains.WithLabelValues(result).Inc()
	}
}
