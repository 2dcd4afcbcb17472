package metrics

import "github.com/prometheus/client_golang/prometheus"

// pageResults are the values of glowcloud_pages_total's result label
// (bot/pages' results): written (generated now), cached, not_modified
// (304), faded (410: the model is no longer served), not_found (no such
// piece), limited (429), error.
var pageResults = []string{"written", "cached", "not_modified", "faded", "not_found", "limited", "error"}

// pageKinds are the values of its what label: a piece's page or its card.
var pageKinds = []string{"page", "card"}

func newPageMetrics(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "glowcloud_pages_total",
		Help: "Requests for a piece's page or card (what), by result (written, cached, not_modified, faded, not_found, limited, error).",
	}, []string{"what", "result"})
	reg.MustRegister(c)
	for _, w := range pageKinds {
		for _, r := range pageResults {
			c.WithLabelValues(w, r)
		}
	}
	return c
}

// Page counts a request for a piece's page or card (what: page or card)
// by its result. It makes *Metrics a pages.Recorder.
func (m *Metrics) Page(what, result string) {
	if m != nil {
		m.pages.WithLabelValues(what, result).Inc()
	}
}
