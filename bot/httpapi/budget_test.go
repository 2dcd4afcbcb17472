package httpapi_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/httpapi"
	"github.com/glowcloud/glowcloud/bot/metrics"
)

// watchedBody is a request body that counts its reads and, if gate is not
// nil, blocks each read until gate is closed.
type watchedBody struct {
	r     io.Reader
	reads atomic.Int32
	gate  chan struct{}
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.reads.Add(1)
	if b.gate != nil {
		<-b.gate
	}
	return b.r.Read(p)
}

// unsignedRequest is POST /interactions with body and the given signature
// headers (empty: left out).
func unsignedRequest(body io.Reader, n int64, sig, ts string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/interactions", body)
	r.ContentLength = n
	if sig != "" {
		r.Header.Set("X-Signature-Ed25519", sig)
	}
	if ts != "" {
		r.Header.Set("X-Signature-Timestamp", ts)
	}
	return r
}

// TestHTTPHeadersBeforeBody: a request whose signature headers are missing,
// malformed or stale is refused with 401 without a byte of its body read
// (issue 11, finding 3: the old handler read up to 256 KiB of every body
// before looking at a header).
func TestHTTPHeadersBeforeBody(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_780_000_000, 0)
	h := httpapi.New(bot.New(bot.Config{}), httpapi.Config{PublicKey: pub, Now: func() time.Time { return now }})
	goodSig := strings.Repeat("ab", 64)
	fresh := strconv.FormatInt(now.Unix(), 10)
	for _, tt := range []struct {
		name, sig, ts string
		wantRead      bool
	}{
		{"no headers", "", "", false},
		{"no timestamp", goodSig, "", false},
		{"no signature", "", fresh, false},
		{"signature not hex", strings.Repeat("zz", 64), fresh, false},
		{"short signature", goodSig[:100], fresh, false},
		{"stale", goodSig, strconv.FormatInt(now.Unix()-3600, 10), false},
		{"timestamp not a number", goodSig, "soon", false},
		{"well formed, wrong signature", goodSig, fresh, true}, // the control: only now is the body worth reading
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := &watchedBody{r: bytes.NewReader(bytes.Repeat([]byte("x"), 256<<10))}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, unsignedRequest(body, 256<<10, tt.sig, tt.ts))
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", rec.Code)
			}
			if read := body.reads.Load() > 0; read != tt.wantRead {
				t.Errorf("body read: %v, want %v", read, tt.wantRead)
			}
		})
	}
}

// TestHTTPUnverifiedBudget: bodies that passed the header checks are read
// only within Config.UnverifiedBytes across all requests; one that finds no
// room within a second gets 503 (busy) without being read, and room freed
// by a finished request is used again. On synctest's clock, in memory.
func TestHTTPUnverifiedBudget(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		m := metrics.New()
		const size = 1000
		h := httpapi.New(bot.New(bot.Config{}), httpapi.Config{PublicKey: pub, Recorder: m, UnverifiedBytes: 3 * size})
		sig := hex.EncodeToString(make([]byte, 64))
		ts := func() string { return strconv.FormatInt(time.Now().Unix(), 10) }

		// Three slow bodies fill the budget.
		gate := make(chan struct{})
		var wg sync.WaitGroup
		codes := make([]int, 3)
		for i := range 3 {
			wg.Go(func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, unsignedRequest(&watchedBody{r: bytes.NewReader(make([]byte, size)), gate: gate}, size, sig, ts()))
				codes[i] = rec.Code
			})
		}
		synctest.Wait()

		start := time.Now()
		fourth := &watchedBody{r: bytes.NewReader(make([]byte, size))}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, unsignedRequest(fourth, size, sig, ts()))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("a body beyond the budget: status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
		}
		if waited := time.Since(start); waited < 500*time.Millisecond || waited > 2*time.Second {
			t.Errorf("it waited %v for room; want about a second", waited)
		}
		if fourth.reads.Load() != 0 {
			t.Errorf("the refused body was read")
		}
		if got := counter(t, scrape(t, m), `glowcloud_http_rejected_total{reason="busy"}`); got != 1 {
			t.Errorf("busy rejections = %v, want 1", got)
		}

		close(gate)
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusUnauthorized {
				t.Errorf("slow request %d: %d, want 401 (read, then the signature failed)", i, c)
			}
		}
		// The budget is whole again.
		for i := range 3 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, unsignedRequest(bytes.NewReader(make([]byte, size)), size, sig, ts()))
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("request %d after the slow ones: %d, want 401", i, rec.Code)
			}
		}
	})
}
