package retrain_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/httpapi"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/retrain"
)

// operatorID is the user the fake's interactions come from by default; the
// tests make them an operator.
const operatorID = discordtest.DefaultUserID

// strangerID is a user who is nobody's operator.
const strangerID = "1300000000000000077"

// waitLimit bounds every wait in these tests; they finish far sooner.
const waitLimit = 30 * time.Second

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// fakeLearner records what it is asked to learn and answers res or err.
// With release set it first waits for release (or ctx), announcing itself
// on started.
type fakeLearner struct {
	res     retrain.Result
	err     error
	started chan struct{} // buffered; may be nil
	release chan struct{} // may be nil

	mu    sync.Mutex
	calls [][]retrain.File
}

func (f *fakeLearner) Retrain(ctx context.Context, files []retrain.File) (retrain.Result, error) {
	f.mu.Lock()
	got := make([]retrain.File, len(files))
	for i, tf := range files {
		got[i] = retrain.File{Name: tf.Name, Data: bytes.Clone(tf.Data)}
	}
	f.calls = append(f.calls, got)
	f.mu.Unlock()
	if f.started != nil {
		select {
		case f.started <- struct{}{}:
		default:
		}
	}
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return retrain.Result{}, fmt.Errorf("fake retrain: %w", ctx.Err())
		}
	}
	return f.res, f.err
}

func (f *fakeLearner) Calls() [][]retrain.File {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// summary is a Result whose Summary is easy to spot.
func summary(files ...string) retrain.Result {
	return retrain.Result{Added: files, ModelID: "abc123", Meta: markov.Meta{Sentences: 5, Words: 40}}
}

// setup is a Bot whose operator is operatorID, retraining through a Runner
// over l that downloads from fake.
type setup struct {
	bot     *bot.Bot
	runner  *retrain.Runner
	fake    *discordtest.Server
	metrics *metrics.Metrics
}

func newSetup(t *testing.T, l retrain.Learner, log *slog.Logger) *setup {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &setup{fake: discordtest.New(t), metrics: metrics.New()}
	s.runner = retrain.NewRunner(l, retrain.RunnerConfig{Client: s.fake.Client(), Log: log, Metrics: s.metrics})
	s.bot = bot.New(bot.Config{
		Writer:     func() bot.Writer { return bottest.Writer{} },
		Logger:     log,
		Cooldown:   -1,
		DeferAfter: time.Minute,
		Operators:  []string{"1300000000000000099", operatorID},
		Retrainer:  s.runner,
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit) // t.Context has ended
		defer cancel()
		if err := s.runner.Wait(ctx); err != nil {
			t.Errorf("jobs still running at the end: %v", err)
		}
	})
	return s
}

// fileOpt is an attachment option of /retrain: the option's name and the
// attachment object Discord resolves it to.
type fileOpt struct {
	name string
	att  map[string]any
}

// retrainCommand builds /retrain from user with files attached.
func retrainCommand(user string, files ...fileOpt) map[string]any {
	data := map[string]any{"name": "retrain", "type": 1}
	if len(files) > 0 {
		options := make([]any, 0, len(files))
		resolved := make(map[string]any, len(files))
		for _, f := range files {
			id := f.att["id"].(string)
			options = append(options, map[string]any{"name": f.name, "type": 11, "value": id})
			resolved[id] = f.att
		}
		data["options"] = options
		data["resolved"] = map[string]any{"attachments": resolved}
	}
	return map[string]any{"type": 2, "data": data, "member": map[string]any{"user": map[string]any{"id": user}}}
}

// request is the bot.Request a transport makes of interaction i.
func (s *setup) request(t *testing.T, i map[string]any) bot.Request {
	t.Helper()
	raw, err := json.Marshal(s.fake.FillInteraction(i))
	if err != nil {
		t.Fatal(err)
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	return discord.Request(&in)
}

// answer answers i and returns the responder it was answered through.
func (s *setup) answer(t *testing.T, i map[string]any) *bottest.Responder {
	t.Helper()
	rs := &bottest.Responder{}
	if err := s.bot.Answer(t.Context(), s.request(t, i), rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// withSize makes an attachment report size, whatever its body is.
func withSize(att map[string]any, size int) map[string]any {
	att["size"] = size
	return att
}

// downloads counts the attachment downloads the fake served. The fake
// records a request once its handler has returned, which may be a moment
// after the client has the body; waitDownloads allows for that.
func downloads(fake *discordtest.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/attachments/") {
			n++
		}
	}
	return n
}

func waitDownloads(ctx context.Context, t *testing.T, fake *discordtest.Server, n int) int {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond) // the fake serves on other goroutines
	defer tick.Stop()
	for downloads(fake) < n {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d downloads: %v", n, ctx.Err())
		case <-tick.C:
		}
	}
	return downloads(fake)
}

// deferredThenEdited waits for the job's edit and checks that rs saw an
// ephemeral deferral and then the edit; it returns the edit's content.
func deferredThenEdited(ctx context.Context, t *testing.T, rs *bottest.Responder) string {
	t.Helper()
	calls := rs.WaitCalls(ctx, 2)
	if len(calls) != 2 || calls[0].Method != "defer" || !calls[0].Ephemeral || calls[1].Method != "edit" {
		t.Fatalf("calls %+v, want an ephemeral deferral and then an edit", calls)
	}
	content := calls[1].Reply.Content
	if n := len([]rune(content)); n == 0 || n > bot.MaxContent {
		t.Errorf("edit content has %d characters", n)
	}
	return content
}

// refused checks rs saw one ephemeral response saying want.
func refused(t *testing.T, rs *bottest.Responder, want string) {
	t.Helper()
	calls := rs.Calls()
	if len(calls) != 1 || calls[0].Method != "respond" || !calls[0].Reply.Ephemeral || !strings.Contains(calls[0].Reply.Content, want) {
		t.Errorf("calls %+v, want one ephemeral response saying %q", calls, want)
	}
}

// counted reads glowcloud_retrains_total{result}.
func counted(t *testing.T, m *metrics.Metrics, result string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "glowcloud_retrains_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return metric.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no glowcloud_retrains_total{result=%q}", result)
	return 0
}

// TestRetrainOperator: an operator's /retrain with two attachments is
// deferred ephemerally, the files are downloaded from (fake) Discord's CDN
// and learnt byte for byte, in option order, and the reply is edited with
// the summary; the job is logged and counted.
func TestRetrainOperator(t *testing.T) {
	t.Parallel()
	l := &fakeLearner{res: summary("percussion-1.txt", "notes-2.md")}
	var logs bottest.LogBuffer
	s := newSetup(t, l, slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := waitCtx(t)

	scripture := []byte("The xylophonists seize the means of percussion. Hail the Glow Cloud.\n")
	apocrypha := []byte("# Notes\n\nÜber-anarchist tea parties, if you squint. 🔁\n")
	rs := s.answer(t, retrainCommand(operatorID,
		// Given in the other order: the files are learnt in option order.
		fileOpt{bot.OptApocrypha, s.fake.Attachment("notes.md", apocrypha, "text/markdown; charset=utf-8")},
		fileOpt{bot.OptScripture, s.fake.Attachment("percussion.txt", scripture, "text/plain; charset=utf-8")},
	))
	content := deferredThenEdited(ctx, t, rs)
	if want := l.res.Summary(); !strings.Contains(content, want) {
		t.Errorf("edit %q does not carry the summary %q", content, want)
	}
	calls := l.Calls()
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Fatalf("Learner calls %v, want one with two files", calls)
	}
	for i, want := range []retrain.File{{Name: "percussion.txt", Data: scripture}, {Name: "notes.md", Data: apocrypha}} {
		if got := calls[0][i]; got.Name != want.Name || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("file %d = %q %q, want %q %q", i, got.Name, got.Data, want.Name, want.Data)
		}
	}
	if n := waitDownloads(ctx, t, s.fake, 2); n != 2 {
		t.Errorf("%d downloads, want 2", n)
	}
	if err := s.runner.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	// One log line for the job, with who, what, how it went and how long.
	var line map[string]any
	for l := range strings.Lines(logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "retrain" {
			line = m
		}
	}
	files, _ := line["files"].([]any)
	if line["user"] != operatorID || line["result"] != "ok" || line["duration"] == nil ||
		len(files) != 2 || files[0] != "percussion.txt" || files[1] != "notes.md" {
		t.Errorf("retrain log line %v", line)
	}
	if got := counted(t, s.metrics, "ok"); got != 1 {
		t.Errorf("glowcloud_retrains_total{result=ok} = %v, want 1", got)
	}
}

// TestRetrainRefused: requests refused before anything is downloaded get an
// ephemeral explanation at once (no deferral), and the Learner is never
// called.
func TestRetrainRefused(t *testing.T) {
	t.Parallel()
	l := &fakeLearner{}
	s := newSetup(t, l, nil)
	text := []byte("Plain scripture.\n")
	// Cleanups run after the parallel subtests.
	t.Cleanup(func() {
		if calls := l.Calls(); len(calls) != 0 {
			t.Errorf("the Learner was called: %v", calls)
		}
		if n := downloads(s.fake); n != 0 {
			t.Errorf("%d attachments downloaded, want none", n)
		}
	})
	for _, tt := range []struct {
		name        string
		interaction func() map[string]any
		want        string
	}{
		{"non-operator", func() map[string]any {
			return retrainCommand(strangerID, fileOpt{bot.OptScripture, s.fake.Attachment("a.txt", text, "text/plain")})
		}, "Only the Glow Cloud's operators"},
		{"non-operator without files", func() map[string]any { return retrainCommand(strangerID) }, "Only the Glow Cloud's operators"},
		{"non-operator in a DM", func() map[string]any {
			i := retrainCommand(strangerID)
			delete(i, "member")
			i["user"] = map[string]any{"id": strangerID, "username": "dm"}
			return i
		}, "Only the Glow Cloud's operators"},
		{"reported size over the limit", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{bot.OptScripture, withSize(s.fake.Attachment("big.txt", text, "text/plain"), corpus.MaxUpload+1)})
		}, "at most 8 MiB"},
		{"image", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{bot.OptScripture, s.fake.Attachment("sigil.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png")})
		}, "only from .txt and .md"},
		{"binary content type", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{bot.OptScripture, s.fake.Attachment("a.txt", text, "application/octet-stream")})
		}, "not text"},
		{"not UTF-8", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{bot.OptScripture, s.fake.Attachment("a.txt", text, "text/plain; charset=windows-1252")})
		}, "only UTF-8"},
		{"one good file, one bad", func() map[string]any {
			return retrainCommand(operatorID,
				fileOpt{bot.OptScripture, s.fake.Attachment("a.txt", text, "text/plain")},
				fileOpt{bot.OptPamphlet, s.fake.Attachment("b.exe", text, "")})
		}, "b․exe is not scripture"},
		{"attachment not resolved", func() map[string]any {
			i := retrainCommand(operatorID, fileOpt{bot.OptScripture, s.fake.Attachment("a.txt", text, "text/plain")})
			delete(i["data"].(map[string]any), "resolved")
			return i
		}, "attach it again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			refused(t, s.answer(t, tt.interaction()), tt.want)
		})
	}
}

// TestRetrainJobOutcomes: what the deferred reply is edited to, for files
// that turn out bad once downloaded and for the Learner's errors.
func TestRetrainJobOutcomes(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("Hail the Glow Cloud. "), corpus.MaxUpload/20+1) // just over the limit
	for _, tt := range []struct {
		name     string
		l        *fakeLearner
		files    func(fake *discordtest.Server) []fileOpt
		want     string
		result   string // the counted result
		learnt   int    // files the Learner got; -1: not called
		download int
	}{
		{"no attachment retrains from the corpus as it is", &fakeLearner{res: summary()},
			func(*discordtest.Server) []fileOpt { return nil }, "no new files; learned 5 sentences", "ok", 0, 0},
		{"body over the limit while the reported size lies", &fakeLearner{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{bot.OptScripture, withSize(fake.Attachment("liar.txt", big, "text/plain"), 64)}}
			}, "liar․txt is larger than 8 MiB", "too_large", -1, 1},
		{"NUL bytes", &fakeLearner{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{bot.OptScripture, fake.Attachment("sneaky.txt", []byte("text\x00\x01\x02binary"), "text/plain")}}
			}, "sneaky․txt is not UTF-8 text", "not_text", -1, 1},
		{"neither UTF-8 nor Latin-1", &fakeLearner{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{bot.OptScripture, fake.Attachment("mixed.md", []byte("caf\u00e9 society r\xe9volution"), "")}}
			}, "mixed․md is not UTF-8 text", "not_text", -1, 1},
		{"second file bad", &fakeLearner{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{
					{bot.OptScripture, fake.Attachment("good.txt", []byte("Good scripture."), "text/plain")},
					{bot.OptApocrypha, fake.Attachment("bad.txt", []byte{0xff, 0xfe, 0}, "text/plain")},
				}
			}, "bad․txt is not UTF-8 text", "not_text", -1, 2},
		{"download fails", &fakeLearner{},
			func(fake *discordtest.Server) []fileOpt {
				att := fake.Attachment("gone.txt", []byte("x"), "text/plain")
				att["url"] = fake.URL() + "/attachments/1/2/expired.txt"
				return []fileOpt{{bot.OptScripture, att}}
			}, "could not download gone․txt", "download_error", -1, 1},
		{"empty corpus", &fakeLearner{err: fmt.Errorf("read corpus: %w", corpus.ErrEmpty)},
			func(*discordtest.Server) []fileOpt { return nil }, "no sentences yet", "empty_corpus", 0, 0},
		{"not text to the trainer", &fakeLearner{err: fmt.Errorf("%w: odd.md is not scripture", corpus.ErrNotText)},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{bot.OptScripture, fake.Attachment("odd.md", []byte("odd"), "text/markdown")}}
			}, "odd․md is not scripture", "not_text", 1, 1}, // shown: the name is user text
		{"other error", &fakeLearner{err: errors.New("save model /srv/secret/path: disk full")},
			func(*discordtest.Server) []fileOpt { return nil }, "Retraining failed; the old model keeps serving", "error", 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, tt.l, nil)
			ctx := waitCtx(t)
			content := deferredThenEdited(ctx, t, s.answer(t, retrainCommand(operatorID, tt.files(s.fake)...)))
			if !strings.Contains(content, tt.want) {
				t.Errorf("edit %q, want it to say %q", content, tt.want)
			}
			if strings.Contains(content, "/srv/secret") {
				t.Errorf("edit %q shows the operator's log detail", content)
			}
			calls := tt.l.Calls()
			switch {
			case tt.learnt < 0 && len(calls) != 0:
				t.Errorf("the Learner was called with %v", calls)
			case tt.learnt >= 0 && (len(calls) != 1 || len(calls[0]) != tt.learnt):
				t.Errorf("Learner calls %v, want one with %d files", calls, tt.learnt)
			}
			if n := waitDownloads(ctx, t, s.fake, tt.download); n != tt.download {
				t.Errorf("%d downloads, want %d", n, tt.download)
			}
			if err := s.runner.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			if got := counted(t, s.metrics, tt.result); got != 1 {
				t.Errorf("glowcloud_retrains_total{result=%q} = %v, want 1", tt.result, got)
			}
		})
	}
}

// TestRetrainOneAtATime: a /retrain while one runs is told to wait at once,
// without a deferral or a download; once it is over the next one runs.
func TestRetrainOneAtATime(t *testing.T) {
	t.Parallel()
	l := &fakeLearner{res: summary("done.txt"), started: make(chan struct{}, 1), release: make(chan struct{})}
	s := newSetup(t, l, nil)
	ctx := waitCtx(t)

	first := s.answer(t, retrainCommand(operatorID))
	select {
	case <-l.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	second := s.answer(t, retrainCommand(operatorID,
		fileOpt{bot.OptScripture, s.fake.Attachment("more.txt", []byte("More."), "text/plain")}))
	refused(t, second, "already absorbing")
	close(l.release)
	if content := deferredThenEdited(ctx, t, first); !strings.Contains(content, "done․txt") {
		t.Errorf("first edit %q", content)
	}
	if n := downloads(s.fake); n != 0 {
		t.Errorf("%d downloads, want none", n)
	}
	if got := counted(t, s.metrics, "busy"); got != 1 {
		t.Errorf("glowcloud_retrains_total{result=busy} = %v, want 1", got)
	}
	third := s.answer(t, retrainCommand(operatorID))
	if content := deferredThenEdited(ctx, t, third); !strings.Contains(content, "done․txt") {
		t.Errorf("third edit %q", content)
	}
}

// TestClaimIsOneSlot: of many concurrent claims exactly one wins, and a
// released slot can be claimed again.
func TestClaimIsOneSlot(t *testing.T) {
	t.Parallel()
	r := retrain.NewRunner(&fakeLearner{}, retrain.RunnerConfig{})
	var wg sync.WaitGroup
	wins := make(chan bool, 16)
	for range 16 {
		wg.Go(func() { wins <- r.Claim() })
	}
	wg.Wait()
	close(wins)
	n := 0
	for w := range wins {
		if w {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d claims won, want 1", n)
	}
	r.Release()
	if !r.Claim() {
		t.Error("a released slot cannot be claimed")
	}
}

// TestRetrainWaitTimesOut: a job that outlives Wait's context is
// cancelled, and its operator is told so; Wait waits for one that ends in
// time.
func TestRetrainWaitTimesOut(t *testing.T) {
	t.Parallel()
	l := &fakeLearner{started: make(chan struct{}, 1), release: make(chan struct{})} // never released
	s := newSetup(t, l, nil)
	ctx := waitCtx(t)
	rs := s.answer(t, retrainCommand(operatorID))
	select {
	case <-l.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	if n := s.runner.Running(); n != 1 {
		t.Errorf("Running = %d, want 1", n)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.runner.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want its context's deadline", err)
	}
	if content := deferredThenEdited(ctx, t, rs); !strings.Contains(content, "interrupted") {
		t.Errorf("edit %q, want it to say the retrain was interrupted", content)
	}
	if err := s.runner.Wait(ctx); err != nil {
		t.Errorf("Wait once the job ended = %v", err)
	}
}

// signedRequest is POST /interactions with body signed by priv at ts.
func signedRequest(priv ed25519.PrivateKey, body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(stamp), body...))))
	r.Header.Set("X-Signature-Timestamp", stamp)
	return r
}

// TestRetrainHTTP: over the HTTP endpoint, the deferral is the inline
// answer and the job's edit follows through the REST API.
func TestRetrainHTTP(t *testing.T) {
	t.Parallel()
	l := &fakeLearner{res: summary("hook.txt")}
	s := newSetup(t, l, nil)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	followups, err := discordgo.New("")
	if err != nil {
		t.Fatal(err)
	}
	followups.Client = s.fake.Client()
	h := httpapi.New(s.bot, httpapi.Config{PublicKey: pub, Followups: followups})
	ctx := waitCtx(t)

	text := []byte("Scripture by webhook.\n")
	full := s.fake.FillInteraction(retrainCommand(operatorID, fileOpt{bot.OptScripture, s.fake.Attachment("hook.txt", text, "text/plain")}))
	body, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedRequest(priv, body, time.Now()))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := discordtest.CheckInteractionResponse(rec.Body.Bytes()); err != nil {
		t.Errorf("inline answer %s: %v", rec.Body, err)
	}
	var resp struct {
		Type int
		Data struct{ Flags int }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Type != 5 || resp.Data.Flags != 64 {
		t.Fatalf("inline answer %s (%v), want an ephemeral deferral", rec.Body, err)
	}
	if err := s.runner.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	edits := s.fake.Edits(full["token"].(string))
	if len(edits) != 1 || !strings.Contains(fmt.Sprint(edits[0]["content"]), "hook․txt") {
		t.Errorf("edits after Wait: %v, want the summary", edits)
	}
	if calls := l.Calls(); len(calls) != 1 || len(calls[0]) != 1 || !bytes.Equal(calls[0][0].Data, text) {
		t.Errorf("Learner calls %v", calls)
	}
}

// TestRunnerWithTrainer: the real Trainer behind the Runner learns its
// corpus plus an attachment, writes a model that loads, and swaps it in; a
// corpus with no sentence, and a nested retrain, are told apart.
func TestRunnerWithTrainer(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	model := filepath.Join(t.TempDir(), "glowcloud.model")
	var mu sync.Mutex
	var swapped *markov.Model
	tr := &retrain.Trainer{Dir: dir, ModelPath: model, Swap: func(m *markov.Model) { mu.Lock(); swapped = m; mu.Unlock() }}
	s := newSetup(t, tr, nil)
	ctx := waitCtx(t)

	const scripture = "The xylophonists of the night shift seize the means of percussion. " +
		"Every xylophonist is an anarchist if you squint at the mallets. " +
		"The Glow Cloud hears the xylophonists and approves."
	content := deferredThenEdited(ctx, t, s.answer(t, retrainCommand(operatorID,
		fileOpt{bot.OptScripture, s.fake.Attachment("night shift.md", []byte(scripture), "text/markdown")})))
	mu.Lock()
	got := swapped
	mu.Unlock()
	if got == nil || !got.Knows("xylophonists") {
		t.Fatalf("the swapped model did not learn the new text")
	}
	if !strings.Contains(content, "added night-shift-") || !strings.Contains(content, "․md") || !strings.Contains(content, got.ID()) {
		t.Errorf("edit %q does not say what was learnt", content)
	}
	loaded, err := markov.Load(model)
	if err != nil || loaded.ID() != got.ID() {
		t.Fatalf("the model file is %v (%v), want the swapped %s", loaded, err, got.ID())
	}

	t.Run("empty corpus", func(t *testing.T) {
		t.Parallel()
		// A directory with text but no sentence (an empty one is seeded
		// with the essay).
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
		s := newSetup(t, &retrain.Trainer{Dir: dir}, nil)
		if content := deferredThenEdited(waitCtx(t), t, s.answer(t, retrainCommand(operatorID))); !strings.Contains(content, "no sentences yet") {
			t.Errorf("edit %q, want the empty corpus explained", content)
		}
	})
}

// stubbornLearner ignores its context while it "trains", as markov's
// training does, until release is closed; then it asks MayCommit, as the
// Trainer does before writing, and reports whether it could.
type stubbornLearner struct {
	started   chan struct{}
	release   chan struct{}
	committed chan bool
}

func (l *stubbornLearner) Retrain(ctx context.Context, _ []retrain.File) (retrain.Result, error) {
	l.started <- struct{}{}
	<-l.release
	ok := retrain.MayCommit(ctx)
	l.committed <- ok
	if !ok {
		return retrain.Result{}, ctx.Err()
	}
	return summary("late.txt"), nil
}

// TestRetrainShutdownTellsTheOperator: a shutdown (Wait running out of
// time) during a retrain that does not heed its context edits the
// operator's reply before Wait returns, saying it was interrupted and
// nothing changed; and the retrain, when it finally finishes, may not
// commit. The old Wait returned at once and the process exited with the
// reply never edited (issue 11, finding 7).
func TestRetrainShutdownTellsTheOperator(t *testing.T) {
	t.Parallel()
	l := &stubbornLearner{started: make(chan struct{}, 1), release: make(chan struct{}), committed: make(chan bool, 1)}
	s := newSetup(t, l, nil)
	ctx := waitCtx(t)
	rs := s.answer(t, retrainCommand(operatorID))
	select {
	case <-l.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.runner.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want its context's deadline", err)
	}
	// No waiting here: the process exits once Wait has returned.
	calls := rs.Calls()
	if len(calls) != 2 || calls[1].Method != "edit" || !strings.Contains(calls[1].Reply.Content, "interrupted") || !strings.Contains(calls[1].Reply.Content, "nothing changed") {
		t.Fatalf("calls when Wait returned: %+v; want the deferral and an edit saying interrupted, nothing changed", calls)
	}
	if s.runner.Claim() {
		t.Error("the slot was free while the retrain still ran")
	}
	close(l.release)
	if <-l.committed {
		t.Error("the retrain committed after the operator was told nothing changed")
	}
	if err := s.runner.Wait(ctx); err != nil {
		t.Errorf("Wait once the retrain ended = %v", err)
	}
	if !s.runner.Claim() {
		t.Error("the slot is not free once the retrain ended")
	}
	s.runner.Release()
}
