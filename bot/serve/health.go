package serve

import "maps"

// withDetail adds detail's entries (such as "database": "ok") to what
// health reports for GET /healthz, without changing whether it is healthy;
// a nil health is always healthy.
func withDetail(health func() (bool, map[string]any), detail func() map[string]any) func() (bool, map[string]any) {
	return func() (bool, map[string]any) {
		healthy, d := true, map[string]any{}
		if health != nil {
			var inner map[string]any
			healthy, inner = health()
			maps.Copy(d, inner)
		}
		maps.Copy(d, detail())
		return healthy, d
	}
}
