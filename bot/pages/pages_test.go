package pages_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

const public = "https://glow.example"

// clock is a fake clock for the rate limit.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingWriter counts the texts it writes.
type countingWriter struct {
	bot.Writer
	n *atomic.Int64
}

func (w countingWriter) Manifesto(seed uint64, topic string, paragraphs int) (string, string) {
	w.n.Add(1)
	return w.Writer.Manifesto(seed, topic, paragraphs)
}

func (w countingWriter) Glowcloud(seed uint64) string { w.n.Add(1); return w.Writer.Glowcloud(seed) }

// get serves one request from addr.
func get(t testing.TB, h http.Handler, target, addr string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = addr
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t testing.TB, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tokenOf(t *testing.T, p bot.Piece) string {
	t.Helper()
	tok := p.Token()
	if tok == "" {
		t.Fatalf("no token for %+v", p)
	}
	return tok
}

var manifesto = bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 12345, Topic: "robots", Paragraphs: 3}

// TestHeaders: every response, page or problem, carries the strict
// headers; the style sheet is the one the CSP's hash allows, and nothing
// may run.
func TestHeaders(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	for _, target := range []string{"/", "/m/" + tokenOf(t, manifesto), "/m/" + tokenOf(t, manifesto) + "/og.png", "/m/nonsense", "/new?kind=nope", "/m/x/y/z"} {
		r := get(t, h, target, "192.0.2.1:1234")
		hd := r.Header
		csp := hd.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q allows a script or inline code", target, csp)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := hd.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", target, k, got, want)
			}
		}
		b := body(t, r)
		if !strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
			continue
		}
		if strings.Contains(strings.ToLower(b), "<script") || strings.Contains(b, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(b) {
			t.Errorf("%s: the page has a script or an event handler", target)
		}
		m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(b)
		if m == nil {
			t.Fatalf("%s: no style sheet", target)
		}
		sum := sha256.Sum256([]byte(m[1]))
		if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, "style-src "+hash) {
			t.Errorf("%s: the style sheet's hash %s is not the one the CSP %q allows", target, hash, csp)
		}
	}
}

// TestPage: a piece's page shows the reply's title, paragraphs, hail and
// footer, with the tags an unfurl reads, cached for ever under an ETag.
func TestPage(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	tok := tokenOf(t, manifesto)
	r := get(t, h, "/m/"+tok, "192.0.2.1:1234")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	etag := r.Header.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{24}"$`).MatchString(etag) {
		t.Errorf("ETag %q", etag)
	}
	b := body(t, r)
	url := public + "/m/" + tok
	for _, want := range []string{
		`<title>Manifesto of robots — glowcloud</title>`,
		`<h1>Manifesto of robots</h1>`,
		`<p>seed=12345 topic=robots paragraphs=3. Hail the singularity! Hail the mighty Glow Cloud!</p>`,
		`<meta property="og:title" content="Manifesto of robots">`,
		`<meta property="og:url" content="` + url + `">`,
		`<meta property="og:site_name" content="glowcloud">`,
		`<meta property="og:image" content="` + url + `/og.png">`,
		`<meta property="og:description" content="seed=12345 topic=robots paragraphs=3. Hail the singularity! Hail the mighty Glow Cloud!">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta name="theme-color" content="#`,
		`<link rel="canonical" href="` + url + `">`,
		`seed 12345 · model 3fa2c9e1`,
		`href="` + public + `/new?topic=robots"`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("page lacks %s\n%s", want, b)
		}
	}
	// The same page again, in another order of requests, is byte for byte
	// the same: it is the piece.
	again := body(t, get(t, pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public}), "/m/"+tok, "192.0.2.9:1"))
	if again != b {
		t.Error("a second handler wrote another page for the same token")
	}
}

// TestPageIsTheReply: the page behind a reply's Share button shows the
// reply's words, paragraph for paragraph, for the essay's real model and
// every kind of piece.
func TestPageIsTheReply(t *testing.T) {
	t.Parallel()
	w := bottest.EssayWriter(t)
	b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return w }, PublicURL: public})
	h := pages.New(pages.Config{Writer: func() bot.Writer { return w }, PublicURL: public})
	for _, req := range []bot.Request{
		bottest.Command(bot.CmdManifesto, map[string]any{"topic": "robots", "seed": float64(7)}),
		bottest.Command(bot.CmdManifesto, map[string]any{"topic": "*the* <@1> [tea](https://evil.example)", "paragraphs": float64(5)}),
		bottest.Command(bot.CmdSquint, map[string]any{"thing": "late capitalism"}),
		bottest.Command(bot.CmdGlowcloud, nil),
	} {
		reply := b.Handle(t.Context(), req)
		if len(reply.Buttons) != 2 {
			t.Fatalf("%s: buttons %+v", req.Command, reply.Buttons)
		}
		r := get(t, h, strings.TrimPrefix(reply.Buttons[1].URL, public), "192.0.2.1:1")
		page := body(t, r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", req.Command, r.StatusCode, page)
		}
		e := reply.Embeds[0]
		if got, want := text(t, page, "h1"), discordtext.Plain(e.Title); got[0] != want {
			t.Errorf("%s: heading %q, want %q", req.Command, got[0], want)
		}
		got := articleParagraphs(t, page)
		want := strings.Split(discordtext.Plain(e.Description), "\n\n")
		want = append(want, discordtext.Plain(e.Footer))
		if strings.Join(got, "\n|\n") != strings.Join(want, "\n|\n") {
			t.Errorf("%s: page paragraphs\n%q\nwant the reply's\n%q", req.Command, got, want)
		}
	}
}

// articleParagraphs are the texts of the <p>s of page's article.
func articleParagraphs(t *testing.T, page string) []string {
	t.Helper()
	start, end := strings.Index(page, "<article>"), strings.Index(page, "</article>")
	if start < 0 || end < start {
		t.Fatalf("no article in\n%s", page)
	}
	return text(t, page[start:end], "p")
}

// text is the unescaped text of every element tag in s (no nesting).
func text(t *testing.T, s, tag string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<`+tag+`(?: [^>]*)?>(.*?)</`+tag+`>`).FindAllStringSubmatch(s, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	if len(out) == 0 {
		t.Fatalf("no <%s> in\n%s", tag, s)
	}
	return out
}

// TestEscaped: what a model wrote and what a user typed reach the page as
// text, never markup.
func TestEscaped(t *testing.T) {
	t.Parallel()
	hostile := bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 1, Paragraphs: 1}
	var err error
	if hostile.Topic, err = bot.ShownTopic(`"><script>alert(1)</script>`); err != nil {
		t.Fatal(err)
	}
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	b := body(t, get(t, h, "/m/"+tokenOf(t, hostile), "192.0.2.1:1"))
	if strings.Contains(b, "<script") || strings.Contains(b, `""><`) {
		t.Errorf("the topic rendered as markup:\n%s", b)
	}
	if !strings.Contains(b, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the topic is not shown as text:\n%s", b)
	}
}

// TestFaded: a piece of a model no longer served gets a kind 410, never a
// 500, with a way to a fresh one; so does its card.
func TestFaded(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	old := manifesto
	old.Model = "0ld0m0de1"
	for _, target := range []string{"/m/" + tokenOf(t, old), "/m/" + tokenOf(t, old) + "/og.png"} {
		r := get(t, h, target, "192.0.2.1:1")
		b := body(t, r)
		if r.StatusCode != http.StatusGone {
			t.Errorf("%s: status %d, want 410", target, r.StatusCode)
		}
		if !strings.Contains(b, "This manifesto has faded") || !strings.Contains(b, `href="`+public+`/new?topic=robots"`) {
			t.Errorf("%s: the 410 page does not say so kindly:\n%s", target, b)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: a faded page is kept (%q): a rollback brings its model back", target, cc)
		}
	}
	// No model at all (still loading): faded too, not a 500.
	none := pages.New(pages.Config{Writer: func() bot.Writer { return nil }})
	if r := get(t, none, "/m/"+tokenOf(t, manifesto), "192.0.2.1:1"); r.StatusCode != http.StatusGone {
		t.Errorf("no writer: status %d, want 410", r.StatusCode)
	}
}

// TestNotFound: a link that names no piece is a 404 page.
func TestNotFound(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	tok := tokenOf(t, manifesto)
	for _, target := range []string{"/m/" + tok[:5], "/m/" + tok + "x", "/m/%00", "/m/" + strings.Repeat("A", 5000), "/m/" + tok + "/other.png", "/nothing"} {
		r := get(t, h, target, "192.0.2.1:1")
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, r.StatusCode)
		}
		if b := body(t, r); !strings.Contains(b, "<h1>") {
			t.Errorf("%s: not a page:\n%s", target, b)
		}
	}
}

// TestNotModified: a client holding the page gets 304 without anything
// being written again, and without spending its rate.
func TestNotModified(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	h := pages.New(pages.Config{Writer: func() bot.Writer { return countingWriter{bottest.Writer{}, &n} }, PublicURL: public, Burst: 1, Rate: 1e-9})
	tok := tokenOf(t, manifesto)
	r := get(t, h, "/m/"+tok, "192.0.2.1:1")
	etag := r.Header.Get("ETag")
	for _, match := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := get(t, pages.New(pages.Config{Writer: func() bot.Writer { return countingWriter{bottest.Writer{}, &n} }, PublicURL: public}), "/m/"+tok, "192.0.2.1:1", "If-None-Match", match)
		if r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: status %d, ETag %q", match, r.StatusCode, r.Header.Get("ETag"))
		}
	}
	if n.Load() != 1 {
		t.Errorf("%d texts written, want 1: a 304 writes nothing", n.Load())
	}
	if r := get(t, h, "/m/"+tok, "192.0.2.1:1", "If-None-Match", `"other"`); r.StatusCode != http.StatusOK || n.Load() != 1 {
		t.Errorf("a stale ETag: status %d after %d writes; want the cached page", r.StatusCode, n.Load())
	}
	img := get(t, h, "/m/"+tok+"/og.png", "192.0.2.2:1")
	if ie := img.Header.Get("ETag"); ie == "" || ie == etag {
		t.Errorf("the card's ETag %q is the page's or none", ie)
	}
}

// TestRateLimit: each client address may generate Burst pieces at once,
// then Rate a second; cached pieces cost nothing, and other clients are
// not held back.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Unix(1e9, 0)}
	var n atomic.Int64
	h := pages.New(pages.Config{Writer: func() bot.Writer { return countingWriter{bottest.Writer{}, &n} }, PublicURL: public, Burst: 3, Rate: 0.5, Now: clk.Now})
	piece := func(seed uint64) string {
		return "/m/" + tokenOf(t, bot.Piece{Kind: bot.CmdGlowcloud, Model: "3fa2c9e1", Seed: seed})
	}
	for seed := range uint64(3) {
		if r := get(t, h, piece(seed), "198.51.100.7:1000"); r.StatusCode != http.StatusOK {
			t.Fatalf("piece %d: status %d", seed, r.StatusCode)
		}
	}
	r := get(t, h, piece(3)+"/og.png", "198.51.100.7:2000") // another port, the same client
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "2" {
		t.Errorf("past the burst: status %d, Retry-After %q; want 429 and 2", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if b := body(t, r); !strings.Contains(b, "Try again in 2 seconds") {
		t.Errorf("the 429 page does not say when:\n%s", b)
	}
	if r := get(t, h, piece(1), "198.51.100.7:1000"); r.StatusCode != http.StatusOK {
		t.Errorf("a cached page: status %d, want 200", r.StatusCode)
	}
	if r := get(t, h, piece(4), "203.0.113.5:1"); r.StatusCode != http.StatusOK {
		t.Errorf("another client: status %d, want 200", r.StatusCode)
	}
	if r := get(t, h, piece(5), "[2001:db8:1:2:3::1]:1"); r.StatusCode != http.StatusOK {
		t.Errorf("an IPv6 client: status %d", r.StatusCode)
	}
	for seed := range uint64(2) {
		get(t, h, piece(10+seed), "[2001:db8:1:2:ffff::9]:1") // the same /64
	}
	if r := get(t, h, piece(12), "[2001:db8:1:2::77]:1"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an IPv6 /64 past its burst: status %d, want 429", r.StatusCode)
	}
	clk.Add(2 * time.Second)
	if r := get(t, h, piece(3), "198.51.100.7:1000"); r.StatusCode != http.StatusOK {
		t.Errorf("after the wait: status %d, want 200", r.StatusCode)
	}
	if r := get(t, h, piece(6), "198.51.100.7:1000"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("one more at once: status %d, want 429", r.StatusCode)
	}
}

// TestFresh: the front page's form leads through /new to a fresh piece.
func TestFresh(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public, Seed: func() uint64 { return 99 }})
	front := body(t, get(t, h, "/", "192.0.2.1:1"))
	for _, want := range []string{`<form action="` + public + `/new" method="get">`, `<input type="text" id="topic" name="topic" maxlength="50"`, `<label for="topic">`} {
		if !strings.Contains(front, want) {
			t.Errorf("front page lacks %s", want)
		}
	}
	for _, tt := range []struct {
		target string
		want   bot.Piece
	}{
		{"/new?topic=robots", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 99, Topic: "robots", Paragraphs: 3}},
		{"/new?topic=", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 99, Paragraphs: 3}},
		{"/new?topic=" + "%2A%2Abold%2A%2A", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 99, Topic: `\*\*bold\*\*`, Paragraphs: 3}},
		{"/new?topic=" + "%5C%2A%5C%2Abold%5C%2A%5C%2A", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 99, Topic: `\*\*bold\*\*`, Paragraphs: 3}},
		{"/new?kind=squint&thing=tea", bot.Piece{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 99, Topic: "tea"}},
		{"/new?kind=glowcloud", bot.Piece{Kind: bot.CmdGlowcloud, Model: "3fa2c9e1", Seed: 99}},
	} {
		r := get(t, h, tt.target, "192.0.2.1:1")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: status %d, Cache-Control %q", tt.target, r.StatusCode, r.Header.Get("Cache-Control"))
		}
		if got, want := r.Header.Get("Location"), public+"/m/"+tt.want.Token(); got != want {
			t.Errorf("%s: to %s, want %s", tt.target, got, want)
		}
	}
	// A page's "more on this topic" and "another one" lead to a piece on
	// the same topic, however much showing it lengthened it.
	for _, p := range []bot.Piece{
		{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 1, Paragraphs: 3, Topic: shownTopic(t, strings.Repeat("*_", 25))},
		{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 1, Topic: shownTopic(t, "@everyone at https://evil.example/x?y=1 <#22> ~~x")},
	} {
		page := body(t, get(t, h, "/m/"+tokenOf(t, p), "192.0.2.1:1"))
		links := regexp.MustCompile(`href="(`+regexp.QuoteMeta(public)+`/new\?[^"]*)"`).FindAllStringSubmatch(page, -1)
		if len(links) == 0 {
			t.Fatalf("no link to a fresh piece on\n%s", page)
		}
		for _, l := range links {
			r := get(t, h, strings.TrimPrefix(html.UnescapeString(l[1]), public), "192.0.2.1:1")
			to, err := bot.ParseToken(strings.TrimPrefix(r.Header.Get("Location"), public+"/m/"))
			if r.StatusCode != http.StatusSeeOther || err != nil || to.Topic != p.Topic {
				t.Errorf("%s: status %d, to %+v (%v); want a piece on %q", l[1], r.StatusCode, to, err, p.Topic)
			}
		}
	}
	for _, target := range []string{"/new?kind=squint", "/new?kind=retrain", "/new?topic=" + strings.Repeat("x", 51), "/new?topic=%ff"} {
		r := get(t, h, target, "192.0.2.1:1")
		if b := body(t, r); r.StatusCode != http.StatusBadRequest || !strings.Contains(b, "<form") {
			t.Errorf("%s: status %d, want 400 with the form again:\n%s", target, r.StatusCode, b)
		}
	}
}

// TestCard: the card is a 1200×630 PNG, the same for the same piece.
func TestCard(t *testing.T) {
	t.Parallel()
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	r := get(t, h, "/m/"+tokenOf(t, manifesto)+"/og.png", "192.0.2.1:1")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("status %d, headers %v", r.StatusCode, r.Header)
	}
	if corp := r.Header.Get("Cross-Origin-Resource-Policy"); corp != "cross-origin" {
		t.Errorf("the card's Cross-Origin-Resource-Policy %q: other sites could not show it", corp)
	}
	b := body(t, r)
	cfg, err := png.DecodeConfig(strings.NewReader(b))
	if err != nil || cfg.Width != 1200 || cfg.Height != 630 {
		t.Fatalf("card: %+v, %v; want a 1200×630 PNG", cfg, err)
	}
	img, err := png.Decode(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Something is written on it: the title's area is not all one colour.
	bg := img.At(600, 5)
	inked := 0
	for x := 84; x < 1100; x += 2 {
		if img.At(x, 110) != bg {
			inked++
		}
	}
	if inked < 20 {
		t.Errorf("the title's line has %d inked pixels", inked)
	}
	other := get(t, pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }}), "/m/"+tokenOf(t, manifesto)+"/og.png", "192.0.2.1:1")
	if !bytes.Equal([]byte(body(t, other)), []byte(b)) {
		t.Error("the same piece drew another card")
	}
}

// TestOwns: the pages claim their paths and nothing of the endpoint's.
func TestOwns(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{"/": true, "/new": true, "/m/abc": true, "/m/abc/og.png": true,
		"/interactions": false, "/metrics": false, "/healthz": false, "/newer": false, "/m": false} {
		if got := pages.Owns(path); got != want {
			t.Errorf("Owns(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                             "",
		"https://glow.example":         "https://glow.example",
		"https://glow.example/":        "https://glow.example",
		" http://127.0.0.1:8080 ":      "http://127.0.0.1:8080",
		"https://example.org/glow/":    "https://example.org/glow",
		"https://[2001:db8::1]:8443/x": "https://[2001:db8::1]:8443/x",
	} {
		if got, err := pages.ParsePublicURL(in); err != nil || got != want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"glow.example", "ftp://glow.example", "https://", "https://u:p@glow.example", "https://glow.example/?q=1", "https://glow.example/#top", "javascript:alert(1)", "https://glow example"} {
		if got, err := pages.ParsePublicURL(in); err == nil {
			t.Errorf("ParsePublicURL(%q) = %q, want an error", in, got)
		}
	}
}

// recorder counts what the pages report.
type recorder struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *recorder) Page(what, result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[what+" "+result]++
}

// TestMetrics: every request for a piece is counted by its result.
func TestMetrics(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public, Metrics: rec, Burst: 2, Rate: 1e-9})
	tok := tokenOf(t, manifesto)
	old := manifesto
	old.Model = "0ld"
	etag := get(t, h, "/m/"+tok, "192.0.2.1:1").Header.Get("ETag")
	get(t, h, "/m/"+tok, "192.0.2.1:1")
	get(t, h, "/m/"+tok, "192.0.2.1:1", "If-None-Match", etag)
	get(t, h, "/m/"+tok+"/og.png", "192.0.2.1:1")
	get(t, h, "/m/"+tokenOf(t, bot.Piece{Kind: bot.CmdGlowcloud, Model: "3fa2c9e1", Seed: 5}), "192.0.2.1:1")
	get(t, h, "/m/nonsense", "192.0.2.1:1")
	get(t, h, "/m/"+tokenOf(t, old)+"/og.png", "192.0.2.1:1")
	want := map[string]int{"page written": 1, "page cached": 1, "page not_modified": 1, "card written": 1, "page limited": 1, "page not_found": 1, "card faded": 1}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if fmt.Sprint(rec.n) != fmt.Sprint(want) {
		t.Errorf("counted %v, want %v", rec.n, want)
	}
}

// FuzzFresh: whatever /new is asked, it answers a redirect to a piece or a
// polite 400 page, never anything else.
func FuzzFresh(f *testing.F) {
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	f.Add("kind=squint&thing=tea")
	f.Add("topic=%2A%2A%40everyone")
	f.Add("kind=glowcloud&topic=x")
	f.Add("topic=%ff%fe")
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/new", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusSeeOther:
			loc := rec.Header().Get("Location")
			if _, err := bot.ParseToken(strings.TrimPrefix(loc, public+"/m/")); err != nil || !strings.HasPrefix(loc, public+"/m/") {
				t.Fatalf("?%s: redirected to %q, not a piece's page", query, loc)
			}
		case http.StatusBadRequest:
			if !strings.Contains(rec.Body.String(), "<form") {
				t.Fatalf("?%s: a 400 without the form", query)
			}
		default:
			t.Fatalf("?%s: status %d", query, rec.Code)
		}
	})
}

// shownTopic is s as a typed topic is shown.
func shownTopic(t *testing.T, s string) string {
	t.Helper()
	shown, err := bot.ShownTopic(s)
	if err != nil {
		t.Fatal(err)
	}
	return shown
}

// TestUnfurlLimits: for pieces of every kind from the essay's model, the
// tags an unfurler reads fit what Discord shows: a title of at most 256
// characters (an embed title's limit, ../shared/DISCORD.md), a description
// of at most 350 (what an unfurl shows of it), not empty, and absolute
// addresses under the public URL.
func TestUnfurlLimits(t *testing.T) {
	t.Parallel()
	w := bottest.EssayWriter(t)
	h := pages.New(pages.Config{Writer: func() bot.Writer { return w }, PublicURL: public, Burst: 1000})
	meta := regexp.MustCompile(`<meta (?:property|name)="([a-z:_-]+)" content="([^"]*)">`)
	for seed := range uint64(30) {
		for _, p := range []bot.Piece{
			{Kind: bot.CmdManifesto, Model: w.ModelID(), Seed: seed, Paragraphs: 1 + int(seed%5), Topic: []string{"", "robots", "late capitalism"}[seed%3]},
			{Kind: bot.CmdSquint, Model: w.ModelID(), Seed: seed, Topic: shownTopic(t, strings.Repeat("the violin ", 1+int(seed%4)))},
			{Kind: bot.CmdGlowcloud, Model: w.ModelID(), Seed: seed},
		} {
			page := body(t, get(t, h, "/m/"+tokenOf(t, p), "192.0.2.1:1"))
			tags := map[string]string{}
			for _, m := range meta.FindAllStringSubmatch(page, -1) {
				tags[m[1]] = html.UnescapeString(m[2])
			}
			title, desc := tags["og:title"], tags["og:description"]
			if n := len([]rune(title)); n == 0 || n > 256 {
				t.Errorf("%+v: og:title of %d characters", p, n)
			}
			if n := len([]rune(desc)); n == 0 || n > 350 || desc != tags["description"] || desc != tags["twitter:description"] {
				t.Errorf("%+v: og:description of %d characters %q", p, n, desc)
			}
			for _, k := range []string{"og:url", "og:image", "twitter:image"} {
				if !strings.HasPrefix(tags[k], public+"/m/"+p.Token()) {
					t.Errorf("%+v: %s %q", p, k, tags[k])
				}
			}
			if tags["og:site_name"] != "glowcloud" || !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(tags["theme-color"]) {
				t.Errorf("%+v: og:site_name %q, theme-color %q", p, tags["og:site_name"], tags["theme-color"])
			}
		}
	}
}
