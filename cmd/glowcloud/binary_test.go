package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStaticBinary builds the binary as the Dockerfile does (CGO_ENABLED=0,
// -trimpath) and runs it from an empty directory with nothing but
// environment variables: generation, version, serve, healthcheck and a
// clean SIGTERM shutdown. It is what the container would run.
func TestStaticBinary(t *testing.T) {
	t.Parallel()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(t.TempDir(), "glowcloud")
	build := exec.CommandContext(t.Context(), gobin, "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	empty := t.TempDir()
	cmd := func(env []string, args ...string) *exec.Cmd {
		c := exec.CommandContext(t.Context(), bin, args...)
		c.Dir = empty
		c.Env = append([]string{"PATH=/nonexistent"}, env...)
		return c
	}
	out, err := cmd(nil, "manifesto", "-seed", "7").Output()
	if err != nil || !strings.HasSuffix(string(out), "Hail the singularity! Hail the mighty Glow Cloud!\n") {
		t.Fatalf("manifesto from an empty directory: %v\n%s", err, out)
	}
	if out, err := cmd(nil, "version").Output(); err != nil || !strings.HasPrefix(string(out), "glowcloud ") {
		t.Errorf("version: %v %q", err, out)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("the binary left %d files in its directory", len(entries))
	}

	// serve with the HTTP endpoint on a free port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pub, _, _ := ed25519.GenerateKey(nil)
	var stderr bytes.Buffer
	serve := cmd([]string{"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub), "GLOWCLOUD_HTTP_ADDR=" + addr}, "serve")
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	healthy := func() int {
		err := cmd(nil, "healthcheck", "-addr", addr, "-timeout", "2s").Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for healthy() != 0 {
		select {
		case <-deadline:
			t.Fatalf("serve never became healthy:\n%s", stderr.String())
		case err := <-exited:
			t.Fatalf("serve exited: %v\n%s", err, stderr.String())
		case <-tick.C:
		}
	}
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM, want 0\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not exit within 10 s of SIGTERM")
	}
	if code := healthy(); code != 1 {
		t.Errorf("healthcheck with serve stopped exits %d, want 1", code)
	}
}
