// Package pgtest gives a test a PostgreSQL schema of its own on the server
// CI runs (GLOWCLOUD_TEST_POSTGRES, else 127.0.0.1:5432, database test,
// trust auth), and skips the test, loudly, when no server answers. It is for
// tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tried when GLOWCLOUD_TEST_POSTGRES is unset.
const DefaultURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

// URL returns the server's URL, or skips tb when nothing answers there.
// When GLOWCLOUD_TEST_POSTGRES names a server that does not answer, tb
// fails instead: CI asked for PostgreSQL and must not pass without it.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("GLOWCLOUD_TEST_POSTGRES")
	if u == "" {
		u = DefaultURL
	}
	parsed, err := url.Parse(u)
	if err != nil {
		tb.Fatalf("GLOWCLOUD_TEST_POSTGRES: %v", err)
	}
	c, err := net.DialTimeout("tcp", parsed.Host, 2*time.Second)
	if err != nil {
		if os.Getenv("GLOWCLOUD_TEST_POSTGRES") != "" {
			tb.Fatalf("GLOWCLOUD_TEST_POSTGRES names %s, which does not answer: %v", parsed.Host, err)
		}
		tb.Skipf("SKIPPING POSTGRESQL TEST: no server answers on %s (%v); start one or set GLOWCLOUD_TEST_POSTGRES", parsed.Host, err)
	}
	c.Close()
	return u
}

// Schema creates a schema for tb alone, dropped when tb ends, and returns
// the URL that selects it (search_path).
func Schema(tb testing.TB) string {
	tb.Helper()
	base := URL(tb)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Skipf("SKIPPING POSTGRESQL TEST: cannot connect: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "glowcloud_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Via returns u with its host and port replaced by addr: the same database
// reached through a proxy.
func Via(u, addr string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Host = addr
	return p.String()
}

// Host returns the host:port u names.
func Host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}
