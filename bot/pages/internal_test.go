package pages

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

func TestClipSentences(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 60)
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"Short. Enough.", 200, "Short. Enough."},
		{"One sentence here. Another sentence there. A third.", 40, "One sentence here."},
		{"One sentence here. Another sentence there. A third.", 45, "One sentence here. Another sentence there."},
		{"e.g. this is not a cut. But this is.", 30, "e.g. this is not a cut."},
		{long, 40, strings.TrimSpace(long[:35]) + "…"},
	} {
		if got := clipSentences(tt.in, tt.max); got != tt.want {
			t.Errorf("clipSentences(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1:5555":             "192.0.2.1",
		"[::ffff:192.0.2.1]:1":       "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:3::]:443":       "2001:db8:1:3::/64",
		"not an address":             "not an address",
		"@unix":                      "@unix",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWrap: lines fit, none is lost but past the last line, which ends in
// an ellipsis; a word longer than a line is broken.
func TestWrap(t *testing.T) {
	t.Parallel()
	d := newCardDrawer()
	face, err := d.face(d.regular, bodySize)
	if err != nil {
		t.Fatal(err)
	}
	width := fixed.I(600)
	text := "The Glow Cloud does not need to converse with us. " + strings.Repeat("Hail ", 40)
	lines := wrap(face, text, width, 3)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "…") {
		t.Fatalf("wrap = %q, want 3 lines ending in …", lines)
	}
	all := wrap(face, "All hail.", width, 3)
	if len(all) != 1 || all[0] != "All hail." {
		t.Errorf("wrap of a short text = %q", all)
	}
	long := wrap(face, strings.Repeat("x", 200), width, 10)
	if strings.Join(long, "") != strings.Repeat("x", 200) {
		t.Errorf("a long word lost letters: %q", long)
	}
	for _, l := range append(lines, long...) {
		if w := font.MeasureString(face, l); w > width {
			t.Errorf("line %q is %v wide, more than %v", l, w, width)
		}
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	trusted, err := ParseProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		peer, xff string
		trusted   []netip.Prefix
		want      string
	}{
		{"203.0.113.9:1", "198.51.100.1", trusted, "203.0.113.9:1"},        // not a proxy: the header is anyone's
		{"203.0.113.9:1", "198.51.100.1", nil, "203.0.113.9:1"},            // no proxies trusted
		{"10.1.2.3:1", "198.51.100.1", trusted, "198.51.100.1"},            // the proxy's word
		{"10.1.2.3:1", "6.6.6.6, 198.51.100.1", trusted, "198.51.100.1"},   // what the client wrote comes first
		{"10.1.2.3:1", "198.51.100.1, 192.0.2.7", trusted, "198.51.100.1"}, // two proxies
		{"[::ffff:10.1.2.3]:1", "198.51.100.1", trusted, "198.51.100.1"},   // a mapped address
		{"10.1.2.3:1", "", trusted, "10.1.2.3:1"},                          // no header
		{"10.1.2.3:1", "garbage, 10.9.9.9", trusted, "10.1.2.3:1"},         // nothing believable
		{"10.1.2.3:1", "2001:db8::1", trusted, "2001:db8::1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := clientAddr(r, tt.trusted); got != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %q, want %q", tt.peer, tt.xff, got, tt.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.1/8/8"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q): no error", bad)
		}
	}
}

// FuzzClientAddr: whatever X-Forwarded-For says, the client is the peer or
// an address the header names that is not a trusted proxy.
func FuzzClientAddr(f *testing.F) {
	trusted, err := ParseProxies("10.0.0.0/8, ::1")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("10.1.2.3:1", "198.51.100.1, 10.0.0.2")
	f.Add("[::1]:80", "garbage,,2001:db8::1")
	f.Add("203.0.113.1:5", "10.0.0.1")
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := clientAddr(r, trusted)
		if got == peer {
			return
		}
		a, err := netip.ParseAddr(got)
		named := false
		for _, hop := range strings.Split(xff, ",") {
			if h, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && h.String() == got {
				named = true
			}
		}
		if err != nil || isTrusted(a, trusted) || !named {
			t.Fatalf("peer %q, X-Forwarded-For %q: client %q", peer, xff, got)
		}
		if p, err := netip.ParseAddrPort(peer); err != nil || !isTrusted(p.Addr(), trusted) {
			t.Fatalf("peer %q is no trusted proxy, yet its X-Forwarded-For %q named the client %q", peer, xff, got)
		}
		_ = clientKey(got)
	})
}
