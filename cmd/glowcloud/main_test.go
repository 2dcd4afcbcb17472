package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// result is what one run of the program left behind.
type result struct {
	code           int
	stdout, stderr string
}

// glowcloud runs the program as main would, with env as its environment
// and stdin as its standard input, and returns its exit status and output.
func glowcloud(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(t.Context(), args, getenv, strings.NewReader(stdin), &stdout, &stderr)
	code := exitCode(err, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// lines returns s's lines, without the last newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// wantOneErrorLine fails unless stderr is exactly one line, starting
// "glowcloud: " and holding each of want.
func wantOneErrorLine(t *testing.T, r result, want ...string) {
	t.Helper()
	ls := lines(r.stderr)
	if len(ls) != 1 || !strings.HasPrefix(ls[0], "glowcloud: ") || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr is not one line starting \"glowcloud: \":\n%s", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not mention %q:\n%s", w, r.stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring wanted on stdout ("" for empty stdout)
		stderr     []string
		emptyError bool
	}{
		{name: "no arguments", args: nil, code: 2, stderr: []string{"Usage:", "glowcloud manifesto"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{"Usage:", `unknown command "frobnicate"`}},
		{name: "unknown flag", args: []string{"manifesto", "-bogus"}, code: 2, stderr: []string{"flag provided but not defined: -bogus", "Usage: glowcloud manifesto"}},
		{name: "unknown flag before a command", args: []string{"-bogus", "manifesto"}, code: 2, stderr: []string{"Usage:"}},
		{name: "bad seed", args: []string{"manifesto", "-seed", "minus-one"}, code: 2, stderr: []string{"-seed", "Usage: glowcloud manifesto"}},
		{name: "bad -n", args: []string{"glowcloud", "-n", "0"}, code: 2, stderr: []string{"-n 0"}},
		{name: "too many -n", args: []string{"squint", "-n", "1001", "x"}, code: 2, stderr: []string{"-n 1001"}},
		{name: "unexpected argument", args: []string{"manifesto", "robots"}, code: 2, stderr: []string{`unexpected argument "robots"`}},
		{name: "unexpected argument to glowcloud", args: []string{"glowcloud", "loud"}, code: 2, stderr: []string{`unexpected argument "loud"`}},
		{name: "unexpected argument to inspect", args: []string{"inspect", "model.json"}, code: 2, stderr: []string{`unexpected argument "model.json"`}},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: "Usage:", emptyError: true},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: "glowcloud train", emptyError: true},
		{name: "help", args: []string{"help"}, code: 0, stdout: "glowcloud healthcheck", emptyError: true},
		{name: "manifesto -h", args: []string{"manifesto", "-h"}, code: 0, stderr: []string{"Usage: glowcloud manifesto", "-paragraphs", "-topic", "-seed"}},
		{name: "train -help", args: []string{"train", "-help"}, code: 0, stderr: []string{"Usage: glowcloud train", "-order", "-o"}},
		{name: "squint -h", args: []string{"squint", "-h"}, code: 0, stderr: []string{"Usage: glowcloud squint", "THING"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := glowcloud(t, nil, "", tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if tc.stdout == "" && r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout does not hold %q:\n%s", tc.stdout, r.stdout)
			}
			if tc.emptyError && r.stderr != "" {
				t.Errorf("stderr not empty:\n%s", r.stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := glowcloud(t, nil, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "glowcloud ") || len(lines(r.stdout)) != 1 || r.stderr != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := glowcloud(t, nil, "", "version", "-x"); r.code != 2 {
		t.Errorf("version -x: exit %d, want 2", r.code)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	// server returns the host:port of a server answering /healthz with code.
	server := func(t *testing.T, code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		}))
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	// closed returns an address where nothing listens.
	closed := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	port := func(addr string) string {
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			panic(err)
		}
		return p
	}
	tests := []struct {
		name   string
		args   func(t *testing.T) ([]string, map[string]string)
		code   int
		stderr string
	}{
		{"200", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", server(t, http.StatusOK)}, nil
		}, 0, ""},
		{"200 on all addresses", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", "0.0.0.0:" + port(server(t, http.StatusOK))}, nil
		}, 0, ""},
		{"200 on an empty host", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", ":" + port(server(t, http.StatusOK))}, nil
		}, 0, ""},
		{"address from GLOWCLOUD_HTTP_ADDR", func(t *testing.T) ([]string, map[string]string) {
			return nil, map[string]string{"GLOWCLOUD_HTTP_ADDR": server(t, http.StatusOK)}
		}, 0, ""},
		{"-addr beats GLOWCLOUD_HTTP_ADDR", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", server(t, http.StatusOK)}, map[string]string{"GLOWCLOUD_HTTP_ADDR": closed(t)}
		}, 0, ""},
		{"503", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", server(t, http.StatusServiceUnavailable)}, nil
		}, 1, "503"},
		{"404", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", server(t, http.StatusNotFound)}, nil
		}, 1, "404"},
		{"nothing listening", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", closed(t)}, nil
		}, 1, "refused"},
		// A container HEALTHCHECK knows only 0 and 1: a bad command line
		// is "unhealthy" too.
		{"bad address", func(t *testing.T) ([]string, map[string]string) {
			return []string{"-addr", "no-port-here"}, nil
		}, 1, "-addr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args, env := tc.args(t)
			r := glowcloud(t, env, "", append([]string{"healthcheck", "-timeout", "10s"}, args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if tc.code == 0 {
				if r.stdout != "ok\n" || r.stderr != "" {
					t.Errorf("stdout %q, stderr %q; want \"ok\\n\" and nothing", r.stdout, r.stderr)
				}
				return
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %q", r.stdout)
			}
			wantOneErrorLine(t, r, tc.stderr)
		})
	}
}
