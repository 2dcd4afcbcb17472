package scripture

import (
	"container/list"
	"context"
	"sync"

	"github.com/glowcloud/glowcloud/compose"
)

// cache keeps the servers' decoded models, least recently used out, within
// limit bytes, each charged what its load estimates it holds (its file's
// bytes and markov.Model.Cost). A server's model is loaded once at a time:
// callers that want it while it loads wait for that load.
type cache struct {
	limit int64
	// load loads a server's model (nil, nil: it has none).
	load func(ctx context.Context, guildID string) (*loaded, error)

	mu      sync.Mutex
	bytes   int64
	lru     *list.List // of *loaded, the most recently used first
	byGuild map[string]*list.Element
	loading map[string]*loadCall
	hits    uint64
	misses  uint64
}

// loaded is a server's decoded model as the cache holds it.
type loaded struct {
	guildID string
	version int64
	essay   int             // the blend when it was loaded
	w       *compose.Writer // nil when the stored model would not load
	alone   bool            // canWriteAlone
	cost    int64
}

// loadCall is a load under way, which others wait for.
type loadCall struct {
	done chan struct{}
	l    *loaded
	err  error
}

func newCache(limit int64, load func(ctx context.Context, guildID string) (*loaded, error)) *cache {
	return &cache{limit: limit, load: load, lru: list.New(), byGuild: map[string]*list.Element{}, loading: map[string]*loadCall{}}
}

// get returns the server's model of version, loading it (or waiting for
// the load under way) when the cache holds another version or none. A
// load goes on when ctx ends, for those who wait for it, and is kept.
func (c *cache) get(ctx context.Context, guildID string, version int64) (*loaded, error) {
	c.mu.Lock()
	if el := c.byGuild[guildID]; el != nil && el.Value.(*loaded).version == version {
		c.hits++
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*loaded), nil
	}
	call := c.loading[guildID]
	if call == nil {
		c.misses++
		call = &loadCall{done: make(chan struct{})}
		c.loading[guildID] = call
		go c.run(context.WithoutCancel(ctx), guildID, call)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.l, call.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// run loads a server's model for call and keeps it.
func (c *cache) run(ctx context.Context, guildID string, call *loadCall) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	l, err := c.load(ctx, guildID)
	c.mu.Lock()
	delete(c.loading, guildID)
	if err == nil {
		c.put(guildID, l)
	}
	c.mu.Unlock()
	call.l, call.err = l, err
	close(call.done)
}

// put keeps l as the server's model (nil: it has none) and evicts the
// least recently used models until the cache is within its limit. A model
// larger than the whole limit is served but not kept.
func (c *cache) put(guildID string, l *loaded) {
	if el := c.byGuild[guildID]; el != nil {
		c.remove(el)
	}
	if l == nil || l.cost > c.limit {
		return
	}
	c.byGuild[guildID] = c.lru.PushFront(l)
	c.bytes += l.cost
	for c.bytes > c.limit {
		c.remove(c.lru.Back())
	}
}

func (c *cache) remove(el *list.Element) {
	l := c.lru.Remove(el).(*loaded)
	delete(c.byGuild, l.guildID)
	c.bytes -= l.cost
}

// stats returns the models kept, their bytes, hits and misses.
func (c *cache) stats() (models int, bytes int64, hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes, c.hits, c.misses
}
