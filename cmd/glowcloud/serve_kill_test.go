package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/internal/testmain"
	"github.com/glowcloud/glowcloud/proclaim"
)

// TestServeHelperProcess is not a test: TestServeKilled runs the test
// binary again with GLOWCLOUD_TEST_SERVE set, and then this is serve, in a
// process of its own that can be killed.
func TestServeHelperProcess(t *testing.T) {
	if os.Getenv("GLOWCLOUD_TEST_SERVE") != "1" {
		t.Skip("the serve process of TestServeKilled")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := environment{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, setMemoryLimit: debug.SetMemoryLimit}
	for name, d := range map[string]*time.Duration{
		"GLOWCLOUD_TEST_SCRIPTURE_LEASE": &env.scriptureLease,
		"GLOWCLOUD_TEST_SCRIPTURE_POLL":  &env.scripturePoll,
	} {
		if v := os.Getenv(name); v != "" {
			var err error
			if *d, err = time.ParseDuration(v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	err := env.run(ctx, []string{"serve"})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// serveProcess starts serve in a child process with env and returns it
// with the base URL of its HTTP endpoint.
func serveProcess(t testing.TB, env []string) (*exec.Cmd, string) {
	t.Helper()
	cmd, base, _ := serveProcessLog(t, env)
	return cmd, base
}

// serveProcessLog is serveProcess, and what the process writes on stderr.
func serveProcessLog(t testing.TB, env []string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestServeHelperProcess$")
	cmd.Env = append(testmain.ChildEnv(nil), append(env, "GLOWCLOUD_TEST_SERVE=1")...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			fmt.Fprintln(stderr, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	select {
	case addr := <-addrc:
		return cmd, "http://" + addr, stderr
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not listen within 30 s\n%s", stderr.String())
	}
	return nil, "", nil
}

// proclaimEnv is the environment of a serve process that answers signed
// interactions and posts proclamations to fake, on a fresh SQLite file.
func proclaimEnv(t *testing.T, fake *discordtest.Server, pub ed25519.PublicKey) []string {
	return []string{
		"DISCORD_TOKEN=" + proclaimToken,
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR=127.0.0.1:0",
		"DISCORD_API_BASE=" + fake.URL(),
		"GLOWCLOUD_PROCLAIM_MIN=1s",
		"GLOWCLOUD_DATABASE=" + filepath.Join(t.TempDir(), "glowcloud.db"),
		"GLOWCLOUD_LOG_FORMAT=text",
	}
}

// TestServeKilled: serve killed with SIGKILL right after admins set two
// schedules and a hush keeps them all: a new serve on the same SQLite file
// lists them, and posts the due one once the hush is lifted.
func TestServeKilled(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := proclaimEnv(t, fake, pub)
	first, base := serveProcess(t, env)
	const other = "1300000000000000777"
	for _, cmd := range []string{
		adminCommand(fake, adminPermissions, "start", map[string]string{"every": "1s"}),
		adminCommand(fake, adminPermissions, "start", map[string]string{"every": "1d", "channel": other, "kind": "manifesto", "topic": "tea"}),
		adminCommand(fake, adminPermissions, "", map[string]string{"for": "1h"}),
	} {
		answer(t, base, priv, cmd)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown at all
		t.Fatal(err)
	}
	_ = first.Wait()

	second, base := serveProcess(t, env)
	defer func() { _ = second.Process.Kill(); _ = second.Wait() }()
	list := answer(t, base, priv, adminCommand(fake, adminPermissions, "list", nil))
	for _, want := range []string{
		"(2 of at most 5)",
		"<#" + discordtest.DefaultChannelID + "> every 1s, glowcloud",
		"<#" + other + "> every 1d, manifesto on “tea”",
		"Hushed until",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("after SIGKILL and restart, /proclaim list lacks %q:\n%s", want, list)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	health, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(health), `"database":"ok"`) {
		t.Errorf("/healthz says %s, want database ok", health)
	}
	answer(t, base, priv, adminCommand(fake, adminPermissions, "", map[string]string{"for": "off"}))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := fake.WaitChannelMessages(ctx, discordtest.DefaultChannelID, 1); err != nil {
		t.Errorf("the restarted serve posts nothing: %v", err)
	}
}

// TestTwoServesShareOneFile: two serve processes on one SQLite file post
// each slot of a schedule once: a post a slot at every:500ms
// (GLOWCLOUD_PROCLAIM_MIN=500ms), each with a seed (derived from the slot)
// of its own, and never more posts than slots due. It waits for the first
// six slots however slow the machine, and judges the count against the
// slots due by the time it is read, measured, rather than against a fixed
// window of real time (which failed on a loaded machine).
func TestTwoServesShareOneFile(t *testing.T) {
	if testing.Short() {
		t.Skip("waits ~4 s of real time: run without -short")
	}
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	const every = 500 * time.Millisecond
	env := append(proclaimEnv(t, fake, pub), "GLOWCLOUD_PROCLAIM_MIN="+every.String())
	var bases []string
	for range 2 {
		p, base := serveProcess(t, env)
		t.Cleanup(func() { _ = p.Process.Kill(); _ = p.Wait() })
		bases = append(bases, base)
	}
	before := time.Now()
	answer(t, bases[0], priv, adminCommand(fake, adminPermissions, "start", map[string]string{"every": every.String()}))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := fake.WaitChannelMessages(ctx, discordtest.DefaultChannelID, 6); err != nil {
		t.Fatalf("six slots at every:%v: %v (%d posts)", every, err, len(fake.ChannelMessages(discordtest.DefaultChannelID)))
	}
	posts := fake.ChannelMessages(discordtest.DefaultChannelID)
	// Slot k falls due k×every after the start was taken, which was after
	// before.
	due := int(time.Since(before) / every)
	seen := map[string]bool{}
	for _, m := range posts {
		raw, _ := json.Marshal(m["embeds"])
		if seen[string(raw)] {
			t.Errorf("a slot was posted twice: %s", raw)
		}
		seen[string(raw)] = true
	}
	if n := len(posts); n > due {
		t.Errorf("%d posts from two processes with %d slots due at every:%v", n, due, every)
	}
	// The other process sees the schedule too.
	if list := answer(t, bases[1], priv, adminCommand(fake, adminPermissions, "list", nil)); !strings.Contains(list, "every "+proclaim.FormatDuration(every)) {
		t.Errorf("the second process lists %q", list)
	}
}
