// Command mktable builds the fluency package's table of finite verbs from a
// general-English reference text:
//
//	go run ./internal/mktable -o table.txt ../../../shared/corpora/mid5.txt
//
// (go generate in quality/fluency runs it). The reference must not be the
// essay, nor text generated from it: the table judges both.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/glowcloud/glowcloud/atomicfile"
	"github.com/glowcloud/glowcloud/quality/fluency"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mktable:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("mktable", flag.ContinueOnError)
	out := fs.String("o", "table.txt", "output `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: mktable [-o FILE] REFERENCE.txt")
	}
	ref, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	return atomicfile.Write(*out, 0o644, func(w io.Writer) error { return fluency.Build(w, string(ref)) })
}
