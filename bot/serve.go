package bot

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// DefaultShutdownTimeout is how long Serve waits, after its context ends,
// for in-flight interactions, HTTP requests and the Bot's background work
// (retrains, deferred replies; see Bot.Wait).
const DefaultShutdownTimeout = 5 * time.Second

// ErrNothingToServe is returned by Serve when neither transport is
// configured.
var ErrNothingToServe = errors.New("nothing to serve: set Token (DISCORD_TOKEN) for the gateway, or PublicKey (DISCORD_PUBLIC_KEY) and HTTPAddr (GLOWCLOUD_HTTP_ADDR) for the HTTP endpoint")

// ServeConfig configures Serve. Bot is required, and so is at least one
// transport: Token for the gateway, or PublicKey with HTTPAddr for the HTTP
// interactions endpoint. Both may run at once.
type ServeConfig struct {
	Bot     *Bot
	Metrics *Metrics     // gateway reconnects are counted here; nil = the Bot's Metrics
	Logger  *slog.Logger // nil = discard

	// Token is the bot token. When set, Serve runs the gateway and registers
	// the slash commands (shard 0 only).
	Token Token
	// AppID is the application id commands are registered under; empty =
	// the one in the gateway's READY.
	AppID string
	// GuildID, when set, registers the commands to this guild only (they
	// apply at once: handy in development) instead of globally.
	GuildID string
	// Retrain also registers the operators' /retrain command.
	Retrain bool

	// PublicKey enables POST /interactions on HTTPAddr. HTTPAddr alone (with
	// the gateway) serves /healthz and /metrics only.
	PublicKey ed25519.PublicKey
	HTTPAddr  string

	// APIBase, e.g. http://127.0.0.1:8080, replaces https://discord.com for
	// every REST call (a REST proxy); paths are unchanged (/api/v9/...).
	APIBase string

	// ShardID and ShardCount run this process as one shard of several
	// (ShardCount > 1). Only shard 0 registers commands, so that N
	// processes starting together do not overwrite them N times.
	ShardID, ShardCount int

	HTTPClient *http.Client      // REST client; nil = a default one
	Dialer     *websocket.Dialer // gateway dialer; nil = websocket.DefaultDialer

	// ShutdownTimeout bounds the graceful shutdown; 0 = DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Version goes into the User-Agent; empty = the module's build version.
	Version string
	// Ready, if set, is called once when everything configured is up: the
	// HTTP endpoint listening (httpAddr is its address, "" without one) and
	// the gateway connected with the commands registered. It runs on Serve's
	// goroutine and must not block.
	Ready func(httpAddr string)
}

// check validates cfg.
func (cfg *ServeConfig) check() error {
	switch {
	case cfg.Bot == nil:
		return errors.New("no Bot")
	case cfg.Token == "" && (len(cfg.PublicKey) == 0 || cfg.HTTPAddr == ""):
		return ErrNothingToServe
	case len(cfg.PublicKey) != 0 && len(cfg.PublicKey) != ed25519.PublicKeySize:
		return fmt.Errorf("public key (DISCORD_PUBLIC_KEY) has %d bytes, want %d", len(cfg.PublicKey), ed25519.PublicKeySize)
	case len(cfg.PublicKey) != 0 && cfg.HTTPAddr == "":
		return errors.New("public key (DISCORD_PUBLIC_KEY) set without an HTTP address (GLOWCLOUD_HTTP_ADDR)")
	case cfg.ShardCount < 0 || cfg.ShardID < 0:
		return fmt.Errorf("negative shard id %d or count %d", cfg.ShardID, cfg.ShardCount)
	case cfg.ShardID >= max(cfg.ShardCount, 1):
		return fmt.Errorf("shard id (SHARD_ID) %d must be less than the shard count (SHARD_COUNT) %d", cfg.ShardID, max(cfg.ShardCount, 1))
	case cfg.ShutdownTimeout < 0:
		return fmt.Errorf("negative shutdown timeout %v", cfg.ShutdownTimeout)
	}
	if cfg.APIBase != "" {
		if _, err := parseAPIBase(cfg.APIBase); err != nil {
			return err
		}
	}
	return nil
}

// userAgent is what Discord asks bots to send: "DiscordBot ($url, $version)".
func userAgent(version string) string {
	if version == "" {
		version = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
	}
	return "DiscordBot (https://github.com/glowcloud/glowcloud, " + version + ")"
}

// Serve runs the bot until ctx ends: the gateway when cfg.Token is set, the
// HTTP endpoint when cfg.HTTPAddr is set (interactions too with
// cfg.PublicKey), or both. With the gateway, /healthz is healthy only while
// it is connected.
//
// When ctx ends, Serve stops taking interactions, closes the gateway, lets
// in-flight interactions and HTTP requests finish, and then the Bot's
// background work (Bot.Wait: retrains, replies the HTTP endpoint edits in
// after deferring), all within cfg.ShutdownTimeout, and returns nil. If
// Discord closes the gateway with a fatal code, Serve shuts down the same
// way and returns a *FatalCloseError (errors.Is(err, ErrFatalClose)). The
// token never appears in its errors or logs.
func Serve(ctx context.Context, cfg ServeConfig) error {
	if err := cfg.check(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = DefaultShutdownTimeout
	}
	client, err := restClient(cfg.HTTPClient, cfg.APIBase)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ua := userAgent(cfg.Version)
	// /retrain downloads attachments through the REST client too, so the
	// API base and tests' fakes apply (unless the Bot has its own client).
	cfg.Bot.setDownloadClient(client)
	metrics := cfg.Metrics
	if metrics == nil {
		metrics = cfg.Bot.metrics
	}

	var gw *gateway
	if cfg.Token != "" {
		var commands []*discordgo.ApplicationCommand
		if cfg.ShardID == 0 {
			commands = CommandSet(cfg.GuildID, cfg.Retrain)
			// With the application id known, register over REST right away,
			// whether or not the gateway connects; otherwise the gateway
			// registers once READY tells it the id.
			// (On failure the gateway tries again once connected.)
			if cfg.AppID != "" && registerNow(ctx, restSessionWithToken(client, ua, cfg.Token), cfg.AppID, cfg.GuildID, commands, log) {
				commands = nil
			}
		} else {
			log.Info("commands are registered by shard 0, not this one", "shard", cfg.ShardID)
		}
		gw, err = newGateway(gatewayConfig{
			bot:        cfg.Bot,
			metrics:    metrics,
			log:        log.With("component", "gateway"),
			token:      cfg.Token,
			client:     client,
			dialer:     cfg.Dialer,
			userAgent:  ua,
			shardID:    cfg.ShardID,
			shardCount: cfg.ShardCount,
			appID:      cfg.AppID,
			guildID:    cfg.GuildID,
			commands:   commands,
		})
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	} else {
		log.Info("no token: no gateway, and slash commands are not registered by this process")
	}

	var (
		srv  *http.Server
		ln   net.Listener
		addr string
	)
	if cfg.HTTPAddr != "" {
		hc := HTTPConfig{PublicKey: cfg.PublicKey}
		if gw != nil {
			hc.Followups = gw.s
			hc.Health = gw.health
		} else {
			hc.Followups = restSession(client, ua)
		}
		ln, err = net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("serve: listen: %w", err)
		}
		addr = ln.Addr().String()
		h := cfg.Bot.HTTPHandler(hc)
		if len(cfg.PublicKey) == 0 {
			h = withoutInteractions(h)
		}
		srv = NewHTTPServer(addr, h)
	}

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	errc := make(chan error, 2)

	httpDone := make(chan struct{})
	if srv != nil {
		log.Info("http endpoint listening", "addr", addr, "interactions", len(cfg.PublicKey) != 0)
		go func() {
			defer close(httpDone)
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve: http: %w", err)
			}
		}()
	} else {
		close(httpDone)
	}

	connected := make(chan struct{})
	gwDone := make(chan struct{})
	if gw != nil {
		go func() {
			defer close(gwDone)
			if err := gw.run(runCtx, func() { close(connected) }); err != nil {
				errc <- fmt.Errorf("serve: %w", err)
			}
		}()
	} else {
		close(connected)
		close(gwDone)
	}

	var runErr error
	ready := connected
wait:
	for {
		select {
		case <-ready:
			ready = nil
			if cfg.Ready != nil {
				cfg.Ready(addr)
			}
		case err := <-errc:
			runErr = err
			break wait
		case <-ctx.Done():
			break wait
		}
	}

	// Shut down: stop the gateway (no new interactions), then let what is
	// in flight, on either transport, finish within the timeout.
	stopRun()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	var wg sync.WaitGroup
	if srv != nil {
		wg.Go(func() {
			if err := srv.Shutdown(sctx); err != nil {
				log.Warn("http shutdown", "err", err)
				_ = srv.Close()
			}
			<-httpDone
		})
	}
	if gw != nil {
		wg.Go(func() {
			select {
			case <-gwDone:
			case <-sctx.Done():
				log.Warn("gateway did not close in time")
			}
			if !gw.drain(sctx) {
				log.Warn("shutdown timeout: in-flight interactions cancelled")
			}
		})
	}
	wg.Wait()
	// Then the work that outlives an interaction's answer: retrains, and
	// replies the HTTP endpoint edits in after deferring.
	if n := cfg.Bot.bg.running(); n > 0 {
		log.Info("waiting for background work", "jobs", n)
	}
	if err := cfg.Bot.Wait(sctx); err != nil {
		log.Warn("shutdown timeout: background work cancelled", "err", err)
	}
	if runErr != nil {
		log.Error("stopped", "err", runErr)
		return runErr
	}
	log.Info("stopped")
	return nil
}

// restSession is a discordgo session used for REST only (no token): the
// HTTP endpoint's follow-ups, which webhook URLs authorize by themselves.
func restSession(client *http.Client, ua string) *discordgo.Session {
	s, _ := discordgo.New("") // New never fails
	s.StateEnabled = false
	s.Client = client
	s.UserAgent = ua
	s.LogLevel = discordgo.LogWarning
	return s
}

// restSessionWithToken is restSession authorised as the bot.
func restSessionWithToken(client *http.Client, ua string, token Token) *discordgo.Session {
	s := restSession(client, ua)
	s.Token = token.authorization()
	s.Identify.Token = s.Token
	return s
}

// registerNow registers the commands over REST and reports whether it did
// (or found them unchanged).
func registerNow(ctx context.Context, s *discordgo.Session, appID, guildID string, cmds []*discordgo.ApplicationCommand, log *slog.Logger) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	scope := "global"
	if guildID != "" {
		scope = "guild " + guildID
	}
	put, err := registerCommands(ctx, s, appID, guildID, cmds, log)
	switch {
	case err != nil:
		log.Error("slash commands not registered", "scope", scope, "err", err)
		return false
	case put:
		log.Info("slash commands registered", "scope", scope, "count", len(cmds))
	default:
		log.Info("slash commands unchanged", "scope", scope, "count", len(cmds))
	}
	return true
}

// withoutInteractions answers 404 on /interactions: without a public key
// the HTTP endpoint serves only /healthz and /metrics (next to the gateway).
func withoutInteractions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/interactions" {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
