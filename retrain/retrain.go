// Package retrain feeds the Glow Cloud new scripture while it serves: its
// Runner runs /retrain's jobs one at a time (downloading the attachments),
// and its Trainer adds the files to a corpus directory, trains a model from
// the whole directory, writes it atomically and swaps it in.
package retrain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/markov"
)

// File is a text file to add to the corpus.
type File struct {
	Name string
	Data []byte
}

// Result says what a retrain learned.
type Result struct {
	Added    []string // file names written to the corpus directory
	Meta     markov.Meta
	ModelID  string
	Headings int
	Took     time.Duration
}

// Summary is a one-line account of the result for people.
func (r Result) Summary() string {
	added := "no new files"
	if len(r.Added) > 0 {
		added = fmt.Sprintf("added %s", strings.Join(r.Added, ", "))
	}
	return fmt.Sprintf("%s; learned %d sentences, %d words (%d distinct), %d states; model %s, trained in %s",
		added, r.Meta.Sentences, r.Meta.Words, r.Meta.Vocabulary, r.Meta.States, r.ModelID, r.Took.Round(time.Millisecond))
}

// ErrDisabled is returned by a Trainer without a corpus directory.
var ErrDisabled = errors.New("retraining is not configured (set GLOWCLOUD_CORPUS_DIR)")

// Trainer retrains from a corpus directory. It is not safe for concurrent
// use: a Runner retrains with one job at a time, and nothing else retrains.
type Trainer struct {
	Dir       string // corpus directory (created if missing)
	ModelPath string // where the model is written; "" = Dir/glowcloud.model
	Order     int    // chain order; 0 = markov.DefaultOrder
	// Swap serves the new model; called after it is safely on disk.
	Swap func(*markov.Model)
	Now  func() time.Time
}

// ModelName is the model file's name in the corpus directory when the
// Trainer has no ModelPath.
const ModelName = "glowcloud.model"

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Retrain adds files to the corpus directory (rejecting any that
// corpus.CheckUpload refuses: its errors match corpus.ErrNotText), trains a
// model from the whole directory, writes it atomically and swaps it in. A
// corpus without a sentence gives an error matching corpus.ErrEmpty. On any
// error nothing is swapped and the model file is
// untouched; files already added stay in the corpus.
func (t *Trainer) Retrain(ctx context.Context, files []File) (Result, error) {
	if t.Dir == "" {
		return Result{}, ErrDisabled
	}
	start := time.Now()
	for _, f := range files {
		if err := corpus.CheckUpload(f.Name, f.Data); err != nil {
			return Result{}, fmt.Errorf("retrain: %w", err)
		}
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	if err := t.seed(); err != nil {
		return Result{}, err
	}
	var res Result
	for _, f := range files {
		name, err := t.add(f)
		if err != nil {
			return Result{}, err
		}
		if name != "" {
			res.Added = append(res.Added, name)
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	text, err := corpus.Read([]string{t.Dir}, corpus.ReadOptions{Compact: true})
	if err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	m, err := markov.TrainLines(text.Lines, markov.TrainOptions{
		Order: t.Order, Headings: text.Headings, Now: t.Now,
	})
	if errors.Is(err, markov.ErrEmpty) {
		// Sentences the chain cannot take are an empty corpus all the same:
		// callers test for one error, corpus's.
		return Result{}, fmt.Errorf("retrain: %w: %w", corpus.ErrEmpty, err)
	}
	if err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	path := t.ModelPath
	if path == "" {
		path = filepath.Join(t.Dir, ModelName)
	}
	if err := m.Save(path); err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	if t.Swap != nil {
		t.Swap(m)
	}
	res.Meta, res.ModelID, res.Headings, res.Took = m.Meta(), m.ID(), len(text.Headings), time.Since(start)
	return res, nil
}

// seed writes the essay into a corpus directory that holds no text yet, so
// the first retrain adds to the Glow Cloud's scripture instead of replacing
// it. An operator who wants it gone deletes the file.
func (t *Trainer) seed() error {
	empty := true
	err := filepath.WalkDir(t.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && corpus.IsTextName(path) {
			empty = false
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	if !empty {
		return nil
	}
	_, err = t.add(File{Name: corpus.EssayName, Data: []byte(corpus.EssayText())})
	return err
}

// add writes f into the corpus directory under a safe name; a file with the
// same content already there is not written again ("" is returned).
func (t *Trainer) add(f File) (string, error) {
	base := strings.TrimSuffix(filepath.Base(f.Name), filepath.Ext(f.Name))
	base = strings.Trim(unsafeName.ReplaceAllString(base, "-"), "-.")
	if base == "" {
		base = "scripture"
	}
	ext := strings.ToLower(filepath.Ext(f.Name))
	if ext != ".md" {
		ext = ".txt"
	}
	sum := sha256.Sum256(f.Data)
	name := fmt.Sprintf("%s-%s%s", base, hex.EncodeToString(sum[:4]), ext)
	path := filepath.Join(t.Dir, name)
	if _, err := os.Stat(path); err == nil {
		return "", nil // the same text is already scripture
	}
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(f.Data)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("retrain: %w", err)
	}
	return name, nil
}
