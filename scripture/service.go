package scripture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/jobs"
	"github.com/glowcloud/glowcloud/markov"
)

// Defaults of Config.
const (
	// DefaultTrainings is how many trainings a process runs at once
	// (GLOWCLOUD_SCRIPTURE_TRAININGS).
	DefaultTrainings = 1
	// DefaultLease is how long a claimed training is a trainer's before
	// another may take it over; the trainer renews it every third of it.
	DefaultLease = time.Minute
	// DefaultPoll is how often the trainer looks for work when not
	// nudged (work queued on another replica, a lease run out).
	DefaultPoll = 2 * time.Second
	// DefaultFresh is how long a server's model version, once read, is
	// trusted: a model trained on any replica serves on all within it
	// (and the load).
	DefaultFresh = time.Second
)

// loadTimeout bounds a model's load from the store.
const loadTimeout = 30 * time.Second

// trainTimeout bounds a training (the largest scripture, 10 MiB by
// default, trains in about a minute).
const trainTimeout = 30 * time.Minute

// Training results, the values of Metrics.ScriptureTrained's result.
const (
	ResultOK       = "ok"       // a model was trained and stored
	ResultFailed   = "failed"   // the texts could not be trained (the reason is stored)
	ResultLost     = "lost"     // the job was taken over or its texts changed meanwhile
	ResultReleased = "released" // given back at shutdown
	ResultError    = "error"    // the store failed
)

// Metrics counts trainings; *metrics.Metrics is one. Nil counts nothing.
type Metrics interface {
	ScriptureTrained(result string)
}

// Config configures a Service. Store and Essay are required.
type Config struct {
	Store Store
	// Essay returns the essay's Writer now (it may be reloaded): what
	// servers without scripture are preached to from, and the essay's part
	// of every blend.
	Essay func() *compose.Writer
	// Loader is the one model loader (its MaxBytes); its budget bounds
	// each server's model's load.
	Loader markov.Loader
	// CacheBytes bounds the decoded models kept (GLOWCLOUD_SCRIPTURE_CACHE):
	// DefaultCache when 0.
	CacheBytes int64
	// Trainings is how many trainings run at once in this process:
	// DefaultTrainings when 0.
	Trainings int
	// Order is the chain order of servers' models: markov.DefaultOrder
	// when 0.
	Order int
	// Worker names this process in the jobs it claims: host, process and
	// a random suffix when empty.
	Worker string
	// Lease, Poll and Fresh: DefaultLease, DefaultPoll and DefaultFresh
	// when 0.
	Lease, Poll, Fresh time.Duration
	// Now is the clock of leases and of the version reads' freshness:
	// time.Now when nil.
	Now     func() time.Time
	Metrics Metrics
	Log     *slog.Logger
	// Training, if set, is told before each training of this process how
	// many bytes of text it reads, and the func it returns once the
	// training is over (serve raises its soft memory limit meanwhile).
	Training func(textBytes int64) (done func())
}

// Service serves every server's scripture: WriterFor gives the blend of a
// server with a trained model, loading it through a cache of decoded
// models bounded by bytes; Run trains the servers' models as their texts
// change, claiming each training in the store so that one replica trains
// it once. Its methods are safe for concurrent use.
type Service struct {
	cfg   Config
	log   *slog.Logger
	cache *cache
	jobs  *jobs.Group
	nudge chan struct{}

	mu       sync.Mutex
	versions map[string]version
	swept    time.Time // when versions were last swept of stale entries

	training atomic.Int64 // trainings running
}

// version is a server's model version as last read.
type version struct {
	version int64
	essay   int
	at      time.Time
}

// maxVersions is how many versions are kept before the stale ones are
// swept (at most once per Fresh).
const maxVersions = 4096

// New returns a Service over cfg.Store. It trains nothing until Run.
func New(cfg Config) *Service {
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCache
	}
	if cfg.Trainings <= 0 {
		cfg.Trainings = DefaultTrainings
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Fresh <= 0 {
		cfg.Fresh = DefaultFresh
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Worker == "" {
		cfg.Worker = workerName()
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, log: log, jobs: jobs.New(log), nudge: make(chan struct{}, 1), versions: map[string]version{}}
	s.cache = newCache(cfg.CacheBytes, s.load)
	return s
}

// workerName names this process: its host, its process id and a random
// suffix (two processes of one container may share the rest).
func workerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// WriterFor returns the Writer for server guildID ("" in DMs): its blend
// when it has a trained model, else the essay's. On a store error it logs
// and returns the essay's Writer: a server is never left without a reply.
func (s *Service) WriterFor(ctx context.Context, guildID string) bot.Writer {
	essay := s.cfg.Essay()
	if essay == nil {
		return nil // no model yet: the bot says so
	}
	if guildID == "" {
		return essay
	}
	l, err := s.model(ctx, guildID)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "scripture: serving the essay", slog.String("guild", guildID), slog.Any("err", err))
		return essay
	}
	if l == nil || l.w == nil {
		return essay
	}
	share := l.essay
	if share == 0 && !l.alone {
		share = DefaultEssay
	}
	return compose.NewBlend(l.w, essay, share)
}

// Alone reports whether the server's model can write novel text without
// the essay, so that /scripture blend essay:0 takes effect; false when
// it has none.
func (s *Service) Alone(ctx context.Context, guildID string) (bool, error) {
	l, err := s.model(ctx, guildID)
	if err != nil {
		return false, err
	}
	return l != nil && l.w != nil && l.alone, nil
}

// Changed forgets what the Service last read of the server's model
// version, so that the next WriterFor reads it afresh: the commands call
// it after changing a server's texts or blend in this process.
func (s *Service) Changed(guildID string) {
	s.mu.Lock()
	delete(s.versions, guildID)
	s.mu.Unlock()
}

// model returns the server's loaded model at its current version, nil
// when it has none. The blend's share is the one read with the version.
func (s *Service) model(ctx context.Context, guildID string) (*loaded, error) {
	v, err := s.version(ctx, guildID)
	if err != nil {
		return nil, err
	}
	if v.version == 0 {
		return nil, nil
	}
	l, err := s.cache.get(ctx, guildID, v.version)
	if err != nil {
		return nil, fmt.Errorf("scripture: load the model of %s: %w", guildID, err)
	}
	if l == nil {
		s.setVersion(guildID, version{at: s.cfg.Now()})
		return nil, nil
	}
	if l.version != v.version {
		// The stored model changed between the two reads: the load's is
		// the newer.
		s.setVersion(guildID, version{version: l.version, essay: l.essay, at: s.cfg.Now()})
		v.essay = l.essay
	}
	c := *l
	c.essay = v.essay
	return &c, nil
}

// version reads the server's model version and blend, at most once per
// Fresh.
func (s *Service) version(ctx context.Context, guildID string) (version, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	v, ok := s.versions[guildID]
	s.mu.Unlock()
	if ok && now.Sub(v.at) < s.cfg.Fresh && !now.Before(v.at) {
		return v, nil
	}
	n, essay, err := s.cfg.Store.ScriptureVersion(ctx, guildID)
	if err != nil {
		return version{}, fmt.Errorf("scripture: read the model version of %s: %w", guildID, err)
	}
	v = version{version: n, essay: essay, at: now}
	s.setVersion(guildID, v)
	return v, nil
}

func (s *Service) setVersion(guildID string, v version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.versions) >= maxVersions && v.at.Sub(s.swept) >= s.cfg.Fresh {
		s.swept = v.at
		for g, old := range s.versions {
			if v.at.Sub(old.at) >= s.cfg.Fresh {
				delete(s.versions, g)
			}
		}
	}
	s.versions[guildID] = v
}

// load reads and decodes the server's stored model for the cache. A model
// that will not decode is kept as such (w nil), so it is not read again
// until a new one is stored; the error is logged.
func (s *Service) load(ctx context.Context, guildID string) (*loaded, error) {
	m, err := s.cfg.Store.ScriptureModel(ctx, guildID)
	if errors.Is(err, ErrNone) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	l := &loaded{guildID: guildID, version: m.Version, essay: m.Essay}
	start := time.Now()
	model, err := s.cfg.Loader.DecodeBytes(ctx, m.Data)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		s.log.LogAttrs(ctx, slog.LevelError, "scripture: a stored model does not load; serving the essay there",
			slog.String("guild", guildID), slog.Int64("version", m.Version), slog.Any("err", err))
		return l, nil
	}
	l.w = compose.New(model)
	l.alone = canWriteAlone(model)
	l.cost = charge(int64(len(m.Data)), model.Cost())
	if l.cost > s.cfg.CacheBytes {
		s.log.LogAttrs(ctx, slog.LevelWarn, "scripture: a model larger than the whole cache is loaded again on every use: raise GLOWCLOUD_SCRIPTURE_CACHE",
			slog.String("guild", guildID), slog.Int64("bytes", l.cost), slog.Int64("cache", s.cfg.CacheBytes))
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "scripture: model loaded", slog.String("guild", guildID),
		slog.String("model", model.ID()), slog.Int64("bytes", l.cost), slog.Duration("took", time.Since(start)))
	return l, nil
}

// charge is what the cache charges a model of a file of size bytes whose
// load cost cost (markov.Model.Cost): the file (the model keeps its
// chains' bytes), its load's estimate, and a quarter of that for what
// compose builds on first use (the indexes of the pool, the topics, the
// titles and the lower-order chain). Measured on the models of the first
// 50 KB of sherlock.txt, all of it (600 KB) and mid5.txt (5.4 MB): used
// for 20 pieces, a model holds 0.87-0.95 of file+cost; warmed
// (compose.Writer.Warm) and asked for topics, 0.95-1.17. This charge is
// 1.02-1.25 times what the warmed model holds (TestChargeBoundsAWarmModel
// keeps it above).
func charge(size, cost int64) int64 { return size + cost + cost/4 }

// Stats is what the Service holds and has done, for /healthz and metrics.
type Stats struct {
	Models       int   // decoded models in the cache
	Bytes, Limit int64 // what they are charged, and the cache's bound
	Hits, Misses uint64
	Training     int // trainings running in this process
}

// Stats returns the Service's figures now.
func (s *Service) Stats() Stats {
	var st Stats
	st.Models, st.Bytes, st.Hits, st.Misses = s.cache.stats()
	st.Limit = s.cfg.CacheBytes
	st.Training = int(s.training.Load())
	return st
}

// Nudge has the trainer look for work now (a text was added or removed).
func (s *Service) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Wait waits for the trainings under way (a shutdown's: Run has returned,
// and they are giving their jobs back), cancelling them when ctx ends
// first. With Running, it makes the Service a serve.Waiter.
func (s *Service) Wait(ctx context.Context) error { return s.jobs.Wait(ctx) }

// Running reports the trainings under way.
func (s *Service) Running() int { return s.jobs.Running() }
