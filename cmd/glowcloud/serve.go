package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/reload"
	"github.com/glowcloud/glowcloud/retrain"
)

// watchInterval is how often serve checks GLOWCLOUD_MODEL for a new file.
const watchInterval = 2 * time.Second

// serveConfig is serve's configuration: flags, whose defaults come from the
// environment (CONTRACT.md).
type serveConfig struct {
	token, appID, guildID, publicKey, httpAddr, model, apiBase string
	operators, corpusDir, logFormat                            string
	shardID, shardCount                                        int
}

// runServe runs the Discord bot until ctx ends (SIGINT/SIGTERM), reloading
// the model on SIGHUP and when its file is replaced.
func (e environment) runServe(ctx context.Context, args []string) error {
	fs := e.flags("serve", "[flags]   (each flag defaults to its environment variable)")
	var c serveConfig
	str := func(p *string, name, env, help string) { fs.StringVar(p, name, e.getenv(env), help+" ($"+env+")") }
	str(&c.appID, "app-id", "DISCORD_APP_ID", "application id, to register commands without a gateway READY")
	str(&c.guildID, "guild", "DISCORD_GUILD_ID", "register commands to this guild only (instant updates while testing)")
	str(&c.publicKey, "public-key", "DISCORD_PUBLIC_KEY", "hex Ed25519 public key: enables POST /interactions")
	str(&c.httpAddr, "http-addr", "GLOWCLOUD_HTTP_ADDR", "listen address for /interactions, /healthz and /metrics")
	str(&c.model, "model", "GLOWCLOUD_MODEL", "model file (empty: the embedded essay)")
	str(&c.apiBase, "api-base", "DISCORD_API_BASE", "origin replacing https://discord.com for REST calls (a REST proxy)")
	str(&c.operators, "operators", "GLOWCLOUD_OPERATORS", "comma-separated user ids allowed to /retrain")
	str(&c.corpusDir, "corpus-dir", "GLOWCLOUD_CORPUS_DIR", "directory /retrain adds scripture to and trains from")
	str(&c.logFormat, "log-format", "GLOWCLOUD_LOG_FORMAT", "text or json (discordgo's own lines follow the environment variable)")
	var shardID, shardCount string
	str(&shardID, "shard-id", "SHARD_ID", "this process's shard, 0-based")
	str(&shardCount, "shard-count", "SHARD_COUNT", "number of shards")
	if err := parse(fs, args); err != nil {
		return err
	}
	// SIGHUP means "reload": catch it before anything slow, so that one
	// arriving during start-up does not end the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("serve: unexpected argument %q (serve is configured by environment)", fs.Arg(0))}
	}
	c.token = e.getenv("DISCORD_TOKEN") // never a flag: it would show in ps
	if c.model == "" && c.corpusDir != "" {
		// /retrain writes its model here; serve it from the next start on.
		c.model = filepath.Join(c.corpusDir, retrain.ModelName)
	}
	var err error
	if c.shardID, err = parseCount("SHARD_ID", shardID, 0); err != nil {
		return &usageError{msg: err.Error()}
	}
	if c.shardCount, err = parseCount("SHARD_COUNT", shardCount, 1); err != nil {
		return &usageError{msg: err.Error()}
	}
	log, err := newLogger(e.stderr, c.logFormat)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	var key ed25519.PublicKey
	if c.publicKey != "" {
		raw, err := hex.DecodeString(strings.TrimSpace(c.publicKey))
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return &usageError{msg: "DISCORD_PUBLIC_KEY: want the application's public key, 64 hex digits"}
		}
		key = raw
	}

	metrics := bot.NewMetrics()
	holder, err := newModelHolder(c.model, log)
	if err != nil {
		return err
	}
	metrics.SetModel(holder.Current().ModelID())
	holder.OnSwap = func(w *compose.Writer, err error) {
		metrics.ModelReloaded(err == nil)
		if err == nil {
			metrics.SetModel(w.ModelID())
		}
	}
	cfg := bot.Config{
		Writer:    func() bot.Writer { return holder.Current() },
		Logger:    log.With("component", "bot"),
		Metrics:   metrics,
		Operators: splitList(c.operators),
	}
	if c.corpusDir != "" {
		trainer := &retrain.Trainer{Dir: c.corpusDir, ModelPath: c.model, Swap: func(m *markov.Model) { holder.Swap(compose.New(m)) }}
		cfg.Retrainer = retrainer{trainer}
	}
	b := bot.New(cfg)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the model", "path", c.model)
				if err := holder.Reload(); errors.Is(err, reload.ErrNoPath) {
					log.Warn("SIGHUP: no model file configured (GLOWCLOUD_MODEL); nothing to reload")
				} // other errors are logged by the holder; the old model keeps serving
			}
		}
	}()
	go holder.Watch(ctx, watchInterval)

	log.Info("serving", "model", holder.Current().ModelID(), "gateway", c.token != "", "http", c.httpAddr,
		"interactions_endpoint", key != nil, "shard", c.shardID, "shards", c.shardCount)
	err = bot.Serve(ctx, bot.ServeConfig{
		Bot:        b,
		Metrics:    metrics,
		Logger:     log,
		Token:      bot.Token(c.token),
		AppID:      c.appID,
		GuildID:    c.guildID,
		Retrain:    c.corpusDir != "" && c.operators != "",
		PublicKey:  key,
		HTTPAddr:   c.httpAddr,
		APIBase:    c.apiBase,
		ShardID:    c.shardID,
		ShardCount: c.shardCount,
		Version:    versionString(),
		Ready:      e.ready,
	})
	if err != nil {
		return err // already says "serve: ..."
	}
	log.Info("stopped cleanly")
	return nil
}

// newModelHolder serves the model file at path, or the embedded essay when
// path is empty or cannot be loaded yet (then a valid file that appears
// later is picked up by the watch).
func newModelHolder(path string, log *slog.Logger) (*reload.Holder[*compose.Writer], error) {
	load := func(p string) (*compose.Writer, error) {
		m, err := loadModel(p)
		if err != nil {
			return nil, err
		}
		return compose.New(m), nil
	}
	w, err := load(path)
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no model file yet; serving the embedded essay until one appears", "path", path)
		w, err = load("")
	} else if err != nil {
		log.Error("cannot load the model; serving the embedded essay until a good file appears", "path", path, "err", err)
		if w, err = load(""); err != nil {
			return nil, err
		}
	}
	return reload.New(w, path, load, log.With("component", "reload")), nil
}

// runConsole runs the bot's commands at a local prompt.
func (e environment) runConsole(ctx context.Context, args []string) error {
	fs := e.flags("console", "[-model FILE]")
	modelPath := fs.String("model", e.getenv("GLOWCLOUD_MODEL"), "model `file` (default: $GLOWCLOUD_MODEL, else the embedded essay)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	w := compose.New(m)
	b := bot.New(bot.Config{
		Writer:   func() bot.Writer { return w },
		Cooldown: -1, // one person at a prompt needs no spam guard
	})
	return b.Console(ctx, e.stdin, e.stdout)
}

// newLogger returns serve's logger: text (the default) or JSON on w.
func newLogger(w interface{ Write([]byte) (int, error) }, format string) (*slog.Logger, error) {
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("GLOWCLOUD_LOG_FORMAT %q: want text or json", format)
}

// parseCount parses a whole number setting, def when empty.
func parseCount(name, v string, def int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a whole number", name, v)
	}
	return n, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
