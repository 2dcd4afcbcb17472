package bot

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/internal/discordtest"
)

// operatorID is the user the fake's interactions come from by default; the
// retrain tests make them an operator.
const operatorID = discordtest.DefaultUserID

// strangerID is a user who is nobody's operator.
const strangerID = "1300000000000000077"

// fakeRetrainer records what it is asked to learn and answers summary or
// err. With release set it first waits for release (or ctx), announcing
// itself on started.
type fakeRetrainer struct {
	summary string
	err     error
	started chan struct{} // buffered; may be nil
	release chan struct{} // may be nil

	mu    sync.Mutex
	calls [][]TextFile
}

func (f *fakeRetrainer) Retrain(ctx context.Context, files []TextFile) (string, error) {
	f.mu.Lock()
	got := make([]TextFile, len(files))
	for i, tf := range files {
		got[i] = TextFile{Name: tf.Name, Data: bytes.Clone(tf.Data)}
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
			return "", fmt.Errorf("fake retrain: %w", ctx.Err())
		}
	}
	return f.summary, f.err
}

func (f *fakeRetrainer) Calls() [][]TextFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// retrainBot is a Bot whose operator is operatorID.
func retrainBot(rt Retrainer, log *slog.Logger, m *Metrics) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := Config{
		Writer:     func() Writer { return &testWriter{} },
		Logger:     log,
		Metrics:    m,
		Cooldown:   -1,
		DeferAfter: time.Minute,
		Operators:  []string{"1300000000000000099", operatorID},
	}
	if rt != nil { // a nil *fakeRetrainer must stay a nil interface
		cfg.Retrainer = rt
	}
	return New(cfg)
}

// fileOpt is an attachment option of /retrain: the option's name and the
// attachment object Discord resolves it to.
type fileOpt struct {
	name string
	att  map[string]any
}

// retrainCommand builds /retrain from user with files attached.
func retrainCommand(user string, files ...fileOpt) map[string]any {
	i := command(CmdRetrain)
	data := i["data"].(map[string]any)
	if len(files) > 0 {
		options := make([]any, 0, len(files))
		resolved := make(map[string]any, len(files))
		for _, f := range files {
			id := f.att["id"].(string)
			options = append(options, opt(f.name, 11, id))
			resolved[id] = f.att
		}
		data["options"] = options
		data["resolved"] = map[string]any{"attachments": resolved}
	}
	i["member"] = map[string]any{"user": map[string]any{"id": user}}
	return i
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

// waitDownloads waits until the fake has recorded at least n downloads and
// returns how many it has.
func waitDownloads(ctx context.Context, t *testing.T, fake *discordtest.Server, n int) int {
	t.Helper()
	eventually(ctx, t, fmt.Sprintf("%d downloads recorded", n), func() bool { return downloads(fake) >= n })
	return downloads(fake)
}

// editContent waits for the edit of @original and returns its content,
// checking it pings nobody.
func editContent(ctx context.Context, t *testing.T, fake *discordtest.Server, token string) string {
	t.Helper()
	edit, err := fake.WaitEdit(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	am, _ := edit["allowed_mentions"].(map[string]any)
	if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
		t.Errorf("edit allowed_mentions = %v, want {\"parse\": []}", edit["allowed_mentions"])
	}
	content, _ := edit["content"].(string)
	if n := len([]rune(content)); n == 0 || n > MaxContent {
		t.Errorf("edit content has %d characters", n)
	}
	return content
}

// assertDeferredEphemeral checks cb is an ephemeral deferral (type 5, flags 64).
func assertDeferredEphemeral(t *testing.T, cb discordtest.Callback) {
	t.Helper()
	if cb.Type != 5 || cb.Data["flags"] != float64(64) {
		t.Fatalf("callback type %d flags %v, want an ephemeral deferral (5, 64): %s", cb.Type, cb.Data["flags"], cb.Raw)
	}
}

// assertRefused checks cb is an ephemeral message (type 4, flags 64) saying want.
func assertRefused(t *testing.T, cb discordtest.Callback, want string) {
	t.Helper()
	content, _ := cb.Data["content"].(string)
	if cb.Type != 4 || cb.Data["flags"] != float64(64) || !strings.Contains(content, want) {
		t.Errorf("callback type %d flags %v content %q, want an ephemeral message saying %q", cb.Type, cb.Data["flags"], content, want)
	}
	assertNoPings(t, cb)
}

// TestRetrainOperator: an operator's /retrain with two attachments is
// deferred ephemerally, the files are downloaded from (fake) Discord's CDN
// and learnt byte for byte, in option order, and the reply is edited with
// the Retrainer's summary; the job is logged and counted.
func TestRetrainOperator(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	rt := &fakeRetrainer{summary: "added 2 files; learned 5 sentences, 40 words; model abc123"}
	var logs lockedBuffer
	metrics := NewMetrics()
	b := retrainBot(rt, slog.New(slog.NewJSONHandler(&logs, nil)), metrics)
	start(t, gatewayServe(fake, b))
	ctx := waitCtx(t)

	scripture := []byte("The xylophonists seize the means of percussion. Hail the Glow Cloud.\n")
	apocrypha := []byte("# Notes\n\nÜber-anarchist tea parties, if you squint. 🔁\n")
	cb, err := fake.Interaction(ctx, retrainCommand(operatorID,
		// Given in the other order: the files are learnt in option order.
		fileOpt{OptApocrypha, fake.Attachment("notes.md", apocrypha, "text/markdown; charset=utf-8")},
		fileOpt{OptScripture, fake.Attachment("percussion.txt", scripture, "text/plain; charset=utf-8")},
	))
	if err != nil {
		t.Fatal(err)
	}
	assertDeferredEphemeral(t, cb)
	content := editContent(ctx, t, fake, cb.Token)
	if !strings.Contains(content, rt.summary) {
		t.Errorf("edit %q does not carry the summary %q", content, rt.summary)
	}
	calls := rt.Calls()
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Fatalf("Retrainer calls %v, want one with two files", calls)
	}
	for i, want := range []TextFile{{"percussion.txt", scripture}, {"notes.md", apocrypha}} {
		if got := calls[0][i]; got.Name != want.Name || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("file %d = %q %q, want %q %q", i, got.Name, got.Data, want.Name, want.Data)
		}
	}
	if n := waitDownloads(ctx, t, fake, 2); n != 2 {
		t.Errorf("%d downloads, want 2", n)
	}

	// One log line for the job, with who, what, how it went and how long.
	var line map[string]any
	eventually(ctx, t, "the retrain log line", func() bool {
		for l := range strings.Lines(logs.String()) {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "retrain" {
				line = m
				return true
			}
		}
		return false
	})
	files, _ := line["files"].([]any)
	if line["user"] != operatorID || line["result"] != "ok" || line["duration"] == nil ||
		len(files) != 2 || files[0] != "percussion.txt" || files[1] != "notes.md" {
		t.Errorf("retrain log line %v", line)
	}
	if strings.Contains(logs.String(), cb.Token) {
		t.Error("the interaction token was logged")
	}
	if got := retrainsCounted(t, metrics, "ok"); got != 1 {
		t.Errorf("glowcloud_retrains_total{result=ok} = %v, want 1", got)
	}
}

// retrainsCounted reads glowcloud_retrains_total{result}.
func retrainsCounted(t *testing.T, m *Metrics, result string) float64 {
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

// TestRetrainRefused: requests refused before anything is downloaded get an
// ephemeral explanation at once (no deferral), and the Retrainer is never
// called.
func TestRetrainRefused(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	rt := &fakeRetrainer{summary: "never"}
	start(t, gatewayServe(fake, retrainBot(rt, nil, nil)))
	text := []byte("Plain scripture.\n")
	// Cleanups run after the parallel subtests.
	t.Cleanup(func() {
		if calls := rt.Calls(); len(calls) != 0 {
			t.Errorf("the Retrainer was called: %v", calls)
		}
		if n := downloads(fake); n != 0 {
			t.Errorf("%d attachments downloaded, want none", n)
		}
	})

	for _, tt := range []struct {
		name        string
		interaction func() map[string]any
		want        string
	}{
		{"non-operator", func() map[string]any {
			return retrainCommand(strangerID, fileOpt{OptScripture, fake.Attachment("a.txt", text, "text/plain")})
		}, "Only the Glow Cloud's operators"},
		{"non-operator without files", func() map[string]any { return retrainCommand(strangerID) }, "Only the Glow Cloud's operators"},
		{"non-operator in a DM", func() map[string]any {
			i := retrainCommand(strangerID)
			delete(i, "member")
			i["user"] = map[string]any{"id": strangerID, "username": "dm"}
			return i
		}, "Only the Glow Cloud's operators"},
		{"reported size over the limit", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{OptScripture, withSize(fake.Attachment("big.txt", text, "text/plain"), MaxRetrainFile+1)})
		}, "at most 8 MiB"},
		{"image", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("sigil.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png")})
		}, "only from .txt and .md"},
		{"binary content type", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("a.txt", text, "application/octet-stream")})
		}, "not text"},
		{"not UTF-8", func() map[string]any {
			return retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("a.txt", text, "text/plain; charset=windows-1252")})
		}, "only UTF-8"},
		{"one good file, one bad", func() map[string]any {
			return retrainCommand(operatorID,
				fileOpt{OptScripture, fake.Attachment("a.txt", text, "text/plain")},
				fileOpt{OptPamphlet, fake.Attachment("b.exe", text, "")})
		}, "`b.exe` is not scripture"},
		{"attachment not resolved", func() map[string]any {
			i := retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("a.txt", text, "text/plain")})
			delete(i["data"].(map[string]any), "resolved")
			return i
		}, "attach it again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cb, err := fake.Interaction(waitCtx(t), tt.interaction())
			if err != nil {
				t.Fatal(err)
			}
			assertRefused(t, cb, tt.want)
		})
	}
}

// TestRetrainNoOperators: with GLOWCLOUD_OPERATORS empty nobody may
// retrain, and a bot without a Retrainer says so to its operators only.
func TestRetrainNoOperators(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		operators []string
		retrainer Retrainer
		want      string
	}{
		{"no operators", nil, &fakeRetrainer{}, "Only the Glow Cloud's operators"},
		{"empty user id", []string{""}, &fakeRetrainer{}, "Only the Glow Cloud's operators"},
		{"no retrainer", []string{operatorID}, nil, "not configured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := New(Config{Operators: tt.operators, Retrainer: tt.retrainer, Logger: slog.New(slog.DiscardHandler)})
			user := operatorID
			if tt.operators != nil && tt.operators[0] == "" {
				user = ""
			}
			rs := &recordingResponder{}
			if err := b.Answer(t.Context(), Request{Kind: KindCommand, Command: CmdRetrain, UserID: user}, rs); err != nil {
				t.Fatal(err)
			}
			if len(rs.calls) != 1 || rs.calls[0].method != "respond" || !rs.calls[0].reply.Ephemeral || !strings.Contains(rs.calls[0].reply.Content, tt.want) {
				t.Errorf("calls %+v, want one ephemeral response saying %q", rs.calls, tt.want)
			}
			if err := b.Wait(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
}

// recordingResponder records what Answer asks of a transport.
type recordingResponder struct {
	mu    sync.Mutex
	calls []responderCall
}

type responderCall struct {
	method    string
	reply     Reply
	ephemeral bool
}

func (r *recordingResponder) add(c responderCall) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	return nil
}

func (r *recordingResponder) Respond(_ context.Context, rep Reply) error {
	return r.add(responderCall{method: "respond", reply: rep})
}

func (r *recordingResponder) Defer(_ context.Context, ephemeral bool) error {
	return r.add(responderCall{method: "defer", ephemeral: ephemeral})
}

func (r *recordingResponder) Edit(_ context.Context, rep Reply) error {
	return r.add(responderCall{method: "edit", reply: rep})
}

// TestRetrainJobOutcomes: what the deferred reply is edited to, for files
// that turn out bad once downloaded and for the Retrainer's errors.
func TestRetrainJobOutcomes(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("Hail the Glow Cloud. "), MaxRetrainFile/20+1) // just over the limit
	for _, tt := range []struct {
		name     string
		rt       *fakeRetrainer
		files    func(fake *discordtest.Server) []fileOpt
		want     string
		learnt   int // files the Retrainer got; -1: not called
		download int
	}{
		{"no attachment retrains from the corpus as it is", &fakeRetrainer{summary: "no new files; learned 9 sentences"},
			func(*discordtest.Server) []fileOpt { return nil }, "no new files; learned 9 sentences", 0, 0},
		{"body over the limit while the reported size lies", &fakeRetrainer{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{OptScripture, withSize(fake.Attachment("liar.txt", big, "text/plain"), 64)}}
			}, "`liar.txt` is larger than 8 MiB", -1, 1},
		{"NUL bytes", &fakeRetrainer{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{OptScripture, fake.Attachment("sneaky.txt", []byte("text\x00\x01\x02binary"), "text/plain")}}
			}, "`sneaky.txt` is not UTF-8 text", -1, 1},
		{"invalid UTF-8", &fakeRetrainer{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{OptScripture, fake.Attachment("latin1.md", []byte("caf\xe9 society"), "")}}
			}, "`latin1.md` is not UTF-8 text", -1, 1},
		{"second file bad", &fakeRetrainer{},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{
					{OptScripture, fake.Attachment("good.txt", []byte("Good scripture."), "text/plain")},
					{OptApocrypha, fake.Attachment("bad.txt", []byte{0xff, 0xfe, 0}, "text/plain")},
				}
			}, "`bad.txt` is not UTF-8 text", -1, 2},
		{"download fails", &fakeRetrainer{},
			func(fake *discordtest.Server) []fileOpt {
				att := fake.Attachment("gone.txt", []byte("x"), "text/plain")
				att["url"] = fake.URL() + "/attachments/1/2/expired.txt"
				return []fileOpt{{OptScripture, att}}
			}, "could not download `gone.txt`", -1, 1},
		{"busy", &fakeRetrainer{err: fmt.Errorf("trainer: %w", ErrRetrainBusy)},
			func(*discordtest.Server) []fileOpt { return nil }, "already absorbing", 0, 0},
		{"empty corpus", &fakeRetrainer{err: fmt.Errorf("read corpus: %w", ErrEmptyCorpus)},
			func(*discordtest.Server) []fileOpt { return nil }, "no sentences yet", 0, 0},
		{"not text to the trainer", &fakeRetrainer{err: fmt.Errorf("%w: odd.md is not scripture", ErrNotText)},
			func(fake *discordtest.Server) []fileOpt {
				return []fileOpt{{OptScripture, fake.Attachment("odd.md", []byte("odd"), "text/markdown")}}
			}, "odd.md is not scripture", 1, 1},
		{"other error", &fakeRetrainer{err: errors.New("save model /srv/secret/path: disk full")},
			func(*discordtest.Server) []fileOpt { return nil }, "Retraining failed; the old model keeps serving", 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, discordtest.WithToken(testToken))
			start(t, gatewayServe(fake, retrainBot(tt.rt, nil, nil)))
			ctx := waitCtx(t)
			cb, err := fake.Interaction(ctx, retrainCommand(operatorID, tt.files(fake)...))
			if err != nil {
				t.Fatal(err)
			}
			assertDeferredEphemeral(t, cb)
			content := editContent(ctx, t, fake, cb.Token)
			if !strings.Contains(content, tt.want) {
				t.Errorf("edit %q, want it to say %q", content, tt.want)
			}
			if strings.Contains(content, "/srv/secret") {
				t.Errorf("edit %q shows the operator's log detail", content)
			}
			calls := tt.rt.Calls()
			switch {
			case tt.learnt < 0 && len(calls) != 0:
				t.Errorf("the Retrainer was called with %v", calls)
			case tt.learnt >= 0 && (len(calls) != 1 || len(calls[0]) != tt.learnt):
				t.Errorf("Retrainer calls %v, want one with %d files", calls, tt.learnt)
			}
			if n := waitDownloads(ctx, t, fake, tt.download); n != tt.download {
				t.Errorf("%d downloads, want %d", n, tt.download)
			}
		})
	}
}

// TestRetrainOneAtATime: a /retrain while one runs is told to wait at once,
// without a deferral or a download.
func TestRetrainOneAtATime(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	rt := &fakeRetrainer{summary: "done", started: make(chan struct{}, 1), release: make(chan struct{})}
	start(t, gatewayServe(fake, retrainBot(rt, nil, nil)))
	ctx := waitCtx(t)

	first, err := fake.Interaction(ctx, retrainCommand(operatorID))
	if err != nil {
		t.Fatal(err)
	}
	assertDeferredEphemeral(t, first)
	select {
	case <-rt.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	second, err := fake.Interaction(ctx, retrainCommand(operatorID,
		fileOpt{OptScripture, fake.Attachment("more.txt", []byte("More."), "text/plain")}))
	if err != nil {
		t.Fatal(err)
	}
	assertRefused(t, second, "already absorbing")
	close(rt.release)
	if content := editContent(ctx, t, fake, first.Token); !strings.Contains(content, "done") {
		t.Errorf("first edit %q", content)
	}
	if n := downloads(fake); n != 0 {
		t.Errorf("%d downloads, want none", n)
	}
	// Once it is over, the next one runs.
	third, err := fake.Interaction(ctx, retrainCommand(operatorID))
	if err != nil {
		t.Fatal(err)
	}
	assertDeferredEphemeral(t, third)
	if content := editContent(ctx, t, fake, third.Token); !strings.Contains(content, "done") {
		t.Errorf("third edit %q", content)
	}
}

// TestRetrainShutdownWaits: Serve's shutdown waits for a retrain in flight,
// whose edit goes out before Serve returns.
func TestRetrainShutdownWaits(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	rt := &fakeRetrainer{summary: "learned in time", started: make(chan struct{}, 1), release: make(chan struct{})}
	var logs lockedBuffer
	cfg := gatewayServe(fake, retrainBot(rt, nil, nil))
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	cfg.ShutdownTimeout = waitLimit
	r := start(t, cfg)
	ctx := waitCtx(t)

	cb, err := fake.Interaction(ctx, retrainCommand(operatorID))
	if err != nil {
		t.Fatal(err)
	}
	assertDeferredEphemeral(t, cb)
	select {
	case <-rt.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	r.cancel()
	eventually(ctx, t, "Serve waiting for the retrain", func() bool {
		return strings.Contains(logs.String(), "waiting for background work")
	})
	select {
	case err := <-r.done:
		t.Fatalf("Serve returned %v with a retrain in flight", err)
	default:
	}
	close(rt.release)
	if err := r.wait(t); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	edits := fake.Edits(cb.Token)
	if len(edits) != 1 || !strings.Contains(fmt.Sprint(edits[0]["content"]), "learned in time") {
		t.Errorf("edits when Serve returned: %v, want the summary", edits)
	}
}

// TestRetrainShutdownTimeout: a retrain that outlasts the shutdown timeout
// is cancelled, and its operator is told so.
func TestRetrainShutdownTimeout(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(testToken))
	rt := &fakeRetrainer{started: make(chan struct{}, 1), release: make(chan struct{})} // never released
	cfg := gatewayServe(fake, retrainBot(rt, nil, nil))
	cfg.ShutdownTimeout = 50 * time.Millisecond
	r := start(t, cfg)
	ctx := waitCtx(t)

	cb, err := fake.Interaction(ctx, retrainCommand(operatorID))
	if err != nil {
		t.Fatal(err)
	}
	assertDeferredEphemeral(t, cb)
	select {
	case <-rt.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	if content := editContent(ctx, t, fake, cb.Token); !strings.Contains(content, "interrupted") {
		t.Errorf("edit %q, want it to say the retrain was interrupted", content)
	}
}

// TestRetrainHTTP: over the HTTP endpoint, the deferral is the inline
// answer, the edit follows through the REST API, and Wait waits for it.
func TestRetrainHTTP(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	followups, err := discordgo.New("")
	if err != nil {
		t.Fatal(err)
	}
	followups.Client = fake.Client()
	rt := &fakeRetrainer{summary: "learned over HTTP", started: make(chan struct{}, 1), release: make(chan struct{})}
	b := New(Config{
		Writer:     func() Writer { return &testWriter{} },
		Logger:     slog.New(slog.DiscardHandler),
		Operators:  []string{operatorID},
		Retrainer:  rt,
		HTTPClient: fake.Client(),
	})
	h := b.HTTPHandler(HTTPConfig{PublicKey: pub, Followups: followups})
	ctx := waitCtx(t)

	text := []byte("Scripture by webhook.\n")
	full := fake.FillInteraction(retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("hook.txt", text, "text/plain")}))
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
	select {
	case <-rt.started:
	case <-ctx.Done():
		t.Fatal("the retrain never started")
	}
	// Wait gives up (and cancels nothing yet released) when its context
	// ends first...
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Wait(short); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with an ended context = %v, want context.Canceled", err)
	}
	// ...which cancelled the job; its operator hears of it.
	token := full["token"].(string)
	if content := editContent(ctx, t, fake, token); !strings.Contains(content, "interrupted") {
		t.Errorf("edit %q, want it to say the retrain was interrupted", content)
	}
	if err := b.Wait(ctx); err != nil {
		t.Errorf("Wait = %v", err)
	}

	// And a second retrain runs to its end, which Wait waits for.
	rt2 := &fakeRetrainer{summary: "learned over HTTP"}
	b2 := New(Config{Logger: slog.New(slog.DiscardHandler), Operators: []string{operatorID}, Retrainer: rt2, HTTPClient: fake.Client()})
	full = fake.FillInteraction(retrainCommand(operatorID, fileOpt{OptScripture, fake.Attachment("hook.txt", text, "text/plain")}))
	if body, err = json.Marshal(full); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	b2.HTTPHandler(HTTPConfig{PublicKey: pub, Followups: followups}).ServeHTTP(rec, signedRequest(priv, body, time.Now()))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := b2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	token = full["token"].(string)
	edits := fake.Edits(token)
	if len(edits) != 1 || !strings.Contains(fmt.Sprint(edits[0]["content"]), "learned over HTTP") {
		t.Errorf("edits after Wait: %v, want the summary", edits)
	}
	if calls := rt2.Calls(); len(calls) != 1 || len(calls[0]) != 1 || !bytes.Equal(calls[0][0].Data, text) {
		t.Errorf("Retrainer calls %v", calls)
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

// TestHTTPHandlerWithoutValidKey: without a usable public key every
// interaction gets 401 (ed25519.Verify would panic on it), never an answer.
func TestHTTPHandlerWithoutValidKey(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	for _, tt := range []struct {
		name string
		key  ed25519.PublicKey
	}{
		{"nil", nil},
		{"empty", ed25519.PublicKey{}},
		{"short", ed25519.PublicKey(make([]byte, 31))},
		{"long", ed25519.PublicKey(make([]byte, 33))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			b := New(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			h := b.HTTPHandler(HTTPConfig{PublicKey: tt.key})
			if logged := strings.Contains(logs.String(), "no valid public key"); logged != (len(tt.key) != 0) {
				t.Errorf("logged at construction: %q; want a line only for a key of the wrong size", logs.String())
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest(priv, body, time.Now()))
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status %d %s, want 401", rec.Code, rec.Body)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("healthz %d, want 200", rec.Code)
			}
		})
	}
}

// TestCheckRetrain covers Handle's judgement of /retrain requests.
func TestCheckRetrain(t *testing.T) {
	t.Parallel()
	b := retrainBot(&fakeRetrainer{}, nil, nil)
	att := func(name, ct string, size int) Attachment {
		return Attachment{ID: "A" + name, Filename: name, ContentType: ct, Size: size, URL: "https://cdn.discordapp.com/attachments/1/2/" + name}
	}
	req := func(user string, opts map[string]any, atts ...Attachment) Request {
		r := Request{Kind: KindCommand, Command: CmdRetrain, UserID: user, Options: opts}
		for _, a := range atts {
			if r.Attachments == nil {
				r.Attachments = map[string]Attachment{}
			}
			r.Attachments[a.ID] = a
		}
		return r
	}
	a, md, mk := att("a.txt", "text/plain; charset=utf-8", 10), att("b.MD", "", 10), att("c.markdown", "text/x-markdown", MaxRetrainFile)
	for _, tt := range []struct {
		name    string
		req     Request
		outcome string
		files   []string // learnt, for OutcomeOK
		want    string   // in the reply
	}{
		{"operator, no files", req(operatorID, nil), OutcomeOK, nil, "from its corpus as it is"},
		{"operator, three files in option order", req(operatorID, map[string]any{OptPamphlet: mk.ID, OptScripture: a.ID, OptApocrypha: md.ID}, a, md, mk),
			OutcomeOK, []string{"a.txt", "b.MD", "c.markdown"}, "`a.txt`, `b.MD`, `c.markdown`"},
		{"same file twice", req(operatorID, map[string]any{OptScripture: a.ID, OptApocrypha: a.ID}, a), OutcomeOK, []string{"a.txt"}, "absorb `a.txt` and"},
		{"stranger", req(strangerID, map[string]any{OptScripture: a.ID}, a), OutcomeForbidden, nil, "Only the Glow Cloud's operators"},
		{"nobody", req("", nil), OutcomeForbidden, nil, "Only the Glow Cloud's operators"},
		{"unknown option", req(operatorID, map[string]any{"grimoire": a.ID}, a), OutcomeBadRequest, nil, `no option "grimoire"`},
		{"option not an id", req(operatorID, map[string]any{OptScripture: 7.0}), OutcomeBadRequest, nil, "attach it again"},
		{"negative size", req(operatorID, map[string]any{OptScripture: "Ax.txt"}, att("x.txt", "", -1)), OutcomeBadRequest, nil, "at most 8 MiB"},
		{"no extension", req(operatorID, map[string]any{OptScripture: "AREADME"}, att("README", "text/plain", 3)), OutcomeBadRequest, nil, "only from .txt and .md"},
		{"text/html is text", req(operatorID, map[string]any{OptScripture: "Ap.txt"}, att("p.txt", "text/html", 3)), OutcomeOK, []string{"p.txt"}, "absorb"},
		{"bad content type", req(operatorID, map[string]any{OptScripture: "Ap.txt"}, att("p.txt", "text/", 3)), OutcomeBadRequest, nil, "not text"},
		{"not a web link", req(operatorID, map[string]any{OptScripture: "Af.txt"}, Attachment{ID: "Af.txt", Filename: "f.txt", URL: "file:///etc/passwd"}), OutcomeBadRequest, nil, "no usable link"},
		{"name with backticks", req(operatorID, map[string]any{OptScripture: "A`x`.exe"}, att("`x`.exe", "", 3)), OutcomeBadRequest, nil, "`'x'.exe` is not scripture"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply, res := b.handle(t.Context(), tt.req, true)
			if res.command != CmdRetrain || res.outcome != tt.outcome {
				t.Errorf("result %+v, want %s %s", res, CmdRetrain, tt.outcome)
			}
			var names []string
			for _, f := range res.files {
				names = append(names, f.Filename)
			}
			if !slices.Equal(names, tt.files) {
				t.Errorf("files %v, want %v", names, tt.files)
			}
			if !reply.Ephemeral || !strings.Contains(reply.Content, tt.want) {
				t.Errorf("reply %+v, want an ephemeral one saying %q", reply, tt.want)
			}
			if got := b.Handle(t.Context(), tt.req); got.Content != reply.Content {
				t.Errorf("Handle = %q, handle = %q", got.Content, reply.Content)
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1536, "1.5 KiB"}, {8 << 20, "8 MiB"}, {8<<20 + 1, "8.0 MiB"}, {12 << 19, "6 MiB"}} {
		if got := byteSize(tt.n); got != tt.want {
			t.Errorf("byteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestWaitIdle: Wait returns at once when nothing runs, and background work
// started with goBackground is waited for.
func TestWaitIdle(t *testing.T) {
	t.Parallel()
	b := New(Config{})
	if err := b.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var finished bool
	b.goBackground(t.Context(), time.Minute, func(ctx context.Context) {
		<-release
		finished = true
	})
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	close(release)
	// An ended context may or may not see the job finish first; a live one must.
	_ = b.Wait(ended)
	if err := b.Wait(waitCtx(t)); err != nil || !finished {
		t.Errorf("Wait = %v, finished %v", err, finished)
	}
	// A panic in background work is recovered, and the work counts as done.
	b.goBackground(t.Context(), time.Minute, func(context.Context) { panic("glow") })
	if err := b.Wait(waitCtx(t)); err != nil {
		t.Errorf("Wait after a panic = %v", err)
	}
}

// TestHTTPDeferredEditWaited: Wait also waits for a reply the HTTP endpoint
// edits in after deferring, which outlives the request's handler.
func TestHTTPDeferredEditWaited(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	followups, err := discordgo.New("")
	if err != nil {
		t.Fatal(err)
	}
	followups.Client = fake.Client()
	w := &testWriter{block: make(chan struct{})}
	b := New(Config{
		Writer:     func() Writer { return w },
		Logger:     slog.New(slog.DiscardHandler),
		DeferAfter: time.Millisecond,
	})
	full := fake.FillInteraction(command("glowcloud"))
	body, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	b.HTTPHandler(HTTPConfig{PublicKey: pub, Followups: followups}).ServeHTTP(rec, signedRequest(priv, body, time.Now()))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"type":5`) {
		t.Fatalf("inline answer %d %s, want a deferral", rec.Code, rec.Body)
	}
	close(w.block)
	if err := b.Wait(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
	if edits := fake.Edits(full["token"].(string)); len(edits) != 1 || !strings.Contains(fmt.Sprint(edits[0]), "GLOW CLOUD") {
		t.Errorf("edits once Wait returned: %v, want the proclamation", edits)
	}
}
