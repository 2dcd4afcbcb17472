//go:build unix

package sqlite_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/proclaim"
)

// TestBackupKeepsWhatIsAtTheTarget: a backup never destroys what its path
// names. A FIFO (standing in for a device) is refused and stays a FIFO; a
// symbolic link stays a link, and the file it points to gets the copy (it
// used to be replaced by a regular file, and the link by a copy).
func TestBackupKeepsWhatIsAtTheTarget(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	db := openCopy(t, filepath.Join(dir, "live.db"))
	if _, err := db.PutSchedule(ctx, proclaim.Schedule{GuildID: "g1", ChannelID: "1", Every: time.Hour, Kind: "glowcloud", NextAt: time.UnixMilli(1e12)}, 5); err != nil {
		t.Fatal(err)
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	if err := db.Backup(ctx, fifo); !errors.Is(err, atomicfile.ErrNotRegular) {
		t.Errorf("Backup to a FIFO = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v (%v)", fi.Mode(), err)
	}

	real := filepath.Join(dir, "backups", "2026-12-07.db")
	if err := os.Mkdir(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.db")
	if err := os.Symlink(filepath.Join("backups", "2026-12-07.db"), link); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is now %v (%v)", fi.Mode(), err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the linked file's mode is %v, want its old 0600", fi.Mode().Perm())
	}
	if all, err := openPath(t, real).Schedules(ctx, "g1"); err != nil || len(all) != 1 {
		t.Errorf("the linked file holds %d schedules (%v), want the backup's 1", len(all), err)
	}
	for _, d := range []string{dir, filepath.Dir(real)} {
		if left, _ := filepath.Glob(filepath.Join(d, ".*")); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

// TestBackupOddName: a backup's file name is a name, whatever it holds;
// a '?' once cut the copy's check short and left a stray file.
func TestBackupOddName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := openCopy(t, filepath.Join(dir, "live.db"))
	dst := filepath.Join(dir, "glow?cloud#1%3F.db")
	if err := db.Backup(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != filepath.Base(dst) && n != "live.db" && n != "live.db-wal" && n != "live.db-shm" {
			t.Errorf("Backup left %s behind", n)
		}
	}
}
