package retrain_test

import (
	"path/filepath"
	"testing"

	"github.com/glowcloud/glowcloud/markov"
	"github.com/glowcloud/glowcloud/retrain"
)

// TestRetrainDecodesLatin1: a Latin-1 upload was once refused (or, read from
// the corpus directory, stripped: "révolution" became "rvolution"). It is
// taken, and the model knows "révolution".
func TestRetrainDecodesLatin1(t *testing.T) {
	t.Parallel()
	tr := &retrain.Trainer{Dir: corpusDir(t)}
	var text []byte
	for range 20 {
		text = append(text, "Vive la r\xe9volution des nuages, camarades. La r\xe9volution brille.\n\n"...)
	}
	res, err := tr.Retrain(t.Context(), []retrain.File{{Name: "tract.txt", Data: text}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 {
		t.Fatalf("added %v, want the tract", res.Added)
	}
	m, err := markov.Load(filepath.Join(tr.Dir, retrain.ModelName))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Knows("révolution") || m.Knows("rvolution") {
		t.Errorf("the model lost the tract's accents: knows révolution %v, rvolution %v", m.Knows("révolution"), m.Knows("rvolution"))
	}
}
