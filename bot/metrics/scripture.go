package metrics

import "github.com/prometheus/client_golang/prometheus"

// scriptureResults are the values of glowcloud_scripture_trainings_total's
// result label (scripture.ResultOK and the others).
var scriptureResults = []string{"ok", "failed", "lost", "released", "error"}

func newScriptureMetrics(reg *prometheus.Registry) *prometheus.CounterVec {
	trained := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "glowcloud_scripture_trainings_total",
		Help: "Trainings of servers' scripture run by this process, by result (ok; failed: the texts could not be trained; lost: taken over, or the texts changed meanwhile; released: given back at shutdown; error: the store failed).",
	}, []string{"result"})
	reg.MustRegister(trained)
	for _, r := range scriptureResults {
		trained.WithLabelValues(r)
	}
	return trained
}

// ScriptureTrained counts a training of a server's scripture by result.
// It makes *Metrics a scripture.Metrics.
func (m *Metrics) ScriptureTrained(result string) {
	if m != nil {
		m.scripture.WithLabelValues(result).Inc()
	}
}

// ScriptureCacheStats is what the cache of servers' models holds and has
// done: scripture.Service.Stats's figures.
type ScriptureCacheStats struct {
	Models       int
	Bytes, Limit int64
	Hits, Misses uint64
}

// WatchScriptureCache has /metrics show the cache of servers' models,
// reading stats at each scrape: models loaded, their bytes and the bound,
// hits and misses. Call it once.
func (m *Metrics) WatchScriptureCache(stats func() ScriptureCacheStats) {
	if m == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "glowcloud_scripture_models",
			Help: "Servers' scripture models decoded in the cache.",
		}, func() float64 { return float64(stats().Models) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "glowcloud_scripture_cache_bytes",
			Help: "Memory the cached scripture models are charged (the loader's estimate), in bytes.",
		}, func() float64 { return float64(stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "glowcloud_scripture_cache_limit_bytes",
			Help: "The scripture cache's bound (GLOWCLOUD_SCRIPTURE_CACHE), in bytes.",
		}, func() float64 { return float64(stats().Limit) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "glowcloud_scripture_cache_hits_total",
			Help: "Requests for a server's model the cache held.",
		}, func() float64 { return float64(stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "glowcloud_scripture_cache_misses_total",
			Help: "Requests for a server's model the cache had to load.",
		}, func() float64 { return float64(stats().Misses) }),
	)
}
