package bot_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// TestCoreImportsNoTransport: the core turns interactions into replies and
// nothing else, so it imports no transport (discordgo, websockets, an HTTP
// server) and no Prometheus; of glowcloud's packages only corpus,
// cooldown (what a cooldown means), discordtext (how user text is shown)
// and limits (what may be asked for), which import only the standard
// library.
func TestCoreImportsNoTransport(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "../corpus", "../cooldown", "../discordtext", "../limits"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case imp == "net/http", strings.HasPrefix(imp, "net/http/"),
				strings.Contains(imp, "discordgo"), strings.Contains(imp, "websocket"), strings.Contains(imp, "prometheus"):
				t.Errorf("%s imports %s, a transport", dir, imp)
			case strings.Contains(imp, ".") && !slices.Contains([]string{"github.com/glowcloud/glowcloud/corpus", "github.com/glowcloud/glowcloud/cooldown", "github.com/glowcloud/glowcloud/discordtext", "github.com/glowcloud/glowcloud/limits"}, imp):
				t.Errorf("%s imports %s; the core imports only the standard library, corpus, cooldown, discordtext and limits", dir, imp)
			}
		}
	}
}
