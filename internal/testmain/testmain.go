// Package testmain runs the tests of a package whose tests mostly wait (on
// sockets, on a fake Discord, on discordgo's one-second close, on serve
// processes) with more of them at once than go test's default, which is
// one per CPU: on two cores, two tests waiting on the network would leave
// both cores idle while the rest queue. It is for tests only.
package testmain

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// Run runs m with up to perCPU×GOMAXPROCS parallel tests (t.Parallel) at
// once, unless -test.parallel was given, and returns m.Run's exit code:
//
//	func TestMain(m *testing.M) { os.Exit(testmain.Run(m, 4)) }
func Run(m *testing.M, perCPU int) int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(perCPU*runtime.GOMAXPROCS(0))); err != nil {
			panic(err)
		}
	}
	return m.Run()
}
