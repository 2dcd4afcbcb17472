package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Client returns the HTTP client for Discord's REST API: base (nil = a
// client with discordgo's 20 s timeout) with every https://discord.com
// request sent to apiBase's origin instead, paths unchanged, when apiBase is
// set. discordgo's endpoint URLs are package variables fixed at init, so
// redirecting its requests in a RoundTripper is the only way that touches no
// global. Webhook edits, the gateway URL lookup and attachment downloads
// (when they point at discord.com) go through it too. An apiBase that is not
// an http(s) origin is an error.
func Client(base *http.Client, apiBase string) (*http.Client, error) {
	if base == nil {
		base = &http.Client{Timeout: 20 * time.Second}
	}
	if apiBase == "" {
		return base, nil
	}
	u, err := parseAPIBase(apiBase)
	if err != nil {
		return nil, err
	}
	c := *base
	next := base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &rewriteTransport{next: next, scheme: u.Scheme, host: u.Host}
	return &c, nil
}

// parseAPIBase checks that s is an http(s) origin: a scheme and a host, no
// path beyond "/", no query.
func parseAPIBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("api base %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("api base %q: scheme must be http or https", s)
	case u.Host == "":
		return nil, fmt.Errorf("api base %q: no host", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return nil, fmt.Errorf("api base %q: must be an origin like https://proxy.example:8080, without a path", s)
	}
	return u, nil
}

// rewriteTransport sends requests for https://discord.com to another origin.
type rewriteTransport struct {
	next         http.RoundTripper
	scheme, host string
}

// RoundTrip rewrites the request's origin when it is Discord's.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || (req.URL.Host != "discord.com" && req.URL.Host != "discord.com:443") {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = t.scheme, t.host
	r.Host = ""
	return t.next.RoundTrip(r)
}

// UserAgent is what Discord asks bots to send: "DiscordBot ($url,
// $version)"; an empty version means the module's build version.
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
	}
	return "DiscordBot (https://github.com/glowcloud/glowcloud, " + version + ")"
}

// Session returns a discordgo session for REST only, sending through client
// with the User-Agent ua, authorised as the bot when token is set. Without
// a token it still serves webhook calls (the follow-ups of the HTTP
// endpoint), which their URLs authorise by themselves.
func Session(client *http.Client, ua string, token Token) *discordgo.Session {
	s, _ := discordgo.New("") // New never fails
	s.StateEnabled = false
	s.Client = client
	s.UserAgent = ua
	s.LogLevel = discordgo.LogWarning
	if token != "" {
		s.Token = token.Authorization()
		s.Identify.Token = s.Token
	}
	return s
}

// Redact returns err with every occurrence of secret (an interaction token,
// which is part of the callback and webhook URLs that net/http quotes in its
// errors) replaced by "[redacted]"; errors.Is and errors.As still see the
// original. A nil err or an empty secret gives err unchanged.
func Redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	return redactedError{err: err, secret: secret}
}

// redactedError replaces a secret in an error's message; Unwrap still gives
// the original.
type redactedError struct {
	err    error
	secret string
}

func (e redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, redacted)
}

func (e redactedError) Unwrap() error { return e.err }
