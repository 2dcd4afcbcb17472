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
	"sort"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/markov"
)

// File is a text file to add to the corpus.
type File struct {
	Name string
	Data []byte
}

// Result says what a retrain learned.
type Result struct {
	Added []string // file names written to the corpus directory
	// Shortened lists the uploads whose names were too long to keep: each
	// was stored under a shortened name (in Added).
	Shortened []string
	// Known lists the uploads already in the corpus under another name
	// (found by the SHA-256 of their bytes), which were not stored again.
	Known    []Known
	Meta     markov.Meta
	ModelID  string
	Headings int
	// Dropped counts what the corpus held that was not learned, and why.
	Dropped corpus.Dropped
	// Forks is the model's places to go more than one way (markov.Forks):
	// below markov.MinForks it is too small to write new text.
	Forks int
	Took  time.Duration
}

// Known is an upload whose bytes the corpus already holds.
type Known struct {
	Upload string // the upload's name
	As     string // the corpus file holding the same bytes
}

// Summary is a one-line account of the result for people; the file names
// in it are shown, never rendered (discordtext.Show), as it goes into a
// reply.
func (r Result) Summary() string {
	added := "no new files"
	if len(r.Added) > 0 {
		names := make([]string, len(r.Added))
		for i, n := range r.Added {
			names[i] = discordtext.Show(n)
		}
		added = fmt.Sprintf("added %s", strings.Join(names, ", "))
	}
	for _, n := range r.Shortened {
		added += fmt.Sprintf(" (%s had a name too long to keep: renamed)", discordtext.Show(clip(n, 48)))
	}
	for _, k := range r.Known {
		added += fmt.Sprintf("; %s is already scripture, as %s: not stored again", discordtext.Show(clip(k.Upload, 48)), discordtext.Show(k.As))
	}
	s := fmt.Sprintf("%s; learned %d sentences, %d words (%d distinct), %d states; model %s, trained in %s",
		added, r.Meta.Sentences, r.Meta.Words, r.Meta.Vocabulary, r.Meta.States, r.ModelID, r.Took.Round(time.Millisecond))
	var dropped []string
	for d, n := range r.Dropped {
		if n > 0 {
			dropped = append(dropped, corpus.Drop(d).Count(n))
		}
	}
	if len(dropped) > 0 {
		s += "; not learned: " + strings.Join(dropped, "; ")
	}
	if r.Forks < markov.MinForks {
		s += fmt.Sprintf(". Too small to write new text: its chain can go more than one way at %d of the %d places it needs — its manifestos will repeat its sentences or fall silent until it has a few thousand words more",
			r.Forks, markov.MinForks)
	}
	return s
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

// maxBase is the longest base name (before "-HASH.ext") a corpus file
// gets: well inside the 255 bytes most file systems allow a name, with
// room for the hash, the extension and a temporary file's prefix.
const maxBase = 100

// Retrain adds files to the corpus directory (rejecting any that
// corpus.CheckUpload refuses: its errors match corpus.ErrNotText), trains a
// model from the whole directory, writes it atomically and swaps it in. A
// corpus without a sentence gives an error matching corpus.ErrEmpty.
//
// Nothing is written until the model is trained: the uploads are staged in
// a temporary directory and read from there in the order they will have in
// the corpus, and only then, unless ctx has ended (or the Runner's job was
// reported interrupted), are they added, the model saved and swapped in. So
// on any error or interruption the corpus directory and the model file are
// as they were. An upload whose bytes the corpus already holds (under any
// name) is not added again; one whose name is too long is stored under a
// shortened one (Result says which).
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
	existing, err := t.corpusFiles()
	if err != nil {
		return Result{}, err
	}
	var res Result
	var plan []planned
	if len(existing) == 0 {
		// Seed an empty directory with the essay, so the first retrain adds
		// to the Glow Cloud's scripture instead of replacing it. An operator
		// who wants it gone deletes the file.
		seed := planFile(File{Name: corpus.EssayName, Data: []byte(corpus.EssayText())})
		seed.seed = true
		plan = append(plan, seed)
	}
	for _, f := range files {
		p := planFile(f)
		if as, known, err := t.holds(existing, plan, f.Data); err != nil {
			return Result{}, err
		} else if known {
			res.Known = append(res.Known, Known{Upload: f.Name, As: as})
			continue
		}
		if p.shortened {
			res.Shortened = append(res.Shortened, f.Name)
		}
		plan = append(plan, p)
	}

	staging, err := os.MkdirTemp("", "glowcloud-retrain-")
	if err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	defer os.RemoveAll(staging)
	read := make(map[string]string, len(existing)+len(plan)) // corpus path -> path to read it from
	for path := range existing {
		read[path] = path
	}
	for _, p := range plan {
		staged := filepath.Join(staging, p.name)
		if err := os.WriteFile(staged, p.data, 0o600); err != nil {
			return Result{}, fmt.Errorf("retrain: stage %s: %w", p.name, err)
		}
		read[filepath.Join(t.Dir, p.name)] = staged
	}
	// corpus.Read walks a directory in path order: read the staged corpus
	// in the same order, so the model is the one a retrain from the
	// directory as it will be would make.
	order := make([]string, 0, len(read))
	for path := range read {
		order = append(order, path)
	}
	sort.Strings(order)
	for i, path := range order {
		order[i] = read[path]
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	text, err := corpus.Read(order, corpus.ReadOptions{Compact: true})
	if err != nil {
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	m, err := markov.TrainLines(text.Lines, markov.TrainOptions{
		Order: t.Order, Headings: text.Headings, Now: t.Now, CurlyQuotes: text.CurlyQuotes(),
	})
	if err != nil { // corpus.ErrEmpty when the chain takes none of the sentences
		return Result{}, fmt.Errorf("retrain: %w", err)
	}
	if !mayCommit(ctx) {
		return Result{}, fmt.Errorf("retrain: interrupted before anything was written: %w", context.Cause(ctx))
	}
	for _, p := range plan {
		if err := t.add(p); err != nil {
			return Result{}, err
		}
		if !p.seed {
			res.Added = append(res.Added, p.name)
		}
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
	res.Dropped, res.Forks = text.Dropped, m.Forks()
	return res, nil
}

// planned is an upload with the name it gets in the corpus directory.
type planned struct {
	name      string
	data      []byte
	shortened bool
	seed      bool // the essay, seeding an empty corpus: not reported as added
}

// planFile names f for the corpus directory: its base name made safe and
// at most maxBase bytes, the first 4 bytes of its SHA-256, and .md or .txt.
func planFile(f File) planned {
	base := strings.TrimSuffix(filepath.Base(f.Name), filepath.Ext(f.Name))
	base = strings.Trim(unsafeName.ReplaceAllString(base, "-"), "-.")
	shortened := false
	if len(base) > maxBase { // ASCII only by now: bytes are characters
		base, shortened = strings.TrimRight(base[:maxBase], "-."), true
	}
	if base == "" {
		base = "scripture"
	}
	ext := strings.ToLower(filepath.Ext(f.Name))
	if ext != ".md" {
		ext = ".txt"
	}
	sum := sha256.Sum256(f.Data)
	return planned{name: fmt.Sprintf("%s-%s%s", base, hex.EncodeToString(sum[:4]), ext), data: f.Data, shortened: shortened}
}

// corpusFiles lists the corpus directory's text files (by corpus's rule,
// as corpus.Read reads them) with their sizes.
func (t *Trainer) corpusFiles() (map[string]int64, error) {
	files := map[string]int64{}
	err := filepath.WalkDir(t.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !corpus.IsTextName(path) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			files[path] = fi.Size()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	return files, nil
}

// holds reports whether the corpus (existing, by path and size) or an
// upload already planned holds exactly data, and under which name: the
// SHA-256 of the bytes decides, so the same text under another name is
// found. Only files of the same size are read.
func (t *Trainer) holds(existing map[string]int64, plan []planned, data []byte) (string, bool, error) {
	want := sha256.Sum256(data)
	for _, p := range plan {
		if sha256.Sum256(p.data) == want {
			return p.name, true, nil
		}
	}
	paths := make([]string, 0, len(existing))
	for path, size := range existing {
		if size == int64(len(data)) {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", false, fmt.Errorf("retrain: %w", err)
		}
		if sha256.Sum256(b) == want {
			rel, err := filepath.Rel(t.Dir, path)
			if err != nil {
				rel = filepath.Base(path)
			}
			return rel, true, nil
		}
	}
	return "", false, nil
}

// add writes p into the corpus directory atomically; a file of that name
// (the same bytes, by its hash) already there is left as it is.
func (t *Trainer) add(p planned) error {
	path := filepath.Join(t.Dir, p.name)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(p.data)
		return err
	})
	if err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	return nil
}
