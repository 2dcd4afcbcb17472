package sqlitetest_test

import (
	"testing"

	"github.com/glowcloud/glowcloud/internal/sqlitetest"
	"github.com/glowcloud/glowcloud/internal/testmain"
	"github.com/glowcloud/glowcloud/sqlite"
)

func TestMain(m *testing.M) { testmain.Main(m) }

// TestCopiesAreNewAndApart: each copy, in memory or a file, is at the
// schema a migrated database has, holds nothing, and a write to one is
// not seen by the next.
func TestCopiesAreNewAndApart(t *testing.T) {
	fresh, err := sqlite.OpenMemory(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want, err := fresh.Check(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	a := sqlitetest.Memory(t)
	if v, err := a.Check(t.Context()); err != nil || v != want {
		t.Fatalf("a copy in memory: version %d, %v; want %d", v, err, want)
	}
	if _, err := a.Publish(t.Context(), []byte("a model")); err != nil {
		t.Fatal(err)
	}
	b := sqlitetest.Memory(t)
	if id, err := b.CurrentID(t.Context()); err != nil || id != 0 {
		t.Errorf("a second copy's published model = %d, %v: want none (copies share nothing)", id, err)
	}
	f, err := sqlite.Open(t.Context(), sqlitetest.File(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, err := f.Check(t.Context()); err != nil || v != want {
		t.Errorf("a file copy: version %d, %v; want %d", v, err, want)
	}
	if id, err := f.CurrentID(t.Context()); err != nil || id != 0 {
		t.Errorf("a file copy's published model = %d, %v: want none", id, err)
	}
}
