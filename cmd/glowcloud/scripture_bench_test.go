package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/scripture"
)

// The scale benchmark of issue 17 (item 5): 10,000 servers with scripture
// in PostgreSQL, 1,000 of them active in a Zipf mix, signed /manifesto
// through serve's HTTP endpoint, beside the same load on the essay alone
// in the same run (the same serve process, servers without scripture).
// It needs a PostgreSQL database of its own, which it fills once and
// keeps for the next run, so it runs only when asked:
//
//	createdb -h 127.0.0.1 scripture_bench
//	GLOWCLOUD_SCRIPTURE_BENCH='postgres://127.0.0.1:5432/scripture_bench?sslmode=disable' \
//	  go test -run '^$' -bench ScriptureServe -benchtime 1x -timeout 60m ./cmd/glowcloud
//
// GLOWCLOUD_SCRIPTURE_BENCH_SECONDS sets the phases' length (default 60;
// the warm phase takes half); GLOWCLOUD_SCRIPTURE_BENCH_ENV adds
// NAME=VALUE words to serve's environment (GOMEMLIMIT=300MiB, say).
const (
	benchServers = 10_000 // servers with scripture
	benchActive  = 1_000  // of them, the ones the load reaches
	benchWarm    = 25     // of those, the busiest, whose models fit the cache together
	benchModels  = 40     // distinct texts and models, stored once per server
	benchMinText = 5 << 10
	benchMaxText = 500 << 10
	benchZipfS   = 1.1 // the Zipf exponent of the servers' traffic
	benchFlight  = 8   // requests in flight, as BenchmarkReplicasManifesto
	benchGuild0  = 800_000_000_000_000_000
)

// benchGuild is the id of the bench's server i: those below benchServers
// have scripture; the essay phase uses ids from 2*benchServers on, which
// have none.
func benchGuild(i int) string { return strconv.FormatInt(benchGuild0+int64(i), 10) }

// benchModelOf is the text and model of the bench's server guildID.
func benchModelOf(guildID string) int {
	n, _ := strconv.ParseInt(guildID, 10, 64)
	return int((n - benchGuild0) % benchModels)
}

func BenchmarkScriptureServe(b *testing.B) {
	dsn := os.Getenv("GLOWCLOUD_SCRIPTURE_BENCH")
	if dsn == "" {
		b.Skip("set GLOWCLOUD_SCRIPTURE_BENCH to the URL of a PostgreSQL database of its own (see the comment above)")
	}
	seconds := 60
	if s := os.Getenv("GLOWCLOUD_SCRIPTURE_BENCH_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("GLOWCLOUD_SCRIPTURE_BENCH_SECONDS=%q", s)
		}
		seconds = n
	}
	modelBytes := loadScriptureBench(b, dsn)

	// The 1,000 active servers, by rank: rank 0 is the busiest.
	rng := rand.New(rand.NewPCG(17, 5))
	active := rng.Perm(benchServers)[:benchActive]
	var activeBytes int64
	for _, i := range active {
		activeBytes += modelBytes[i%benchModels]
	}
	b.Logf("active servers' stored models: %.1f MiB in all", float64(activeBytes)/(1<<20))

	rs := startReplicas(b, 1, dsn, strings.Fields(os.Getenv("GLOWCLOUD_SCRIPTURE_BENCH_ENV"))...)
	pid := rs.procs[0].Process.Pid
	b.ResetTimer()
	d := time.Duration(seconds) * time.Second
	for _, phase := range []struct {
		name  string
		ranks int // the Zipf law's servers
		d     time.Duration
		guild func(rank int) string
	}{
		// The essay alone: servers without scripture, the same mix.
		{"essay", benchActive, d, func(rank int) string { return benchGuild(2*benchServers + rank) }},
		// The 1,000 active servers, starting with no model loaded.
		{"scripture", benchActive, d, func(rank int) string { return benchGuild(active[rank]) }},
		// Warm: the busiest benchWarm of them, whose models the cache
		// holds together (the misses the phase counts say so).
		{"scripture-warm", benchWarm, d / 2, func(rank int) string { return benchGuild(active[rank]) }},
	} {
		hits0, misses0 := cacheCounts(rs.bases[0])
		res := benchPhase(b, rs, phase.ranks, phase.guild, phase.d, pid)
		hits, misses := cacheCounts(rs.bases[0])
		hits, misses = hits-hits0, misses-misses0
		rate := 0.0
		if hits+misses > 0 {
			rate = 100 * hits / (hits + misses)
		}
		b.Logf("%s: %s; cache: %.0f hits, %.0f misses (hit rate %.1f %%)", phase.name, res, hits, misses, rate)
	}
	b.Logf("end: /metrics: %s", scriptureMetrics(rs.bases[0]))
}

// cacheCounts reads serve's scripture cache hits and misses from /metrics.
func cacheCounts(base string) (hits, misses float64) {
	for _, l := range strings.Split(scriptureMetrics(base), "; ") {
		name, v, _ := strings.Cut(l, " ")
		f, _ := strconv.ParseFloat(v, 64)
		switch name {
		case "glowcloud_scripture_cache_hits_total":
			hits = f
		case "glowcloud_scripture_cache_misses_total":
			misses = f
		}
	}
	return hits, misses
}

// phaseResult is what one phase of the load measured.
type phaseResult struct {
	n, failed, deferred int
	elapsed             time.Duration
	lat, first          []time.Duration // every request's; each server's first's
	rssMaxKB, hwmKB     int64
}

func (r phaseResult) String() string {
	q := func(l []time.Duration, p float64) string {
		if len(l) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f ms", float64(l[min(len(l)-1, int(float64(len(l))*p))].Microseconds())/1000)
	}
	return fmt.Sprintf("%d requests in %.1f s = %.0f req/s; p50 %s, p99 %s, max %s; first request of a server (%d): p50 %s, p99 %s; %d deferred, %d failed; RSS max %.0f MiB, peak (VmHWM) %.0f MiB",
		r.n, r.elapsed.Seconds(), float64(r.n)/r.elapsed.Seconds(), q(r.lat, 0.5), q(r.lat, 0.99), q(r.lat, 1),
		len(r.first), q(r.first, 0.5), q(r.first, 0.99), r.deferred, r.failed, float64(r.rssMaxKB)/1024, float64(r.hwmKB)/1024)
}

// benchPhase sends signed /manifesto (3 paragraphs, each from a new user)
// to the servers guild(rank), ranks drawn from a Zipf law over ranks, benchFlight at a time, for d; it samples the serve
// process's RSS every 250 ms.
func benchPhase(b *testing.B, rs *replicaSet, ranks int, guild func(rank int) string, d time.Duration, pid int) phaseResult {
	var (
		mu   sync.Mutex
		res  phaseResult
		seen = map[string]bool{}
		wg   sync.WaitGroup
		seq  atomic.Int64
	)
	stop := time.Now().Add(d)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if kb := procKB(pid, "VmRSS"); kb > 0 {
					mu.Lock()
					res.rssMaxKB = max(res.rssMaxKB, kb)
					mu.Unlock()
				}
			}
		}
	}()
	start := time.Now()
	for w := range benchFlight {
		wg.Go(func() {
			z := rand.NewZipf(rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano()))), benchZipfS, 1, uint64(ranks-1))
			for time.Now().Before(stop) {
				i := seq.Add(1)
				g := guild(int(z.Uint64()))
				body := fmt.Sprintf(`{"id":"%d","application_id":"%s","type":2,"token":"t%d","version":1,"channel_id":"3","guild_id":"%s",`+
					`"member":{"user":{"id":"%d"},"permissions":"0"},"data":{"id":"9","name":"manifesto","type":1,`+
					`"options":[{"name":"paragraphs","type":4,"value":3}]}}`, 900000+i, rs.fake.AppID(), i, g, 5_000_000+i)
				t0 := time.Now()
				r := interact(rs.bases[0], rs.priv, body)
				lat := time.Since(t0)
				mu.Lock()
				res.lat = append(res.lat, lat)
				if !seen[g] {
					seen[g] = true
					res.first = append(res.first, lat)
				}
				switch {
				case r.failed() || r.ephemeral:
					res.failed++
					if res.failed <= 3 {
						b.Logf("failed: %+v", r)
					}
				case r.kind == 5:
					res.deferred++
				case r.embeds == 0:
					res.failed++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(done)
	res.n = len(res.lat)
	res.hwmKB = procKB(pid, "VmHWM")
	slices.Sort(res.lat)
	slices.Sort(res.first)
	return res
}

// procKB reads a "kB" field of /proc/PID/status (VmRSS, VmHWM); 0 when it
// cannot.
func procKB(pid int, field string) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// scriptureMetrics returns serve's glowcloud_scripture_ metric lines, one
// line.
func scriptureMetrics(base string) string {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var out []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "glowcloud_scripture_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

// benchTexts returns benchModels texts cut from ../shared/corpora at
// paragraph boundaries, their sizes log-uniform from benchMinText to
// benchMaxText: the same texts on every run.
func benchTexts(tb testing.TB) [][]byte {
	dir := filepath.Join(sharedDir(tb), "corpora")
	var sources [][]byte
	for _, name := range []string{"mid5.txt", "sherlock.txt"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		sources = append(sources, data)
	}
	rng := rand.New(rand.NewPCG(17, 17))
	out := make([][]byte, benchModels)
	for k := range out {
		src := sources[0]
		if k%4 == 3 {
			src = sources[1]
		}
		size := int(benchMinText * math.Pow(benchMaxText/benchMinText, rng.Float64()))
		from := rng.IntN(len(src) - size)
		if i := bytes.Index(src[from:], []byte("\n\n")); i >= 0 && from+i+2+size <= len(src) {
			from += i + 2
		}
		to := from + size
		if i := bytes.LastIndex(src[from:to], []byte("\n\n")); i > size/2 {
			to = from + i + 1
		}
		out[k] = src[from:to]
	}
	return out
}

// sharedDir is the project's shared folder (GLOWCLOUD_SHARED, else
// ../shared beside the checkout).
func sharedDir(tb testing.TB) string {
	if d := os.Getenv("GLOWCLOUD_SHARED"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// loadScriptureBench fills the database at dsn, through the Store as
// serve would, until benchServers servers have one text each (text k =
// server % benchModels) and a ready model: benchModels models are trained
// (scripture.Train, as the trainer trains) and each server's stored
// through ClaimTraining and FinishTraining, a copy per server. Servers
// already there are kept, so a second run loads nothing. It returns the
// stored size of each model.
func loadScriptureBench(b *testing.B, dsn string) []int64 {
	ctx := b.Context()
	db, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ready := map[string]bool{}
	gs, err := db.ScriptureGuilds(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sizes := make([]int64, benchModels)
	for _, g := range gs {
		if g.State == scripture.StateReady {
			ready[g.GuildID] = true
			sizes[benchModelOf(g.GuildID)] = g.ModelBytes
		}
	}
	if len(ready) >= benchServers {
		b.Logf("%d servers with scripture already loaded", len(ready))
		return sizes
	}
	texts := benchTexts(b)
	models := make([][]byte, benchModels)
	sentences := make([]int, benchModels)
	start := time.Now()
	var textBytes int64
	for k, t := range texts {
		tr, err := scripture.Train([]scripture.Text{{Name: "lore", Data: t}}, 0, time.Now)
		if err != nil {
			b.Fatalf("train text %d (%d bytes): %v", k, len(t), err)
		}
		models[k], sizes[k], sentences[k] = tr.Data, int64(len(tr.Data)), tr.Sentences["lore"]
		textBytes += int64(len(t))
	}
	b.Logf("trained %d models from texts of %.0f KiB on average in %v; models %.0f KiB on average",
		benchModels, float64(textBytes)/benchModels/1024, time.Since(start).Round(time.Millisecond), float64(sum(sizes))/benchModels/1024)
	if len(ready) >= benchServers {
		return sizes
	}
	start = time.Now()
	lim := scripture.Limits{Files: scripture.DefaultFiles, Bytes: scripture.DefaultBytes}
	var (
		wg     sync.WaitGroup
		next   atomic.Int64
		loaded atomic.Int64
		errs   = make(chan error, 4)
	)
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= benchServers || ctx.Err() != nil {
					break
				}
				g := benchGuild(i)
				if ready[g] {
					continue
				}
				k := i % benchModels
				sum := sha256.Sum256(texts[k])
				_, err := db.AddText(ctx, scripture.Text{GuildID: g, Name: "lore", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(texts[k])),
					Data: texts[k], AddedBy: "1", AddedAt: time.Now()}, lim)
				var dup *scripture.DuplicateError
				if err != nil && !errors.As(err, &dup) {
					errs <- fmt.Errorf("add the text of %s: %w", g, err)
					return
				}
				// Another worker may claim this server's job, and this
				// one another's: each server's model is fixed by its id.
				j, ok, err := db.ClaimTraining(ctx, "bench", time.Now(), time.Hour)
				if err != nil {
					errs <- err
					return
				}
				if !ok {
					continue
				}
				jk := benchModelOf(j.GuildID)
				if ok, err := db.FinishTraining(ctx, j, scripture.Outcome{Model: models[jk], Summary: fmt.Sprintf("the bench's model %d", jk),
					Sentences: map[string]int{"lore": sentences[jk]}, At: time.Now()}); err != nil || !ok {
					errs <- fmt.Errorf("finish %s: %v, %w", j.GuildID, ok, err)
					return
				}
				if c := loaded.Add(1); c%1000 == 0 {
					b.Logf("loaded %d servers in %v", c, time.Since(start).Round(time.Second))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	// Jobs a worker added but another never claimed (none, unless a claim
	// raced): finish them.
	for {
		j, ok, err := db.ClaimTraining(ctx, "bench", time.Now(), time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			break
		}
		jk := benchModelOf(j.GuildID)
		if _, err := db.FinishTraining(ctx, j, scripture.Outcome{Model: models[jk], Summary: fmt.Sprintf("the bench's model %d", jk),
			Sentences: map[string]int{"lore": sentences[jk]}, At: time.Now()}); err != nil {
			b.Fatal(err)
		}
		loaded.Add(1)
	}
	b.Logf("loaded %d servers in %v", loaded.Load(), time.Since(start).Round(time.Second))
	return sizes
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}
