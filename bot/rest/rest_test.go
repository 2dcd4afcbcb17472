package rest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingTransport records requests and answers 200.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r)
	rt.mu.Unlock()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: r, Header: http.Header{}}, nil
}

func TestRESTClientRewritesDiscord(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want, wantHost string
	}{
		{"api", "https://discord.com/api/v9/applications/1/commands?with_localizations=true", "http://127.0.0.1:8080/api/v9/applications/1/commands?with_localizations=true", "127.0.0.1:8080"},
		{"webhook edit", "https://discord.com/api/v9/webhooks/1/tok/messages/@original", "http://127.0.0.1:8080/api/v9/webhooks/1/tok/messages/@original", "127.0.0.1:8080"},
		{"explicit port", "https://discord.com:443/api/v9/gateway", "http://127.0.0.1:8080/api/v9/gateway", "127.0.0.1:8080"},
		{"cdn untouched", "https://cdn.discordapp.com/attachments/1/2/a.txt", "https://cdn.discordapp.com/attachments/1/2/a.txt", "cdn.discordapp.com"},
		{"plain http untouched", "http://discord.com/api/v9/gateway", "http://discord.com/api/v9/gateway", "discord.com"},
		{"lookalike untouched", "https://discord.com.evil.example/api", "https://discord.com.evil.example/api", "discord.com.evil.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{}
			c, err := Client(&http.Client{Transport: rt}, "http://127.0.0.1:8080")
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest("PATCH", tt.in, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(rt.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(rt.reqs))
			}
			got := rt.reqs[0]
			if got.URL.String() != tt.want || got.URL.Host != tt.wantHost || (got.Host != "" && got.Host != tt.wantHost) {
				t.Errorf("sent %s (Host %q), want %s", got.URL, got.Host, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("the caller's request changed to %s", req.URL)
			}
			if got.Method != "PATCH" {
				t.Errorf("method %s, want PATCH", got.Method)
			}
		})
	}
}

func TestRESTClientDefaults(t *testing.T) {
	t.Parallel()
	base := &http.Client{Timeout: time.Second}
	if c, err := Client(base, ""); err != nil || c != base {
		t.Errorf("Client(base, \"\") = %v, %v; want base unchanged", c, err)
	}
	c, err := Client(nil, "")
	if err != nil || c == nil || c.Timeout == 0 {
		t.Errorf("Client(nil, \"\") = %+v, %v; want a client with a timeout", c, err)
	}
	c, err = Client(base, "https://proxy.example:9000/")
	if err != nil {
		t.Fatal(err)
	}
	if c == base || base.Transport != nil || c.Timeout != time.Second {
		t.Errorf("restClient changed the base client or lost its timeout")
	}
}

func TestParseAPIBase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"http://127.0.0.1:8080", true},
		{"https://proxy.example", true},
		{"https://proxy.example/", true},
		{"127.0.0.1:8080", false},
		{"ftp://proxy.example", false},
		{"http://", false},
		{"http://proxy.example/api/v9", false},
		{"http://proxy.example?x=1", false},
		{"http://user:pw@proxy.example", false},
		{"http://[::1", false},
	} {
		_, err := parseAPIBase(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseAPIBase(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	inner := &net.OpError{Op: "dial", Err: errors.New("refused")}
	r := Redact(errors.Join(errors.New(`Post "https://discord.com/api/v9/interactions/1/SECRET-TOKEN/callback"`), inner), "SECRET-TOKEN")
	if strings.Contains(r.Error(), "SECRET-TOKEN") || !strings.Contains(r.Error(), redacted) {
		t.Errorf("Error() = %q, want the token redacted", r.Error())
	}
	var oe *net.OpError
	if !errors.As(r, &oe) {
		t.Error("redactedError does not unwrap")
	}
	if Redact(nil, "x") != nil {
		t.Error("Redact(nil) is not nil")
	}
}
