package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/glowcloud/glowcloud/bot/metrics"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/reload"
	"github.com/glowcloud/glowcloud/scripture"
)

// scriptureConfig is serve's configuration of every server's scripture
// (GLOWCLOUD_SCRIPTURE and its limits).
type scriptureConfig struct {
	on        bool             // GLOWCLOUD_SCRIPTURE: the service and the commands
	limits    scripture.Limits // GLOWCLOUD_SCRIPTURE_FILES, _BYTES: per server
	cache     int64            // GLOWCLOUD_SCRIPTURE_CACHE: decoded models kept, in bytes
	trainings int              // GLOWCLOUD_SCRIPTURE_TRAININGS: at once in this process
	lease     time.Duration    // a claimed training's lease (tests; 0: scripture.DefaultLease)
	poll      time.Duration    // how often the trainer looks for work (tests; 0: scripture.DefaultPoll)
}

// scriptureFlags are the flags' raw values, checked by check.
type scriptureFlags struct{ on, files, bytes, cache, trainings string }

// maxTrainings bounds GLOWCLOUD_SCRIPTURE_TRAININGS: each training holds a
// core and up to a few hundred MiB.
const maxTrainings = 64

// scriptureFlags defines the flags of scripture, each defaulting to its
// environment variable.
func (e environment) scriptureFlags(fs *flag.FlagSet) *scriptureFlags {
	var f scriptureFlags
	str := func(p *string, name, env, help string) { // as parseServe's: "TEXT ($ENV; unset: ...)"
		text, unset, _ := strings.Cut(help, "; unset: ")
		fs.StringVar(p, name, e.getenv(env), text+" ($"+env+"; unset: "+unset+")")
	}
	str(&f.on, "scripture", "GLOWCLOUD_SCRIPTURE", "`on` or off: servers' own scripture (/scripture, the trainer, the blends); unset: on")
	str(&f.files, "scripture-files", "GLOWCLOUD_SCRIPTURE_FILES", fmt.Sprintf("most texts a server's scripture holds, `N`; unset: %d", scripture.DefaultFiles))
	str(&f.bytes, "scripture-bytes", "GLOWCLOUD_SCRIPTURE_BYTES", "most bytes of a server's texts in all, a `SIZE` such as 10MiB; unset: 10MiB")
	str(&f.cache, "scripture-cache", "GLOWCLOUD_SCRIPTURE_CACHE", "memory for servers' decoded models, least recently used out, a `SIZE`; unset: 256MiB")
	str(&f.trainings, "scripture-trainings", "GLOWCLOUD_SCRIPTURE_TRAININGS", fmt.Sprintf("servers' trainings this process runs at once, `N` (1 to %d); unset: %d", maxTrainings, scripture.DefaultTrainings))
	return &f
}

// check parses the flags' values: a bad one is a usage error's message.
func (f *scriptureFlags) check() (scriptureConfig, error) {
	c := scriptureConfig{
		limits:    scripture.Limits{Files: scripture.DefaultFiles, Bytes: scripture.DefaultBytes},
		cache:     scripture.DefaultCache,
		trainings: scripture.DefaultTrainings,
	}
	switch strings.ToLower(strings.TrimSpace(f.on)) {
	case "", "on", "true", "1", "yes":
		c.on = true
	case "off", "false", "0", "no":
		return c, nil
	default:
		return c, fmt.Errorf("GLOWCLOUD_SCRIPTURE=%q: want on or off", f.on)
	}
	var err error
	if c.limits.Files, err = parseCount("GLOWCLOUD_SCRIPTURE_FILES", f.files, scripture.DefaultFiles); err != nil {
		return c, err
	}
	if c.limits.Files < 1 {
		return c, fmt.Errorf("GLOWCLOUD_SCRIPTURE_FILES=%q: want 1 or more (GLOWCLOUD_SCRIPTURE=off turns scripture off)", f.files)
	}
	if c.trainings, err = parseCount("GLOWCLOUD_SCRIPTURE_TRAININGS", f.trainings, scripture.DefaultTrainings); err != nil {
		return c, err
	}
	if c.trainings < 1 || c.trainings > maxTrainings {
		return c, fmt.Errorf("GLOWCLOUD_SCRIPTURE_TRAININGS=%q: want 1 to %d", f.trainings, maxTrainings)
	}
	for _, s := range []struct {
		env, v string
		p      *int64
		least  int64
	}{
		{"GLOWCLOUD_SCRIPTURE_BYTES", f.bytes, &c.limits.Bytes, 1 << 10},
		{"GLOWCLOUD_SCRIPTURE_CACHE", f.cache, &c.cache, 1 << 20},
	} {
		if strings.TrimSpace(s.v) == "" {
			continue
		}
		n, err := parseByteSize(s.v)
		if err != nil {
			return c, fmt.Errorf("%s=%q: %v", s.env, s.v, err)
		}
		if n < s.least {
			return c, fmt.Errorf("%s=%q: want at least %s", s.env, s.v, byteSize(s.least))
		}
		*s.p = n
	}
	return c, nil
}

// scriptureService returns the Service of every server's scripture over
// db, blending with the essay holder serves, loading models with loader;
// nil when scripture is off. Its trainings and cache are counted in m.
func (c serveConfig) scriptureService(db database, holder *reload.Holder[*compose.Writer], loader markov.Loader, m *metrics.Metrics, log *slog.Logger, training func(int64) func()) *scripture.Service {
	if !c.scripture.on {
		return nil
	}
	svc := scripture.New(scripture.Config{
		Store:      db,
		Essay:      holder.Current,
		Loader:     loader,
		CacheBytes: c.scripture.cache,
		Trainings:  c.scripture.trainings,
		Lease:      c.scripture.lease,
		Poll:       c.scripture.poll,
		Training:   training,
		Metrics:    m,
		Log:        log.With("component", "scripture"),
	})
	m.WatchScriptureCache(func() metrics.ScriptureCacheStats {
		st := svc.Stats()
		return metrics.ScriptureCacheStats{Models: st.Models, Bytes: st.Bytes, Limit: st.Limit, Hits: st.Hits, Misses: st.Misses}
	})
	return svc
}

// scriptureHealth is /healthz's account of the scripture service.
func scriptureHealth(svc *scripture.Service) map[string]any {
	st := svc.Stats()
	rate := 0.0
	if n := st.Hits + st.Misses; n > 0 {
		rate = float64(st.Hits) / float64(n)
	}
	return map[string]any{"models": st.Models, "cache_bytes": st.Bytes, "cache_limit": st.Limit,
		"hits": st.Hits, "misses": st.Misses, "hit_rate": rate, "training": st.Training}
}

// servingHeadroom is what serve holds besides the servers' models when
// serving (the essay's model, connections, buffers, the runtime): the
// scripture benchmark's RSS stayed within the cache plus 100 MB with a
// soft limit of the cache plus this (BENCHMARKS.md).
const servingHeadroom = 64 << 20

// memoryLimit is the soft memory limit serve keeps when scripture is on
// and the operator set neither GOMEMLIMIT nor GOGC. Go's collector lets
// the heap run to twice what it holds, and the servers' models in the
// cache are most of what serve holds: at 10,000 servers the benchmark's
// RSS reached 545 MiB for the default 256 MiB cache without a limit. The
// limit is the cache plus servingHeadroom, raised while each training of
// this process runs by what `glowcloud train` allows itself
// (markov.TrainMemoryLimit: a training's chains are large and brief). It
// is soft: near it the collector works harder; nothing fails.
type memoryLimit struct {
	set      func(int64) int64 // debug.SetMemoryLimit
	mu       sync.Mutex
	base     int64
	training int64 // the running trainings' allowances
}

// newMemoryLimit sets the limit for a cache of cacheBytes through set.
func newMemoryLimit(set func(int64) int64, cacheBytes int64) *memoryLimit {
	m := &memoryLimit{set: set, base: cacheBytes + servingHeadroom}
	m.set(m.base)
	return m
}

// train raises the limit for a training of textBytes of text until the
// func it returns is called.
func (m *memoryLimit) train(textBytes int64) func() {
	// About five bytes a word in prose.
	extra := markov.TrainMemoryLimit(textBytes, textBytes/5)
	m.mu.Lock()
	m.training += extra
	m.set(m.base + m.training)
	m.mu.Unlock()
	return sync.OnceFunc(func() {
		m.mu.Lock()
		m.training -= extra
		m.set(m.base + m.training)
		m.mu.Unlock()
	})
}
