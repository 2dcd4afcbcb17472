package scripture_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/scripture"
)

// memStore serves stored models from memory, counting the loads; a load
// waits for gate when it is set.
type memStore struct {
	scripture.Store
	mu     sync.Mutex
	models map[string]scripture.Model
	loads  map[string]int
	gate   chan struct{}
}

func newMem() *memStore {
	return &memStore{models: map[string]scripture.Model{}, loads: map[string]int{}}
}

func (m *memStore) set(guild string, version int64, essay int, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.models[guild] = scripture.Model{Version: version, Essay: essay, Data: data}
}

func (m *memStore) ScriptureVersion(ctx context.Context, guildID string) (int64, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	md, ok := m.models[guildID]
	if !ok {
		return 0, scripture.DefaultEssay, nil
	}
	return md.Version, md.Essay, nil
}

func (m *memStore) ScriptureModel(ctx context.Context, guildID string) (scripture.Model, error) {
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads[guildID]++
	md, ok := m.models[guildID]
	if !ok {
		return scripture.Model{}, scripture.ErrNone
	}
	return md, nil
}

func (m *memStore) loadsOf(guild string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loads[guild]
}

// trained trains a model of texts (name, data, ...) and returns its file.
func trained(t testing.TB, texts ...string) scripture.Trained {
	t.Helper()
	var tx []scripture.Text
	for i := 0; i < len(texts); i += 2 {
		tx = append(tx, text("g", texts[i], texts[i+1]))
	}
	tr, err := scripture.Train(tx, 0, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func fixedNow() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }

// essayAndHarbour is a server's scripture of the essay and harbour.txt:
// a model large enough to write alone, trained once for the package
// (TestBlendShareZero and TestChargeBoundsAWarmModel each trained one,
// seconds under -race). Only read it.
func essayAndHarbour(t testing.TB) scripture.Trained {
	t.Helper()
	tr, err := trainEssayAndHarbour()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// harbourAlone is a server's scripture of harbour.txt alone, trained once for
// the package (four tests each trained their own). Only read it.
func harbourAlone(t testing.TB) scripture.Trained {
	t.Helper()
	tr, err := trainHarbour()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var trainHarbour = sync.OnceValues(func() (scripture.Trained, error) {
	harbour, err := os.ReadFile(filepath.Join("testdata", "harbour.txt"))
	if err != nil {
		return scripture.Trained{}, err
	}
	return scripture.Train([]scripture.Text{text("g", "harbour", string(harbour))}, 0, fixedNow)
})

var trainEssayAndHarbour = sync.OnceValues(func() (scripture.Trained, error) {
	harbour, err := os.ReadFile(filepath.Join("testdata", "harbour.txt"))
	if err != nil {
		return scripture.Trained{}, err
	}
	return scripture.Train([]scripture.Text{text("g", "essay", corpus.EssayText()), text("g", "harbour", string(harbour))}, 0, fixedNow)
})

// TestCacheEvictsByBytes: the cache keeps the models it is charged for
// within its bound, the least recently used out, and counts hits and
// misses.
func TestCacheEvictsByBytes(t *testing.T) {
	t.Parallel()
	data := harbourAlone(t).Data
	mem := newMem()
	for i := 1; i <= 4; i++ {
		mem.set(fmt.Sprint("g", i), 1, 50, data)
	}
	essayW := bottest.EssayWriter(t)
	probe := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
	probe.WriterFor(t.Context(), "g1")
	cost := probe.Stats().Bytes
	if cost <= int64(len(data)) {
		t.Fatalf("a model of a %d-byte file is charged %d bytes", len(data), cost)
	}
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }, CacheBytes: cost * 5 / 2})
	for _, g := range []string{"g1", "g2", "g1", "g3", "g1", "g2"} {
		if w := svc.WriterFor(t.Context(), g); w.ModelID() == essayW.ModelID() {
			t.Fatalf("%s served the essay", g)
		}
		if st := svc.Stats(); st.Bytes > st.Limit || st.Models > 2 {
			t.Fatalf("after %s: %+v, over the bound", g, st)
		}
	}
	// g1, g2 (misses); g1 (hit); g3 (miss: g2 out); g1 (hit); g2 (miss: g3 out).
	st := svc.Stats()
	if st.Hits != 2 || st.Misses != 4 || st.Models != 2 || st.Bytes != 2*cost || st.Limit != cost*5/2 {
		t.Errorf("stats %+v, want 2 hits, 4 misses, 2 models of %d bytes", st, cost)
	}
	// A model larger than the whole cache is served, and not kept.
	tiny := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }, CacheBytes: cost / 2})
	for range 2 {
		if w := tiny.WriterFor(t.Context(), "g4"); w.ModelID() == essayW.ModelID() {
			t.Error("a model larger than the cache: served the essay")
		}
	}
	if st := tiny.Stats(); st.Models != 0 || st.Bytes != 0 || st.Misses != 2 {
		t.Errorf("a model larger than the cache: %+v", st)
	}
	if mem.loadsOf("g2") != 2 || mem.loadsOf("g1") != 1+1 { // +1: the probe's
		t.Errorf("loads: g1 %d, g2 %d", mem.loadsOf("g1"), mem.loadsOf("g2"))
	}
}

// TestOneLoadPerServer: callers that want a server's model while it loads
// wait for that load: the model is read and decoded once.
func TestOneLoadPerServer(t *testing.T) {
	t.Parallel()
	data := harbourAlone(t).Data
	essayW := bottest.EssayWriter(t)
	synctest.Test(t, func(t *testing.T) {
		mem := newMem()
		mem.set("g1", 1, 50, data)
		mem.gate = make(chan struct{})
		svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
		var wg sync.WaitGroup
		ids := make([]string, 20)
		for i := range ids {
			wg.Go(func() { ids[i] = svc.WriterFor(context.Background(), "g1").ModelID() })
		}
		synctest.Wait() // all twenty wait, one of them for the store
		close(mem.gate)
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || id == essayW.ModelID() {
				t.Fatalf("model ids %q", ids)
			}
		}
		if n := mem.loadsOf("g1"); n != 1 {
			t.Errorf("the model was read %d times, want once", n)
		}
		if st := svc.Stats(); st.Misses != 1 {
			t.Errorf("stats %+v, want one miss", st)
		}
	})
}

// TestVersionSwap: a new model stored for a server (by any replica) is
// served once the version read is older than Fresh, and not re-read before.
func TestVersionSwap(t *testing.T) {
	t.Parallel()
	a := harbourAlone(t)
	b := trained(t, "orchard", readText(t, "orchard.txt"))
	mem := newMem()
	mem.set("g1", 1, 50, a.Data)
	now := fixedNow()
	essayW := bottest.EssayWriter(t)
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }, Now: func() time.Time { return now }})
	if id := svc.WriterFor(t.Context(), "g1").ModelID(); id != a.Model.ID() {
		t.Fatalf("served %s, want %s", id, a.Model.ID())
	}
	mem.set("g1", 2, 50, b.Data)
	now = now.Add(scripture.DefaultFresh / 2)
	if id := svc.WriterFor(t.Context(), "g1").ModelID(); id != a.Model.ID() {
		t.Errorf("within Fresh: served %s, want the first model %s", id, a.Model.ID())
	}
	now = now.Add(scripture.DefaultFresh)
	if id := svc.WriterFor(t.Context(), "g1").ModelID(); id != b.Model.ID() {
		t.Errorf("after Fresh: served %s, want the new model %s", id, b.Model.ID())
	}
	// Changed reads it at once; a server whose model went gets the essay.
	mem.mu.Lock()
	delete(mem.models, "g1")
	mem.mu.Unlock()
	svc.Changed("g1")
	if id := svc.WriterFor(t.Context(), "g1").ModelID(); id != essayW.ModelID() {
		t.Errorf("without a model: served %s, want the essay", id)
	}
}

// TestBlendShareZero: a share of 0 is the server's texts alone only when
// its model can write novel text alone; else the default share holds.
func TestBlendShareZero(t *testing.T) {
	t.Parallel()
	small := harbourAlone(t)
	large := essayAndHarbour(t)
	mem := newMem()
	mem.set("small", 1, 0, small.Data)
	mem.set("large", 1, 0, large.Data)
	essayW := bottest.EssayWriter(t)
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
	for _, tc := range []struct {
		guild string
		alone bool
		model *compose.Writer
	}{{"small", false, compose.New(small.Model)}, {"large", true, compose.New(large.Model)}} {
		alone, err := svc.Alone(t.Context(), tc.guild)
		if err != nil || alone != tc.alone {
			t.Errorf("Alone(%s) = %v, %v; want %v", tc.guild, alone, err, tc.alone)
		}
		w := svc.WriterFor(t.Context(), tc.guild)
		fromEssay := 0
		for seed := uint64(0); seed < 100; seed++ {
			if w.Squint(seed, "the sea") == essayW.Squint(seed, "the sea") && w.Squint(seed, "the sea") != tc.model.Squint(seed, "the sea") {
				fromEssay++
			}
		}
		if tc.alone && fromEssay > 0 || !tc.alone && (fromEssay < 30 || fromEssay > 70) {
			t.Errorf("%s, share 0: %d of 100 squints the essay's", tc.guild, fromEssay)
		}
	}
	if !strings.Contains(small.Summary, "Not yet enough to write new text alone") || strings.Contains(large.Summary, "Not yet") {
		t.Errorf("summaries:\n%s\n%s", small.Summary, large.Summary)
	}
}

// TestTrainCountsEachText: Train learns each text with the corpus's
// cleaning, counts its sentences, and says what it learned and dropped.
func TestTrainCountsEachText(t *testing.T) {
	t.Parallel()
	tr := trained(t, "orchard", readText(t, "orchard.txt"), "chat", "lol ok\n\nhi\n\nThe committee met again on Friday, and the bees came too.\n\n"+readText(t, "orchard.txt"))
	if tr.Sentences["orchard"] < 30 || tr.Sentences["chat"] != 1 {
		t.Errorf("sentences %v", tr.Sentences)
	}
	for _, want := range []string{"learned ", "from 2 texts", "fragment"} {
		if !strings.Contains(tr.Summary, want) {
			t.Errorf("summary %q says no %q", tr.Summary, want)
		}
	}
	if _, err := scripture.Train([]scripture.Text{text("g", "x", "lol\n\nok")}, 0, fixedNow); err == nil || !strings.Contains(err.Error(), "no sentence") {
		t.Errorf("Train of no sentence: %v", err)
	}
	if _, err := scripture.Train([]scripture.Text{text("g", "x", "bin\x00ary")}, 0, fixedNow); err == nil {
		t.Error("Train of binary text: no error")
	}
}

// TestHostileScriptureIsInert: a server whose scripture is full of markup
// (masked links, mentions, spoilers, headings) is preached to in replies
// that render none of it (bottest.Inert, apart from discordtext), and that
// repeat no sentence of its texts.
func TestHostileScriptureIsInert(t *testing.T) {
	t.Parallel()
	tr := trained(t, "hostile", bottest.HostileScripture, "orchard", readText(t, "orchard.txt"), "harbour", readText(t, "harbour.txt"))
	mem := newMem()
	mem.set("G1", 1, 0, tr.Data)
	essayW := bottest.EssayWriter(t)
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
	b := bottest.NewBot(bot.Config{Writer: func() bot.Writer { return svc.WriterFor(context.Background(), "G1") }})
	var sentences []string
	for _, s := range []string{bottest.HostileScripture, readText(t, "orchard.txt"), readText(t, "harbour.txt")} {
		for _, words := range corpus.Parse(s).Sentences {
			if len(words) >= 5 {
				sentences = append(sentences, strings.Join(words, " "))
			}
		}
	}
	hostile := 0
	for i := range 60 {
		for _, req := range []bot.Request{
			bottest.Command("manifesto", map[string]any{"topic": "the link"}),
			bottest.Command("squint", map[string]any{"thing": "the council"}),
			bottest.Command("glowcloud", nil),
		} {
			req.ID = fmt.Sprint("I", i)
			r := b.Handle(t.Context(), req)
			body, err := json.Marshal(discord.Response(r))
			if err != nil {
				t.Fatal(err)
			}
			var decoded map[string]any
			if err := json.Unmarshal(body, &decoded); err != nil {
				t.Fatal(err)
			}
			if err := bottest.Inert(decoded["data"]); err != nil {
				t.Errorf("a reply renders markup: %v\n%s", err, body)
			}
			s := string(body)
			if strings.Contains(s, "evil") || strings.Contains(s, "council") {
				hostile++
			}
			for _, sentence := range sentences {
				if strings.Contains(strings.Join(strings.Fields(s), " "), sentence) {
					t.Errorf("a reply repeats the scripture's sentence %q", sentence)
				}
			}
		}
	}
	if hostile == 0 {
		t.Fatal("no reply said a word of the hostile text: the test proves nothing")
	}
	t.Logf("%d of 180 replies said words of the hostile text", hostile)
}

// TestChargeBoundsAWarmModel: what the cache charges a model is at least
// what it holds once used and warmed (its file, its tables, the indexes
// compose builds on first use), so the bound holds for what it keeps. Not
// parallel: it measures the heap.
func TestChargeBoundsAWarmModel(t *testing.T) {
	data := essayAndHarbour(t).Data
	mem := newMem()
	mem.set("g1", 1, 50, data)
	essayW := bottest.EssayWriter(t)
	essayW.Warm()
	svc := scripture.New(scripture.Config{Store: mem, Essay: func() *compose.Writer { return essayW }})
	before := liveHeap()
	w := svc.WriterFor(t.Context(), "g1").(*compose.Blend)
	for seed := range uint64(20) {
		w.Manifesto(seed, "", 3)
		w.Squint(seed, "the state")
	}
	w.Suggest("", 25)
	held := liveHeap() - before + int64(len(data))
	alone, _ := svc.Alone(t.Context(), "g1")
	runtime.KeepAlive(w)
	charged := svc.Stats().Bytes
	t.Logf("a %d-byte model file: charged %d bytes, holds %d used (%.2f×); alone %v", len(data), charged, held, float64(charged)/float64(held), alone)
	if charged < held {
		t.Errorf("charged %d bytes, the model holds %d", charged, held)
	}
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
