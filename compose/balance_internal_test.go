package compose

import (
	"bytes"
	"flag"
	"slices"
	"testing"

	"github.com/glowcloud/glowcloud/essay"
	"github.com/glowcloud/glowcloud/internal/golden"
)

var updateBalance = flag.Bool("update-balance", false, "write essay.balance again from the embedded essay's model")

// TestEmbeddedBalanceIsCurrent: essay.balance holds, byte for byte, the
// balance the embedded essay's pool learns now, and a Writer over the
// essay's model takes it up, so the essay writes what it would if it
// learned its balance; a pool not the essay's does not.
func TestEmbeddedBalanceIsCurrent(t *testing.T) {
	t.Parallel()
	m, err := essay.Model()
	if err != nil {
		t.Fatal(err)
	}
	x := buildPoolIndex(m)
	x.balance(m)
	if len(x.penalty) == 0 {
		t.Fatal("the essay's pool learned no balance")
	}
	var b bytes.Buffer
	if err := encodeBalance(&b, x); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "essay.balance", b.Bytes(), *updateBalance, "go generate ./compose")
	if *updateBalance {
		return // the binary embeds the file it was built with
	}
	if essayBalance != b.String() {
		t.Fatal("the embedded essay.balance is not the file's: build again")
	}
	if p := New(m).pool().penalty; !slices.Equal(p, x.penalty) {
		t.Fatalf("a Writer over the essay has %d penalties, not the %d learned", len(p), len(x.penalty))
	}

	other := slices.Clone(m.Pool())
	other[len(other)/2].Text += " Indeed."
	if p := precomputedBalance(&poolIndex{s: other}); p != nil {
		t.Error("a pool not the essay's took the essay's balance")
	}
}

// TestBalanceFileRoundTrip: a balance file reads back the penalties
// written, exactly, and a damaged one is an error.
func TestBalanceFileRoundTrip(t *testing.T) {
	t.Parallel()
	x := &poolIndex{penalty: []float64{0, -0.5, 1.0 / 3, 2.718281828459045e-7, 12}}
	var b bytes.Buffer
	if err := encodeBalance(&b, x); err != nil {
		t.Fatal(err)
	}
	n, digest, p, err := decodeBalance(bytes.NewReader(b.Bytes()))
	if err != nil || n != 0 || digest != poolDigest(nil) || !slices.Equal(p, x.penalty) {
		t.Fatalf("read back %d %s %v %v, want 0 %s %v", n, digest, p, err, poolDigest(nil), x.penalty)
	}
	for _, bad := range []string{"", "glowcloud pool balance 2\npool 0 x\n1\n", balanceFormat + "\n", balanceFormat + "\npool 0 x\n", balanceFormat + "\npool 0 x\n0.5\nhalf\n"} {
		if _, _, _, err := decodeBalance(bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("read %q without an error", bad)
		}
	}
}
