package sqlite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/proclaim"
	"github.com/glowcloud/glowcloud/sqlite"
)

// TestSerialize: Deserialize of Serialize is a copy in memory of what the
// database held, including writes still in a file's write-ahead log;
// afterwards the two are independent, and a copy of an old database is
// brought up to date while the original stays as it was.
func TestSerialize(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	put := func(db *sqlite.DB, guild string) {
		t.Helper()
		if _, err := db.PutSchedule(ctx, proclaim.Schedule{GuildID: guild, ChannelID: "1", Every: time.Hour, Kind: "glowcloud", NextAt: time.UnixMilli(1e12)}, 5); err != nil {
			t.Fatal(err)
		}
	}
	count := func(db *sqlite.DB, guild string) int {
		t.Helper()
		all, err := db.Schedules(ctx, guild)
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	path := filepath.Join(t.TempDir(), "live.db")
	live := openPath(t, path)
	put(live, "g1")
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the write is not in the write-ahead log (%v), so this tests nothing", err)
	}
	mem, err := sqlite.OpenMemory(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	put(mem, "g1")
	copyOf := func(db *sqlite.DB) (*sqlite.DB, error) {
		image, err := db.Serialize(ctx)
		if err != nil {
			return nil, err
		}
		return sqlite.Deserialize(ctx, image, nil)
	}
	for name, src := range map[string]*sqlite.DB{"file": live, "memory": mem} {
		cp, err := copyOf(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer cp.Close()
		if v, err := cp.Check(ctx); err != nil || v != sqlite.Latest() {
			t.Errorf("%s: Check of the copy = %d, %v", name, v, err)
		}
		if n := count(cp, "g1"); n != 1 {
			t.Errorf("%s: the copy holds %d schedules, want 1", name, n)
		}
		put(cp, "g2")
		put(src, "g3")
		if count(src, "g2") != 0 || count(cp, "g3") != 0 {
			t.Errorf("%s: a write to one showed in the other", name)
		}
		again, err := copyOf(cp)
		if err != nil {
			t.Fatalf("%s: copy of a copy: %v", name, err)
		}
		defer again.Close()
		if count(again, "g2") != 1 {
			t.Errorf("%s: a copy of the copy lacks its write", name)
		}
	}

	script, err := os.ReadFile("testdata/v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(t.TempDir(), "v1.db")
	r := raw(t, old)
	if _, err := r.Exec(string(script)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	existing, err := sqlite.OpenExisting(ctx, old, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer existing.Close()
	cp, err := copyOf(existing)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if v, err := cp.Check(ctx); err != nil || v != sqlite.Latest() {
		t.Errorf("Check of a copy of a version-1 database = %d, %v; want %d", v, err, sqlite.Latest())
	}
	if n := count(cp, "g1"); n != 2 {
		t.Errorf("the copy of the version-1 database holds %d schedules of g1, want 2", n)
	}
	if v := version(t, old); v != 1 {
		t.Errorf("copying changed the original to version %d", v)
	}

	for _, image := range [][]byte{nil, []byte("SQLite format 3"), bytes.Repeat([]byte("the glow cloud\n"), 512)} {
		if db, err := sqlite.Deserialize(ctx, image, nil); err == nil {
			db.Close()
			t.Errorf("Deserialize of %d bytes that are no database: nil error", len(image))
		}
	}
}
