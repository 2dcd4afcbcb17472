package proclaim_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/proclaim"
)

// fakeStore is an in-memory proclaim.Store and proclaim.Claimer with the
// semantics the adapters' shared suite (internal/storetest) asserts. Setting
// fail makes every call return it.
type fakeStore struct {
	mu     sync.Mutex
	nextID int64
	scheds []proclaim.Schedule
	hushes map[string]proclaim.Hush
	fail   error
	claims int // calls of Claim
}

func newFakeStore() *fakeStore { return &fakeStore{hushes: map[string]proclaim.Hush{}} }

func (f *fakeStore) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func (f *fakeStore) PutSchedule(_ context.Context, s proclaim.Schedule, max int) (proclaim.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return proclaim.Schedule{}, f.fail
	}
	rest := slices.DeleteFunc(slices.Clone(f.scheds), func(o proclaim.Schedule) bool {
		return o.GuildID == s.GuildID && o.ChannelID == s.ChannelID
	})
	n := 0
	for _, o := range rest {
		if o.GuildID == s.GuildID {
			n++
		}
	}
	if n >= max {
		return proclaim.Schedule{}, proclaim.ErrTooMany
	}
	f.nextID++
	s.ID, s.LastAt, s.LastResult, s.Paused = f.nextID, time.Time{}, "", ""
	f.scheds = append(rest, s)
	return s, nil
}

func (f *fakeStore) DeleteSchedule(_ context.Context, g, ch string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return false, f.fail
	}
	n := len(f.scheds)
	f.scheds = slices.DeleteFunc(f.scheds, func(o proclaim.Schedule) bool { return o.GuildID == g && o.ChannelID == ch })
	return len(f.scheds) < n, nil
}

func (f *fakeStore) Schedules(_ context.Context, g string) ([]proclaim.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []proclaim.Schedule
	for _, s := range f.scheds {
		if s.GuildID == g {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) SetHush(_ context.Context, h proclaim.Hush) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.hushes[h.GuildID] = h
	return nil
}

func (f *fakeStore) ClearHush(_ context.Context, g string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	delete(f.hushes, g)
	return nil
}

func (f *fakeStore) Hush(_ context.Context, g string) (proclaim.Hush, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return proclaim.Hush{}, f.fail
	}
	if h, ok := f.hushes[g]; ok {
		return h, nil
	}
	return proclaim.Hush{GuildID: g}, nil
}

func (f *fakeStore) Claim(_ context.Context, now time.Time, limit int) ([]proclaim.Claim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims++
	if f.fail != nil {
		return nil, f.fail
	}
	var out []proclaim.Claim
	for i := range f.scheds {
		s := &f.scheds[i]
		if len(out) == limit || s.Paused != "" || s.NextAt.After(now) {
			continue
		}
		slot := s.NextAt
		s.NextAt = proclaim.NextSlot(slot, now, s.Every)
		out = append(out, proclaim.Claim{Schedule: *s, Slot: slot, Hushed: f.hushes[s.GuildID].Active(now)})
	}
	return out, nil
}

func (f *fakeStore) Finish(_ context.Context, id int64, o proclaim.Outcome) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	for i := range f.scheds {
		if s := &f.scheds[i]; s.ID == id {
			s.LastAt, s.LastResult = o.At, o.Result
			if o.Pause != "" {
				s.Paused = o.Pause
			}
		}
	}
	return nil
}

// get returns the schedule of a channel.
func (f *fakeStore) get(t *testing.T, ch string) proclaim.Schedule {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.scheds {
		if s.ChannelID == ch {
			return s
		}
	}
	t.Fatalf("no schedule in channel %s", ch)
	return proclaim.Schedule{}
}

// fakeWriter writes the kind, topic and seed, so tests can see them.
type fakeWriter struct{}

func (fakeWriter) Write(_ context.Context, _, kind, topic string, seed uint64) bot.Reply {
	return bot.Reply{Content: fmt.Sprintf("%s|%s|%d", kind, topic, seed)}
}

// post is one attempt the fake poster saw.
type post struct {
	at      time.Time
	channel string
	content string
}

// fakePoster records every attempt and answers with answer(channel, n),
// n counting the attempts at that channel from 1; nil answer means success.
type fakePoster struct {
	mu       sync.Mutex
	posts    []post
	attempts map[string]int
	answer   func(channel string, n int) error
}

func (p *fakePoster) Post(ctx context.Context, channel string, m bot.Reply) error {
	p.mu.Lock()
	if p.attempts == nil {
		p.attempts = map[string]int{}
	}
	p.attempts[channel]++
	n, answer := p.attempts[channel], p.answer
	p.posts = append(p.posts, post{time.Now(), channel, m.Content})
	p.mu.Unlock()
	// answer may sleep: not under the lock, since a goroutine waiting on a
	// mutex would keep the synctest bubble's clock from moving.
	var err error
	if answer != nil {
		err = answer(channel, n)
	}
	if ctx.Err() != nil {
		// As an HTTP client does, fail a request whose context ended.
		return ctx.Err()
	}
	return err
}

func (p *fakePoster) all() []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// fakeMetrics counts results and keeps the lags.
type fakeMetrics struct {
	mu      sync.Mutex
	results map[string]int
	lags    []time.Duration
}

func (m *fakeMetrics) Proclaimed(r string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.results == nil {
		m.results = map[string]int{}
	}
	m.results[r]++
}

func (m *fakeMetrics) Lag(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lags = append(m.lags, d)
}

func (m *fakeMetrics) count(r string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.results[r]
}

// logCounter is a slog handler counting records by level.
type logCounter struct {
	mu     sync.Mutex
	counts map[slog.Level]int
	msgs   []string
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[slog.Level]int{}
	}
	l.counts[r.Level]++
	l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
	return nil
}
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCounter) WithGroup(string) slog.Handler      { return l }

func (l *logCounter) count(level slog.Level) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[level]
}

var errDown = errors.New("database is down")
