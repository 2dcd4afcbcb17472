package testmain_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/glowcloud/glowcloud/internal/testmain"
)

func TestMain(m *testing.M) { os.Exit(testmain.Run(m, 3)) }

// TestParallelRaised: with no -test.parallel given, tests run 3 per CPU
// (with one given, Run leaves it alone).
func TestParallelRaised(t *testing.T) {
	want := strconv.Itoa(3 * runtime.GOMAXPROCS(0))
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if got := flag.Lookup("test.parallel").Value.String(); !given && got != want {
		t.Errorf("-test.parallel = %s, want %s", got, want)
	}
}
