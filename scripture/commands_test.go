package scripture_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/scripture"
)

// files serves attachments as a CDN would, or as a hostile one might:
// each path its body, content type and, when set, a lying Content-Length.
type files struct {
	mu    sync.Mutex
	body  map[string][]byte
	clen  map[string]string
	chunk map[string]bool
}

func (f *files) put(path string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body[path] = body
}

func (f *files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	body, ok := f.body[r.URL.Path]
	clen, chunk := f.clen[r.URL.Path], f.chunk[r.URL.Path]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	if clen != "" {
		// A Content-Length larger than what follows: the client must not
		// trust it, nor wait for the rest.
		w.Header().Set("Content-Length", clen)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	if chunk {
		w.WriteHeader(http.StatusOK)
		for b := body; len(b) > 0; {
			n := min(len(b), 64<<10)
			_, _ = w.Write(b[:n])
			w.(http.Flusher).Flush()
			b = b[n:]
		}
		return
	}
	_, _ = w.Write(body)
}

// admin is a member with Manage Server in guild g1.
var admin = bot.Caller{GuildID: "g1", ChannelID: "c1", UserID: "1001", Permissions: "32"}

// harness is the commands over a store, with a running trainer and a CDN.
type harness struct {
	st    scripture.Store
	svc   *scripture.Service
	cm    *scripture.Commands
	cdn   *files
	srv   *httptest.Server
	essay *compose.Writer
}

func newHarness(t *testing.T, st scripture.Store, lim scripture.Limits) *harness {
	t.Helper()
	h := &harness{st: st, cdn: &files{body: map[string][]byte{}, clen: map[string]string{}, chunk: map[string]bool{}}}
	h.srv = httptest.NewServer(h.cdn)
	t.Cleanup(h.srv.Close)
	h.essay = bottest.EssayWriter(t)
	h.svc = scripture.New(scripture.Config{Store: st, Essay: func() *compose.Writer { return h.essay }, Poll: 20 * time.Millisecond})
	run(t, h.svc)
	h.cm = scripture.NewCommands(st, scripture.CommandsConfig{
		Limits: lim, Client: h.srv.Client(), Nudge: h.svc.Nudge, Changed: h.svc.Changed, Alone: h.svc.Alone,
		Poll: 10 * time.Millisecond,
	})
	t.Cleanup(func() {
		if err := h.cm.Wait(context.Background()); err != nil {
			t.Errorf("Wait: %v", err)
		}
	})
	return h
}

// add runs /scripture add of body as filename (name: nameOpt) to its end
// and returns the edits of the reply, the last one the answer.
func (h *harness) add(t *testing.T, c bot.Caller, filename, nameOpt string, body []byte) []string {
	t.Helper()
	path := "/attachments/" + strconv.Itoa(len(h.cdn.body)) + "/" + filename
	h.cdn.put(path, body)
	a := bot.Attachment{ID: "a1", Filename: filename, ContentType: "text/plain", Size: len(body), URL: h.srv.URL + path}
	return h.addAttachment(t, c, a, nameOpt)
}

func (h *harness) addAttachment(t *testing.T, c bot.Caller, a bot.Attachment, nameOpt string) []string {
	t.Helper()
	var rs bottest.Responder
	h.cm.Add(t.Context(), c, a, nameOpt, &rs)
	if err := h.cm.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	var edits []string
	for _, call := range rs.Calls() {
		if call.Method != "edit" || !call.Reply.Ephemeral {
			t.Fatalf("calls %+v: want ephemeral edits only", rs.Calls())
		}
		if err := bottest.Inert(map[string]any{"content": call.Reply.Content}, "<@"+c.UserID+">"); err != nil {
			t.Errorf("edit %q: %v", call.Reply.Content, err)
		}
		edits = append(edits, call.Reply.Content)
	}
	if len(edits) == 0 {
		t.Fatal("the reply was never edited")
	}
	return edits
}

func names(t *testing.T, st scripture.Store, guild string) []string {
	t.Helper()
	texts, err := st.Texts(context.Background(), guild, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tx := range texts {
		out = append(out, tx.Name+":"+tx.SHA256[:8])
	}
	return out
}

// TestCommands: on both databases, an admin adds two texts (each reply
// says what was learned), lists them, blends, autocompletes, removes one
// and forgets the rest, which leaves no text and no model.
func TestCommands(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, s.open(t), scripture.Limits{})
			ctx := t.Context()
			edits := h.add(t, admin, "Harbour Lore.txt", "", []byte(readText(t, "harbour.txt")))
			last := edits[len(edits)-1]
			if !strings.Contains(last, "has learned Harbour Lore: ") || !strings.Contains(last, "sentences from it") || !strings.Contains(last, "50 % of the essay") {
				t.Errorf("add: %q", edits)
			}
			if !strings.HasPrefix(edits[0], "The Glow Cloud is learning Harbour Lore (2.6 KiB)") {
				t.Errorf("first edit %q", edits[0])
			}
			edits = h.add(t, admin, "orchard.md", "the orchard", []byte(readText(t, "orchard.txt")))
			if last := edits[len(edits)-1]; !strings.Contains(last, "has learned the orchard") {
				t.Errorf("add: %q", edits)
			}
			list, err := h.cm.List(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"2 of at most 20 texts", "\n- Harbour Lore: 2.6 KiB, added by <@1001> <t:", "\n- the orchard: 2.1 KiB", "sentences learned", "Model: ready (learned "} {
				if !strings.Contains(list, want) {
					t.Errorf("list lacks %q:\n%s", want, list)
				}
			}
			if got := h.cm.Names(ctx, admin, "h", 25); !slices.Equal(got, []string{"Harbour Lore"}) {
				t.Errorf("names %q", got)
			}
			if got := h.cm.Names(ctx, bot.Caller{GuildID: "g1", Permissions: "0"}, "", 25); len(got) != 0 {
				t.Errorf("names for a member without Manage Server: %q", got)
			}
			if w := h.svc.WriterFor(ctx, "g1"); w.ModelID() == h.essay.ModelID() {
				t.Error("g1 is preached the essay after two adds")
			}
			text, err := h.cm.Blend(ctx, admin, 0)
			if err != nil || !strings.Contains(text, "not yet enough") {
				t.Errorf("blend 0: %q, %v", text, err)
			}
			if text, err = h.cm.Blend(ctx, admin, 20); err != nil || !strings.Contains(text, "20 % of the essay with 80 %") {
				t.Errorf("blend 20: %q, %v", text, err)
			}
			if text, err = h.cm.Remove(ctx, admin, "harbour lore"); !errors.Is(err, bot.ErrInvalid) || !strings.Contains(text, "no text named harbour lore") {
				t.Errorf("remove of a name in another case: %q, %v", text, err)
			}
			if text, err = h.cm.Remove(ctx, admin, "Harbour Lore"); err != nil || !strings.Contains(text, "Harbour Lore is deleted") {
				t.Errorf("remove: %q, %v", text, err)
			}
			if got := names(t, h.st, "g1"); len(got) != 1 || !strings.HasPrefix(got[0], "the orchard:") {
				t.Errorf("texts after remove: %q", got)
			}
			if text, err = h.cm.Forget(ctx, admin, false); err != nil || !strings.Contains(text, "Its 1 text (2.1 KiB)") {
				t.Errorf("forget's question: %q, %v", text, err)
			}
			if got := names(t, h.st, "g1"); len(got) != 1 {
				t.Errorf("the question deleted something: %q", got)
			}
			if text, err = h.cm.Forget(ctx, admin, true); err != nil || !strings.HasPrefix(text, "Forgotten: 1 text,") {
				t.Errorf("forget: %q, %v", text, err)
			}
			if got := names(t, h.st, "g1"); len(got) != 0 {
				t.Errorf("texts after forget: %q", got)
			}
			if _, err := h.st.ScriptureModel(ctx, "g1"); !errors.Is(err, scripture.ErrNone) {
				t.Errorf("model after forget: %v", err)
			}
			if text, err = h.cm.Forget(ctx, admin, false); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("forget with nothing: %q, %v", text, err)
			}
			if list, _ := h.cm.List(ctx, admin); !strings.Contains(list, "This server has no scripture") {
				t.Errorf("list after forget: %q", list)
			}
		})
	}
}

// TestCommandsAllowed: only members with Manage Server (or Administrator)
// in a server pass, whatever the command.
func TestCommandsAllowed(t *testing.T) {
	t.Parallel()
	cm := scripture.NewCommands(nil, scripture.CommandsConfig{})
	for _, tc := range []struct {
		c  bot.Caller
		ok bool
	}{
		{bot.Caller{GuildID: "g", Permissions: "32"}, true},
		{bot.Caller{GuildID: "g", Permissions: "8"}, true},
		{bot.Caller{GuildID: "g", Permissions: strconv.FormatInt(1<<40|32, 10)}, true},
		{bot.Caller{GuildID: "g", Permissions: "16"}, false},
		{bot.Caller{GuildID: "g", Permissions: ""}, false},
		{bot.Caller{GuildID: "g", Permissions: "-32"}, false},
		{bot.Caller{GuildID: "", Permissions: "32"}, false},
	} {
		text, err := cm.Allowed(tc.c)
		if (err == nil) != tc.ok || (err != nil && (!errors.Is(err, bot.ErrForbidden) || text == "")) {
			t.Errorf("%+v: %q, %v", tc.c, text, err)
		}
	}
	// Each command checks for itself, before it touches the store (nil).
	member := bot.Caller{GuildID: "g", UserID: "1", Permissions: "0"}
	for name, f := range map[string]func() (string, error){
		"list":   func() (string, error) { return cm.List(t.Context(), member) },
		"remove": func() (string, error) { return cm.Remove(t.Context(), member, "x") },
		"forget": func() (string, error) { return cm.Forget(t.Context(), member, true) },
		"blend":  func() (string, error) { return cm.Blend(t.Context(), member, 5) },
	} {
		if _, err := f(); !errors.Is(err, bot.ErrForbidden) {
			t.Errorf("%s by a member: %v", name, err)
		}
	}
}

// TestHostileUploads: on both databases, each upload of the /retrain set
// of hostile files gets a clear reply, and leaves the server's other texts
// untouched; the markdown- and mention-laden one is learned, and what the
// replies say of it renders nothing.
func TestHostileUploads(t *testing.T) {
	t.Parallel()
	huge := bytes.Repeat([]byte("The Glow Cloud is vast. "), (9<<20)/24)
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "Hail the Glow Cloud." {
		utf16 = append(utf16, byte(r), 0)
	}
	markup := "# HEADLINE <@&123> @everyone [Free Nitro](https://evil.example/steam) ||spoiler|| `code` **bold** > quote\n" +
		strings.Repeat("The lighthouse keeper reads the [manual](http://evil.example) to <@1234> every night. ", 40)
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, s.open(t), scripture.Limits{Files: 3, Bytes: 64 << 10})
			h.add(t, admin, "harbour.txt", "", []byte(readText(t, "harbour.txt")))
			before := names(t, h.st, "g1")
			if len(before) != 1 {
				t.Fatalf("texts %q", before)
			}
			h.cdn.put("/lying-length/big.txt", huge[:1<<20])
			h.cdn.clen["/lying-length/big.txt"] = strconv.Itoa(20 << 20)
			h.cdn.put("/chunked/huge.txt", huge)
			h.cdn.chunk["/chunked/huge.txt"] = true
			for _, tc := range []struct {
				name, file, nameOpt string
				body                []byte
				path                string // served there instead of body
				size                int    // what Discord reports, if not len(body)
				want                string
			}{
				{name: "binary", file: "photo.txt", body: []byte("GIF89a\x00\x01\x02\x00"), want: "%f is not text the Glow Cloud can read"},
				{name: "UTF-16", file: "wide.txt", body: utf16, want: "%f is not text the Glow Cloud can read"},
				{name: "huge", file: "huge.txt", body: huge, want: "%f is larger than 8 MiB"},
				{name: "huge, reported small", file: "huge.txt", body: huge, size: 10, want: "%f is larger than 8 MiB"},
				{name: "huge, chunked", file: "huge.txt", path: "/chunked/huge.txt", size: 10, want: "%f is larger than 8 MiB"},
				{name: "lying Content-Length", file: "big.txt", path: "/lying-length/big.txt", size: 10, want: "%f is larger than 8 MiB"},
				{name: "past the server's bytes", file: "long.txt", body: bytes.Repeat([]byte("Hail the cloud. "), 5000), want: "past 64.0 KiB in all"},
				{name: "gone from the CDN", file: "gone.txt", path: "/nowhere/gone.txt", want: "could not download %f"},
				{name: "empty", file: "empty.txt", body: []byte(" \n\n "), want: "%f is empty"},
				{name: "duplicate name", file: "other.txt", nameOpt: "harbour", body: []byte("Another text. It is short. It is new."), want: "already has a text named harbour"},
				{name: "duplicate bytes", file: "copy.txt", body: []byte(readText(t, "harbour.txt")), want: "%f is already this server's scripture, as harbour"},
				{name: "no name left", file: "x.txt", nameOpt: "@@@ ***", body: []byte("Some text. More text."), want: "name: has no letters or digits"},
				{name: "markdown, mentions and a hostile file name", file: "[Free Nitro](https://evil.example) @everyone.md", body: []byte(markup), want: "has learned Free Nitro-https-evil-example-everyone: "},
				{name: "past the server's files", file: "third.txt", body: []byte("One more text. It is short. It is new."), want: ""},
				{name: "one too many", file: "fourth.txt", body: []byte("The fourth text. It is one too many."), want: "already has 3 texts"},
			} {
				a := bot.Attachment{ID: "a1", Filename: tc.file, ContentType: "text/plain", Size: len(tc.body)}
				if tc.size != 0 {
					a.Size = tc.size
				}
				if tc.path == "" {
					tc.path = "/t/" + strings.ReplaceAll(tc.name, " ", "-") + "/" + tc.file
					h.cdn.put(tc.path, tc.body)
				}
				a.URL = h.srv.URL + tc.path
				edits := h.addAttachment(t, admin, a, tc.nameOpt)
				last := edits[len(edits)-1]
				if tc.want = strings.ReplaceAll(tc.want, "%f", bot.DisplayName(tc.file)); !strings.Contains(last, tc.want) {
					t.Errorf("%s: reply %q, want %q", tc.name, last, tc.want)
				}
				got := names(t, h.st, "g1")
				if !slices.Equal(got[:1], before) {
					t.Errorf("%s: texts %q, want %q first", tc.name, got, before)
				}
			}
			if got := names(t, h.st, "g1"); len(got) != 3 {
				t.Errorf("texts %q, want harbour, the markup and the third", got)
			}
			list, err := h.cm.List(t.Context(), admin)
			if err != nil {
				t.Fatal(err)
			}
			if err := bottest.Inert(map[string]any{"content": list}, "<@1001>"); err != nil {
				t.Errorf("list %q: %v", list, err)
			}
		})
	}
}

// TestListFits: the list of a server with as many texts as it may have,
// each with the longest name, fits an embed's description (4096), which
// the core sends a reply longer than a message's content in.
func TestListFits(t *testing.T) {
	t.Parallel()
	st := stores[0].open(t)
	for i := range scripture.DefaultFiles {
		name := fmt.Sprintf("%02d %s", i, strings.Repeat("ü", scripture.MaxName-3))
		tx := text("g1", name, fmt.Sprintf("Text number %d. It is a text.", i))
		tx.AddedBy = "12345678901234567890"
		add(t, st, tx)
	}
	cm := scripture.NewCommands(st, scripture.CommandsConfig{})
	list, err := cm.List(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(list); n > 4096-200 || strings.Count(list, "\n- ") != scripture.DefaultFiles {
		t.Errorf("a list of %d characters, %d texts:\n%s", n, strings.Count(list, "\n- "), list)
	}
}

// countingStore counts the reads of a server's state (an add's polls).
type countingStore struct {
	scripture.Store
	reads atomic.Int64
}

func (c *countingStore) ScriptureGuild(ctx context.Context, guildID string) (scripture.Guild, error) {
	c.reads.Add(1)
	return c.Store.ScriptureGuild(ctx, guildID)
}

// lastEdit waits (a minute at most) for rs's edit satisfying ok, and
// returns it.
func lastEdit(t *testing.T, rs *bottest.Responder, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		calls := rs.Calls()
		if len(calls) > 0 {
			if c := calls[len(calls)-1].Reply.Content; ok(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no such edit within a minute: %+v", what, calls)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAddWaitsForItsTraining: with the trainer played by the test, an add
// made while a training runs says it is queued; an add answers only once a
// training of texts that include its own is done (not one of the texts as
// they were), with its own text's sentences; a failed training is said
// with its reason; a scripture forgotten meanwhile is said too.
func TestAddWaitsForItsTraining(t *testing.T) {
	t.Parallel()
	st := &countingStore{Store: stores[0].open(t)}
	cdn := &files{body: map[string][]byte{}, clen: map[string]string{}, chunk: map[string]bool{}}
	srv := httptest.NewServer(cdn)
	t.Cleanup(srv.Close)
	nudged := make(chan struct{}, 10)
	cm := scripture.NewCommands(st, scripture.CommandsConfig{Client: srv.Client(), Poll: 5 * time.Millisecond, Nudge: func() { nudged <- struct{}{} }})
	t.Cleanup(func() { _ = cm.Wait(context.Background()) })
	start := func(name, body string) *bottest.Responder {
		cdn.put("/"+name+".txt", []byte(body))
		rs := &bottest.Responder{}
		cm.Add(t.Context(), admin, bot.Attachment{ID: "a", Filename: name + ".txt", Size: len(body), URL: srv.URL + "/" + name + ".txt"}, "", rs)
		return rs
	}
	learning := func(s string) bool { return strings.HasPrefix(s, "The Glow Cloud is learning") }
	claim := func() scripture.Job {
		t.Helper()
		<-nudged
		j, ok, err := st.ClaimTraining(t.Context(), "test", time.Now(), time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		return j
	}
	finish := func(j scripture.Job, o scripture.Outcome) {
		t.Helper()
		o.At = time.Now()
		if ok, err := st.FinishTraining(t.Context(), j, o); err != nil || !ok {
			t.Fatalf("finish %+v: %v %v", j, ok, err)
		}
	}

	rsA := start("alpha", "Alpha text. It is the first.")
	lastEdit(t, rsA, "alpha stored", learning)
	j1 := claim() // training alpha alone
	rsB := start("beta", "Beta text. It is the second.")
	if got := lastEdit(t, rsB, "beta stored", learning); !strings.Contains(got, "queued behind it") {
		t.Errorf("an add during a training: %q", got)
	}
	finish(j1, scripture.Outcome{Model: []byte("model of alpha"), Summary: "learned 3 sentences", Sentences: map[string]int{"alpha": 3}})
	// Ten polls each: neither may answer from a model without beta.
	for n := st.reads.Load(); st.reads.Load() < n+20; {
		time.Sleep(time.Millisecond) // polls the count
	}
	if got := rsA.Calls(); !learning(got[len(got)-1].Reply.Content) {
		t.Errorf("alpha answered from a model its texts have changed since: %q", got[len(got)-1].Reply.Content)
	}
	j2 := claim()
	finish(j2, scripture.Outcome{Model: []byte("model of both"), Summary: "learned 7 sentences", Sentences: map[string]int{"alpha": 3, "beta": 4}})
	done := func(s string) bool { return !learning(s) }
	if got := lastEdit(t, rsA, "alpha learned", done); !strings.HasPrefix(got, "The Glow Cloud has learned alpha: 3 sentences from it. This server's scripture: learned 7 sentences.") {
		t.Errorf("alpha: %q", got)
	}
	if got := lastEdit(t, rsB, "beta learned", done); !strings.HasPrefix(got, "The Glow Cloud has learned beta: 4 sentences from it.") {
		t.Errorf("beta: %q", got)
	}

	rsC := start("gamma", "Gamma.")
	lastEdit(t, rsC, "gamma stored", learning)
	finish(claim(), scripture.Outcome{Err: "the texts hold no sentence of three words or more"})
	if got := lastEdit(t, rsC, "gamma failed", done); !strings.Contains(got, "gamma is stored, but the Glow Cloud could not learn this server's scripture: the texts hold no sentence of three words or more.") {
		t.Errorf("gamma: %q", got)
	}

	rsD := start("delta", "Delta text. It is the fourth.")
	lastEdit(t, rsD, "delta stored", learning)
	if _, err := st.ForgetGuild(t.Context(), admin.GuildID); err != nil {
		t.Fatal(err)
	}
	if got := lastEdit(t, rsD, "delta forgotten", done); !strings.Contains(got, "removed or forgotten while it was being learned") {
		t.Errorf("delta: %q", got)
	}
}

// TestBlendWithoutTexts: a blend set before any text is kept, said so,
// and forget deletes it.
func TestBlendWithoutTexts(t *testing.T) {
	t.Parallel()
	st := stores[0].open(t)
	cm := scripture.NewCommands(st, scripture.CommandsConfig{})
	if text, err := cm.Blend(t.Context(), admin, 30); err != nil || !strings.HasPrefix(text, "Set: once this server has scripture") {
		t.Errorf("blend: %q, %v", text, err)
	}
	if text, err := cm.Forget(t.Context(), admin, false); err != nil || !strings.Contains(text, "its blend (30 % essay)") {
		t.Errorf("forget's question: %q, %v", text, err)
	}
	if _, err := cm.Forget(t.Context(), admin, true); err != nil {
		t.Fatal(err)
	}
	if g, err := st.ScriptureGuild(t.Context(), admin.GuildID); err != nil || g.Essay != scripture.DefaultEssay {
		t.Errorf("after forget: %+v, %v", g, err)
	}
	if _, err := cm.Forget(t.Context(), admin, false); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("forget with nothing: %v", err)
	}
}
