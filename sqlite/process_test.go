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
			GuildID: fmt.Sprintf("g%d", i), ChannelID: "1", Every: time.Hour, Kind: proclaim.KindGlowcloud,
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

// Clock of the two-process test: each process steps its own clock through
// the same day in a minute's steps (the Runner polls once a step), far
// faster than real time.
const (
	stepStart = 1767268800000 // 2026-01-01T12:00:00Z in ms
	stepPoll  = time.Minute
	stepDay   = 24 * time.Hour
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
	db := openPath(t, path)
	start := time.UnixMilli(stepStart)
	want := map[string]int{}
	for i := range 3 {
		ch := fmt.Sprint(100 + i)
		first := start.Add(time.Duration(i) * time.Minute)
		if _, err := db.PutSchedule(t.Context(), proclaim.Schedule{
			GuildID: fmt.Sprint("g", i), ChannelID: ch, Every: stepEvery, Kind: proclaim.KindGlowcloud, NextAt: first, CreatedBy: "u",
		}, proclaim.MaxPerGuild); err != nil {
			t.Fatal(err)
		}
		for slot := first; !slot.After(start.Add(stepDay)); slot = slot.Add(stepEvery) {
			want[ch]++
		}
	}

	type result struct {
		posts []string
		err   error
	}
	var (
		stdins  []io.WriteCloser
		results = make([]chan result, 2)
	)
	var ready sync.WaitGroup
	for i := range results {
		cmd, stdin, out := child(t, "TestTwoProcessesPostEachSlotOnce", "runner", path)
		stdins = append(stdins, stdin)
		results[i] = make(chan result, 1)
		ready.Add(1)
		go func() {
			var r result
			isReady := false
			for out.Scan() {
				switch line := out.Text(); {
				case line == "ready":
					isReady = true
					ready.Done()
				case strings.HasPrefix(line, "post "):
					r.posts = append(r.posts, strings.TrimPrefix(line, "post "))
				}
			}
			if !isReady {
				ready.Done()
			}
			r.err = cmd.Wait()
			results[i] <- r
		}()
	}
	// Both have opened the database: let them go at once.
	ready.Wait()
	for _, in := range stdins {
		fmt.Fprintln(in, "go")
		in.Close()
	}
	got := map[string]int{}
	seen := map[string]int{}
	for i, rc := range results {
		r := <-rc
		if r.err != nil {
			t.Fatalf("child %d: %v", i, r.err)
		}
		t.Logf("child %d posted %d", i, len(r.posts))
		for _, p := range r.posts {
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

// runnerChild runs a Runner under a stepped clock until the clock has
// passed the day, printing every post.
func runnerChild() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := sqlite.Open(ctx, os.Getenv(childDBEnv), nil)
	if err != nil {
		childFail("%v", err)
	}
	defer db.Close()
	fmt.Println("ready")
	if line, _ := bufio.NewReader(os.Stdin).ReadString('\n'); line != "go\n" {
		childFail("no go: %q", line)
	}
	clock := &steppedClock{now: time.UnixMilli(stepStart), end: time.UnixMilli(stepStart).Add(stepDay), cancel: cancel}
	r := proclaim.NewRunner(db, seedWriter{}, &printPoster{}, proclaim.RunnerConfig{Clock: clock, Poll: stepPoll})
	if err := r.Run(ctx); err != nil {
		childFail("run: %v", err)
	}
}

// steppedClock moves forward only when the Runner waits, by what it waits
// for. Past end it cancels the run instead.
type steppedClock struct {
	mu     sync.Mutex
	now    time.Time
	end    time.Time
	cancel func()
}

func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *steppedClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.Add(d).After(c.end) {
		c.cancel()
		return nil // never fires: the run ends on its context
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// seedWriter writes the seed, which the Runner derives from the schedule
// and the slot: two posts of one slot would print the same line.
type seedWriter struct{}

func (seedWriter) Write(_ proclaim.Kind, _ string, seed uint64) proclaim.Message {
	return proclaim.Message{Content: strconv.FormatUint(seed, 10)}
}

type printPoster struct{ mu sync.Mutex }

func (p *printPoster) Post(_ context.Context, channel string, m proclaim.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf("post %s %s\n", channel, m.Content)
	return nil
}
