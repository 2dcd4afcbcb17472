// Package pages serves a web page for every piece the bot writes: GET
// /m/{token} renders the piece a reply's "Share" button links to (see
// bot.Piece), word for word as the reply, with the OpenGraph and Twitter
// tags a link unfurls by and a 1200×630 PNG card (GET /m/{token}/og.png);
// GET / is a front page with a topic field, and GET /new sends a browser to
// a fresh piece. Nothing is stored: a piece is written again from its token
// (and cached), so a page never changes, and is served as immutable.
//
// Every response carries strict headers (a Content-Security-Policy with no
// script, nosniff, no referrer, no framing); pages need no JavaScript. Page
// and image generation is rate limited per client address; a cached piece,
// or one the client already has (If-None-Match), costs no generation.
package pages

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/limits"
)

//go:embed assets/page.html
var pageTemplate string

//go:embed assets/style.css
var styleSheet string

// Defaults of the Config fields left zero.
const (
	DefaultRate  = 2.0 // generations a second, per client address
	DefaultBurst = 30  // generations a client may make at once
	// pageCacheSize and imageCacheSize bound the caches, in entries (a page
	// is ~8 KB, a card ~40 KB).
	pageCacheSize  = 2048
	imageCacheSize = 256
	// maxDescription bounds og:description, in characters: Discord shows
	// about 350 of an unfurl's description; a card reads best shorter.
	maxDescription = 200
)

// Config configures a Handler. Writer is required.
type Config struct {
	// Writer returns the generator being served (called per request, so a
	// model reload applies at once); a piece of any other model has faded.
	Writer func() bot.Writer
	// PublicURL is the absolute URL the pages are reached at
	// (GLOWCLOUD_PUBLIC_URL, see ParsePublicURL): their links, og:url and
	// og:image use it. Empty: the address each request came to (its Host
	// header, over http), which is right only for a local try.
	PublicURL string
	// Rate and Burst bound page and image generation per client address
	// (an IPv4 address, or an IPv6 /64): a token bucket of Burst tokens
	// refilled at Rate a second. Zero means DefaultRate and DefaultBurst.
	Rate  float64
	Burst int
	// TrustedProxies are the reverse proxies in front (GLOWCLOUD_TRUSTED_PROXIES,
	// see ParseProxies): a request from one of them is counted against the
	// client its X-Forwarded-For names (the last address in it that is not
	// itself a trusted proxy), not against the proxy. Empty: the peer's
	// address is the client's, and X-Forwarded-For is ignored (anyone can
	// write it).
	TrustedProxies []netip.Prefix
	// Now is the rate limit's clock; nil means time.Now.
	Now func() time.Time
	// Seed returns the seed of a fresh piece (GET /new); nil means
	// limits.RandomSeed.
	Seed func() uint64
	// Log receives errors; nil discards.
	Log *slog.Logger
	// Metrics, if set, counts the requests for pieces and cards by result
	// (*metrics.Metrics is one).
	Metrics Recorder
}

// Recorder counts what the pages serve. Its methods must be safe for
// concurrent use.
type Recorder interface {
	// Page counts a request for a piece's page or card (what: "page" or
	// "card") by its result: written, cached, not_modified, faded,
	// not_found, limited or error.
	Page(what, result string)
}

type noRecorder struct{}

func (noRecorder) Page(string, string) {}

// Handler serves the pages. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	tmpl    *template.Template
	css     template.CSS
	csp     string
	version string // in every ETag: the templates, the card's design
	cards   *cardDrawer
	pages   *lru[string, cached]
	images  *lru[string, cached]
	limiter *limiter
}

// cached is a response body with its ETag.
type cached struct {
	body []byte
	etag string
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Writer == nil {
		cfg.Writer = func() bot.Writer { return nil }
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Seed == nil {
		cfg.Seed = limits.RandomSeed
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noRecorder{}
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	sum := sha256.Sum256([]byte(styleSheet))
	v := sha256.Sum256([]byte(pageTemplate + styleSheet + cardDesign))
	h := &Handler{
		cfg:  cfg,
		tmpl: template.Must(template.New("pages").Parse(pageTemplate)),
		css:  template.CSS(styleSheet),
		// No script, no plugin, no frame; the one style sheet is inline,
		// allowed by its hash; images only from here; forms only to here.
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		version: hex.EncodeToString(v[:6]),
		cards:   newCardDrawer(),
		pages:   newLRU[string, cached](pageCacheSize),
		images:  newLRU[string, cached](imageCacheSize),
		limiter: newLimiter(cfg.Rate, cfg.Burst, cfg.Now),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.front)
	mux.HandleFunc("GET /new", h.fresh)
	mux.HandleFunc("GET /m/{token}", h.page)
	mux.HandleFunc("GET /m/{token}/og.png", h.image)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, http.StatusNotFound, "Nothing here", "The Glow Cloud has nothing at this address.")
	})
	h.mux = mux
	return h
}

// Owns reports whether path is one of the pages' paths: "/", "/new" and
// everything under "/m/". A server sharing its listener with other
// handlers (the interactions endpoint, /metrics) sends these here and
// keeps the rest.
func Owns(path string) bool {
	return path == "/" || path == "/new" || strings.HasPrefix(path, "/m/")
}

// ServeHTTP serves the pages, every response with the strict headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-site")
	hd.Set("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
	h.mux.ServeHTTP(w, r)
}

// base is the absolute URL the pages are reached at, for r.
func (h *Handler) base(r *http.Request) (string, bool) {
	if h.cfg.PublicURL != "" {
		return h.cfg.PublicURL, true
	}
	if !validHost(r.Host) {
		return "", false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host, true
}

// validHost reports whether host is a plain host[:port]: letters, digits,
// dots, hyphens, and the colons and brackets of a port or an IPv6 address.
func validHost(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}

// view is what the template shows.
type view struct {
	Title, Description, ThemeColor string
	CSS                            template.CSS
	Home, New                      string
	Piece                          *pieceView
	// A page that is not a piece: a heading, paragraphs, the topic form
	// (prefilled with Topic) and links.
	Heading    string
	Paragraphs []string
	Form       bool
	Topic      string
	MaxTopic   int
	Links      []link
}

type link struct{ URL, Text string }

// pieceView is a piece as its page shows it: the reply's words as Discord
// displays them (discordtext.Plain), the template escaping them.
type pieceView struct {
	URL, Image       string
	Heading          string
	Paragraphs       []string
	Hail             string // a manifesto's closing line
	Footer           string // the reply's footer: seed and model
	Topic            string // as displayed; "" for none
	Another, OnTopic string
}

// front serves the front page.
func (h *Handler) front(w http.ResponseWriter, r *http.Request) {
	base, ok := h.base(r)
	if !ok {
		http.Error(w, "bad Host header", http.StatusBadRequest)
		return
	}
	v := h.newView(base)
	v.Title = "glowcloud: a manifesto on any topic"
	v.Description = "Parody manifestos of the Glow Cloud, on any topic you choose."
	v.Heading = "A manifesto on any topic"
	v.Paragraphs = []string{"The Glow Cloud writes parody manifestos from the essay “Socialism is Anarchist if you squint”. Name a topic and it will preach about it; every manifesto has its own page and link, to share."}
	v.Form = true
	v.Links = []link{
		{URL: base + "/new?kind=" + bot.CmdGlowcloud, Text: "A proclamation of the Glow Cloud"},
		{URL: base + "/new?kind=" + bot.CmdSquint + "&thing=" + url.QueryEscape("the tea party"), Text: "The tea party, squinted at"},
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	h.render(w, r, http.StatusOK, v)
}

// fresh sends the browser to a fresh piece: ?kind= (manifesto by
// default, squint or glowcloud) with ?topic= (a manifesto's) or ?thing= (a
// squint's), as typed.
func (h *Handler) fresh(w http.ResponseWriter, r *http.Request) {
	base, ok := h.base(r)
	if !ok {
		http.Error(w, "bad Host header", http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	kind, text := q.Get("kind"), q.Get("topic")
	switch kind {
	case "":
		kind = bot.CmdManifesto
	case bot.CmdSquint:
		text = q.Get("thing")
	}
	p, err := bot.NewPiece(h.cfg.Writer(), kind, text, h.cfg.Seed())
	if err != nil {
		v := h.newView(base)
		v.Title = "Not quite — glowcloud"
		v.Heading = "Not quite"
		v.Paragraphs = []string{err.Error()}
		v.Form = true
		if kind == bot.CmdManifesto && utf8.ValidString(text) {
			v.Topic = text
		}
		w.Header().Set("Cache-Control", "no-store")
		h.render(w, r, http.StatusBadRequest, v)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, base+"/m/"+p.Token(), http.StatusSeeOther)
}

// piece parses the request's token and checks that its model is served,
// answering the problem itself when not.
func (h *Handler) piece(w http.ResponseWriter, r *http.Request, what string) (bot.Piece, bot.Writer, bool) {
	p, err := bot.ParseToken(r.PathValue("token"))
	if err != nil {
		h.cfg.Metrics.Page(what, "not_found")
		h.problem(w, r, http.StatusNotFound, "No such manifesto",
			"This link does not name anything the Glow Cloud wrote. It may have been cut short when it was copied.")
		return p, nil, false
	}
	wr := h.cfg.Writer()
	if wr == nil || !bot.Serves(wr, p) {
		h.cfg.Metrics.Page(what, "faded")
		h.faded(w, r, p)
		return p, nil, false
	}
	return p, wr, true
}

// etag is the ETag of a piece's page or card under base: a page never
// changes, so it is known without writing it.
func (h *Handler) etag(kind, base, token string) string {
	sum := sha256.Sum256([]byte(h.version + "\x00" + kind + "\x00" + base + "\x00" + token))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// notModified answers 304 when the client has etag.
func notModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	for m := range strings.SplitSeq(r.Header.Get("If-None-Match"), ",") {
		if m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "W/")); m == etag || m == "*" {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", immutable)
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// immutable is how long a piece's page and card may be kept: for ever.
const immutable = "public, max-age=31536000, immutable"

// page serves a piece's page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	base, ok := h.base(r)
	if !ok {
		http.Error(w, "bad Host header", http.StatusBadRequest)
		return
	}
	p, wr, ok := h.piece(w, r, "page")
	if !ok {
		return
	}
	token := p.Token()
	etag := h.etag("page", base, token)
	if notModified(w, r, etag) {
		h.cfg.Metrics.Page("page", "not_modified")
		return
	}
	key := base + "\x00" + token
	c, hit := h.pages.get(key)
	if !hit {
		if !h.allow(w, r, "page") {
			return
		}
		reply, err := bot.Write(wr, p)
		if err != nil {
			h.writeFailed(w, r, p, "page", err)
			return
		}
		var buf bytes.Buffer
		if err := h.tmpl.ExecuteTemplate(&buf, "page", h.pieceView(base, p, reply)); err != nil {
			h.cfg.Metrics.Page("page", "error")
			h.cfg.Log.Error("page template", "err", err)
			http.Error(w, "the page could not be written", http.StatusInternalServerError)
			return
		}
		c = cached{body: buf.Bytes(), etag: etag}
		h.pages.add(key, c)
	}
	h.cfg.Metrics.Page("page", result(hit))
	serveCached(w, r, c, "text/html; charset=utf-8")
}

// image serves a piece's card: og:image.
func (h *Handler) image(w http.ResponseWriter, r *http.Request) {
	p, wr, ok := h.piece(w, r, "card")
	if !ok {
		return
	}
	token := p.Token()
	etag := h.etag("card", "", token)
	if notModified(w, r, etag) {
		h.cfg.Metrics.Page("card", "not_modified")
		return
	}
	c, hit := h.images.get(token)
	if !hit {
		if !h.allow(w, r, "card") {
			return
		}
		reply, err := bot.Write(wr, p)
		if err != nil {
			h.writeFailed(w, r, p, "card", err)
			return
		}
		png, err := h.cards.draw(cardOf(p, reply))
		if err != nil {
			h.cfg.Metrics.Page("card", "error")
			h.cfg.Log.Error("card", "err", err)
			http.Error(w, "the card could not be drawn", http.StatusInternalServerError)
			return
		}
		c = cached{body: png, etag: etag}
		h.images.add(token, c)
	}
	h.cfg.Metrics.Page("card", result(hit))
	// The card is made to be shown elsewhere: other sites and apps may
	// load it (the pages themselves are same-site only).
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	serveCached(w, r, c, "image/png")
}

// result is the result of a piece served from the cache (hit) or written.
func result(hit bool) string {
	if hit {
		return "cached"
	}
	return "written"
}

func serveCached(w http.ResponseWriter, r *http.Request, c cached, contentType string) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Cache-Control", immutable)
	hd.Set("ETag", c.etag)
	hd.Set("Content-Length", strconv.Itoa(len(c.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(c.body)
	}
}

// allow takes a generation from the client's budget, answering 429 when
// it has none left.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, what string) bool {
	wait, ok := h.limiter.take(clientKey(clientAddr(r, h.cfg.TrustedProxies)))
	if ok {
		return true
	}
	h.cfg.Metrics.Page(what, "limited")
	secs := max(1, int((wait+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.problem(w, r, http.StatusTooManyRequests, "The Glow Cloud needs a moment",
		fmt.Sprintf("You have summoned a great many manifestos. Try again in %d second%s.", secs, plural(secs)))
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// clientAddr is the address of the client behind r: its peer, or, when the
// peer is a trusted proxy, the last address of X-Forwarded-For that is not
// one (a proxy appends the address it saw; what the client wrote comes
// before it, and is not believed).
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !isTrusted(peer.Addr(), trusted) {
		return r.RemoteAddr
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop no proxy wrote: stop believing the header here
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
	}
	return r.RemoteAddr
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientKey is what the rate limit counts a client by: its IPv4 address,
// or the /64 of its IPv6 address (one subscriber's share).
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// writeFailed answers a piece that could not be written.
func (h *Handler) writeFailed(w http.ResponseWriter, r *http.Request, p bot.Piece, what string, err error) {
	if errors.Is(err, bot.ErrFaded) { // the model was swapped meanwhile
		h.cfg.Metrics.Page(what, "faded")
		h.faded(w, r, p)
		return
	}
	h.cfg.Metrics.Page(what, "error")
	h.cfg.Log.Error("write piece", "kind", p.Kind, "model", p.Model, "seed", p.Seed, "err", err)
	h.problem(w, r, http.StatusInternalServerError, "The Glow Cloud is silent",
		"It has nothing to say to this link right now. Please try again later.")
}

// faded answers a piece of a model no longer served: 410, kindly, with a
// way to a fresh one on the same topic.
func (h *Handler) faded(w http.ResponseWriter, r *http.Request, p bot.Piece) {
	base, ok := h.base(r)
	if !ok {
		http.Error(w, "bad Host header", http.StatusBadRequest)
		return
	}
	v := h.newView(base)
	v.Title = "This manifesto has faded — glowcloud"
	v.Heading = "This manifesto has faded"
	v.Paragraphs = []string{
		"The Glow Cloud no longer speaks with the model that wrote it (model " + p.Model + "), so its words cannot be summoned again.",
		"It has new things to say.",
	}
	v.Links = []link{{URL: freshURL(base, p), Text: "Summon a fresh one" + onTopic(p)}}
	w.Header().Set("Cache-Control", "no-store") // a rollback may bring the model back
	h.render(w, r, http.StatusGone, v)
}

// problem answers an error as a page.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	base, ok := h.base(r)
	if !ok {
		http.Error(w, "bad Host header", http.StatusBadRequest)
		return
	}
	v := h.newView(base)
	v.Title = heading + " — glowcloud"
	v.Heading = heading
	v.Paragraphs = []string{text}
	v.Links = []link{{URL: base + "/", Text: "To the front page"}}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, v)
}

func (h *Handler) newView(base string) view {
	return view{
		Description: "Parody manifestos of the Glow Cloud.",
		ThemeColor:  "#6a3fc8",
		CSS:         h.css,
		Home:        base + "/",
		New:         base + "/new",
		MaxTopic:    limits.MaxTopic,
	}
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, v view) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, "page", v); err != nil {
		h.cfg.Log.Error("page template", "err", err)
		http.Error(w, "the page could not be written", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// pieceView is the view of p's page, from its reply.
func (h *Handler) pieceView(base string, p bot.Piece, reply bot.Reply) view {
	e := reply.Embeds[0]
	pv := &pieceView{
		URL:     base + "/m/" + p.Token(),
		Image:   base + "/m/" + p.Token() + "/og.png",
		Heading: discordtext.Plain(e.Title),
		Footer:  discordtext.Plain(e.Footer),
		Topic:   discordtext.Plain(p.Topic),
		Another: freshURL(base, bot.Piece{Kind: p.Kind, Topic: anotherTopic(p)}),
	}
	pv.Paragraphs, pv.Hail = paragraphs(p.Kind, discordtext.Plain(e.Description))
	if p.Topic != "" && p.Kind == bot.CmdManifesto {
		pv.Another = freshURL(base, bot.Piece{Kind: bot.CmdManifesto})
		pv.OnTopic = freshURL(base, p)
	} else if p.Topic != "" {
		pv.OnTopic = freshURL(base, bot.Piece{Kind: bot.CmdManifesto, Topic: p.Topic})
	}
	v := h.newView(base)
	v.Piece = pv
	v.Title = pv.Heading + " — glowcloud"
	v.Description = description(pv.Paragraphs)
	v.ThemeColor = fmt.Sprintf("#%06x", e.Color)
	return v
}

// anotherTopic is the topic "Another one" keeps: a squint's thing (a
// squint needs one), nothing else.
func anotherTopic(p bot.Piece) string {
	if p.Kind == bot.CmdSquint {
		return p.Topic
	}
	return ""
}

// freshURL is the address of a fresh piece of p's kind on p's topic. The
// topic goes as displayed, as a person would type it again: the way in
// shows it again, and counts its length as typed (the shown form, its
// escapes, can be longer than a topic may be).
func freshURL(base string, p bot.Piece) string {
	q := url.Values{}
	if p.Kind != bot.CmdManifesto {
		q.Set("kind", p.Kind)
	}
	switch topic := discordtext.Plain(p.Topic); {
	case topic == "":
	case p.Kind == bot.CmdSquint:
		q.Set("thing", topic)
	case p.Kind == bot.CmdManifesto:
		q.Set("topic", topic)
	}
	if len(q) == 0 {
		return base + "/new"
	}
	return base + "/new?" + q.Encode()
}

func onTopic(p bot.Piece) string {
	if p.Topic == "" {
		return ""
	}
	return " on “" + discordtext.Plain(p.Topic) + "”"
}

// paragraphs splits a reply's text into its paragraphs, a manifesto's
// closing hail apart.
func paragraphs(kind, text string) (paras []string, hail string) {
	for para := range strings.SplitSeq(text, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			paras = append(paras, para)
		}
	}
	if kind == bot.CmdManifesto && len(paras) > 1 && paras[len(paras)-1] == compose.Hail {
		hail, paras = paras[len(paras)-1], paras[:len(paras)-1]
	}
	return paras, hail
}

// description is og:description: the first sentences, at most
// maxDescription characters.
func description(paras []string) string {
	if len(paras) == 0 {
		return ""
	}
	return clipSentences(paras[0], maxDescription)
}

// clipSentences returns the whole sentences of s that fit in max
// characters, or, when even the first does not, its words that fit and
// "…".
func clipSentences(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := ""
	for i := 0; i < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && (i+1 == len(s) || s[i+1] == ' ') {
			if utf8.RuneCountInString(s[:i+1]) > max {
				break
			}
			cut = s[:i+1]
		}
	}
	if cut != "" {
		return cut
	}
	r := []rune(s)[:max-1]
	out := string(r)
	if i := strings.LastIndexByte(out, ' '); i > max/2 {
		out = out[:i]
	}
	return strings.TrimRight(out, " ,;:") + "…"
}
