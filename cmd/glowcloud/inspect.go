package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
)

// runInspect describes a model file.
func (e environment) runInspect(ctx context.Context, args []string) error {
	fs := e.flags("inspect", "[-model FILE] [-seed N]")
	modelPath := e.modelFlag(fs)
	seed := seedFlag{v: 1}
	fs.Var(&seed, "seed", "random seed `N` of the sample sentences, 0 to 2^53-1")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("inspect: unexpected argument %q", fs.Arg(0))}
	}
	m, err := e.loadModel(ctx, *modelPath)
	if err != nil {
		return err
	}
	meta := m.Meta()
	name := *modelPath
	if name == "" {
		name = "(embedded essay)"
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "model\t%s\n", name)
	fmt.Fprintf(tw, "id\t%s\n", m.ID())
	fmt.Fprintf(tw, "format\t%d\n", meta.Format)
	fmt.Fprintf(tw, "order\t%d\n", meta.Order)
	fmt.Fprintf(tw, "corpus sha256\t%s\n", meta.CorpusSHA256)
	fmt.Fprintf(tw, "trained at\t%s\n", meta.TrainedAt.Format(time.RFC3339))
	fmt.Fprintf(tw, "sentences\t%d\n", meta.Sentences)
	fmt.Fprintf(tw, "words\t%d\n", meta.Words)
	fmt.Fprintf(tw, "vocabulary\t%d distinct words\n", meta.Vocabulary)
	fmt.Fprintf(tw, "states\t%d\n", meta.States)
	fmt.Fprintf(tw, "transitions\t%d\n", meta.Transitions)
	fmt.Fprintf(tw, "headings\t%d\n", len(m.Headings()))
	tw.Flush()
	b.WriteString("\nmost common openings:\n")
	for _, o := range m.Openings(10) {
		fmt.Fprintf(&b, "  %6d  %s\n", o.Count, o.Word)
	}
	b.WriteString("\nsample sentences:\n")
	rng := compose.NewRand(seed.v)
	for i := 0; i < 3; i++ {
		s, err := m.Sentence(rng, markov.Options{})
		if err != nil {
			fmt.Fprintf(&b, "  (none: %v)\n", err)
			continue
		}
		fmt.Fprintf(&b, "  - %s\n", s.Text)
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// runVersion prints the module version and VCS revision.
func (e environment) runVersion(args []string) error {
	fs := e.flags("version", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := fmt.Fprintln(e.stdout, versionString())
	return err
}

// buildVersion, when set at link time (go build -ldflags "-X
// main.buildVersion=v1.2.3", as the Dockerfile's VERSION argument does),
// names the version of a build whose module version is "(devel)".
var buildVersion string

// versionString describes this build: module version, VCS revision and
// time, and the Go version.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "glowcloud (unknown version)"
	}
	version := info.Main.Version
	if buildVersion != "" && (version == "" || version == "(devel)") {
		version = buildVersion
	}
	if version == "" {
		version = "(devel)"
	}
	rev, when, dirty := "unknown", "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	out := fmt.Sprintf("glowcloud %s revision %s", version, rev)
	if dirty {
		out += "+dirty"
	}
	if when != "" {
		out += " (" + when + ")"
	}
	return out + " " + info.GoVersion
}

// runHealthcheck asks a running serve's /healthz; it succeeds (exit 0) only
// on 200 OK.
func (e environment) runHealthcheck(ctx context.Context, args []string) error {
	fs := e.flags("healthcheck", "[-addr HOST:PORT] [-timeout DURATION]")
	def := e.getenv("GLOWCLOUD_HTTP_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	addr := fs.String("addr", def, "`HOST:PORT` of serve's HTTP endpoint ($GLOWCLOUD_HTTP_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for an answer, a Go `DURATION`")
	// A container HEALTHCHECK knows only 0 (healthy) and 1 (unhealthy):
	// even a bad command line exits 1 here.
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("healthcheck: %w", err)
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("healthcheck: -addr %q: %w", *addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1" // a server listening on all addresses answers on loopback
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
