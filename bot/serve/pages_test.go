package serve

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// TestServePages: the pages share the HTTP listener and change nothing of
// the endpoint's own paths: /interactions still checks signatures, and
// /healthz and /metrics answer as before, without the pages' headers.
func TestServePages(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	ph := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }})
	r := start(t, Config{
		Bot:        testBot(&testWriter{}),
		Metrics:    metrics.New(),
		PublicKey:  pub,
		HTTPAddr:   "127.0.0.1:0",
		HTTPClient: fake.Client(),
		Pages:      ph,
	})
	ctx := waitCtx(t)
	base := "http://" + r.addr
	for _, tt := range []struct {
		method, path string
		want         int
		page         bool
	}{
		{"GET", "/", 200, true},
		{"GET", "/m/nonsense", 404, true},
		{"GET", "/new?kind=glowcloud", 303, true},
		{"GET", "/healthz", 200, false},
		{"GET", "/metrics", 200, false},
		{"POST", "/interactions", 401, false}, // unsigned
		{"GET", "/interactions", 405, false},
		{"GET", "/elsewhere", 404, false},
	} {
		req, err := http.NewRequestWithContext(ctx, tt.method, base+tt.path, strings.NewReader(`{"type":1}`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); (csp != "") != tt.page {
			t.Errorf("%s %s: Content-Security-Policy %q: served by the pages %v, want %v", tt.method, tt.path, csp, csp != "", tt.page)
		}
	}
	if code, body := get(ctx, t, base+"/metrics"); code != 200 || !strings.Contains(body, "glowcloud_") {
		t.Errorf("/metrics: %d, lacking glowcloud_ series", code)
	}
}

// TestServePagesAlone: the pages need no Discord transport, but an HTTP
// address.
func TestServePagesAlone(t *testing.T) {
	t.Parallel()
	ph := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }})
	r := start(t, Config{Bot: testBot(&testWriter{}), HTTPAddr: "127.0.0.1:0", Pages: ph})
	if code, body := get(waitCtx(t), t, "http://"+r.addr+"/"); code != 200 || !strings.Contains(body, "<form") {
		t.Errorf("front page: %d\n%s", code, body)
	}
	if err := Run(t.Context(), Config{Bot: testBot(&testWriter{}), Pages: ph}); err == nil {
		t.Error("pages without an HTTP address: Run = nil, want an error")
	}
}
