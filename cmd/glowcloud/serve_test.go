package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/markov"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// essayModelAt saves the embedded essay's model at path (atomically, as
// train does) and returns it: a first model for serve without training one.
func essayModelAt(t *testing.T, path string) *markov.Model {
	t.Helper()
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return m
}

// variantTexts are the essay's first half with a sentence or two more:
// models of them are models of their own (ids other than the embedded
// essay's, and other than each other's) that write manifestos as the
// essay's does, for the tests that replace a serving model with another.
// Half the essay trains in a third of the whole's time under -race.
var variantTexts = [...]string{
	essayHead(2) + "\n\nThe tea party is anarchist if you squint at the teapot. Teapots of the world, unite and hail the Glow Cloud.\n",
	essayHead(2) + "\n\nRobots are anarchist if you squint at their circuits. The robots hail the Glow Cloud at dawn.\n",
}

// trainedVariant is a model of a variant text and its model file's bytes.
type trainedVariant struct {
	model *markov.Model
	file  []byte
}

// variants trains each variant text once for the package, when a test
// first asks for it: training takes seconds under -race, and five tests
// use them.
var variants = [len(variantTexts)]func() (trainedVariant, error){
	sync.OnceValues(func() (trainedVariant, error) { return trainVariant(variantTexts[0]) }),
	sync.OnceValues(func() (trainedVariant, error) { return trainVariant(variantTexts[1]) }),
}

func trainVariant(text string) (trainedVariant, error) {
	parsed := corpus.Parse(text)
	m, err := markov.Train(parsed.Sentences, markov.TrainOptions{Headings: parsed.Headings})
	if err != nil {
		return trainedVariant{}, err
	}
	var file bytes.Buffer
	if err := m.Encode(&file); err != nil {
		return trainedVariant{}, err
	}
	return trainedVariant{model: m, file: file.Bytes()}, nil
}

// variantAt writes the model of variantTexts[n] at path (atomically, as
// train does) and returns it; the model is shared with other tests, so
// only read it.
func variantAt(t *testing.T, path string, n int) *markov.Model {
	t.Helper()
	v, err := variants[n]()
	if err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(v.file)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v.model
}

// signedPost sends a signed interaction to the HTTP endpoint.
func signedPost(t *testing.T, url string, priv ed25519.PrivateKey, body string) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(priv, []byte(ts+body))
	req, err := http.NewRequest(http.MethodPost, url+"/interactions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func manifestoInteraction(i int) string {
	return fmt.Sprintf(`{"id":"%d","application_id":"1","type":2,"token":"tok%d","version":1,
		"channel_id":"3","guild_id":"4","member":{"user":{"id":"%d"}},
		"data":{"id":"9","name":"manifesto","type":1,"options":[{"name":"topic","type":3,"value":"tea"}]}}`, 100+i, i, 1000+i)
}

// runningServe is runServe running in the background for a test.
type runningServe struct {
	base   string // http://HOST:PORT of its HTTP endpoint
	stderr *syncBuffer
	reload chan os.Signal // stands in for SIGHUP
	cancel context.CancelFunc
	done   chan error
}

// startServe runs serve with env (GLOWCLOUD_HTTP_ADDR must be set) and
// waits until it is up; a cleanup stops it if the test has not.
func startServe(t *testing.T, env map[string]string) *runningServe {
	t.Helper()
	return startServeWith(t, env, nil)
}

// startServeWith is startServe with the test's own hooks (a model watch
// interval, a clock) set by tune, if not nil.
func startServeWith(t *testing.T, env map[string]string, tune func(*environment)) *runningServe {
	t.Helper()
	if _, ok := env["GLOWCLOUD_DATABASE"]; !ok {
		// Not glowcloud.db in the package directory.
		env = maps.Clone(env)
		env["GLOWCLOUD_DATABASE"] = filepath.Join(t.TempDir(), "glowcloud.db")
	}
	r := &runningServe{stderr: &syncBuffer{}, reload: make(chan os.Signal), done: make(chan error, 1)}
	addrc := make(chan string, 1)
	e := environment{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(""), stdout: io.Discard, stderr: r.stderr,
		ready:  func(addr string) { addrc <- addr },
		reload: r.reload,
	}
	if tune != nil {
		tune(&e)
	}
	var ctx context.Context
	ctx, r.cancel = context.WithCancel(t.Context())
	t.Cleanup(r.cancel)
	go func() { r.done <- e.runServe(ctx, nil) }()
	select {
	case addr := <-addrc:
		r.base = "http://" + addr
	case err := <-r.done:
		t.Fatalf("serve ended before it was ready: %v\n%s", err, r.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve not ready within 30 s")
	}
	return r
}

// stop cancels serve (SIGTERM in main) and checks that it returns nil.
func (r *runningServe) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("serve returned %v after cancel, want nil\n%s", err, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of cancel")
	}
}

// TestServeHTTPReloadAndShutdown runs serve as an operator would, with the
// HTTP interactions endpoint only: it answers signed interactions, reloads
// the model on SIGHUP and when the file is replaced — keeping the old model
// when the new file is corrupt — under concurrent interactions that must
// all succeed, reports it all in /metrics, and shuts down cleanly.
func TestServeHTTPReloadAndShutdown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "glowcloud.model")
	first := essayModelAt(t, modelPath)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"DISCORD_PUBLIC_KEY":   hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR":  "127.0.0.1:0",
		"GLOWCLOUD_MODEL":      modelPath,
		"GLOWCLOUD_LOG_FORMAT": "json",
	}
	// The watch looks at the file every 50 ms rather than every 2 s: what
	// is tested is what a replaced file does, not how soon it is seen, and
	// the four clients below generate all the while.
	srv := startServeWith(t, env, func(e *environment) { e.watchEvery = 50 * time.Millisecond })
	base, stderr := srv.base, srv.stderr
	modelInMetrics := func(id string) bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `glowcloud_model_info{model="`+id+`"} 1`)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		tick := time.NewTicker(20 * time.Millisecond) // polls a server in other goroutines
		defer tick.Stop()
		for !cond() {
			select {
			case <-deadline:
				t.Fatalf("timed out waiting for %s\n%s", what, stderr.String())
			case <-tick.C:
			}
		}
	}
	if !modelInMetrics(first.ID()) {
		t.Fatalf("metrics do not show model %s", first.ID())
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}

	// Interactions keep flowing, and must all succeed, while models swap:
	// four clients at once, 20 a second between them, so that several
	// arrive during each swap. (As fast as they could, they took both
	// cores under -race: the swaps, which load and index a model, waited
	// on them, and the test wrote 500 manifestos to see 40 answered.)
	var failures, answered, deferred atomic.Int64
	stop := make(chan struct{})
	pace := time.NewTicker(50 * time.Millisecond)
	defer pace.Stop()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; ; i += 4 {
				select {
				case <-stop:
					return
				case <-pace.C:
				}
				code, body := signedPost(t, base, priv, manifestoInteraction(i))
				var resp struct {
					Type int `json:"type"`
					Data struct {
						Embeds []struct{ Description string } `json:"embeds"`
						Flags  int                            `json:"flags"`
					} `json:"data"`
				}
				if code == http.StatusOK && json.Unmarshal([]byte(body), &resp) == nil && resp.Type == 5 {
					// A deferral is Discord's answer for a reply not ready
					// within DeferAfter (a saturated machine under -race):
					// answered, not failed. The edit goes to a REST API
					// this test does not run.
					deferred.Add(1)
				} else if code != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || resp.Type != 4 ||
					len(resp.Data.Embeds) != 1 || !strings.HasSuffix(resp.Data.Embeds[0].Description, "Hail the mighty Glow Cloud!") {
					// A cooldown reply is the only other acceptable answer for a repeated user.
					if !strings.Contains(body, "cool") {
						failures.Add(1)
						t.Errorf("interaction %d: %d %s", i, code, body)
					}
				}
				answered.Add(1)
			}
		})
	}

	// 1. A replaced file is picked up by the watch.
	second := variantAt(t, modelPath, 0)
	waitFor("the replaced model", func() bool { return modelInMetrics(second.ID()) })
	// 2. A corrupt file is rejected and the second model keeps serving.
	if err := os.WriteFile(modelPath+".tmp", []byte(`{"glowcloud_model":"broken`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(modelPath+".tmp", modelPath); err != nil {
		t.Fatal(err)
	}
	waitFor("the reload error", func() bool { return strings.Contains(stderr.String(), "reload failed") })
	if !modelInMetrics(second.ID()) {
		t.Error("a corrupt file replaced the serving model")
	}
	// 3. SIGHUP reloads a good file again (TestServeReloadSignal proves it
	// is the signal, not the watch, that does).
	third := variantAt(t, modelPath, 1)
	srv.reload <- syscall.SIGHUP
	waitFor("the SIGHUP reload", func() bool { return modelInMetrics(third.ID()) && strings.Contains(stderr.String(), "SIGHUP") })
	waitFor("interactions after the swaps", func() bool { return answered.Load() >= 40 })
	close(stop)
	wg.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d interactions failed during reloads", failures.Load(), answered.Load())
	}
	if d, a := deferred.Load(), answered.Load(); d*2 > a {
		t.Errorf("%d of %d interactions were deferred: the model swaps stall the replies", d, a)
	} else if d > 0 {
		t.Logf("%d of %d interactions deferred (a loaded machine)", d, a)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`glowcloud_model_reloads_total{result="ok"}`, `glowcloud_model_reloads_total{result="error"}`, `glowcloud_interactions_total{command="manifesto",outcome="ok"}`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// Shutdown: cancel (SIGTERM in main) ends serve with nil.
	srv.stop(t)
	if strings.Contains(stderr.String(), "tok1") {
		t.Error("an interaction token reached the log")
	}
}

// TestServeReloadSignal: SIGHUP (here its stand-in, environment.reload)
// reloads the model file; the watch, which would also notice the new file,
// is slowed to an hour so that only the signal can.
func TestServeReloadSignal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "glowcloud.model")
	// Two models of half the essay, trained once for the package: the
	// whole essay's model costs serve a third of a second more to index
	// under -race.
	variantAt(t, modelPath, 0)
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServeWith(t, map[string]string{
		"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"GLOWCLOUD_MODEL":     modelPath,
	}, func(e *environment) { e.watchEvery = time.Hour })
	next := variantAt(t, modelPath, 1)
	select {
	case srv.reload <- syscall.SIGHUP:
	case <-time.After(30 * time.Second):
		t.Fatal("serve does not take reload signals")
	}
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond) // polls a server in other goroutines
	defer tick.Stop()
	for {
		resp, err := http.Get(srv.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `glowcloud_model_info{model="`+next.ID()+`"} 1`) {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the signal did not reload the model\n%s", srv.stderr.String())
		case <-tick.C:
		}
	}
	srv.stop(t)
}

// TestServeCooldown: GLOWCLOUD_COOLDOWN sets the pause a user waits
// between generating commands (default 3s), and 0 turns it off.
func TestServeCooldown(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cooldown   string
		secondCool bool // the same user's second request is refused
	}{
		{"", true},
		{"1h", true},
		{"0", false},
		{"0s", false},
	} {
		t.Run("cooldown="+tt.cooldown, func(t *testing.T) {
			t.Parallel()
			pub, priv, err := ed25519.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			srv := startServe(t, map[string]string{
				"DISCORD_PUBLIC_KEY":  hex.EncodeToString(pub),
				"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
				"GLOWCLOUD_COOLDOWN":  tt.cooldown,
			})
			for i, wantCool := range []bool{false, tt.secondCool} {
				code, body := signedPost(t, srv.base, priv, manifestoInteraction(7))
				if cool := strings.Contains(body, "still glowing from your last request"); code != http.StatusOK || cool != wantCool {
					t.Errorf("request %d: %d %.200s; want cooldown %v", i+1, code, body, wantCool)
				}
			}
			srv.stop(t)
		})
	}
}

func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	testPublicKeyHex := hex.EncodeToString(pub)
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
		code int
	}{
		{"nothing to serve", map[string]string{}, "nothing to serve: set DISCORD_TOKEN for the gateway, or DISCORD_PUBLIC_KEY and GLOWCLOUD_HTTP_ADDR", 2},
		{"a key but no address", map[string]string{"DISCORD_PUBLIC_KEY": testPublicKeyHex}, "nothing to serve: set DISCORD_TOKEN", 2},
		{"bad public key", map[string]string{"DISCORD_PUBLIC_KEY": "zz", "GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0"}, "DISCORD_PUBLIC_KEY", 2},
		// 64 zeros decode to a point of small order, which verifies forged
		// signatures (issue 11, finding 2): serve must not start with it.
		{"placeholder public key", map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("0", 64), "GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0"}, "DISCORD_PUBLIC_KEY", 2},
		{"identity public key", map[string]string{"DISCORD_PUBLIC_KEY": "01" + strings.Repeat("0", 62), "GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0"}, "small order", 2},
		{"non-canonical public key", map[string]string{"DISCORD_PUBLIC_KEY": "ed" + strings.Repeat("f", 60) + "7f", "GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0"}, "DISCORD_PUBLIC_KEY", 2},
		{"bad log format", map[string]string{"GLOWCLOUD_LOG_FORMAT": "xml"}, "GLOWCLOUD_LOG_FORMAT", 2},
		{"bad shard", map[string]string{"SHARD_ID": "x"}, "SHARD_ID", 2},
		{"bad cooldown", map[string]string{"GLOWCLOUD_COOLDOWN": "3"}, "GLOWCLOUD_COOLDOWN", 2},
		{"negative cooldown", map[string]string{"GLOWCLOUD_COOLDOWN": "-1s"}, "GLOWCLOUD_COOLDOWN", 2},
		{"bad proclaim min", map[string]string{"GLOWCLOUD_PROCLAIM_MIN": "0"}, "GLOWCLOUD_PROCLAIM_MIN", 2},
		{"bad public URL", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_PUBLIC_URL": "glow.example"}, "GLOWCLOUD_PUBLIC_URL", 2},
		{"public URL without an address", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_PUBLIC_URL": "https://glow.example"}, "need an HTTP address", 2},
		{"bad pages", map[string]string{"GLOWCLOUD_PAGES": "maybe"}, "GLOWCLOUD_PAGES", 2},
		{"bad trusted proxies", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_TRUSTED_PROXIES": "proxy.local"}, "GLOWCLOUD_TRUSTED_PROXIES", 2},
		{"bad scripture", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_SCRIPTURE": "maybe"}, "GLOWCLOUD_SCRIPTURE=", 2},
		{"no scripture files", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_SCRIPTURE_FILES": "0"}, "GLOWCLOUD_SCRIPTURE_FILES", 2},
		{"bad scripture bytes", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_SCRIPTURE_BYTES": "lots"}, "GLOWCLOUD_SCRIPTURE_BYTES", 2},
		{"tiny scripture cache", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_SCRIPTURE_CACHE": "10KB"}, "GLOWCLOUD_SCRIPTURE_CACHE", 2},
		{"too many trainings", map[string]string{"DISCORD_TOKEN": "x", "GLOWCLOUD_SCRIPTURE_TRAININGS": "100"}, "GLOWCLOUD_SCRIPTURE_TRAININGS", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			// A config error ends serve at once; the timeout only bounds a
			// serve that wrongly starts.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			err := run(ctx, []string{"serve"}, func(k string) string { return tt.env[k] }, nil, io.Discard, &stderr)
			if code := exitCode(err, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, tt.want)
			}
		})
	}
}
