package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/glowcloud/glowcloud/corpus"
)

// operatorID is an operator of the bots in these tests.
const operatorID = "1300000000000000004"

// strangerID is a user who is nobody's operator.
const strangerID = "1300000000000000077"

// fakeRetrainer is a Retrainer whose slot can be held, and that records
// the jobs it runs (without running anything).
type fakeRetrainer struct {
	mu       sync.Mutex
	held     bool
	released int
	runs     [][]Attachment
}

func (f *fakeRetrainer) Claim() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held {
		return false
	}
	f.held = true
	return true
}

func (f *fakeRetrainer) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = false
	f.released++
}

func (f *fakeRetrainer) Run(_ context.Context, _ Request, files []Attachment, rs Responder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs = append(f.runs, files)
}

// recorder is a Responder that records the methods called.
type recorder struct {
	mu      sync.Mutex
	calls   []string
	replies []Reply
	err     error // returned by Defer
}

func (r *recorder) Respond(_ context.Context, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.replies = append(r.calls, "respond"), append(r.replies, rep)
	return nil
}

func (r *recorder) Defer(_ context.Context, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ephemeral {
		r.calls = append(r.calls, "defer ephemeral")
	} else {
		r.calls = append(r.calls, "defer")
	}
	return r.err
}

func (r *recorder) Edit(_ context.Context, rep Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls, r.replies = append(r.calls, "edit"), append(r.replies, rep)
	return nil
}

// TestAnswerRetrain: Answer defers an allowed /retrain ephemerally and
// hands it to the Retrainer; while the slot is held it says "wait" at once;
// a failed deferral gives the slot back.
func TestAnswerRetrain(t *testing.T) {
	t.Parallel()
	rt := &fakeRetrainer{}
	b := New(Config{Operators: []string{operatorID}, Retrainer: rt})
	req := Request{Kind: KindCommand, Command: cmdRetrain, UserID: operatorID}

	rs := &recorder{}
	if err := b.Answer(t.Context(), req, rs); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rs.calls, []string{"defer ephemeral"}) || len(rt.runs) != 1 {
		t.Errorf("calls %v, runs %d; want an ephemeral deferral and one job", rs.calls, len(rt.runs))
	}

	busy := &recorder{}
	if err := b.Answer(t.Context(), req, busy); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(busy.calls, []string{"respond"}) || !busy.replies[0].Ephemeral || !strings.Contains(busy.replies[0].Content, "already absorbing") || len(rt.runs) != 1 {
		t.Errorf("while a job runs: calls %v %+v, runs %d; want an ephemeral wait at once", busy.calls, busy.replies, len(rt.runs))
	}

	rt.Release()
	failing := &recorder{err: context.Canceled}
	if err := b.Answer(t.Context(), req, failing); err == nil {
		t.Error("a failed deferral was not reported")
	}
	if !rt.Claim() || rt.released != 2 || len(rt.runs) != 1 {
		t.Errorf("after a failed deferral: released %d, runs %d; want the slot given back and no job", rt.released, len(rt.runs))
	}
}

// TestRetrainNoOperators: with no operators nobody may retrain, and a bot
// without a Retrainer says so to its operators only.
func TestRetrainNoOperators(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		operators []string
		retrainer Retrainer
		user      string
		want      string
	}{
		{"no operators", nil, &fakeRetrainer{}, operatorID, "Only the Glow Cloud's operators"},
		{"empty user id", []string{""}, &fakeRetrainer{}, "", "Only the Glow Cloud's operators"},
		{"no retrainer", []string{operatorID}, nil, operatorID, "not configured"},
		{"no retrainer, not an operator", []string{operatorID}, nil, strangerID, "Only the Glow Cloud's operators"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := New(Config{Operators: tt.operators, Retrainer: tt.retrainer})
			rs := &recorder{}
			if err := b.Answer(t.Context(), Request{Kind: KindCommand, Command: cmdRetrain, UserID: tt.user}, rs); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rs.calls, []string{"respond"}) || !rs.replies[0].Ephemeral || !strings.Contains(rs.replies[0].Content, tt.want) {
				t.Errorf("calls %v %+v, want one ephemeral response saying %q", rs.calls, rs.replies, tt.want)
			}
		})
	}
}

// TestCheckRetrain covers Handle's judgement of /retrain requests.
func TestCheckRetrain(t *testing.T) {
	t.Parallel()
	b := New(Config{Operators: []string{"1300000000000000099", operatorID}, Retrainer: &fakeRetrainer{}})
	att := func(name, ct string, size int) Attachment {
		return Attachment{ID: "A" + name, Filename: name, ContentType: ct, Size: size, URL: "https://cdn.discordapp.com/attachments/1/2/" + name}
	}
	req := func(user string, opts map[string]any, atts ...Attachment) Request {
		r := Request{Kind: KindCommand, Command: cmdRetrain, UserID: user, Options: opts}
		for _, a := range atts {
			if r.Attachments == nil {
				r.Attachments = map[string]Attachment{}
			}
			r.Attachments[a.ID] = a
		}
		return r
	}
	a, md, mk := att("a.txt", "text/plain; charset=utf-8", 10), att("b.MD", "", 10), att("c.markdown", "text/x-markdown", corpus.MaxUpload)
	for _, tt := range []struct {
		name    string
		req     Request
		outcome string
		files   []string // learnt, for outcomeOK
		want    string   // in the reply
	}{
		{"operator, no files", req(operatorID, nil), outcomeOK, nil, "from its corpus as it is"},
		{"operator, three files in option order", req(operatorID, map[string]any{OptPamphlet: mk.ID, OptScripture: a.ID, OptApocrypha: md.ID}, a, md, mk),
			outcomeOK, []string{"a.txt", "b.MD", "c.markdown"}, "a․txt, b․MD, c․markdown"}, // names are shown: the dots of what looks like a host are defanged
		{"same file twice", req(operatorID, map[string]any{OptScripture: a.ID, OptApocrypha: a.ID}, a), outcomeOK, []string{"a.txt"}, "absorb a․txt and"},
		{"stranger", req(strangerID, map[string]any{OptScripture: a.ID}, a), outcomeForbidden, nil, "Only the Glow Cloud's operators"},
		{"nobody", req("", nil), outcomeForbidden, nil, "Only the Glow Cloud's operators"},
		{"unknown option", req(operatorID, map[string]any{"grimoire": a.ID}, a), outcomeBadRequest, nil, `no option “grimoire”`},
		{"option not an id", req(operatorID, map[string]any{OptScripture: 7.0}), outcomeBadRequest, nil, "attach it again"},
		{"negative size", req(operatorID, map[string]any{OptScripture: "Ax.txt"}, att("x.txt", "", -1)), outcomeBadRequest, nil, "at most 8 MiB"},
		{"no extension", req(operatorID, map[string]any{OptScripture: "AREADME"}, att("README", "text/plain", 3)), outcomeBadRequest, nil, "only from .txt and .md"},
		{"text/html is text", req(operatorID, map[string]any{OptScripture: "Ap.txt"}, att("p.txt", "text/html", 3)), outcomeOK, []string{"p.txt"}, "absorb"},
		{"bad content type", req(operatorID, map[string]any{OptScripture: "Ap.txt"}, att("p.txt", "text/", 3)), outcomeBadRequest, nil, "not text"},
		{"not a web link", req(operatorID, map[string]any{OptScripture: "Af.txt"}, Attachment{ID: "Af.txt", Filename: "f.txt", URL: "file:///etc/passwd"}), outcomeBadRequest, nil, "no usable link"},
		{"name with backticks", req(operatorID, map[string]any{OptScripture: "A`x`.exe"}, att("`x`.exe", "", 3)), outcomeBadRequest, nil, "\\`x\\`.exe is not scripture"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reply, res := b.handle(t.Context(), tt.req, true)
			if res.command != cmdRetrain || res.outcome != tt.outcome {
				t.Errorf("result %+v, want %s %s", res, cmdRetrain, tt.outcome)
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
		if got := ByteSize(tt.n); got != tt.want {
			t.Errorf("ByteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
