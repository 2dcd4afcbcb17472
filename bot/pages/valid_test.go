package pages_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// needTool returns the path of a program a test needs, or skips the test
// loudly where it is absent; under CI (CI=true) it fails instead: .ci/run
// installs it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := "!!! " + name + " is not installed (apt-get install -y " + pkg + "): " + t.Name() + " is SKIPPED !!!"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " — but CI must run it")
	}
	t.Skip(msg)
	return ""
}

// TestValidHTML: every kind of page is valid HTML, as HTML Tidy reads it
// (errors fail; its warnings are reported).
func TestValidHTML(t *testing.T) {
	t.Parallel()
	tidy := needTool(t, "tidy", "tidy")
	h := pages.New(pages.Config{Writer: func() bot.Writer { return bottest.Writer{} }, PublicURL: public})
	thing, err := bot.ShownTopic(`<b>tea</b> & "cake"`)
	if err != nil {
		t.Fatal(err)
	}
	squint := bot.Piece{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 4, Topic: thing}
	for _, target := range []string{
		"/", "/m/" + tokenOf(t, manifesto), "/m/" + tokenOf(t, squint),
		"/m/" + tokenOf(t, bot.Piece{Kind: bot.CmdManifesto, Model: "0ld", Seed: 1, Paragraphs: 2, Topic: "x"}),
		"/m/nonsense", "/new?kind=squint",
	} {
		var b bytes.Buffer
		r := get(t, h, target, "192.0.2.1:1")
		b.WriteString(body(t, r))
		cmd := exec.Command(tidy, "-q", "-e", "--show-warnings", "yes", "-")
		cmd.Stdin = &b
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit) && exit.ExitCode() == 1:
			t.Logf("%s (%d): tidy warns:\n%s", target, r.StatusCode, out)
		default:
			t.Errorf("%s (%d): not valid HTML: %v\n%s", target, r.StatusCode, err, out)
		}
		if r.StatusCode == http.StatusOK && strings.Contains(string(out), "Warning") {
			t.Errorf("%s: tidy warns:\n%s", target, out)
		}
	}
}

// TestTidyCatches: the validity test can fail.
func TestTidyCatches(t *testing.T) {
	t.Parallel()
	tidy := needTool(t, "tidy", "tidy")
	cmd := exec.Command(tidy, "-q", "-e", "-")
	cmd.Stdin = strings.NewReader("<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></span></body></html>")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("tidy took broken HTML:\n%s", out)
	}
}
