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
