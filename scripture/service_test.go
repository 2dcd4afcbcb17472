package scripture_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/pgtest"
	"github.com/glowcloud/glowcloud/internal/sqlitetest"
	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/postgres"
	"github.com/glowcloud/glowcloud/scripture"
	"github.com/glowcloud/glowcloud/sqlite"
)

// stores are the two adapters the trainer is tested on.
var stores = []struct {
	name string
	open func(t *testing.T) scripture.Store
}{
	{"sqlite", func(t *testing.T) scripture.Store {
		db, err := sqlite.Open(t.Context(), sqlitetest.File(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", func(t *testing.T) scripture.Store {
		db, err := postgres.Open(t.Context(), pgtest.Schema(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
}

func readText(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func text(guild, name, data string) scripture.Text {
	sum := sha256.Sum256([]byte(data))
	return scripture.Text{GuildID: guild, Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
		Data: []byte(data), AddedBy: "u1", AddedAt: time.Now()}
}

var limits = scripture.Limits{Files: scripture.DefaultFiles, Bytes: scripture.DefaultBytes}

func add(t testing.TB, st scripture.Store, tx scripture.Text) {
	t.Helper()
	if _, err := st.AddText(context.Background(), tx, limits); err != nil {
		t.Fatalf("AddText(%s/%s): %v", tx.GuildID, tx.Name, err)
	}
}

// counts is a scripture.Metrics that counts.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) ScriptureTrained(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[result]++
}

func (c *counts) get(result string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[result]
}

// run runs svc's trainer until the test ends, and checks it returned nil.
func run(t *testing.T, svc *scripture.Service) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := svc.Wait(context.Background()); err != nil {
			t.Errorf("Wait: %v", err)
		}
	})
	t.Cleanup(stop)
	return stop
}

// waitState waits (a minute at most) until the server's scripture is in
// state want.
func waitState(t *testing.T, st scripture.Store, guild string, want scripture.State) scripture.Guild {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		g, err := st.ScriptureGuild(context.Background(), guild)
		if err != nil {
			t.Fatal(err)
		}
		if g.State == want {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %q after a minute, want %q: %+v", guild, g.State, want, g)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var (
	harbourWords = []string{"morwenna", "lighthouse", "harbour", "fishermen"}
	orchardWords = []string{"tamsin", "quince", "beekeeper", "cider", "orchard"}
)

func says(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// pieces returns n of each kind of text w writes.
func pieces(w interface {
	Manifesto(uint64, string, int) (string, string)
	Squint(uint64, string) string
	Glowcloud(uint64) string
}, n int) []string {
	var out []string
	for seed := uint64(0); seed < uint64(n); seed++ {
		title, body := w.Manifesto(seed, "", 3)
		out = append(out, title+"\n"+body, w.Squint(seed, "the state"), w.Glowcloud(seed))
	}
	return out
}

// TestTrainerTrainsEachServersOwn: on both databases, the trainer trains
// each server with texts from its own texts alone (counting each text's
// sentences and saying what it learned), and WriterFor gives each server
// its blend: its words and never another's; DMs and servers without
// scripture get the essay.
func TestTrainerTrainsEachServersOwn(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			harbour := strings.SplitN(readText(t, "harbour.txt"), "\n\n", 3)
			add(t, st, text("g1", "harbour one", harbour[0]+"\n\n"+harbour[1]))
			add(t, st, text("g1", "harbour two", harbour[2]))
			add(t, st, text("g2", "orchard", readText(t, "orchard.txt")))
			essayW := bottest.EssayWriter(t)
			var m counts
			var hook trainingHook
			svc := scripture.New(scripture.Config{Store: st, Essay: func() *compose.Writer { return essayW }, Metrics: &m, Poll: 20 * time.Millisecond,
				Training: hook.start})
			run(t, svc)
			svc.Nudge()
			g1 := waitState(t, st, "g1", scripture.StateReady)
			waitState(t, st, "g2", scripture.StateReady)
			if !strings.HasPrefix(g1.Summary, "learned ") || !strings.Contains(g1.Summary, "from 2 texts") {
				t.Errorf("summary %q", g1.Summary)
			}
			texts, err := st.Texts(t.Context(), "g1", false)
			if err != nil {
				t.Fatal(err)
			}
			for _, tx := range texts {
				if tx.Sentences <= 0 {
					t.Errorf("text %s: %d sentences learned", tx.Name, tx.Sentences)
				}
			}
			// The trainer counts a training after recording it, so the
			// count may trail the state the test saw.
			for deadline := time.Now().Add(10 * time.Second); m.get(scripture.ResultOK) < 2 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if got := m.get(scripture.ResultOK); got != 2 {
				t.Errorf("trainings: %d ok, want 2", got)
			}
			// Training was told of each training's bytes, and of its end.
			sizes, running := hook.get()
			for deadline := time.Now().Add(10 * time.Second); running != 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond) // the training's goroutine ends after its result is read
				sizes, running = hook.get()
			}
			want := []int64{int64(len(harbour[0] + "\n\n" + harbour[1] + harbour[2])), int64(len(readText(t, "orchard.txt")))}
			slices.Sort(sizes)
			slices.Sort(want)
			if !slices.Equal(sizes, want) || running != 0 {
				t.Errorf("Training told of %v (%d running at the end), want %v and 0", sizes, running, want)
			}
			stored, err := st.ScriptureModel(t.Context(), "g1")
			if err != nil {
				t.Fatal(err)
			}
			model, err := markov.Loader{}.DecodeBytes(t.Context(), stored.Data)
			if err != nil {
				t.Fatal(err)
			}
			w1, w2 := svc.WriterFor(t.Context(), "g1"), svc.WriterFor(t.Context(), "g2")
			if w1.ModelID() != model.ID() || w1.ModelID() == essayW.ModelID() || w2.ModelID() == w1.ModelID() {
				t.Errorf("model ids: g1 %s (stored %s), g2 %s, essay %s", w1.ModelID(), model.ID(), w2.ModelID(), essayW.ModelID())
			}
			for _, g := range []string{"", "g3"} {
				if w := svc.WriterFor(t.Context(), g); w.ModelID() != essayW.ModelID() {
					t.Errorf("WriterFor(%q) is %s, want the essay's", g, w.ModelID())
				}
			}
			own1, own2 := 0, 0
			for _, p := range pieces(w1, 30) {
				if says(p, orchardWords) {
					t.Fatalf("g1's text says g2's words: %q", p)
				}
				if says(p, harbourWords) {
					own1++
				}
			}
			for _, p := range pieces(w2, 30) {
				if says(p, harbourWords) {
					t.Fatalf("g2's text says g1's words: %q", p)
				}
				if says(p, orchardWords) {
					own2++
				}
			}
			if own1 < 10 || own2 < 10 {
				t.Errorf("of 90 pieces each, g1's say its words %d times, g2's %d", own1, own2)
			}
			if st := svc.Stats(); st.Models != 2 || st.Bytes <= 0 || st.Misses != 2 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestKilledTrainerPickedUpOnce: a training whose trainer died (its lease
// ran out) is taken over and trained exactly once by two replicas' trainers
// on the same database.
func TestKilledTrainerPickedUpOnce(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			add(t, st, text("g1", "orchard", readText(t, "orchard.txt")))
			if _, ok, err := st.ClaimTraining(t.Context(), "dead", time.Now().Add(-2*time.Minute), time.Minute); !ok || err != nil {
				t.Fatalf("claim: %v, %v", ok, err)
			}
			essayW := bottest.EssayWriter(t)
			var m1, m2 counts
			var svcs []*scripture.Service
			for _, m := range []*counts{&m1, &m2} {
				// Four services (two stores, two replicas) polling the
				// database every 5 ms while the model trains cost a second
				// of CPU under -race; every 20 ms, half a second less.
				svc := scripture.New(scripture.Config{Store: st, Essay: func() *compose.Writer { return essayW }, Metrics: m, Poll: 20 * time.Millisecond})
				run(t, svc)
				svcs = append(svcs, svc)
			}
			g := waitState(t, st, "g1", scripture.StateReady)
			time.Sleep(200 * time.Millisecond) // ten more polls each: nothing more to claim
			if n := m1.get(scripture.ResultOK) + m2.get(scripture.ResultOK); n != 1 || g.Attempts != 2 {
				t.Errorf("trained %d times (%v, %v), attempts %d: want once, at the second attempt", n, m1.n, m2.n, g.Attempts)
			}
			// Both replicas serve the model, whichever trained it.
			for i, svc := range svcs {
				if w := svc.WriterFor(t.Context(), "g1"); w.ModelID() == essayW.ModelID() || !says(strings.Join(pieces(w, 10), " "), orchardWords) {
					t.Errorf("replica %d serves %s, not the server's blend", i+1, w.ModelID())
				}
			}
		})
	}
}

// TestTrainerGivesUpAfterMaxAttempts: a training whose trainers keep dying
// is failed with MsgAbandoned, not trained again.
func TestTrainerGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			add(t, st, text("g1", "orchard", readText(t, "orchard.txt")))
			at := time.Now().Add(-time.Hour)
			for i := range scripture.MaxAttempts {
				if _, ok, err := st.ClaimTraining(t.Context(), "dead", at.Add(time.Duration(i)*2*time.Minute), time.Minute); !ok || err != nil {
					t.Fatalf("claim %d: %v, %v", i+1, ok, err)
				}
			}
			var m counts
			svc := scripture.New(scripture.Config{Store: st, Essay: func() *compose.Writer { return bottest.EssayWriter(t) }, Metrics: &m, Poll: 5 * time.Millisecond})
			run(t, svc)
			g := waitState(t, st, "g1", scripture.StateFailed)
			if g.Error != scripture.MsgAbandoned || m.get(scripture.ResultOK)+m.get(scripture.ResultFailed) != 0 {
				t.Errorf("after %d dead trainers: %+v, trainings %v", scripture.MaxAttempts, g, m.n)
			}
		})
	}
}

// TestTrainingFailsWithoutSentences: texts with nothing to learn fail with
// a reason for people.
func TestTrainingFailsWithoutSentences(t *testing.T) {
	t.Parallel()
	st := stores[0].open(t)
	add(t, st, text("g1", "chat", "lol ok\n\nhi\n\n<@123>\n"))
	var m counts
	svc := scripture.New(scripture.Config{Store: st, Essay: func() *compose.Writer { return bottest.EssayWriter(t) }, Metrics: &m, Poll: 5 * time.Millisecond})
	run(t, svc)
	g := waitState(t, st, "g1", scripture.StateFailed)
	if !strings.Contains(g.Error, "no sentence") || m.get(scripture.ResultFailed) != 1 {
		t.Errorf("failed with %q, trainings %v", g.Error, m.n)
	}
	if w := svc.WriterFor(t.Context(), "g1"); w.ModelID() != bottest.EssayWriter(t).ModelID() {
		t.Errorf("a server whose training failed is served %s, want the essay", w.ModelID())
	}
}

// blocking is a store whose Texts blocks until its context ends (a
// training that takes long), and whose RenewTraining may say the job was
// lost.
type blocking struct {
	scripture.Store
	started  chan struct{}
	lost     bool
	released chan scripture.Job
}

func (b *blocking) Texts(ctx context.Context, guildID string, withData bool) ([]scripture.Text, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (b *blocking) RenewTraining(ctx context.Context, j scripture.Job, until time.Time) (bool, error) {
	if b.lost {
		return false, nil
	}
	return b.Store.RenewTraining(ctx, j, until)
}

func (b *blocking) ReleaseTraining(ctx context.Context, j scripture.Job) error {
	b.released <- j
	return b.Store.ReleaseTraining(ctx, j)
}

// TestShutdownGivesTheJobBack: a trainer shutting down mid-training gives
// its job back at once, for another to take without waiting for the lease;
// one whose job was taken over lets it go without giving it back.
func TestShutdownGivesTheJobBack(t *testing.T) {
	t.Parallel()
	for _, lost := range []bool{false, true} {
		st := stores[0].open(t)
		add(t, st, text("g1", "orchard", readText(t, "orchard.txt")))
		b := &blocking{Store: st, started: make(chan struct{}, 1), lost: lost, released: make(chan scripture.Job, 1)}
		var m counts
		svc := scripture.New(scripture.Config{Store: b, Essay: func() *compose.Writer { return bottest.EssayWriter(t) }, Metrics: &m,
			Poll: 5 * time.Millisecond, Lease: 30 * time.Millisecond})
		stop := run(t, svc)
		<-b.started
		if lost {
			waitFor(t, func() bool { return m.get(scripture.ResultLost) == 1 })
			stop()
			// The lost job is not given back (a later claim of it, once its
			// lease ran out, may be, at the shutdown).
			select {
			case j := <-b.released:
				if j.Attempt == 1 {
					t.Errorf("a lost job was given back: %+v", j)
				}
			default:
			}
			continue
		}
		stop()
		j := <-b.released
		if m.get(scripture.ResultReleased) != 1 || j.GuildID != "g1" {
			t.Errorf("released %+v, trainings %v", j, m.n)
		}
		if j2, ok, err := st.ClaimTraining(t.Context(), "other", time.Now(), time.Minute); !ok || err != nil {
			t.Errorf("after the shutdown another claims %+v, %v, %v; want the job at once", j2, ok, err)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var _ = errors.New

// trainingHook records what Config.Training is told.
type trainingHook struct {
	mu      sync.Mutex
	sizes   []int64
	running int
}

func (h *trainingHook) start(textBytes int64) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sizes = append(h.sizes, textBytes)
	h.running++
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.running--
	}
}

func (h *trainingHook) get() ([]int64, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sizes), h.running
}
