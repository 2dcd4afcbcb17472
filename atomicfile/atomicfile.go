// Package atomicfile replaces files atomically without ever destroying what
// is at the path: the new content goes to a temporary file in the same
// directory, is synced, and is renamed over the old one, so a reader sees
// the old file or the new one and a crash leaves one of them whole.
//
// What it replaces must be a regular file or nothing: a device, a FIFO, a
// socket or a directory at the path is an error, and nothing is touched
// (as root, renaming over /dev/null would replace the host's /dev/null). A
// symbolic link is followed, and the file it points to is replaced in its
// own directory, so the link (a Kubernetes ConfigMap, a blue/green switch)
// stays a link.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotRegular reports a path that holds something other than a regular
// file, which a write must not replace.
var ErrNotRegular = errors.New("not a regular file")

// StaleAfter is how long a temporary file of ours may go unmodified before
// the next write to the same path removes it as left by a killed writer (a
// live writer keeps modifying its file).
const StaleAfter = 2 * time.Minute

// maxLinks bounds how many symbolic links resolve follows.
const maxLinks = 40

// resolve returns the path a write to path replaces: path itself, or the
// file a chain of symbolic links at path ends in (which need not exist
// yet). It is an error, wrapping ErrNotRegular, when that holds anything
// but a regular file.
func resolve(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return path, nil
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(path), target)
			}
			path = target
		case !fi.Mode().IsRegular():
			return "", fmt.Errorf("%s: %w (%s): refusing to replace it", path, ErrNotRegular, Kind(fi.Mode()))
		default:
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: too many symbolic links", path)
}

// Kind names the sort of file m is, for an error message about something
// that is not a regular file: "a directory", "a character device", "a FIFO"…
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// Write replaces the file at path (see resolve) with what write writes,
// atomically: into a temporary file named ".BASE.*.tmp" in the target's
// directory, synced, renamed over the target, and the directory synced.
// If write or any step fails, the temporary file is removed and the old
// file is untouched. Temporary files of the same naming left by a killed
// writer (unmodified for StaleAfter) are removed first. perm is used for a
// new file; an existing file keeps its mode.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return replace(path, perm, func(f *os.File) (*os.File, error) {
		return f, write(f)
	})
}

// WriteNamed is Write for writers that take a file name rather than an
// io.Writer (SQLite's VACUUM INTO, say): fill gets the name of an empty
// temporary file, closed, to write by name. Everything else is as Write:
// what ends at path is a whole, synced new file or the old one, and a
// device, FIFO or directory at path (or at the end of its links) is
// refused before fill runs.
func WriteNamed(path string, perm fs.FileMode, fill func(name string) error) error {
	return replace(path, perm, func(f *os.File) (*os.File, error) {
		name := f.Name()
		if err := f.Close(); err != nil {
			return f, err
		}
		if err := fill(name); err != nil {
			return f, err
		}
		// Whatever fill did, the rename moves a regular file or nothing.
		if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
			return f, fmt.Errorf("%s: %w after it was written", name, ErrNotRegular)
		}
		return os.OpenFile(name, os.O_RDWR, 0)
	})
}

// replace runs Write and WriteNamed: fill writes the temporary file it is
// given and returns the file to sync and rename (the same one, or the
// same name reopened), closed or not.
func replace(path string, perm fs.FileMode, fill func(*os.File) (*os.File, error)) (err error) {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if fi, err := os.Stat(target); err == nil {
		perm = fi.Mode().Perm()
	}
	removeStale(dir, base, time.Now())
	f, err := createTemp(path, dir, base)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if f, err = fill(f); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// Between resolve and here something else could have been put at the
	// target; check again, as close to the rename as we can.
	if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (%s): refusing to replace it", target, ErrNotRegular, Kind(fi.Mode()))
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// Check reports, by its error, whether a Write to path could go ahead now:
// resolve accepts what is at path, and a file can be created in the
// directory it is written in (one is created and removed). A command that
// works long before it writes (training) checks first, so that a typo in a
// folder's name costs nothing.
func Check(path string) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(path, dir, base)
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// createTemp creates the temporary file for a write to path. Its error
// names path and the directory, not the temporary name, which the user
// never typed.
func createTemp(path, dir, base string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: cannot create a file in %s: %w", path, filepath.Clean(dir), err)
	}
	return f, nil
}

// removeStale removes temporary files ".base.*.tmp" in dir that have not
// been modified for StaleAfter before now, and reports how many it removed.
func removeStale(dir, base string, now time.Time) int {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+escapeGlob(base)+".*.tmp"))
	n := 0
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < StaleAfter {
			continue
		}
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// escapeGlob quotes the characters filepath.Match gives a meaning to.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// syncDir makes a rename in dir durable. Some systems (Windows) cannot sync
// a directory; the rename has happened either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
