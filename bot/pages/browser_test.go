package pages_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/browser"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/images (for the README)")

// screenshotSeed is the seed of the manifesto the browser test follows
// from the front page, so its screenshots show the same page every run.
const screenshotSeed = 2026

// needChromium returns a Chromium to drive. Where there is none, the test
// is skipped, loudly; under CI (CI=true), which installs it, it fails.
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := browser.Find()
	if err == nil {
		return path
	}
	msg := "!!! " + err.Error() + ": " + t.Name() + ", the real-browser test, is SKIPPED !!!"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " — but CI must run it (.ci/run installs chromium)")
	}
	t.Skip(msg)
	return ""
}

// axeSource is axe-core's script: $GLOWCLOUD_AXE, or what .ci/run installs
// from npm under .ci/npm. Without it the accessibility check is skipped,
// loudly, and under CI fails.
func axeSource(t *testing.T) []byte {
	t.Helper()
	path := os.Getenv("GLOWCLOUD_AXE")
	if path == "" {
		path = filepath.Join("..", "..", ".ci", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return b
	}
	msg := fmt.Sprintf("!!! axe-core not found (%v; npm install --prefix .ci/npm axe-core, as .ci/run does): the accessibility check is SKIPPED !!!", err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " — but CI must run it")
	}
	t.Skip(msg)
	return nil
}

// TestBrowser opens the pages in a real, headless Chromium: the front page,
// a topic typed and submitted, the manifesto it leads to (title,
// paragraphs, tags, card), screenshots at phone and desktop widths, light
// and dark, axe-core with no serious or critical violation on every kind
// of page, and a reply's Share link showing the reply's words paragraph
// for paragraph.
func TestBrowser(t *testing.T) {
	t.Parallel()
	chromium := needChromium(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	w := bottest.EssayWriter(t)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	defer srv.Close()
	h = pages.New(pages.Config{Writer: func() bot.Writer { return w }, PublicURL: srv.URL, Seed: func() uint64 { return screenshotSeed }})

	b, err := browser.Start(ctx, chromium, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eval := func(expr string, out any) {
		t.Helper()
		must(p.Eval(ctx, expr, out))
	}

	// A phone: the front page, a topic, Enter.
	must(p.SetViewport(ctx, 390, 844, true))
	must(p.Navigate(ctx, srv.URL+"/"))
	var title string
	eval(`document.title`, &title)
	if !strings.Contains(title, "glowcloud") {
		t.Errorf("front page title %q", title)
	}
	checkPage(t, p, ctx)
	shot(t, ctx, p, "front-390.png", 390)
	must(p.Focus(ctx, "#topic"))
	must(p.Type(ctx, "robots"))
	must(p.PressEnterAndWait(ctx))

	var path string
	eval(`location.pathname`, &path)
	piece, err := bot.ParseToken(strings.TrimPrefix(path, "/m/"))
	if err != nil || piece.Topic != "robots" || piece.Seed != screenshotSeed || piece.Kind != bot.CmdManifesto {
		t.Fatalf("the topic led to %s: %+v, %v", path, piece, err)
	}
	reply, err := bot.Write(w, piece)
	must(err)
	var page struct {
		H1, Title, OGTitle, OGDescription, OGURL, OGImage, Twitter, Theme string
		Paragraphs                                                        []string
		Scripts                                                           int
	}
	eval(`({
		h1: document.querySelector("h1").textContent,
		title: document.title,
		ogTitle: document.querySelector('meta[property="og:title"]').content,
		ogDescription: document.querySelector('meta[property="og:description"]').content,
		ogURL: document.querySelector('meta[property="og:url"]').content,
		ogImage: document.querySelector('meta[property="og:image"]').content,
		twitter: document.querySelector('meta[name="twitter:card"]').content,
		theme: document.querySelector('meta[name="theme-color"]').content,
		paragraphs: [...document.querySelectorAll("article p")].map(p => p.textContent),
		scripts: document.scripts.length,
	})`, &page)
	heading := discordtext.Plain(reply.Embeds[0].Title)
	switch {
	case page.H1 != heading || page.OGTitle != heading || page.Title != heading+" — glowcloud":
		t.Errorf("heading %q, og:title %q, title %q; want %q", page.H1, page.OGTitle, page.Title, heading)
	case page.OGURL != srv.URL+path || page.OGImage != srv.URL+path+"/og.png" || page.Twitter != "summary_large_image":
		t.Errorf("og:url %q, og:image %q, twitter:card %q", page.OGURL, page.OGImage, page.Twitter)
	case len(page.Paragraphs) < 3 || !strings.HasPrefix(page.Paragraphs[0], page.OGDescription[:len(page.OGDescription)/2]):
		t.Errorf("paragraphs %q, og:description %q", page.Paragraphs, page.OGDescription)
	case page.Scripts != 0:
		t.Errorf("%d scripts on the page", page.Scripts)
	}
	// The card loads in the page (the CSP lets it) and is 1200×630.
	var size []int
	eval(`new Promise(done => { const i = new Image(); i.onload = () => done([i.naturalWidth, i.naturalHeight]); i.onerror = () => done([0, 0]); i.src = `+fmt.Sprintf("%q", page.OGImage)+`; })`, &size)
	if len(size) != 2 || size[0] != 1200 || size[1] != 630 {
		t.Errorf("og:image loads as %v, want 1200×630", size)
	}
	checkPage(t, p, ctx)
	shot(t, ctx, p, "manifesto-390.png", 390)

	// A desktop, light and dark.
	must(p.SetViewport(ctx, 1280, 800, false))
	must(p.Navigate(ctx, srv.URL+path))
	checkPage(t, p, ctx)
	shot(t, ctx, p, "manifesto-1280.png", 1280)
	var light, dark string
	eval(`getComputedStyle(document.documentElement).backgroundColor`, &light)
	must(p.ColorScheme(ctx, "dark"))
	eval(`getComputedStyle(document.documentElement).backgroundColor`, &dark)
	if light == dark {
		t.Errorf("the page is %s in light and in dark", light)
	}
	shot(t, ctx, p, "manifesto-1280-dark.png", 1280)

	// Printed: the manifesto alone, black on white.
	must(p.Media(ctx, "print"))
	var printed struct {
		Header, Nav, Color string
	}
	eval(`({
		header: getComputedStyle(document.querySelector("header.site")).display,
		nav: getComputedStyle(document.querySelector("nav.more")).display,
		color: getComputedStyle(document.querySelector("article p")).color,
	})`, &printed)
	if printed.Header != "none" || printed.Nav != "none" || printed.Color != "rgb(0, 0, 0)" {
		t.Errorf("printed: header %s, links %s, text %s; want none, none, black", printed.Header, printed.Nav, printed.Color)
	}
	must(p.Media(ctx, ""))

	// A reply's Share link shows the reply, paragraph for paragraph.
	bt := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return w }, PublicURL: srv.URL})
	r := bt.Handle(ctx, bottest.Command(bot.CmdManifesto, map[string]any{"topic": "the **tea** party", "paragraphs": float64(4)}))
	if len(r.Buttons) != 2 || r.Buttons[1].URL == "" {
		t.Fatalf("reply buttons %+v, want a Share link", r.Buttons)
	}
	must(p.Navigate(ctx, r.Buttons[1].URL))
	var shown []string
	eval(`[...document.querySelectorAll("article p")].map(p => p.textContent)`, &shown)
	e := r.Embeds[0]
	want := append(strings.Split(discordtext.Plain(e.Description), "\n\n"), discordtext.Plain(e.Footer))
	if strings.Join(shown, "\n¶\n") != strings.Join(want, "\n¶\n") {
		t.Errorf("the Share link shows\n%q\nwant the reply's\n%q", shown, want)
	}

	// The faded page reads as well as the others.
	must(p.ColorScheme(ctx, "light"))
	old := piece
	old.Model = "faded0"
	must(p.Navigate(ctx, srv.URL+"/m/"+old.Token()))
	var h1 string
	eval(`document.querySelector("h1").textContent`, &h1)
	if h1 != "This manifesto has faded" {
		t.Errorf("faded page says %q", h1)
	}

	// Accessibility: axe-core on every kind of page, light and dark.
	t.Run("axe", func(t *testing.T) {
		axe := axeSource(t)
		for _, target := range []struct {
			url, scheme string
		}{
			{srv.URL + "/", "light"}, {srv.URL + "/", "dark"},
			{srv.URL + path, "light"}, {srv.URL + path, "dark"},
			{srv.URL + "/m/" + old.Token(), "light"}, {srv.URL + "/new?topic=" + strings.Repeat("x", 60), "dark"},
		} {
			must(p.ColorScheme(ctx, target.scheme))
			must(p.Navigate(ctx, target.url))
			must(p.Eval(ctx, string(axe), nil))
			var res struct {
				Passes     int
				Violations []struct {
					ID, Impact, Help string
					Nodes            int
				}
			}
			must(p.Eval(ctx, `axe.run(document).then(r => ({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))}))`, &res))
			if res.Passes < 10 {
				t.Errorf("%s: axe passed only %d rules: did it run?", target.url, res.Passes)
			}
			for _, v := range res.Violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s (%s): %s violation %s: %s (%d elements)", target.url, target.scheme, v.Impact, v.ID, v.Help, v.Nodes)
				} else {
					t.Logf("%s (%s): %s violation %s: %s (%d elements)", target.url, target.scheme, v.Impact, v.ID, v.Help, v.Nodes)
				}
			}
		}
	})
}

// checkPage checks what every page must be in the browser: its style
// sheet applied (the CSP's hash admits it), one column of comfortable
// measure, no script, nothing wider than the screen.
func checkPage(t *testing.T, p *browser.Page, ctx context.Context) {
	t.Helper()
	var got struct {
		MaxWidth string
		Scripts  int
		Overflow bool
	}
	if err := p.Eval(ctx, `({
		maxWidth: getComputedStyle(document.body).maxWidth,
		scripts: document.scripts.length,
		overflow: document.documentElement.scrollWidth > window.innerWidth,
	})`, &got); err != nil {
		t.Fatal(err)
	}
	if got.MaxWidth != "608px" {
		t.Errorf("body max-width %q, want 608px (38rem): the style sheet was not applied", got.MaxWidth)
	}
	if got.Scripts != 0 || got.Overflow {
		t.Errorf("scripts %d, wider than the screen %v", got.Scripts, got.Overflow)
	}
}

// shot takes a screenshot of the page, checks it is width wide, and keeps
// it: in $GLOWCLOUD_ARTIFACTS when set, and in docs/images with
// -update-screenshots.
func shot(t *testing.T, ctx context.Context, p *browser.Page, name string, width int) {
	t.Helper()
	b, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != width || cfg.Height < 400 {
		t.Errorf("%s: %dx%d, %v; want a PNG %d wide", name, cfg.Width, cfg.Height, err, width)
	}
	dirs := []string{os.Getenv("GLOWCLOUD_ARTIFACTS")}
	if *updateScreenshots {
		dirs = append(dirs, filepath.Join("..", "..", "docs", "images"))
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
