// Package sharedfiles finds, for tests and benchmarks, the files that live
// beside the repository rather than in it: the larger corpora, the
// reference quality script and the blind-reading panel, in the folder
// "shared" next to the module's root (../shared seen from a clone), or
// wherever $GLOWCLOUD_SHARED points. Nothing else is searched: a test that
// needs one of them skips, saying where it looked, when it is absent.
package sharedfiles

import (
	"errors"
	"os"
	"path/filepath"
)

// Env is the variable that names the shared folder when it is not beside
// the module.
const Env = "GLOWCLOUD_SHARED"

// Dir returns the shared folder: $GLOWCLOUD_SHARED when set, else "shared"
// beside the root of the module holding the working directory (a test's
// package directory). It returns "" when neither can be found.
func Dir() string {
	if d := os.Getenv(Env); d != "" {
		return d
	}
	root, err := moduleRoot()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(root), "shared")
}

// Path returns the file rel (slash-separated, such as "corpora/mid5.txt")
// of the shared folder, or "" when it is not there.
func Path(rel string) string {
	d := Dir()
	if d == "" {
		return ""
	}
	p := filepath.Join(d, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Where says where Path looks, for a skip message.
func Where(rel string) string {
	d := Dir()
	if d == "" {
		d = "../shared"
	}
	return filepath.Join(d, filepath.FromSlash(rel)) + " (set " + Env + " to the shared folder)"
}

// moduleRoot returns the nearest directory at or above the working
// directory that holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
