package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/glowcloud/glowcloud/scripture"
)

// runScripture runs `glowcloud scripture list [-guild ID]`, `scripture
// export -guild ID DIR` and `scripture forget -guild ID [-yes]`: a server's
// uploaded texts, read from (or deleted in) GLOWCLOUD_DATABASE or
// -database. The work is package scripture's (List, Export, Forget).
func (e environment) runScripture(ctx context.Context, args []string) error {
	const use = "list [-guild ID] | export -guild ID DIR | forget -guild ID [-yes]   (the database is GLOWCLOUD_DATABASE, or -database)"
	fs := e.flags("scripture", use)
	guild := fs.String("guild", "", "the server `ID` (a Discord snowflake); list: unset lists every server with scripture")
	yes := fs.Bool("yes", false, "forget: delete, rather than say what would be deleted")
	dsn := e.databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	id := strings.TrimSpace(*guild)
	bad := func(why string) error {
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("scripture %s: %s", strings.Join(rest, " "), why)}
	}
	switch {
	case len(rest) == 0:
		return bad("want scripture " + use)
	case id != "" && !snowflake(id):
		return bad(fmt.Sprintf("-guild %q is not a server id (digits)", *guild))
	case *yes && rest[0] != "forget":
		return bad("-yes is for forget")
	}
	switch sub := rest[0]; {
	case sub == "list" && len(rest) == 1:
	case sub == "export" && len(rest) == 2 && id != "":
	case sub == "forget" && len(rest) == 1 && id != "":
	case sub == "export":
		return bad("want scripture export -guild ID DIR")
	case sub == "forget":
		return bad("want scripture forget -guild ID [-yes]")
	default:
		return bad("want scripture " + use)
	}
	db, err := e.openDatabase(ctx, *dsn, true)
	if err != nil {
		return err
	}
	defer db.Close()
	switch rest[0] {
	case "list":
		return scripture.List(ctx, db, id, e.stdout)
	case "export":
		paths, err := scripture.Export(ctx, db, id, rest[1])
		for _, p := range paths {
			fmt.Fprintln(e.stdout, p)
		}
		if errors.Is(err, scripture.ErrNone) {
			return fmt.Errorf("server %s has no scripture: nothing to export", id)
		}
		return err
	default:
		return scripture.Forget(ctx, db, id, *yes, e.stdout)
	}
}

// snowflake reports whether s looks like a Discord id: 1 to 20 digits.
func snowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
