package main

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listening finds the address in serve's "http endpoint listening" log line.
var listening = regexp.MustCompile(`msg="http endpoint listening" addr=(\S+)`)

// TestStaticBinary builds the binary as the Dockerfile does (CGO_ENABLED=0,
// -trimpath) and runs it from an empty directory with nothing but
// environment variables: generation, version, serve, healthcheck and a
// clean SIGTERM shutdown. It is what the container would run.
//
// It takes a build, so -short skips it; CI runs it.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: run without -short")
	}
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

	// serve with the HTTP endpoint on port 0: the kernel picks a free port
	// and serve's log says which, so no other process can take it between
	// a test's choice and serve's listen.
	pub, _, _ := ed25519.GenerateKey(nil)
	serve := cmd([]string{"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(pub), "GLOWCLOUD_HTTP_ADDR=127.0.0.1:0"}, "serve")
	pipe, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	addrc := make(chan string, 1)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&stderr, line)
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addrc <- m[1]:
				default:
				}
			}
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-logged // Wait closes the pipe: read it all first
		exited <- serve.Wait()
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-exited:
		t.Fatalf("serve exited: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve never said where it listens:\n%s", stderr.String())
	}
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
