package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/discordtext"
)

// TestServeSharePage runs serve as an operator would with
// GLOWCLOUD_PUBLIC_URL: a reply over the HTTP endpoint carries a Share link
// button, and the same process serves its page with the reply's title and
// words; /metrics is as it was.
func TestServeSharePage(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, map[string]string{
		"DISCORD_PUBLIC_KEY":   hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR":  "127.0.0.1:0",
		"GLOWCLOUD_PUBLIC_URL": "https://glow.example/",
	})
	code, body := signedPost(t, srv.base, priv, manifestoInteraction(1))
	var resp struct {
		Data struct {
			Embeds []struct {
				Title, Description string
			} `json:"embeds"`
			Components []struct {
				Components []struct {
					Label string `json:"label"`
					Style int    `json:"style"`
					URL   string `json:"url"`
				} `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || len(resp.Data.Embeds) != 1 ||
		len(resp.Data.Components) != 1 || len(resp.Data.Components[0].Components) != 2 {
		t.Fatalf("reply %d %s", code, body)
	}
	share := resp.Data.Components[0].Components[1]
	if share.Label != "Share" || share.Style != 5 || !strings.HasPrefix(share.URL, "https://glow.example/m/") {
		t.Fatalf("share button %+v", share)
	}
	page, err := http.Get(srv.base + strings.TrimPrefix(share.URL, "https://glow.example"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: %d\n%s", page.StatusCode, b)
	}
	e := resp.Data.Embeds[0]
	h1 := regexp.MustCompile(`<h1>(.*?)</h1>`).FindSubmatch(b)
	if h1 == nil || html.UnescapeString(string(h1[1])) != discordtext.Plain(e.Title) {
		t.Errorf("page heading %q, want the reply's title %q", h1, e.Title)
	}
	first := strings.SplitN(discordtext.Plain(e.Description), "\n\n", 2)[0]
	if !strings.Contains(html.UnescapeString(string(b)), "<p>"+first+"</p>") {
		t.Errorf("the page lacks the reply's first paragraph %q", first)
	}
	if m, err := http.Get(srv.base + "/metrics"); err != nil || m.StatusCode != http.StatusOK || m.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("/metrics: %v %v", m, err)
	} else {
		m.Body.Close()
	}
	srv.stop(t)
}

// TestServePagesOnOff: the switch as an operator sets it. Without
// GLOWCLOUD_PUBLIC_URL nothing changes: replies carry no Share link and the
// pages' paths are not served (404, as before), unless GLOWCLOUD_PAGES=on,
// which serves them (still without Share links: there is no address to
// link to). With a public URL the pages are on, unless GLOWCLOUD_PAGES=off
// (another process serves them), which keeps the Share links.
func TestServePagesOnOff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		publicURL  string
		pages      string
		wantShare  bool
		wantServed bool
	}{
		{"unset", "", "", false, false},
		{"pages on", "", "on", false, true},
		{"public URL", "https://glow.example", "", true, true},
		{"public URL, pages off", "https://glow.example", "off", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pub, priv, err := ed25519.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{
				"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
				"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
			}
			if tt.publicURL != "" {
				env["GLOWCLOUD_PUBLIC_URL"] = tt.publicURL
			}
			if tt.pages != "" {
				env["GLOWCLOUD_PAGES"] = tt.pages
			}
			srv := startServe(t, env)
			defer srv.stop(t)

			code, body := signedPost(t, srv.base, priv, manifestoInteraction(1))
			var resp struct {
				Data struct {
					Components []struct {
						Components []struct {
							Label string `json:"label"`
							URL   string `json:"url"`
						} `json:"components"`
					} `json:"components"`
				} `json:"data"`
			}
			if code != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || len(resp.Data.Components) != 1 {
				t.Fatalf("reply %d %s", code, body)
			}
			share := false
			for _, b := range resp.Data.Components[0].Components {
				if b.URL != "" {
					share = true
					if !strings.HasPrefix(b.URL, tt.publicURL+"/m/") || b.Label != "Share" {
						t.Errorf("link button %+v", b)
					}
				}
			}
			if share != tt.wantShare {
				t.Errorf("the reply carries a Share link: %v, want %v\n%s", share, tt.wantShare, body)
			}

			for _, path := range []string{"/", "/new?kind=glowcloud"} {
				c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				r, err := c.Get(srv.base + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				served := r.StatusCode != http.StatusNotFound && r.Header.Get("Content-Security-Policy") != ""
				if served != tt.wantServed {
					t.Errorf("GET %s: %d (CSP %q): served by the pages %v, want %v\n%.300s", path, r.StatusCode, r.Header.Get("Content-Security-Policy"), served, tt.wantServed, b)
				}
			}
			if h, err := http.Get(srv.base + "/healthz"); err != nil || h.StatusCode != http.StatusOK {
				t.Errorf("/healthz: %v %v", h, err)
			} else {
				h.Body.Close()
			}
		})
	}
}
