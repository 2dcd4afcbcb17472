package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/httpapi"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/pgtest"
)

// BenchmarkHTTPManifestoEndToEnd is the bot as an operator runs it in HTTP
// mode, with the real generator over the embedded essay: signed /manifesto
// interactions (3 paragraphs, a topic) POSTed over loopback, each verified
// (Ed25519), decoded, generated and answered. Client and server share the
// machine's 2 cores; 8 requests are in flight.
func BenchmarkHTTPManifestoEndToEnd(b *testing.B) {
	m, err := essay.Model()
	if err != nil {
		b.Fatal(err)
	}
	w := compose.New(m)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	bt := bot.New(bot.Config{Writer: func() bot.Writer { return w }, Cooldown: -1, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(httpapi.New(bt, httpapi.Config{PublicKey: pub}))
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	var n atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"id":"%d","application_id":"1","type":2,"token":"t%d","version":1,"channel_id":"3","guild_id":"4",`+
				`"member":{"user":{"id":"%d"}},"data":{"id":"9","name":"manifesto","type":1,`+
				`"options":[{"name":"topic","type":3,"value":"robots"},{"name":"paragraphs","type":4,"value":3}]}}`, i, i, i)
			t0 := time.Now()
			ts := strconv.FormatInt(t0.Unix(), 10)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/interactions", strings.NewReader(body))
			req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
			req.Header.Set("X-Signature-Timestamp", ts)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(out), "Hail the mighty Glow Cloud!") {
				b.Errorf("status %d: %.200s", resp.StatusCode, out)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkReplicasManifesto is signed /manifesto load (a topic, 3
// paragraphs, each from a new user, so each takes a cooldown and
// generates) on serve processes as operators run them: "one" is a single
// process whose cooldowns are one upsert each in its SQLite file
// ("one-no-cooldown" the same with GLOWCLOUD_COOLDOWN=0, its baseline),
// "three-postgres" three replicas round robin whose cooldowns are one
// upsert each in PostgreSQL. 8 requests are in flight;
// client and servers share the machine's cores.
func BenchmarkReplicasManifesto(b *testing.B) {
	for _, bc := range []struct {
		name  string
		n     int
		db    func(b *testing.B) string
		extra []string
	}{
		// The baseline of "one": the same process with no cooldown to take.
		{"one-no-cooldown", 1, func(b *testing.B) string { return filepath.Join(b.TempDir(), "glowcloud.db") }, []string{"GLOWCLOUD_COOLDOWN=0"}},
		{"one", 1, func(b *testing.B) string { return filepath.Join(b.TempDir(), "glowcloud.db") }, nil},
		{"three-postgres", 3, func(b *testing.B) string { return pgtest.Schema(b) }, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rs := startReplicas(b, bc.n, bc.db(b), bc.extra...)
			bodies := make(chan string, 64)
			go func() {
				defer close(bodies)
				for i := range b.N {
					bodies <- fmt.Sprintf(`{"id":"%d","application_id":"%s","type":2,"token":"t%d","version":1,"channel_id":"3","guild_id":"4",`+
						`"member":{"user":{"id":"%d"}},"data":{"id":"9","name":"manifesto","type":1,`+
						`"options":[{"name":"topic","type":3,"value":"robots"},{"name":"paragraphs","type":4,"value":3}]}}`,
						900000+i, rs.fake.AppID(), i, 700000+i)
				}
			}()
			var (
				mu   sync.Mutex
				lat  []time.Duration
				fail int
				wg   sync.WaitGroup
				next atomic.Int64
			)
			b.ResetTimer()
			start := time.Now()
			for range 8 {
				wg.Go(func() {
					var local []time.Duration
					for body := range bodies {
						t0 := time.Now()
						r := interact(rs.bases[int(next.Add(1))%bc.n], rs.priv, body)
						d := time.Since(t0)
						mu.Lock()
						if r.failed() || r.ephemeral {
							fail++
						}
						mu.Unlock()
						local = append(local, d)
					}
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if fail > 0 {
				b.Errorf("%d of %d interactions failed or were refused", fail, len(lat))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
