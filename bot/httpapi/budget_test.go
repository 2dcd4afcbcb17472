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
// nil, blocks each read after the first open ones until gate is closed.
type watchedBody struct {
	r     io.Reader
	reads atomic.Int32
	gate  chan struct{}
	open  int32 // reads that pass before the gate
}

func (b *watchedBody) Read(p []byte) (int, error) {
	if n := b.reads.Add(1); b.gate != nil && n > b.open {
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

// TestHTTPUnverifiedBudget: the bytes of bodies that passed the header
// checks are held only within Config.UnverifiedBytes across all requests,
// paid for as they arrive; one that finds no room for its first bytes
// within a second gets 503 (busy), and room freed by a finished request is
// used again. Requests that declare a body and send none hold nothing:
// the old handler reserved the declared length at once, so 64 of them
// held the whole budget for 3 s each and every signed request got 503.
// On synctest's clock, in memory.
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

		// Three requests that declare a full budget and send nothing yet
		// hold nothing: a fourth is read at once.
		silent := make(chan struct{})
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				h.ServeHTTP(httptest.NewRecorder(), unsignedRequest(&watchedBody{r: bytes.NewReader(make([]byte, size)), gate: silent}, size, sig, ts()))
			})
		}
		synctest.Wait()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, unsignedRequest(bytes.NewReader(make([]byte, size)), size, sig, ts()))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("beside three silent bodies: status %d, want 401 (read, then the signature failed)", rec.Code)
		}
		close(silent)
		wg.Wait()

		// Three bodies that sent all but their last byte fill the budget.
		gate := make(chan struct{})
		codes := make([]int, 3)
		for i := range 3 {
			wg.Go(func() {
				rec := httptest.NewRecorder()
				body := io.MultiReader(bytes.NewReader(make([]byte, size-1)), bytes.NewReader([]byte{0}))
				h.ServeHTTP(rec, unsignedRequest(&watchedBody{r: body, gate: gate, open: 1}, size, sig, ts()))
				codes[i] = rec.Code
			})
		}
		synctest.Wait()

		start := time.Now()
		fourth := &watchedBody{r: bytes.NewReader(make([]byte, size))}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, unsignedRequest(fourth, size, sig, ts()))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("a body beyond the budget: status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
		}
		if waited := time.Since(start); waited < 500*time.Millisecond || waited > 2*time.Second {
			t.Errorf("it waited %v for room; want about a second", waited)
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
