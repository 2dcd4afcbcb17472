package bottest_test

import (
	"bytes"
	"flag"
	"testing"

	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/golden"
)

var update = flag.Bool("update", false, "write hostile.model again")

// TestHostileModelIsCurrent: hostile.model, which HostileModel decodes,
// is what TrainHostile gives now (after a change to training or to the
// hostile scripture, go test ./internal/bottest -update writes it again),
// and its text repeats the upload's markup, which the tests that use it
// need to prove anything.
func TestHostileModelIsCurrent(t *testing.T) {
	t.Parallel()
	m, err := bottest.TrainHostile()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Encode(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "hostile.model", b.Bytes(), *update, "go test ./internal/bottest -update")
	w := bottest.HostileModel(t)
	rendered := 0
	for i := range 30 {
		title, body := w.Manifesto(uint64(i), "workers", 3)
		if bottest.Inert(map[string]any{"t": title, "b": body, "s": w.Squint(uint64(i), "state"), "g": w.Glowcloud(uint64(i))}) != nil {
			rendered++
		}
	}
	if rendered == 0 {
		t.Error("the hostile model's raw text renders nothing")
	}
}
