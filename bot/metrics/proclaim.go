package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// proclaimResults are the values of glowcloud_proclamations_total's result
// label (proclaim's Result constants).
var proclaimResults = []string{"posted", "hushed", "paused", "failed"}

// proclaimMetrics are the scheduled proclamations' metrics.
type proclaimMetrics struct {
	total *prometheus.CounterVec
	lag   prometheus.Gauge
}

func newProclaimMetrics(reg *prometheus.Registry) *proclaimMetrics {
	p := &proclaimMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glowcloud_proclamations_total",
			Help: "Scheduled proclamation slots handled, by result (posted, hushed, paused, failed).",
		}, []string{"result"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "glowcloud_proclamation_lag_seconds",
			Help: "How late the oldest due schedule was when last claimed; 0 when nothing was due.",
		}),
	}
	reg.MustRegister(p.total, p.lag)
	for _, r := range proclaimResults {
		p.total.WithLabelValues(r)
	}
	return p
}

// Proclaimed counts a scheduled slot by its result (posted, hushed, paused
// or failed). With Lag, it makes *Metrics a proclaim.Metrics.
func (m *Metrics) Proclaimed(result string) {
	if m != nil {
		m.proclaim.total.WithLabelValues(result).Inc()
	}
}

// Lag records how late the oldest due schedule was at the Runner's last poll.
func (m *Metrics) Lag(d time.Duration) {
	if m != nil {
		m.proclaim.lag.Set(d.Seconds())
	}
}
