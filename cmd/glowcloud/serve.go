package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/bot/post"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/bot/serve"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/discordsig"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/quiz"
	"github.com/glowcloud/glowcloud/reload"
	"github.com/glowcloud/glowcloud/retrain"
)

// watchInterval is how often serve checks GLOWCLOUD_MODEL for a new file.
const watchInterval = 2 * time.Second

// serveConfig is serve's configuration: flags, whose defaults come from the
// environment (CONTRACT.md), parsed and checked.
type serveConfig struct {
	token, appID, guildID, httpAddr, model, apiBase string
	operators, corpusDir, logFormat, modelMax       string
	database                                        string
	publicURL                                       string         // GLOWCLOUD_PUBLIC_URL, checked: share links
	pages                                           bool           // serve the pages (GLOWCLOUD_PAGES, on with a public URL)
	proxies                                         []netip.Prefix // GLOWCLOUD_TRUSTED_PROXIES: whose X-Forwarded-For the pages' rate limit believes
	shardID, shardCount                             int
	key                                             ed25519.PublicKey // nil: no HTTP interactions endpoint
	cooldown, proclaimMin                           time.Duration
	quizSeconds                                     int
	pinned                                          bool // GLOWCLOUD_MODEL set: it wins over a published model
	scripture                                       scriptureConfig
}

// runServe runs the Discord bot until ctx ends (SIGINT/SIGTERM), reloading
// the model on SIGHUP and when its file is replaced.
func (e environment) runServe(ctx context.Context, args []string) error {
	hup, stop := e.reloadSignal()
	defer stop()
	c, err := e.parseServe(args)
	if err != nil {
		return err
	}
	log, err := e.serveLogger(c.logFormat)
	if err != nil {
		return err
	}
	metrics := metrics.New()
	loader, holder, err := c.loadModel(ctx, metrics, log)
	if err != nil {
		return err
	}
	// The database: schedules, hushes and the cooldowns, which every
	// process on it shares (PostgreSQL replicas, or processes on one SQLite
	// file: a take is one upsert, about 0.4 ms with SQLite's fsync; see
	// BENCHMARKS.md).
	db, err := openDatabase(ctx, c.database, false, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer db.Close() // after the background work and serve.Run have returned
	clock := e.clock
	if clock == nil {
		clock = proclaim.SystemClock{}
	}
	// Rounds of /quiz are revealed by whichever replica claims their end,
	// through the interaction's webhook: no token needed, so every serve
	// runs the Runner.
	quizClock := e.quizClock
	if quizClock == nil {
		quizClock = proclaim.SystemClock{}
	}
	reveals, err := c.quizRunner(db, quizClock, metrics, log)
	if err != nil {
		return err
	}
	// Every server's scripture: its blend for its commands and posts, and
	// the trainer of its texts (every serve runs one; the store's claims
	// keep each training to one process).
	var training func(int64) func()
	if e.setMemoryLimit != nil && c.scripture.on && e.getenv("GOMEMLIMIT") == "" && e.getenv("GOGC") == "" {
		limit := newMemoryLimit(e.setMemoryLimit, c.scripture.cache)
		training = limit.train
		log.Info("soft memory limit: the scripture cache plus 64 MiB, raised while a training runs (set GOMEMLIMIT to choose)",
			"limit_bytes", limit.base)
	}
	scriptures := c.scriptureService(db, holder, loader, metrics, log, training)
	cfg := bot.Config{
		Writer:        func() bot.Writer { return holder.Current() },
		Quiz:          quiz.NewCommands(db, quiz.Config{Seconds: c.quizSeconds, Now: quizClock.Now, Ended: reveals.Nudge}),
		Logger:        log.With("component", "bot"),
		Metrics:       metrics,
		Cooldown:      c.cooldown,
		Operators:     splitList(c.operators),
		Admin:         proclaim.NewCommands(db, c.proclaimMin, clock.Now),
		CooldownStore: db,
		PublicURL:     c.publicURL,
	}
	// retrained, once set (before serve starts answering), publishes a
	// model /retrain made, for every replica on the database.
	var retrained func(*markov.Model)
	var background []serve.Waiter
	if scriptures != nil {
		cfg.WriterFor = scriptures.WriterFor
		background = append(background, scriptures)
		commands, err := c.scriptureCommands(db, scriptures, log)
		if err != nil {
			return err
		}
		cfg.Scripture = commands
		background = append(background, commands) // its adds edit their replies before shutdown ends
	}
	if c.corpusDir != "" {
		runner, err := c.retrainer(holder, func(m *markov.Model) {
			if retrained != nil {
				retrained(m)
			}
		}, metrics, log)
		if err != nil {
			return err
		}
		cfg.Retrainer = runner
		background = append(background, runner)
	}
	b := bot.New(cfg)

	// The model's reloads, the published model and the proclamations end
	// with ctx, and serve returns only once they have.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	e.watchModel(ctx, &wg, hup, holder, c.model, log)
	published := newPublishWatcher(ctx, loader, db, holder, c.pinned, e.publishEvery, log)
	syncPublished(ctx, published)
	wg.Go(func() { published.Run(ctx) })
	if !c.pinned {
		retrained = func(m *markov.Model) { publishRetrained(ctx, db, published, m, log) }
	}
	wg.Go(func() { _ = reveals.Run(ctx) }) // returns nil once ctx ends and its edits are done
	if scriptures != nil {
		wg.Go(func() { _ = scriptures.Run(ctx) }) // returns nil once ctx ends; its trainings give their jobs back
	}
	if c.token != "" {
		runner, err := c.proclaimer(db, holder, cfg.WriterFor, clock, metrics, log)
		if err != nil {
			return err
		}
		wg.Go(func() { _ = runner.Run(ctx) }) // returns nil once ctx ends and its posts are done
	} else {
		log.Info("no DISCORD_TOKEN: scheduled proclamations are stored but not posted by this process")
	}

	log.Info("serving", "model", holder.Current().ModelID(), "gateway", c.token != "", "http", c.httpAddr,
		"pages", c.pages, "public_url", c.publicURL,
		"interactions_endpoint", c.key != nil, "shard", c.shardID, "shards", c.shardCount,
		"database", databaseKind(c.database), "scripture", c.scripture.on, "proclaim_min", c.proclaimMin, "quiz_seconds", c.quizSeconds)
	sc := c.serveRun(b, metrics, log, background)
	sc.Pages = c.pageHandler(holder, metrics, log)
	sc.Ready = e.ready
	sc.HealthDetail = func() map[string]any {
		d := replicaHealth(holder, published)()
		d["database"] = databaseHealth(ctx, db)
		if scriptures != nil {
			d["scripture"] = scriptureHealth(scriptures)
		}
		return d
	}
	if err := serve.Run(ctx, sc); err != nil {
		return err // already says "serve: ..."
	}
	log.Info("stopped cleanly")
	return nil
}

// reloadSignal returns the channel that says "reload the model": SIGHUP,
// caught before anything slow, so that one arriving during start-up does
// not end the process; tests hand in their own channel (e.reload) instead
// of signalling the whole test process. stop releases the signal.
func (e environment) reloadSignal() (hup <-chan os.Signal, stop func()) {
	if e.reload != nil {
		return e.reload, func() {}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	return sig, func() { signal.Stop(sig) }
}

// serveLogger returns serve's logger in format (a bad one is a usage
// error). discordgo logs through a package variable, discordgo.Logger: it
// is pointed at the same logger (so it follows -log-format), but only when
// that logger writes to a real file, the process's stderr. Tests run many
// serves at once, into buffers, and must not race on the global.
func (e environment) serveLogger(format string) (*slog.Logger, error) {
	log, err := newLogger(e.stderr, format)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	if _, ok := e.stderr.(*os.File); ok {
		discordgo.Logger = discord.Logger(log)
	}
	return log, nil
}

// loadModel loads the model serve starts with (see newModelHolder) and
// has metrics follow its reloads.
func (c serveConfig) loadModel(ctx context.Context, metrics *metrics.Metrics, log *slog.Logger) (markov.Loader, *reload.Holder[*compose.Writer], error) {
	loader, err := modelLoader(c.modelMax)
	if err != nil {
		return markov.Loader{}, nil, err
	}
	holder, err := newModelHolder(ctx, loader, c.model, log)
	if err != nil {
		return markov.Loader{}, nil, err
	}
	metrics.SetModel(holder.Current().ModelID())
	holder.OnSwap = func(w *compose.Writer, err error) {
		metrics.ModelReloaded(err == nil)
		if err == nil {
			metrics.SetModel(w.ModelID())
		}
	}
	return loader, holder, nil
}

// pageHandler returns the pages' handler, or nil when serve shows none.
func (c serveConfig) pageHandler(holder *reload.Holder[*compose.Writer], metrics *metrics.Metrics, log *slog.Logger) http.Handler {
	if !c.pages {
		return nil
	}
	return pages.New(pages.Config{
		Writer:         func() bot.Writer { return holder.Current() },
		PublicURL:      c.publicURL,
		TrustedProxies: c.proxies,
		Metrics:        metrics,
		Log:            log.With("component", "pages"),
	})
}

// serveRun is serve.Run's configuration from serve's.
func (c serveConfig) serveRun(b *bot.Bot, metrics *metrics.Metrics, log *slog.Logger, background []serve.Waiter) serve.Config {
	return serve.Config{
		Bot:        b,
		Metrics:    metrics,
		Logger:     log,
		Token:      rest.Token(c.token),
		AppID:      c.appID,
		GuildID:    c.guildID,
		Retrain:    c.corpusDir != "" && c.operators != "",
		Scripture:  c.scripture.on,
		PublicKey:  c.key,
		HTTPAddr:   c.httpAddr,
		APIBase:    c.apiBase,
		ShardID:    c.shardID,
		ShardCount: c.shardCount,
		Background: background,
		Version:    versionString(),
	}
}

// parseServe reads serve's flags (each defaulting to its environment
// variable) and DISCORD_TOKEN, and checks them: a bad value, or nothing to
// serve, is a usage error.
func (e environment) parseServe(args []string) (serveConfig, error) {
	fs := e.flags("serve", "[flags]   (each flag defaults to its environment variable; DISCORD_TOKEN has no flag)")
	var c serveConfig
	// str defines a flag defaulting to env; help names its argument in
	// backquotes and may end in "; unset: ..." for what an unset env means.
	str := func(p *string, name, env, help string) {
		text, unset, _ := strings.Cut(help, "; unset: ")
		if unset != "" {
			unset = "; unset: " + unset
		}
		fs.StringVar(p, name, e.getenv(env), text+" ($"+env+unset+")")
	}
	var publicKey, cooldown, proclaimMin, quizSeconds, shardID, shardCount, publicURL, pagesOn, proxies string
	str(&c.appID, "app-id", "DISCORD_APP_ID", "application `ID`, to register commands without a gateway READY")
	str(&c.guildID, "guild", "DISCORD_GUILD_ID", "register commands to this guild `ID` only (instant updates while testing); unset: globally")
	str(&publicKey, "public-key", "DISCORD_PUBLIC_KEY", "the application's public `KEY` (64 hex digits): enables POST /interactions")
	str(&c.httpAddr, "http-addr", "GLOWCLOUD_HTTP_ADDR", "listen `ADDRESS` for /interactions, /healthz and /metrics, e.g. 127.0.0.1:8080; unset: no HTTP")
	str(&c.model, "model", "GLOWCLOUD_MODEL", "model `FILE` from 'glowcloud train'; unset: the published model, else the embedded essay")
	str(&c.modelMax, "model-max", "GLOWCLOUD_MODEL_MAX", "largest model file loaded, a `SIZE` such as 512MiB or 1GB; unset: 256MiB")
	c.apiBase = e.getenv("DISCORD_API_BASE")
	fs.Var(secretURL{&c.apiBase}, "api-base", "`ORIGIN` replacing https://discord.com for REST calls, a REST proxy ($DISCORD_API_BASE)")
	str(&c.operators, "operators", "GLOWCLOUD_OPERATORS", "comma-separated user `IDS` allowed to /retrain")
	str(&c.corpusDir, "corpus-dir", "GLOWCLOUD_CORPUS_DIR", "`DIR` /retrain adds scripture to and trains from; unset: no /retrain")
	str(&c.logFormat, "log-format", "GLOWCLOUD_LOG_FORMAT", "`FORMAT` of the log, text or json; unset: text")
	str(&cooldown, "cooldown", "GLOWCLOUD_COOLDOWN", "per-user pause between generating commands, a Go `DURATION`, 0 for none; unset: 3s")
	str(&proclaimMin, "proclaim-min", "GLOWCLOUD_PROCLAIM_MIN", "shortest interval /proclaim start accepts, a Go `DURATION`; unset: 1h")
	str(&quizSeconds, "quiz-seconds", "GLOWCLOUD_QUIZ_SECONDS", "how long a /quiz round takes votes, in `SECONDS` (5 to 600); unset: 20")
	str(&publicURL, "public-url", "GLOWCLOUD_PUBLIC_URL", "the public `URL` of the pages, e.g. https://glow.example: replies and posts carry a Share link to theirs; unset: no links")
	str(&pagesOn, "pages", "GLOWCLOUD_PAGES", "`on` or off: serve GET / and /m/{token} on the HTTP address; unset: on when a public URL is set")
	str(&proxies, "trusted-proxies", "GLOWCLOUD_TRUSTED_PROXIES", "comma-separated `ADDRESSES` or networks of the reverse proxies in front of the pages, whose X-Forwarded-For names the client the pages' rate limit counts; unset: none")
	dbFlag := e.databaseFlag(fs)
	scriptureFlags := e.scriptureFlags(fs)
	str(&shardID, "shard-id", "SHARD_ID", "this process's shard `N`, 0-based; unset: 0")
	str(&shardCount, "shard-count", "SHARD_COUNT", "`N` shards in all; unset: 1")
	if err := parse(fs, args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, &usageError{msg: fmt.Sprintf("serve: unexpected argument %q (serve is configured by environment)", fs.Arg(0))}
	}
	c.database = *dbFlag
	c.token = e.getenv("DISCORD_TOKEN") // never a flag: it would show in ps
	c.pinned = c.model != ""
	if c.model == "" && c.corpusDir != "" {
		// /retrain writes its model here; serve it from the next start on.
		c.model = filepath.Join(c.corpusDir, retrain.ModelName)
	}
	var err error
	if c.scripture, err = scriptureFlags.check(); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.shardID, err = parseCount("SHARD_ID", shardID, 0); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.shardCount, err = parseCount("SHARD_COUNT", shardCount, 1); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.cooldown, err = parseCooldown(cooldown); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.proclaimMin, err = parseProclaimMin(proclaimMin); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.quizSeconds, err = quiz.ParseSeconds(quizSeconds); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.publicURL, err = pages.ParsePublicURL(publicURL); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if c.proxies, err = pages.ParseProxies(proxies); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	switch strings.ToLower(strings.TrimSpace(pagesOn)) {
	case "":
		c.pages = c.publicURL != ""
	case "on", "true", "1", "yes":
		c.pages = true
	case "off", "false", "0", "no":
	default:
		return c, &usageError{msg: fmt.Sprintf("GLOWCLOUD_PAGES=%q: want on or off", pagesOn)}
	}
	if c.pages && c.httpAddr == "" {
		return c, &usageError{msg: "serve: the pages (GLOWCLOUD_PAGES, or GLOWCLOUD_PUBLIC_URL) need an HTTP address: set GLOWCLOUD_HTTP_ADDR (-http-addr), or GLOWCLOUD_PAGES=off when another process serves them"}
	}
	if _, err := newLogger(io.Discard, c.logFormat); err != nil {
		return c, &usageError{msg: err.Error()}
	}
	if publicKey != "" {
		// A placeholder (64 zeros, say) would let anyone forge interactions:
		// discordsig accepts only keys that can verify nothing forged.
		if c.key, err = discordsig.ParsePublicKey(publicKey); err != nil {
			return c, &usageError{msg: fmt.Sprintf("DISCORD_PUBLIC_KEY: %v; want the application's public key from the Developer Portal (General Information), 64 hex digits", err)}
		}
	}
	if c.token == "" && (c.key == nil || c.httpAddr == "") && !c.pages {
		return c, &usageError{msg: "serve: nothing to serve: set DISCORD_TOKEN for the gateway, or DISCORD_PUBLIC_KEY and GLOWCLOUD_HTTP_ADDR (-public-key, -http-addr) for the HTTP interactions endpoint, or GLOWCLOUD_PAGES=on with GLOWCLOUD_HTTP_ADDR for the pages alone"}
	}
	c.scripture.lease, c.scripture.poll = e.scriptureLease, e.scripturePoll
	return c, nil
}

// retrainer is /retrain's runner: it trains from the corpus directory,
// downloading attachments through the REST client (so DISCORD_API_BASE
// applies to them as to every REST call), swaps the new model in and hands
// it to published.
func (c serveConfig) retrainer(holder *reload.Holder[*compose.Writer], published func(*markov.Model), metrics retrain.Recorder, log *slog.Logger) (*retrain.Runner, error) {
	client, err := rest.Client(nil, c.apiBase)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	trainer := &retrain.Trainer{Dir: c.corpusDir, ModelPath: c.model, Swap: func(m *markov.Model) {
		w := compose.New(m)
		w.Warm()
		holder.Swap(w)
		published(m)
	}}
	return retrain.NewRunner(trainer, retrain.RunnerConfig{Client: client, Log: log.With("component", "retrain"), Metrics: metrics}), nil
}

// watchModel reloads the model file on each value of hup (SIGHUP) and
// whenever the file is replaced, on goroutines of wg that end with ctx.
func (e environment) watchModel(ctx context.Context, wg *sync.WaitGroup, hup <-chan os.Signal, holder *reload.Holder[*compose.Writer], path string, log *slog.Logger) {
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the model", "path", path)
				if err := holder.Reload(); errors.Is(err, reload.ErrNoPath) {
					log.Warn("SIGHUP: no model file configured (GLOWCLOUD_MODEL); nothing to reload")
				} // other errors are logged by the holder; the old model keeps serving
			}
		}
	})
	every := e.watchEvery
	if every == 0 {
		every = watchInterval
	}
	wg.Go(func() { holder.Watch(ctx, every) })
}

// proclaimer is the Runner of scheduled proclamations: posted over REST
// with the bot token, so they need no gateway intent and run in HTTP-only
// mode too. Each server's posts come from writerFor's Writer for it (its
// scripture), as its commands' replies do; nil: the essay's everywhere.
func (c serveConfig) proclaimer(db database, holder *reload.Holder[*compose.Writer], writerFor func(context.Context, string) bot.Writer, clock proclaim.Clock, metrics proclaim.Metrics, log *slog.Logger) (*proclaim.Runner, error) {
	client, err := rest.Client(nil, c.apiBase)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return proclaim.NewRunner(db,
		post.NewWriter(func() bot.Writer { return holder.Current() }, c.publicURL).ForGuild(writerFor),
		post.NewPoster(client, rest.UserAgent(versionString()), rest.Token(c.token)),
		// A slot is posted within a poll of its time: 1 s, or a quarter of
		// the shortest interval when that is shorter (tests).
		proclaim.RunnerConfig{Clock: clock, Log: log, Metrics: metrics, Poll: min(time.Second, c.proclaimMin/4)}), nil
}

// quizRunner is the Runner that reveals /quiz rounds: edits through the
// REST client (DISCORD_API_BASE), on serve's clock.
func (c serveConfig) quizRunner(db database, clock proclaim.Clock, metrics quiz.Metrics, log *slog.Logger) (*quiz.Runner, error) {
	client, err := rest.Client(nil, c.apiBase)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return quiz.NewRunner(db, post.NewEditor(client, rest.UserAgent(versionString())),
		// Polled every 250 ms: a round is revealed within about that of its
		// end (a vote that ends a DM's round nudges it at once).
		quiz.RunnerConfig{Clock: clock, Log: log, Metrics: metrics, Poll: 250 * time.Millisecond}), nil
}

// newModelHolder serves the model file at path, or the embedded essay when
// path is empty or cannot be loaded yet (then a valid file that appears
// later is picked up by the watch).
func newModelHolder(ctx context.Context, l markov.Loader, path string, log *slog.Logger) (*reload.Holder[*compose.Writer], error) {
	load := func(p string) (*compose.Writer, error) {
		m, err := loadModel(ctx, l, p)
		if err != nil {
			return nil, err
		}
		// Built before the swap, so the first interactions on a new model
		// do not pay for its indexes (a second of CPU on a 5 MB corpus).
		w := writerOf(m)
		w.Warm()
		return w, nil
	}
	w, err := load(path)
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no model file yet; serving the embedded essay until one appears", "path", path)
		if w, err = load(""); err != nil {
			return nil, err
		}
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
	fs := e.flags("console", "[-model FILE] [-speed N] [-proclaim-min DURATION] [-quiz-seconds N] [-public-url URL]")
	modelPath := e.modelFlag(fs)
	speed := fs.Float64("speed", 60, "the console's clock runs `N` times faster than real time (60: /proclaim start every:1h posts each minute)")
	minFlag := fs.String("proclaim-min", e.getenv("GLOWCLOUD_PROCLAIM_MIN"), "shortest interval /proclaim start accepts, a Go `DURATION` ($GLOWCLOUD_PROCLAIM_MIN; unset: 1h)")
	quizFlag := fs.String("quiz-seconds", e.getenv("GLOWCLOUD_QUIZ_SECONDS"), "how long a /quiz round takes votes, in real `SECONDS`, whatever -speed ($GLOWCLOUD_QUIZ_SECONDS; unset: 20)")
	publicURL := fs.String("public-url", e.getenv("GLOWCLOUD_PUBLIC_URL"), "the public `URL` of the pages ($GLOWCLOUD_PUBLIC_URL): each reply then prints its page's link")
	if err := parse(fs, args); err != nil {
		return err
	}
	quizSeconds, err := quiz.ParseSeconds(*quizFlag)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	public, err := pages.ParsePublicURL(*publicURL)
	if err != nil {
		return &usageError{msg: "console: " + err.Error()}
	}
	if *speed <= 0 {
		return &usageError{msg: fmt.Sprintf("console: -speed %v: want a positive factor", *speed)}
	}
	proclaimMin, err := parseProclaimMin(*minFlag)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	loader, err := modelLoader(e.getenv("GLOWCLOUD_MODEL_MAX"))
	if err != nil {
		return err
	}
	m, err := loadModel(ctx, loader, *modelPath)
	if err != nil {
		return err
	}
	return runConsoleWith(ctx, writerOf(m), loader, proclaimMin, quizSeconds, *speed, public, e.stdin, e.stdout)
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

// parseCooldown parses GLOWCLOUD_COOLDOWN: a Go duration, empty for the
// default (bot.DefaultCooldown), 0 to turn the cooldown off. It returns
// bot.Config's Cooldown: 0 for the default, negative for off.
func parseCooldown(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("GLOWCLOUD_COOLDOWN=%q: want a duration such as 3s or 500ms, or 0 to turn the cooldown off", v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
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
