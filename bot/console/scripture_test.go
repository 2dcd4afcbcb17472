package console_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/console"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// fakeScripture is a bot.Scripture whose add learns in the background,
// editing the reply twice, as scripture.Commands does.
type fakeScripture struct {
	paths   map[string]string // the local file of each attachment's URL
	mu      sync.Mutex
	learned []string
	running atomic.Int32
}

func (f *fakeScripture) Allowed(bot.Caller) (string, error) { return "", nil }

func (f *fakeScripture) Add(_ context.Context, c bot.Caller, file bot.Attachment, name string, rs bot.Responder) {
	f.running.Add(1)
	go func() {
		defer f.running.Add(-1)
		ctx := context.Background()
		_ = rs.Edit(ctx, bot.Reply{Content: "learning " + file.Filename, Ephemeral: true})
		data, err := os.ReadFile(f.paths[file.URL])
		if err != nil {
			_ = rs.Edit(ctx, bot.Reply{Content: "could not read it", Ephemeral: true})
			return
		}
		f.mu.Lock()
		f.learned = append(f.learned, fmt.Sprintf("%s %s %s %d=%d", c.GuildID, name, file.Filename, file.Size, len(data)))
		f.mu.Unlock()
		_ = rs.Edit(ctx, bot.Reply{Content: fmt.Sprintf("learned %d bytes as %s", len(data), name), Ephemeral: true})
	}()
}

func (f *fakeScripture) List(context.Context, bot.Caller) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return "texts: " + strings.Join(f.learned, ", "), nil
}
func (f *fakeScripture) Remove(context.Context, bot.Caller, string) (string, error) { return "", nil }
func (f *fakeScripture) Forget(context.Context, bot.Caller, bool) (string, error)   { return "", nil }
func (f *fakeScripture) Blend(context.Context, bot.Caller, int) (string, error)     { return "", nil }
func (f *fakeScripture) Names(context.Context, bot.Caller, string, int) []string    { return nil }

// TestConsoleScriptureAdd: /scripture add file:PATH attaches the local
// file (Options.Attach), is deferred as on Discord, and the console prints
// the add's edits before it reads the next line, so a /scripture list
// typed after it sees the text learned; a path that cannot be attached,
// or a console that takes no files, gets a notice and sends nothing.
func TestConsoleScriptureAdd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "our lore.txt")
	if err := os.WriteFile(path, []byte("We keep bees. The bees keep us."), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := &fakeScripture{paths: map[string]string{}}
	attach := func(p string) (bot.Attachment, error) {
		fi, err := os.Stat(p)
		if err != nil {
			return bot.Attachment{}, errors.New("no such file")
		}
		u := "http://console.invalid/1"
		sc.paths[u] = p
		return bot.Attachment{ID: "1", Filename: filepath.Base(p), Size: int(fi.Size()), URL: u}, nil
	}
	b := bottest.NewBot(bot.Config{Scripture: sc})
	script := strings.Join([]string{
		"/scripture add file:" + path + " name:lore",
		"/scripture list",
		"/scripture add file:" + filepath.Join(dir, "missing.txt"),
	}, "\n")
	var out syncBuilder
	opts := console.Options{Posts: console.NewPoster(), Attach: attach, Busy: func() bool { return sc.running.Load() > 0 }}
	if err := console.RunWith(t.Context(), b, strings.NewReader(script), &out, opts); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	want := []string{
		"The Glow Cloud is thinking…",
		"learning our lore.txt",
		"learned 31 bytes as lore",
		"texts: " + console.ConsoleGuild + " lore our lore.txt 31=31",
		"Cannot attach " + filepath.Join(dir, "missing.txt") + ": no such file",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("output lacks %q after position %d (in this order: %q):\n%s", w, at, want, got)
		}
		at += i + len(w)
	}

	out = syncBuilder{}
	if err := console.RunWith(t.Context(), bottest.NewBot(bot.Config{Scripture: &fakeScripture{}}), strings.NewReader("/scripture add file:"+path), &out, console.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "This console takes no files.") || strings.Contains(got, "thinking") {
		t.Errorf("a console without Attach: %q", got)
	}
}
