package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/sqlite"
)

// The process tests re-run this test binary as a child: the child sees
// childEnv naming its role and childDBEnv its database.
const (
	childEnv   = "GLOWCLOUD_SQLITE_TEST_CHILD"
	childDBEnv = "GLOWCLOUD_SQLITE_TEST_DB"
)

// child starts this test binary running only test, in the given role.
func child(t *testing.T, test, role, db string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+role, childDBEnv+"="+db)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stdin, bufio.NewScanner(stdout)
}

// childFail reports a child's failure on stderr and exits non-zero.
func childFail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "child: "+format+"\n", args...)
	os.Exit(2)
}

// TestKilledWriterLosesNothingCommitted SIGKILLs a process that writes as
// fast as it can, so the kill lands inside some transaction, then checks
// the file: intact, and every write the child saw committed is there.
func TestKilledWriterLosesNothingCommitted(t *testing.T) {
	if os.Getenv(childEnv) == "writer" {
		writerChild()
		return
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "killed.db")
	writeCopy(t, path)
	cmd, _, out := child(t, "TestKilledWriterLosesNothingCommitted", "writer", path)
	committed := -1
	for out.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(out.Text(), "committed "))
		if err != nil {
			continue // the test framework's own lines
		}
		committed = n
		if n == 200 {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
				t.Fatal(err)
			}
		}
	}
	state, _ := cmd.Process.Wait()
	if committed < 200 {
		t.Fatalf("the child committed only %d writes before it ended (%v)", committed, state)
	}
	if state != nil && state.Success() {
		t.Fatalf("the child exited cleanly; it should have been killed")
	}
	db := openPath(t, path)
	if _, err := db.Check(t.Context()); err != nil {
		t.Fatalf("the database after a SIGKILL: %v", err)
	}
	for i := 0; i <= committed; i++ {
		all, err := db.Schedules(t.Context(), fmt.Sprintf("g%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Topic != fmt.Sprint("write ", i) {
			t.Fatalf("write %d was committed before the kill but is gone: %+v", i, all)
		}
	}
	t.Logf("killed after %d committed writes; all there", committed+1)
}

// writerChild writes schedules, one transaction each, printing the number
// of each after its commit returned, until it is killed.
func writerChild() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, os.Getenv(childDBEnv), nil)
	if err != nil {
		childFail("%v", err)
	}
	for i := 0; ; i++ {
		s := proclaim.Schedule{
			GuildID: fmt.Sprintf("g%d", i), ChannelID: "1", Every: time.Hour, Kind: bot.CmdGlowcloud,
			Topic: fmt.Sprint("write ", i), NextAt: time.UnixMilli(1e12), CreatedBy: "u",
		}
		if _, err := db.PutSchedule(ctx, s, proclaim.MaxPerGuild); err != nil {
			childFail("write %d: %v", i, err)
		}
		if _, err := fmt.Fprintf(os.Stdout, "committed %d\n", i); err != nil {
			os.Exit(3) // the parent stopped reading
		}
	}
}

// Clock of the two-process test: the parent steps both children's clocks
// together through eight hours in two-minute steps, far faster than real
// time. In lockstep, both claim at the same instant each step, so they
// contend for every slot; a step shorter than the interval means no slot is
// legitimately skipped, so the count of posts is exact.
const (
	stepStart = 1767268800000 // 2026-01-01T12:00:00Z in ms
	stepPoll  = 2 * time.Minute
	stepDay   = 8 * time.Hour
	stepEvery = 10 * time.Minute
)

// TestTwoProcessesPostEachSlotOnce runs two processes, each a Runner on one
// database file under a fast clock, and checks that every slot of every
// schedule was posted exactly once between them.
func TestTwoProcessesPostEachSlotOnce(t *testing.T) {
	if os.Getenv(childEnv) == "runner" {
		runnerChild()
		return
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	db := openCopy(t, path)
	start := time.UnixMilli(stepStart)
	want := map[string]int{}
	for i := range 3 {
		ch := fmt.Sprint(100 + i)
		first := start.Add(time.Duration(i) * time.Minute)
		if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{
			GuildID: fmt.Sprint("g", i), ChannelID: ch, Every: stepEvery, Kind: bot.CmdGlowcloud, NextAt: first, CreatedBy: "u",
		}, proclaim.MaxPerGuild); err != nil {
			t.Fatal(err)
		}
		for slot := first; !slot.After(start.Add(stepDay)); slot = slot.Add(stepEvery) {
			want[ch]++
		}
	}

	// Each child's lines arrive as events; the parent is the clock.
	type event struct {
		child int
		line  string // "tick", "post …", or "" at the end
	}
	const children = 2
	events := make(chan event)
	var stdins []io.WriteCloser
	var cmds []*exec.Cmd
	for i := range children {
		cmd, stdin, out := child(t, "TestTwoProcessesPostEachSlotOnce", "runner", path)
		cmds, stdins = append(cmds, cmd), append(stdins, stdin)
		go func() {
			for out.Scan() {
				events <- event{i, out.Text()}
			}
			events <- event{i, ""}
		}()
	}
	var (
		live   = children
		ticked = map[int]bool{}
		posts  = make([][]string, children)
		rounds int
	)
	for live > 0 {
		e := <-events
		switch {
		case e.line == "":
			live--
		case e.line == "tick":
			ticked[e.child] = true
		case strings.HasPrefix(e.line, "post "):
			posts[e.child] = append(posts[e.child], strings.TrimPrefix(e.line, "post "))
			continue
		default:
			continue // the test framework's own lines
		}
		if live > 0 && len(ticked) == live {
			rounds++
			for c := range ticked {
				fmt.Fprintln(stdins[c], "advance")
			}
			clear(ticked)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v", i, err)
		}
	}
	got, seen := map[string]int{}, map[string]int{}
	for i, ps := range posts {
		t.Logf("child %d posted %d in %d lockstep rounds", i, len(ps), rounds)
		for _, p := range ps {
			ch, _, _ := strings.Cut(p, " ")
			got[ch]++
			seen[p]++
		}
	}
	for ch, n := range want {
		if got[ch] != n {
			t.Errorf("channel %s: %d posts, want %d (one a slot)", ch, got[ch], n)
		}
	}
	for p, n := range seen {
		if n > 1 {
			t.Errorf("post %q was made %d times", p, n)
		}
	}
}

// runnerChild runs a Runner under a clock that its parent steps, until the
// clock has passed the eight hours, printing every post.
func runnerChild() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := sqlite.Open(ctx, os.Getenv(childDBEnv), nil)
	if err != nil {
		childFail("%v", err)
	}
	defer db.Close()
	clock := &steppedClock{
		now: time.UnixMilli(stepStart), end: time.UnixMilli(stepStart).Add(stepDay),
		cancel: cancel, in: bufio.NewReader(os.Stdin),
	}
	r := proclaim.NewRunner(db, seedWriter{}, &printPoster{}, proclaim.RunnerConfig{Clock: clock, Poll: stepPoll})
	if err := r.Run(ctx); err != nil {
		childFail("run: %v", err)
	}
}

// steppedClock moves forward only when the Runner waits, by what it waits
// for, and only when the parent says so. Past end it cancels the run
// instead.
type steppedClock struct {
	mu     sync.Mutex
	now    time.Time
	end    time.Time
	cancel func()
	in     *bufio.Reader
}

func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *steppedClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	next := c.now.Add(d)
	c.mu.Unlock()
	if next.After(c.end) {
		c.cancel()
		return nil // never fires: the run ends on its context
	}
	fmt.Println("tick")
	if line, err := c.in.ReadString('\n'); err != nil || line != "advance\n" {
		childFail("clock: %q, %v", line, err)
	}
	c.mu.Lock()
	c.now = next
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- next
	return ch
}

// seedWriter writes the seed, which the Runner derives from the schedule
// and the slot: two posts of one slot would print the same line.
type seedWriter struct{}

func (seedWriter) Write(_ context.Context, _, _, _ string, seed uint64) bot.Reply {
	return bot.Reply{Content: strconv.FormatUint(seed, 10)}
}

type printPoster struct{ mu sync.Mutex }

func (p *printPoster) Post(_ context.Context, channel string, m bot.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf("post %s %s\n", channel, m.Content)
	return nil
}
