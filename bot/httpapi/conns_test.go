package httpapi_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot/httpapi"
)

// TestLimitConns: at most max connections are open at once; at the limit,
// an idle keep-alive connection is closed to make room for a new one, and
// with none idle the new one waits until one closes.
func TestLimitConns(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})}
	lim := httpapi.LimitConns(srv, ln, 2)
	go srv.Serve(lim)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()

	// get sends one request on c and reads the answer (the connection
	// then stays open, idle).
	get := func(c net.Conn) error {
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// Two connections that are mid-request (headers half sent) hold both
	// slots: a third waits.
	busy1, busy2 := dial(), dial()
	for _, c := range []net.Conn{busy1, busy2} {
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	third := dial()
	done := make(chan error, 1)
	go func() { done <- get(third) }()
	select {
	case err := <-done:
		t.Fatalf("a third connection was served beside two busy ones (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	// One busy connection finishes its request and idles: the waiting one
	// is let in, closing it.
	if _, err := busy1.Write([]byte("Host: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the waiting connection: %v", err)
	}
	busy1.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(busy1)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := r.ReadByte(); err == nil || !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("the idle connection made room was not closed: %v", err)
	}
}
