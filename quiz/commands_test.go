package quiz_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/compose"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/internal/sqlitetest"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/quiz"
)

// editor is a quiz.Editor that records the edits, and fails while fail
// says so.
type editor struct {
	mu    sync.Mutex
	edits map[string][]bot.Reply // by token
	fail  func(token string) error
}

func (e *editor) Edit(_ context.Context, appID, token string, r bot.Reply) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		if err := e.fail(token); err != nil {
			return err
		}
	}
	if e.edits == nil {
		e.edits = map[string][]bot.Reply{}
	}
	e.edits[token] = append(e.edits[token], r)
	return nil
}

func (e *editor) of(token string) []bot.Reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.edits[token]
}

// counter is a quiz.Metrics.
type counter struct {
	mu       sync.Mutex
	votes    map[string]int // "truth/vote"
	revealed map[string]int
}

func (c *counter) QuizVotes(truth, vote string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.votes == nil {
		c.votes = map[string]int{}
	}
	c.votes[truth+"/"+vote] += n
}

func (c *counter) QuizRevealed(result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.revealed == nil {
		c.revealed = map[string]int{}
	}
	c.revealed[result]++
}

func player(user, channel string) bot.Player {
	return bot.Player{GuildID: "g1", ChannelID: channel, UserID: user, AppID: "app", Token: "tok-" + channel}
}

// roundOf returns the round id of a round's message, from its first
// button.
func roundOf(t *testing.T, r bot.Reply) string {
	t.Helper()
	if len(r.Buttons) != 2 {
		t.Fatalf("a round's message has %d buttons, want 2: %+v", len(r.Buttons), r)
	}
	parts := strings.Split(r.Buttons[0].CustomID, "|")
	if len(parts) != 4 || !bot.IsRoundID(parts[2]) {
		t.Fatalf("button custom_id %q", r.Buttons[0].CustomID)
	}
	return parts[2]
}

// TestPayloadsCarryNoAnswer plays 60 rounds, and decodes every payload a
// player could see before the reveal — the round's message as Discord
// gets it (checked against Discord's spec), every custom_id, the lock-in
// replies — and finds nothing that differs between real and generated
// rounds but the sentence itself and the round's random id.
func TestPayloadsCarryNoAnswer(t *testing.T) {
	t.Parallel()
	db := sqlitetest.Memory(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	cm := quiz.NewCommands(db, quiz.Config{Now: func() time.Time { return now }})
	w := bottest.EssayWriter(t)
	payloads := map[bool]map[string]int{true: {}, false: {}} // by truth: normalised payload -> count
	ids := map[string]bool{}
	real := map[string]bool{}
	corpus, _ := w.Sentences()
	for _, s := range corpus {
		real[s] = true
	}
	for i := range 60 {
		ch := fmt.Sprint("c", i)
		r, err := cm.Play(t.Context(), player("starter", ch), w)
		if err != nil {
			t.Fatal(err)
		}
		id := roundOf(t, r)
		if ids[id] {
			t.Fatalf("round id %s twice", id)
		}
		ids[id] = true
		sentence := r.Embeds[0].Description
		isReal := real[sentence]
		body, err := json.Marshal(discord.Response(r))
		if err != nil {
			t.Fatal(err)
		}
		if err := discordtest.CheckInteractionResponse(body); err != nil {
			t.Fatalf("round message breaks Discord's spec: %v\n%s", err, body)
		}
		norm := normalise(t, body, sentence, id)
		for _, b := range r.Buttons {
			if got, _ := json.Marshal(b); bytes.Contains(got, []byte(`"Disabled":true`)) {
				t.Errorf("a button of an open round is disabled: %s", got)
			}
		}
		// The lock-ins of both answers, by two members.
		for j, vote := range []bool{true, false} {
			v, err := cm.Vote(t.Context(), player(fmt.Sprint("u", j), ch), id, vote)
			if err != nil {
				t.Fatal(err)
			}
			vb, _ := json.Marshal(discord.Response(v))
			norm += "\n" + string(vb)
		}
		payloads[isReal][norm]++
	}
	if len(payloads[true]) == 0 || len(payloads[false]) == 0 {
		t.Fatalf("60 rounds were not both real and generated: %d real payload kinds, %d generated", len(payloads[true]), len(payloads[false]))
	}
	if len(payloads[true]) != 1 || len(payloads[false]) != 1 {
		t.Fatalf("payloads differ within a kind beyond the sentence and id: %d and %d kinds", len(payloads[true]), len(payloads[false]))
	}
	for r := range payloads[true] {
		for g := range payloads[false] {
			if r != g {
				t.Errorf("a real round's payloads differ from a generated one's beyond the sentence:\nreal:      %s\ngenerated: %s", r, g)
			}
		}
	}
}

// normalise replaces the sentence and the round id in a payload with
// placeholders, and checks that they were there.
func normalise(t *testing.T, body []byte, sentence, id string) string {
	t.Helper()
	enc, _ := json.Marshal(sentence)
	s := string(body)
	if !strings.Contains(s, string(enc[1:len(enc)-1])) || !strings.Contains(s, id) {
		t.Fatalf("payload lacks its sentence or id: %s", s)
	}
	s = strings.ReplaceAll(s, string(enc[1:len(enc)-1]), "SENTENCE")
	return strings.ReplaceAll(s, id, "ROUND")
}

var fastest = regexp.MustCompile(`(\d+) of (\d+) voters got it right\. Fastest right answer: <@(\w+)> in ([\d.]+) s\.`)

// TestRoundOnTheClock: a round takes votes for its 20 s, on synctest's
// clock; the Runner reveals it once, right after: the answer, the count of
// right voters and the fastest, the vote buttons disabled and Play again;
// the metrics and the scores count each vote once.
func TestRoundOnTheClock(t *testing.T) {
	t.Parallel()
	// A seed whose round is real, and one whose round is generated.
	corpus, generated := bottest.EssayWriter(t).Sentences()
	bank := quiz.NewBank(corpus, generated)
	seeds := map[bool]uint64{}
	for seed := uint64(0); len(seeds) < 2; seed++ {
		if _, real, _ := bank.Draw(compose.NewRand(seed)); seeds[real] == 0 {
			seeds[real] = seed + 1 // +1: 0 means none yet
		}
	}
	for _, real := range []bool{true, false} {
		t.Run(fmt.Sprintf("real=%v", real), func(t *testing.T) {
			t.Parallel()
			roundOnTheClock(t, real, seeds[real]-1)
		})
	}
}

func roundOnTheClock(t *testing.T, wantReal bool, seed uint64) {
	synctest.Test(t, func(t *testing.T) {
		db := sqlitetest.Memory(t)
		ed, met := &editor{}, &counter{}
		run := quiz.NewRunner(db, ed, quiz.RunnerConfig{Metrics: met, Poll: time.Second})
		cm := quiz.NewCommands(db, quiz.Config{Ended: run.Nudge, Rand: func() *mrand.Rand { return compose.NewRand(seed) }})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { _ = run.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		start := time.Now()
		r, err := cm.Play(t.Context(), player("starter", "c1"), bottest.EssayWriter(t))
		if err != nil {
			t.Fatal(err)
		}
		id := roundOf(t, r)
		if again, _ := cm.Play(t.Context(), player("other", "c1"), bottest.EssayWriter(t)); !again.Ephemeral || !strings.Contains(again.Content, "already running") {
			t.Errorf("a second /quiz play in the channel: %+v", again)
		}
		// Five members vote a second apart: a, b, c Real, d, e Glow Cloud.
		for i, u := range []string{"a", "b", "c", "d", "e"} {
			time.Sleep(time.Second)
			v, err := cm.Vote(t.Context(), player(u, "c1"), id, i < 3)
			if err != nil || !strings.HasPrefix(v.Content, "Locked in: ") || !v.Ephemeral {
				t.Fatalf("vote of %s: %+v, %v", u, v, err)
			}
		}
		if v, _ := cm.Vote(t.Context(), player("a", "c1"), id, false); !strings.Contains(v.Content, "already locked in **Real**") {
			t.Errorf("a second press: %q", v.Content)
		}
		synctest.Wait()
		if n := len(ed.of("tok-c1")); n != 0 {
			t.Fatalf("%d reveals before the round's end", n)
		}
		time.Sleep(time.Until(start.Add(20 * time.Second)))
		if v, _ := cm.Vote(t.Context(), player("late", "c1"), id, true); !strings.Contains(v.Content, "ended") {
			t.Errorf("a vote at the end: %q", v.Content)
		}
		time.Sleep(time.Second) // the next poll
		synctest.Wait()
		edits := ed.of("tok-c1")
		if len(edits) != 1 {
			t.Fatalf("%d reveals, want 1", len(edits))
		}
		rv := edits[0]
		m := fastest.FindStringSubmatch(rv.Content)
		realRound := strings.Contains(rv.Content, "It was real")
		if realRound != wantReal {
			t.Fatalf("seed %d: the reveal %q, want a real round %v", seed, rv.Content, wantReal)
		}
		wantRight, wantFastest, wantAfter := "3", "a", "1.0"
		if !realRound {
			wantRight, wantFastest, wantAfter = "2", "d", "4.0"
		}
		if m == nil || m[1] != wantRight || m[2] != "5" || m[3] != wantFastest || m[4] != wantAfter {
			t.Errorf("reveal %q: want %s of 5 right, the fastest %s in %s s", rv.Content, wantRight, wantFastest, wantAfter)
		}
		if len(rv.Buttons) != 3 || !rv.Buttons[0].Disabled || !rv.Buttons[1].Disabled || rv.Buttons[2].Disabled || rv.Buttons[2].CustomID != bot.QuizPlayAgainID {
			t.Errorf("reveal buttons %+v", rv.Buttons)
		}
		if realRound {
			if !strings.Contains(rv.Content, "from its section “") {
				t.Errorf("a real essay sentence's reveal names no section: %q", rv.Content)
			}
			if met.votes["real/real"] != 3 || met.votes["real/glowcloud"] != 2 {
				t.Errorf("metrics %v", met.votes)
			}
		} else if met.votes["glowcloud/real"] != 3 || met.votes["glowcloud/glowcloud"] != 2 {
			t.Errorf("metrics %v", met.votes)
		}
		// Later polls reveal nothing again; the scores count the round once.
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := len(ed.of("tok-c1")); n != 1 {
			t.Errorf("%d reveals after a minute, want 1", n)
		}
		s, ok, err := db.Score(t.Context(), "g1", "a")
		if err != nil || !ok || s.Rounds != 1 {
			t.Errorf("a's score: %+v, %v, %v", s, ok, err)
		}
		// The channel is free again.
		if r, _ := cm.Play(t.Context(), player("starter", "c1"), bottest.EssayWriter(t)); r.Ephemeral {
			t.Errorf("after the reveal, /quiz play: %+v", r)
		}
	})
}

// TestRevealAfterTheRevealerDies: the Runner that claimed a round's end
// dies before its edit goes out (its edits hang until it is stopped);
// another Runner on the same database claims the round once the lease has
// run out, and reveals it, once; the scores were tallied once.
func TestRevealAfterTheRevealerDies(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		db := sqlitetest.Memory(t)
		cm := quiz.NewCommands(db, quiz.Config{})
		r, err := cm.Play(t.Context(), player("starter", "c1"), bottest.EssayWriter(t))
		if err != nil {
			t.Fatal(err)
		}
		id := roundOf(t, r)
		if _, err := cm.Vote(t.Context(), player("a", "c1"), id, true); err != nil {
			t.Fatal(err)
		}

		hung := make(chan struct{})
		dead := quiz.NewRunner(db, hangingEditor{hung}, quiz.RunnerConfig{Poll: time.Second, Lease: 30 * time.Second, EditTimeout: time.Hour})
		ctx1, kill := context.WithCancel(t.Context())
		done1 := make(chan struct{})
		go func() { _ = dead.Run(ctx1); close(done1) }()
		time.Sleep(21 * time.Second)
		<-hung // it claimed the round and is stuck in the edit
		kill()

		ed, met := &editor{}, &counter{}
		alive := quiz.NewRunner(db, ed, quiz.RunnerConfig{Metrics: met, Poll: time.Second, Lease: 30 * time.Second})
		ctx2, stop := context.WithCancel(t.Context())
		done2 := make(chan struct{})
		go func() { _ = alive.Run(ctx2); close(done2) }()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := len(ed.of("tok-c1")); n != 0 {
			t.Fatalf("revealed within the dead Runner's lease: %d edits", n)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if n := len(ed.of("tok-c1")); n != 1 {
			t.Fatalf("%d reveals after the lease ran out, want 1", n)
		}
		if len(met.votes) != 0 {
			t.Errorf("the second claim counted the votes again: %v", met.votes)
		}
		if s, _, _ := db.Score(t.Context(), "g1", "a"); s.Rounds != 1 {
			t.Errorf("a's score %+v, want one round", s)
		}
		stop()
		<-done2
		close(hung) // let the dead Runner's edit return
		<-done1
	})
}

// hangingEditor signals that an edit began on hung, then hangs until hung
// is closed.
type hangingEditor struct{ hung chan struct{} }

func (h hangingEditor) Edit(ctx context.Context, _, _ string, _ bot.Reply) error {
	h.hung <- struct{}{}
	<-h.hung
	return nil
}

// TestRevealRetriesAndGivesUp: an edit Discord answers 500 is retried; one
// it refuses (404: the message is gone) is given up at once, and the round
// is never claimed again.
func TestRevealRetriesAndGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		db := sqlitetest.Memory(t)
		cm := quiz.NewCommands(db, quiz.Config{})
		for _, ch := range []string{"flaky", "gone"} {
			if _, err := cm.Play(t.Context(), player("s", ch), bottest.EssayWriter(t)); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		tries := map[string]int{}
		ed, met := &editor{}, &counter{}
		ed.fail = func(token string) error {
			mu.Lock()
			defer mu.Unlock()
			tries[token]++
			switch {
			case token == "tok-gone":
				return &proclaim.PostError{Status: 404, Code: 10008, Message: "Unknown Message"}
			case tries[token] < 3:
				return &proclaim.PostError{Status: 500}
			}
			return nil
		}
		run := quiz.NewRunner(db, ed, quiz.RunnerConfig{Metrics: met})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { _ = run.Run(ctx); close(done) }()
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if tries["tok-gone"] != 1 || len(ed.of("tok-gone")) != 0 {
			t.Errorf("a refused edit was tried %d times", tries["tok-gone"])
		}
		if tries["tok-flaky"] != 3 || len(ed.of("tok-flaky")) != 1 {
			t.Errorf("a flaky edit: %d tries, %d edits; want 3 and 1", tries["tok-flaky"], len(ed.of("tok-flaky")))
		}
		if met.revealed["edited"] != 1 || met.revealed["failed"] != 1 {
			t.Errorf("reveal metrics %v", met.revealed)
		}
	})
}

// TestDMRoundEndsWithTheVote: in a DM with the bot, the round ends when
// its one member votes, and the reveal follows at once.
func TestDMRoundEndsWithTheVote(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		db := sqlitetest.Memory(t)
		ed := &editor{}
		run := quiz.NewRunner(db, ed, quiz.RunnerConfig{Poll: time.Hour})
		cm := quiz.NewCommands(db, quiz.Config{Ended: run.Nudge})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { _ = run.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		dm := bot.Player{ChannelID: "dm1", UserID: "u1", AppID: "app", Token: "tok-dm", BotDM: true}
		r, err := cm.Play(t.Context(), dm, bottest.EssayWriter(t))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		if _, err := cm.Vote(t.Context(), dm, roundOf(t, r), true); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(ed.of("tok-dm")); n != 1 {
			t.Fatalf("%d reveals right after the DM's vote, want 1", n)
		}
		if top, _ := cm.Top(t.Context(), dm); !strings.Contains(top.Content, "Leaderboards belong to servers") {
			t.Errorf("/quiz top in a DM: %q", top.Content)
		}
		if me, _ := cm.Me(t.Context(), dm); !strings.Contains(me.Content, "of 1 right") {
			t.Errorf("/quiz me in the DM: %q", me.Content)
		}
	})
}

// TestPlayWithoutSentences: a Writer that offers no sentences of its own,
// or none, is a polite refusal, not a round.
func TestPlayWithoutSentences(t *testing.T) {
	t.Parallel()
	cm := quiz.NewCommands(sqlitetest.Memory(t), quiz.Config{})
	for name, w := range map[string]bot.Writer{"no Sentences": bottest.Writer{}, "nil": nil, "too few": tiny{}} {
		r, err := cm.Play(t.Context(), player("u", "c1"), w)
		if err != nil || !r.Ephemeral || len(r.Buttons) != 0 {
			t.Errorf("%s: %+v, %v; want a polite refusal", name, r, err)
		}
	}
}

// tiny is a model with two sentences, none generated.
type tiny struct{ bottest.Writer }

func (tiny) Sentences() (corpus, generated []string) {
	return []string{"The workers of the world meet in the square today.", "They sing."}, nil
}

func TestParseSeconds(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"": 20, "5": 5, "600": 600, " 30 ": 30} {
		if got, err := quiz.ParseSeconds(in); err != nil || got != want {
			t.Errorf("ParseSeconds(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"4", "601", "20s", "-20", "1e2", "twenty", "020"} {
		if _, err := quiz.ParseSeconds(in); err == nil {
			t.Errorf("ParseSeconds(%q) accepted", in)
		}
	}
}

// TestNoRepeatInAChannel: 40 rounds in a row in one channel never show a
// sentence of the channel's 20 rounds before.
func TestNoRepeatInAChannel(t *testing.T) {
	t.Parallel()
	db := sqlitetest.Memory(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	seed := uint64(0)
	cm := quiz.NewCommands(db, quiz.Config{
		Now:  func() time.Time { return now },
		Rand: func() *mrand.Rand { seed++; return compose.NewRand(seed) },
	})
	w := bottest.EssayWriter(t)
	var shown []string
	for i := range 40 {
		r, err := cm.Play(t.Context(), player("u", "c1"), w)
		if err != nil || len(r.Embeds) != 1 {
			t.Fatalf("round %d: %+v, %v", i, r, err)
		}
		s := r.Embeds[0].Description
		if i := slices.Index(shown[max(0, len(shown)-20):], s); i >= 0 {
			t.Errorf("round %d shows again the sentence of %d rounds before: %q", len(shown), 20-i, s)
		}
		shown = append(shown, s)
		now = now.Add(21 * time.Second)
		if _, err := db.ClaimReveals(t.Context(), now, time.Minute, 10); err != nil {
			t.Fatal(err)
		}
	}
}

// roundLog is a quiz.Store that keeps the rounds started and nothing else:
// every channel is free at once, as if each round had been revealed.
type roundLog struct{ rounds []quiz.Round }

func (l *roundLog) StartRound(_ context.Context, r quiz.Round) error {
	l.rounds = append(l.rounds, r)
	return nil
}

func (l *roundLog) Recent(_ context.Context, channelID string, n int) ([]string, error) {
	var out []string
	for i := len(l.rounds) - 1; i >= 0 && len(out) < n; i-- {
		if l.rounds[i].ChannelID == channelID {
			out = append(out, l.rounds[i].Sentence)
		}
	}
	return out, nil
}

func (*roundLog) CastVote(context.Context, quiz.Vote) (quiz.Voted, string, error) {
	return quiz.VoteUnknown, "", nil
}
func (*roundLog) Top(context.Context, string, int) ([]quiz.Score, error) { return nil, nil }
func (*roundLog) Score(context.Context, string, string) (quiz.Score, bool, error) {
	return quiz.Score{}, false, nil
}
func (*roundLog) Forget(context.Context, string, string) (int, error) { return 0, nil }

// TestHalfTheRoundsAreReal: of 4,000 rounds played in one channel (the
// rule that a channel is not shown a sentence of its last rounds again
// applied, which redraws real sentences more often than generated ones:
// they are shown more often), half are real and half generated, within
// 3 points (3.8 standard deviations of a fair coin). A game whose rounds
// lean one way can be won by always pressing that way, whatever the
// sentence looks like.
func TestHalfTheRoundsAreReal(t *testing.T) {
	t.Parallel()
	log := &roundLog{}
	seed := uint64(0)
	cm := quiz.NewCommands(log, quiz.Config{Rand: func() *mrand.Rand { seed++; return compose.NewRand(seed) }})
	w := bottest.EssayWriter(t)
	const n = 4000
	for i := range n {
		if r, err := cm.Play(t.Context(), player("u", "c1"), w); err != nil || r.Ephemeral {
			t.Fatalf("round %d: %+v, %v", i, r, err)
		}
	}
	real := 0
	for _, r := range log.rounds {
		if r.Truth == quiz.Real {
			real++
		}
	}
	share := float64(real) / n
	t.Logf("%d of %d rounds real (%.1f %%)", real, n, 100*share)
	if share < 0.47 || share > 0.53 {
		t.Errorf("%d of %d rounds are real (%.1f %%); want half, within 3 points", real, n, 100*share)
	}
}
