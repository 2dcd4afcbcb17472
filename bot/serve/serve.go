// Package serve runs the bot's transports together: the gateway, the HTTP
// endpoint or both, with command registration at start-up and a graceful
// shutdown that waits for in-flight and background work.
package serve

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/gateway"
	"github.com/glowcloud/glowcloud/bot/httpapi"
	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/bot/pages"
	"github.com/glowcloud/glowcloud/bot/register"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/discordsig"
)

// defaultShutdownTimeout is how long Run waits, after its context ends,
// for in-flight interactions, HTTP requests and background work (replies
// edited in after a deferral, and Config.Background: retrains).
const defaultShutdownTimeout = 5 * time.Second

// errNothingToServe is returned by Run when neither transport is
// configured.
var errNothingToServe = errors.New("nothing to serve: set Token (DISCORD_TOKEN) for the gateway, or PublicKey (DISCORD_PUBLIC_KEY) and HTTPAddr (GLOWCLOUD_HTTP_ADDR) for the HTTP endpoint, or Pages with HTTPAddr")

// Config configures Run. Bot is required, and so is at least one
// transport: Token for the gateway, or PublicKey with HTTPAddr for the HTTP
// interactions endpoint. Both may run at once.
type Config struct {
	Bot *bot.Bot
	// Metrics counts gateway reconnects and refused HTTP requests, and is
	// what GET /metrics serves; nil counts nothing and answers 404.
	Metrics *metrics.Metrics
	Logger  *slog.Logger // nil = discard

	// Token is the bot token. When set, Run runs the gateway and registers
	// the slash commands (shard 0 only).
	Token rest.Token
	// AppID is the application id commands are registered under; empty =
	// the one in the gateway's READY.
	AppID string
	// GuildID, when set, registers the commands to this guild only (they
	// apply at once: handy in development) instead of globally.
	GuildID string
	// Retrain also registers the operators' /retrain command.
	Retrain bool
	// Scripture also registers the server admins' /scripture command
	// (GLOWCLOUD_SCRIPTURE on).
	Scripture bool

	// PublicKey enables POST /interactions on HTTPAddr. HTTPAddr alone (with
	// the gateway) serves /healthz and /metrics only.
	PublicKey ed25519.PublicKey
	HTTPAddr  string
	// Pages, if set, serves the paths pages.Owns ("/", "/new", "/m/...")
	// on HTTPAddr beside the endpoint's own, which it never sees.
	Pages http.Handler

	// APIBase, e.g. http://127.0.0.1:8080, replaces https://discord.com for
	// every REST call (a REST proxy); paths are unchanged (/api/v9/...).
	APIBase string

	// ShardID and ShardCount run this process as one shard of several
	// (ShardCount > 1). Only shard 0 registers commands, so that N
	// processes starting together do not overwrite them N times.
	ShardID, ShardCount int

	HTTPClient *http.Client      // REST client; nil = a default one
	Dialer     *websocket.Dialer // gateway dialer; nil = websocket.DefaultDialer

	// Background is work that outlives an interaction's answer and that the
	// shutdown waits for, after the transports have stopped: the retrain
	// runner's jobs.
	Background []Waiter

	// ShutdownTimeout bounds the graceful shutdown; 0 = defaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Version goes into the User-Agent; empty = the module's build version.
	Version string
	// HealthDetail, if set, adds to what GET /healthz reports (say
	// "database": "ok" or "down") without changing its status.
	HealthDetail func() map[string]any
	// Ready, if set, is called once when everything configured is up: the
	// HTTP endpoint listening (httpAddr is its address, "" without one) and
	// the gateway connected with the commands registered. It runs on Run's
	// goroutine and must not block.
	Ready func(httpAddr string)
}

// Waiter is background work a shutdown waits for; *retrain.Runner is one.
type Waiter interface {
	// Wait waits until the work is done, or cancels it and returns an error
	// wrapping ctx's when ctx ends first.
	Wait(ctx context.Context) error
	// Running reports how many jobs are running.
	Running() int
}

// check validates cfg.
func (cfg *Config) check() error {
	switch {
	case cfg.Bot == nil:
		return errors.New("no Bot")
	case cfg.Token == "" && (len(cfg.PublicKey) == 0 || cfg.HTTPAddr == "") && (cfg.Pages == nil || cfg.HTTPAddr == ""):
		return errNothingToServe
	case cfg.Pages != nil && cfg.HTTPAddr == "":
		return errors.New("pages set without an HTTP address (GLOWCLOUD_HTTP_ADDR)")
	case len(cfg.PublicKey) != 0 && cfg.HTTPAddr == "":
		return errors.New("public key (DISCORD_PUBLIC_KEY) set without an HTTP address (GLOWCLOUD_HTTP_ADDR)")
	case cfg.ShardCount < 0 || cfg.ShardID < 0:
		return fmt.Errorf("negative shard id %d or count %d", cfg.ShardID, cfg.ShardCount)
	case cfg.ShardID >= max(cfg.ShardCount, 1):
		return fmt.Errorf("shard id (SHARD_ID) %d must be less than the shard count (SHARD_COUNT) %d", cfg.ShardID, max(cfg.ShardCount, 1))
	case cfg.ShutdownTimeout < 0:
		return fmt.Errorf("negative shutdown timeout %v", cfg.ShutdownTimeout)
	}
	if len(cfg.PublicKey) != 0 {
		if _, err := discordsig.ParsePublicKey(hex.EncodeToString(cfg.PublicKey)); err != nil {
			return fmt.Errorf("public key (DISCORD_PUBLIC_KEY): %w", err)
		}
	}
	return nil
}

// Run runs the bot until ctx ends: the gateway when cfg.Token is set, the
// HTTP endpoint when cfg.HTTPAddr is set (interactions too with
// cfg.PublicKey), or both. With the gateway, /healthz is healthy only while
// it is connected.
//
// When ctx ends, Run stops taking interactions, closes the gateway, lets
// in-flight interactions and HTTP requests finish, and then the background
// work (replies the HTTP endpoint edits in after deferring, and
// cfg.Background), all within cfg.ShutdownTimeout, and returns nil once
// every goroutine it started has ended. If Discord closes the gateway with
// a fatal code, Run shuts down the same way and returns a
// *gateway.FatalCloseError (errors.Is(err, gateway.ErrFatalClose)). The
// token never appears in its errors or logs.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.check(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = defaultShutdownTimeout
	}
	client, err := rest.Client(cfg.HTTPClient, cfg.APIBase)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ua := rest.UserAgent(cfg.Version)

	var gw *gateway.Gateway
	if cfg.Token != "" {
		var commands []*discordgo.ApplicationCommand
		if cfg.ShardID == 0 {
			commands = discord.ApplicationCommands(bot.Commands(cfg.Retrain, cfg.Scripture), cfg.GuildID)
			// With the application id known, register over REST right away,
			// whether or not the gateway connects; otherwise the gateway
			// registers once READY tells it the id.
			// (On failure the gateway tries again once connected.)
			if cfg.AppID != "" && register.Commands(ctx, rest.Session(client, ua, cfg.Token), cfg.AppID, cfg.GuildID, commands, log) {
				commands = nil
			}
		} else {
			log.Info("commands are registered by shard 0, not this one", "shard", cfg.ShardID)
		}
		gw, err = gateway.New(gateway.Config{
			Bot:        cfg.Bot,
			Metrics:    cfg.Metrics,
			Log:        log.With("component", "gateway"),
			Token:      cfg.Token,
			Client:     client,
			Dialer:     cfg.Dialer,
			UserAgent:  ua,
			ShardID:    cfg.ShardID,
			ShardCount: cfg.ShardCount,
			AppID:      cfg.AppID,
			GuildID:    cfg.GuildID,
			Commands:   commands,
		})
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	} else {
		log.Info("no token: no gateway, and slash commands are not registered by this process")
	}

	var (
		srv  *http.Server
		api  *httpapi.Handler
		ln   net.Listener
		addr string
	)
	if cfg.HTTPAddr != "" {
		hc := httpapi.Config{
			PublicKey: cfg.PublicKey,
			Metrics:   cfg.Metrics.Handler(),
			Recorder:  cfg.Metrics,
			Log:       log,
		}
		if gw != nil {
			hc.Followups = gw.Session()
			hc.Health = gw.Health
		} else {
			hc.Followups = rest.Session(client, ua, "")
		}
		if cfg.HealthDetail != nil {
			hc.Health = withDetail(hc.Health, cfg.HealthDetail)
		}
		ln, err = net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("serve: listen: %w", err)
		}
		addr = ln.Addr().String()
		api = httpapi.New(cfg.Bot, hc)
		var h http.Handler = api
		if len(cfg.PublicKey) == 0 {
			h = withoutInteractions(h)
		}
		if cfg.Pages != nil {
			h = withPages(h, cfg.Pages)
		}
		srv = httpapi.NewServer(addr, h)
		ln = httpapi.LimitConns(srv, ln, httpapi.MaxConns)
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
			if err := gw.Run(runCtx, func() { close(connected) }); err != nil {
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
			if !gw.Drain(sctx) {
				log.Warn("shutdown timeout: in-flight interactions cancelled")
			}
			<-gwDone // its context is cancelled and its connection closed: it returns promptly
		})
	}
	wg.Wait()
	// Then the work that outlives an interaction's answer: replies the HTTP
	// endpoint edits in after deferring, and retrains.
	background := cfg.Background
	if api != nil {
		background = append([]Waiter{api}, background...)
	}
	n := 0
	for _, w := range background {
		n += w.Running()
	}
	if n > 0 {
		log.Info("waiting for background work", "jobs", n)
	}
	for _, w := range background {
		wg.Go(func() {
			if err := w.Wait(sctx); err != nil {
				log.Warn("shutdown timeout: background work cancelled", "err", err)
			}
		})
	}
	wg.Wait()
	if runErr != nil {
		log.Error("stopped", "err", runErr)
		return runErr
	}
	log.Info("stopped")
	return nil
}

// withPages sends the pages' paths to pages and every other to next, so
// the interactions endpoint, /healthz and /metrics are as they were.
func withPages(next, ph http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pages.Owns(r.URL.Path) {
			ph.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
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
