package httpapi

import (
	"net"
	"net/http"
	"sync"
)

// MaxConns is how many connections the HTTP endpoint keeps open at once.
// Each open connection costs memory whether or not it sends anything (its
// goroutine and stack, net/http's read and write buffers, up to 16 KiB of
// headers being read, this package's 4 KiB read chunk): some 30–40 KiB, so
// 512 of them cost at most ~20 MiB beside the 8 MiB of unverified bodies,
// and with the collector's headroom the process stays within ~100 MB of
// idle however many clients connect (1,000 clients pushing 256 KiB bodies
// as fast as they can: +67–73 MiB, BENCHMARKS.md). Past it, new clients
// wait in the listen backlog; Discord needs far fewer: it sends each
// interaction as one request, a few at a time, over keep-alive
// connections, and a connection busy with a request is not held for long
// (5 s for headers, 1 s for a body).
const MaxConns = 512

// LimitConns returns ln accepting for srv at most max connections open at
// once. At the limit, an idle keep-alive connection (one between requests)
// is closed to make room for the new one; with none idle, the new one
// waits (in the listener's backlog, then here) for a connection to close.
// A connection busy with a request cannot be held for long: srv's timeouts
// bound reading its headers (5 s) and body (1 s). It sets srv.ConnState,
// chaining any already set.
func LimitConns(srv *http.Server, ln net.Listener, max int) net.Listener {
	l := &connLimit{Listener: ln, slots: make(chan struct{}, max), idle: make(map[net.Conn]struct{}), done: make(chan struct{})}
	next := srv.ConnState
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		l.track(c, st)
		if next != nil {
			next(c, st)
		}
	}
	return l
}

// connLimit is LimitConns's listener.
type connLimit struct {
	net.Listener
	slots chan struct{} // one taken per open connection

	mu      sync.Mutex
	idle    map[net.Conn]struct{} // open connections between requests
	waiting int                   // accepted connections waiting for a slot

	closeOnce sync.Once
	done      chan struct{} // closed by Close
}

// Accept accepts a connection and waits for a slot for it.
func (l *connLimit) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case l.slots <- struct{}{}:
	default:
		// Full: an idle connection, now or as soon as one is, makes room.
		l.mu.Lock()
		l.waiting++
		l.mu.Unlock()
		l.closeIdle()
		got := false
		select {
		case l.slots <- struct{}{}:
			got = true
		case <-l.done:
		}
		l.mu.Lock()
		l.waiting--
		l.mu.Unlock()
		if !got {
			c.Close()
			return nil, net.ErrClosed
		}
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// Close closes the listener and stops any Accept waiting for a slot.
func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// closeIdle closes one idle connection, if there is one.
func (l *connLimit) closeIdle() {
	l.mu.Lock()
	var victim net.Conn
	for c := range l.idle {
		victim = c
		delete(l.idle, c)
		break
	}
	l.mu.Unlock()
	if victim != nil {
		victim.Close()
	}
}

// track follows which connections are idle; one that becomes idle while a
// new connection waits for room is closed.
func (l *connLimit) track(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	if st != http.StateIdle {
		delete(l.idle, c)
		l.mu.Unlock()
		return
	}
	if l.waiting == 0 {
		l.idle[c] = struct{}{}
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	c.Close()
}

// limitedConn gives its slot back when it closes.
type limitedConn struct {
	net.Conn
	l    *connLimit
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}
