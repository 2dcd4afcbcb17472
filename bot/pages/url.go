package pages

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ParsePublicURL checks GLOWCLOUD_PUBLIC_URL: the absolute http or https
// URL the pages are reached at, such as https://glow.example or
// https://example.org/glowcloud (a proxy then strips the path). It returns
// it without a trailing slash; "" stays "" (no pages links).
func ParsePublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("GLOWCLOUD_PUBLIC_URL %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return "", fmt.Errorf("GLOWCLOUD_PUBLIC_URL %q: want an absolute http or https URL, such as https://glow.example", s)
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", fmt.Errorf("GLOWCLOUD_PUBLIC_URL %q: want no user, query or fragment, only scheme, host and path", s)
	case !validHost(u.Host):
		return "", fmt.Errorf("GLOWCLOUD_PUBLIC_URL %q: the host %q is not a host name", s, u.Host)
	}
	out := u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/")
	for i := 0; i < len(out); i++ {
		if out[i] <= ' ' || out[i] >= 0x7f {
			return "", fmt.Errorf("GLOWCLOUD_PUBLIC_URL %q: want plain ASCII", s)
		}
	}
	return out, nil
}

// ParseProxies checks GLOWCLOUD_TRUSTED_PROXIES: a comma-separated list of
// the addresses (10.0.0.5) or networks (10.0.0.0/8, fd00::/8) of the
// reverse proxies in front of the pages, whose X-Forwarded-For names the
// client the rate limit counts.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("GLOWCLOUD_TRUSTED_PROXIES: %q is not an address or a network (10.0.0.5, 10.0.0.0/8)", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("GLOWCLOUD_TRUSTED_PROXIES: %q is not an address or a network (10.0.0.5, 10.0.0.0/8)", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
