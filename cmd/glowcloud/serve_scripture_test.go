package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/internal/discordtest"
	"github.com/glowcloud/glowcloud/internal/pgtest"
)

// Issue 17 end to end: a server's admins add texts with /scripture, and
// that server's manifestos preach them while another server's do not;
// remove and forget leave no row of it in the database.

// otherGuild is a server without scripture.
const otherGuild = "100000000000000777"

// scriptureAdmin is a member with Manage Server.
const scriptureAdmin = "130000000000000042"

// Words of the two texts (scripture/testdata), none of them the essay's.
var (
	harbourWords = []string{"morwenna", "lighthouse", "harbour", "fishermen"}
	orchardWords = []string{"tamsin", "quince", "beekeeper", "cider", "orchard"}
)

func saysAny(s string, words []string) bool {
	s = strings.ToLower(s)
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, w) })
}

// scriptureGame drives /scripture and /manifesto through fake Discords
// (see quizGame), with the database at dsn for the SQL checks.
type scriptureGame struct {
	quizGame
	dsn string
	// share: serve has a public URL, so the essay's pieces carry a Share
	// link (and a server's scripture's must not).
	share bool
}

// piece sends req's data (a command or, with typ 3, a button press) in
// guild to replica n and returns its one embed's footer and whether it
// carries a link button.
func (g scriptureGame) piece(t *testing.T, n, typ int, guild string, data map[string]any) (footer string, link bool) {
	t.Helper()
	rt, reply := g.answer(t, n, g.interaction(n, guild, "0", typ, data))
	embeds, _ := reply["embeds"].([]any)
	if rt != 4 || len(embeds) != 1 {
		t.Fatalf("guild %s: %v answered type %d %v", guild, data, rt, reply)
	}
	if err := bottest.Inert(reply, "https://glow.example/m/"); err != nil {
		t.Errorf("guild %s, %v: %v", guild, data, err)
	}
	footer, _ = embeds[0].(map[string]any)["footer"].(map[string]any)["text"].(string)
	rows, _ := reply["components"].([]any)
	for _, row := range rows {
		cs, _ := row.(map[string]any)["components"].([]any)
		for _, c := range cs {
			if u, _ := c.(map[string]any)["url"].(string); u != "" {
				link = true
			}
		}
	}
	return footer, link
}

// everyPath checks that in guild the Hail again button, /squint and
// /glowcloud write from the model model (the footer says it), with a
// Share link only when it is the essay's and serve has a public URL.
func (g scriptureGame) everyPath(t *testing.T, n int, guild, model string, essay bool) {
	t.Helper()
	for _, c := range []struct {
		typ  int
		data map[string]any
	}{
		{3, map[string]any{"component_type": 2, "custom_id": "gc1|m|3|"}},
		{2, map[string]any{"name": "squint", "type": 1, "options": []any{map[string]any{"name": "thing", "type": 3, "value": "the lighthouse"}}}},
		{2, map[string]any{"name": "glowcloud", "type": 1}},
	} {
		footer, link := g.piece(t, n, c.typ, guild, c.data)
		if !strings.Contains(footer, "model "+model) {
			t.Errorf("guild %s, %v: footer %q, want model %s", guild, c.data, footer, model)
		}
		if link != (essay && g.share) {
			t.Errorf("guild %s, %v: a Share link %v", guild, c.data, link)
		}
	}
}

// interaction is a filled interaction of typ with data in guild, by a
// member with the permissions perms, for replica n.
func (g scriptureGame) interaction(n int, guild, perms string, typ int, data map[string]any) map[string]any {
	return g.fake(n).FillInteraction(map[string]any{
		"type":     typ,
		"guild_id": guild,
		"data":     data,
		"member":   map[string]any{"user": map[string]any{"id": scriptureAdmin}, "permissions": perms},
	})
}

// sub is /scripture SUB's data with opts.
func sub(name string, opts ...map[string]any) map[string]any {
	o := map[string]any{"name": name, "type": 1}
	if len(opts) > 0 {
		o["options"] = opts
	}
	return map[string]any{"name": "scripture", "type": 1, "options": []any{o}}
}

// command sends /scripture SUB by an admin of guild to replica n and
// returns the reply (an edit in when the bot deferred), which must be
// ephemeral and render nothing.
func (g scriptureGame) command(t *testing.T, n int, guild string, data map[string]any) map[string]any {
	t.Helper()
	typ, reply := g.answer(t, n, g.interaction(n, guild, "32", 2, data))
	if typ != 4 || reply["flags"] != float64(64) {
		t.Errorf("/scripture answered type %d %v, want an ephemeral message", typ, reply)
	}
	if err := bottest.Inert(reply, "<@"+scriptureAdmin+">"); err != nil {
		t.Errorf("reply %v: %v", reply, err)
	}
	return reply
}

// add has an admin of guild add body as filename on replica n, and
// returns the reply's last edit: what was learned, or why not.
func (g scriptureGame) add(t *testing.T, n int, guild, filename string, body []byte) string {
	t.Helper()
	return g.addSized(t, n, guild, filename, body, len(body))
}

// addSized is add with the size Discord reports of the file.
func (g scriptureGame) addSized(t *testing.T, n int, guild, filename string, body []byte, size int) string {
	t.Helper()
	att := g.fake(n).Attachment(filename, body, "text/plain; charset=utf-8")
	att["size"] = size
	data := sub("add", map[string]any{"name": "file", "type": 11, "value": att["id"]})
	data["resolved"] = map[string]any{"attachments": map[string]any{att["id"].(string): att}}
	i := g.interaction(n, guild, "32", 2, data)
	token := i["token"].(string)
	start := time.Now()
	typ, reply := g.send(t, n, i)
	if typ == 4 && reply["flags"] == float64(64) {
		// Refused by what Discord reports of the file, before a download.
		content, _ := reply["content"].(string)
		return content
	}
	if typ != 5 || reply["flags"] != float64(64) {
		t.Fatalf("/scripture add answered type %d %v, want an ephemeral deferral", typ, reply)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		edits := g.edits(token)
		if len(edits) > 0 {
			last := edits[len(edits)-1]
			content, _ := last["content"].(string)
			if err := bottest.Inert(last, "<@"+scriptureAdmin+">"); err != nil {
				t.Errorf("edit %v: %v", last, err)
			}
			if !strings.HasPrefix(content, "The Glow Cloud is learning") {
				t.Logf("/scripture add of %s (%d bytes): answered in %v", filename, len(body), time.Since(start).Round(time.Millisecond))
				return content
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/scripture add of %s: no answer within 2 minutes; edits %v", filename, edits)
		}
		wait(20 * time.Millisecond)
	}
}

// manifestos returns the texts of count manifestos (seeds 1..count, five
// paragraphs) asked of replica n in guild, and their footers' model ids.
func (g scriptureGame) manifestos(t *testing.T, n int, guild string, count int) (texts []string, models []string) {
	t.Helper()
	for seed := 1; seed <= count; seed++ {
		typ, data := g.answer(t, n, g.interaction(n, guild, "0", 2, map[string]any{
			"name": "manifesto", "type": 1,
			"options": []any{map[string]any{"name": "paragraphs", "type": 4, "value": 5}, map[string]any{"name": "seed", "type": 4, "value": seed}},
		}))
		embeds, _ := data["embeds"].([]any)
		if typ != 4 || len(embeds) != 1 {
			t.Fatalf("/manifesto in %s answered type %d %v", guild, typ, data)
		}
		if err := bottest.Inert(data, "https://glow.example/m/"); err != nil { // the Share link is the bot's own
			t.Errorf("/manifesto in %s: %v", guild, err)
		}
		e := embeds[0].(map[string]any)
		title, _ := e["title"].(string)
		body, _ := e["description"].(string)
		footer, _ := e["footer"].(map[string]any)["text"].(string)
		texts = append(texts, title+"\n"+body)
		_, model, _ := strings.Cut(footer, " · model ")
		model, _, _ = strings.Cut(model, " ")
		models = append(models, model)
	}
	return texts, models
}

// preaching waits (within d) until replica n's manifestos in guild say
// the words of want and none of refuse, and returns their model id.
func (g scriptureGame) preaching(t *testing.T, n int, guild string, want, refuse []string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		texts, models := g.manifestos(t, n, guild, 6)
		says, bad := 0, ""
		for _, s := range texts {
			if want != nil && saysAny(s, want) {
				says++
			}
			if saysAny(s, refuse) {
				bad = s
			}
		}
		if (want == nil || says >= 3) && bad == "" {
			return models[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %d, guild %s: after %v, %d of 6 manifestos say %v; one says %v: %q", n, guild, d, says, want, refuse, bad)
		}
		wait(100 * time.Millisecond)
	}
}

// rows counts the rows of guild in each scripture table, by SQL.
func (g scriptureGame) rows(t *testing.T, guild string) map[string]int {
	t.Helper()
	out := map[string]int{}
	tables := []string{"scripture_guilds", "scripture_texts", "scripture_models"}
	if strings.HasPrefix(g.dsn, "postgres") {
		conn, err := pgx.Connect(t.Context(), g.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		for _, table := range tables {
			var n int
			if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table+" WHERE guild_id = $1", guild).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	db, err := sql.Open("sqlite", g.dsn+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range tables {
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table+" WHERE guild_id = ?", guild).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// texts are guild's text names, by SQL.
func (g scriptureGame) textNames(t *testing.T, guild string) []string {
	t.Helper()
	var names []string
	q := "SELECT name FROM scripture_texts WHERE guild_id = ? ORDER BY name"
	if strings.HasPrefix(g.dsn, "postgres") {
		conn, err := pgx.Connect(t.Context(), g.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		rows, err := conn.Query(t.Context(), strings.Replace(q, "?", "$1", 1), guild)
		if err != nil {
			t.Fatal(err)
		}
		names, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	db, err := sql.Open("sqlite", g.dsn+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), q, guild)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	return names
}

func scriptureText(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "scripture", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// play is the story every transport and database plays: with replicas
// replicas (interactions for replica n go to n % replicas), an admin of
// the default guild adds two texts on replica 0; manifestos there, asked
// of the last replica, carry their words within 5 s, while another
// server's never do; list and autocomplete show them; remove deletes one
// text's row and its words go; a member without Manage Server is refused;
// forget asks, then deletes every row, and the server hears the essay
// again.
func (g scriptureGame) play(t *testing.T, replicas int) {
	t.Helper()
	guild, last := discordtest.DefaultGuildID, replicas-1
	_, essayModels := g.manifestos(t, last, otherGuild, 1)
	essay := essayModels[0]

	for _, f := range []struct{ file, source, name string }{{"harbour.txt", "harbour.txt", "harbour"}, {"orchard.md", "orchard.txt", "orchard"}} {
		got := g.add(t, 0, guild, f.file, scriptureText(t, f.source))
		if !strings.Contains(got, "has learned "+f.name+": ") || !strings.Contains(got, "sentences from it") {
			t.Fatalf("add %s: %q", f.file, got)
		}
	}
	model := g.preaching(t, last, guild, append(slices.Clone(harbourWords), orchardWords...), nil, 5*time.Second)
	if model == essay {
		t.Errorf("the server's manifestos give the essay's model id %s", model)
	}
	g.preaching(t, last, otherGuild, nil, append(slices.Clone(harbourWords), orchardWords...), 0)
	g.everyPath(t, last, guild, model, false)
	g.everyPath(t, last, otherGuild, essay, true)

	list, _ := g.command(t, last, guild, sub("list"))["content"].(string)
	for _, want := range []string{"2 of at most 20 texts", "\n- harbour: 2.6 KiB, added by <@" + scriptureAdmin + "> <t:", "\n- orchard: 2.1 KiB", "Model: ready"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	typ, ac := g.send(t, last, g.interaction(last, guild, "32", 4, sub("remove", map[string]any{"name": "name", "type": 3, "value": "h", "focused": true})))
	if choices, _ := ac["choices"].([]any); typ != 8 || len(choices) != 1 || choices[0].(map[string]any)["value"] != "harbour" {
		t.Errorf("autocomplete of remove's name: type %d %v, want harbour", typ, ac)
	}

	removed, _ := g.command(t, 0, guild, sub("remove", map[string]any{"name": "name", "type": 3, "value": "harbour"}))["content"].(string)
	if !strings.HasPrefix(removed, "harbour is deleted") {
		t.Errorf("remove: %q", removed)
	}
	if names := g.textNames(t, guild); !slices.Equal(names, []string{"orchard"}) {
		t.Errorf("texts after remove, by SQL: %q", names)
	}
	g.preaching(t, last, guild, orchardWords, harbourWords, 60*time.Second)

	typ, refused := g.answer(t, last, g.interaction(last, guild, "2048", 2, sub("list")))
	if content, _ := refused["content"].(string); typ != 4 || refused["flags"] != float64(64) || !strings.Contains(content, "Manage Server") {
		t.Errorf("a member without Manage Server: type %d %v", typ, refused)
	}

	prompt := g.command(t, last, guild, sub("forget"))
	ids := customIDs(prompt)
	if content, _ := prompt["content"].(string); len(ids) != 2 || !strings.Contains(content, "Its 1 text") {
		t.Fatalf("forget's question %v", prompt)
	}
	if rows := g.rows(t, guild); rows["scripture_texts"] != 1 || rows["scripture_guilds"] != 1 {
		t.Errorf("the question deleted something: %v", rows)
	}
	press := g.interaction(0, guild, "32", 3, map[string]any{"component_type": 2, "custom_id": ids[0]})
	typ, done := g.answer(t, 0, press)
	if content, _ := done["content"].(string); typ != 7 || !strings.HasPrefix(content, "Forgotten: 1 text,") || len(customIDs(done)) != 0 {
		t.Errorf("forget: type %d %v, want the question updated to its answer, without buttons", typ, done)
	}
	for table, n := range g.rows(t, guild) {
		if n != 0 {
			t.Errorf("after forget, %s holds %d rows of the server, by SQL", table, n)
		}
	}
	if model := g.preaching(t, last, guild, nil, append(slices.Clone(harbourWords), orchardWords...), 5*time.Second); model != essay {
		// The version read is trusted for a second: give it one more.
		wait(1500 * time.Millisecond)
		if _, models := g.manifestos(t, last, guild, 1); models[0] != essay {
			t.Errorf("after forget the server hears model %s, want the essay's %s", models[0], essay)
		}
	}
}

// hostile has an admin upload the /retrain set of hostile files, each of
// which gets a clear reply and leaves the server's texts as they were.
func (g scriptureGame) hostile(t *testing.T) {
	t.Helper()
	guild := otherGuild
	if got := g.add(t, 0, guild, "harbour.txt", scriptureText(t, "harbour.txt")); !strings.Contains(got, "has learned harbour") {
		t.Fatalf("add: %q", got)
	}
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "Hail the Glow Cloud." {
		utf16 = append(utf16, byte(r), 0)
	}
	huge := bytes.Repeat([]byte("The Glow Cloud is vast. "), (9<<20)/24)
	for _, tc := range []struct {
		file string
		body []byte
		size int // reported by Discord; 0: the body's
		want string
	}{
		{"photo.txt", []byte("GIF89a\x00\x01\x02\x00"), 0, "is not text the Glow Cloud can read"},
		{"wide.txt", utf16, 0, "is not text the Glow Cloud can read"},
		{"huge.txt", huge, 0, "the Glow Cloud takes files of at most 8 MiB"},
		{"huge.txt", huge, 1000, "is larger than 8 MiB"},
		{"cat.png", []byte("Hail. It is a cat."), 0, "is not scripture: the Glow Cloud learns only from .txt and .md files"},
		{"harbour.md", []byte("Another harbour entirely. It is short."), 0, "already has a text named harbour"},
		{"copy.txt", scriptureText(t, "harbour.txt"), 0, "is already this server's scripture, as harbour"},
	} {
		if tc.size == 0 {
			tc.size = len(tc.body)
		}
		if got := g.addSized(t, 0, guild, tc.file, tc.body, tc.size); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.file, got, tc.want)
		}
		if names := g.textNames(t, guild); !slices.Equal(names, []string{"harbour"}) {
			t.Errorf("after %s, texts %q", tc.file, names)
		}
	}
	// Markdown, links and mentions, in the name and the text: learned,
	// and nothing of them renders (add and command check every reply).
	markup := "# HEADLINE <@&123> @everyone [Free Nitro](https://evil.example/steam) ||spoiler|| **bold** > quote\n" +
		strings.Repeat("The lighthouse keeper reads the [manual](http://evil.example) to <@1234> every night. ", 40)
	if got := g.add(t, 0, guild, "[Free Nitro](https://evil.example) @everyone.md", []byte(markup)); !strings.Contains(got, "has learned Free Nitro-https-evil-example-everyone: ") {
		t.Errorf("the markup: %q", got)
	}
	g.command(t, 0, guild, sub("list"))
	texts, _ := g.manifestos(t, 0, guild, 10) // checked inert
	_ = texts
	g.command(t, 0, guild, sub("forget"))
}

// TestServeScriptureHTTP: one serve on SQLite, over the HTTP interactions
// endpoint: the story, then the hostile uploads.
func TestServeScriptureHTTP(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	srv := startServe(t, map[string]string{
		"DISCORD_PUBLIC_KEY":   hex.EncodeToString(pub),
		"GLOWCLOUD_HTTP_ADDR":  "127.0.0.1:0",
		"DISCORD_API_BASE":     fake.URL(),
		"GLOWCLOUD_DATABASE":   path,
		"GLOWCLOUD_COOLDOWN":   "0",
		"GLOWCLOUD_PUBLIC_URL": "https://glow.example",
	})
	g := scriptureGame{quizGame: quizGame{fakes: []*discordtest.Server{fake}, send: httpSend([]string{srv.base}, priv)}, dsn: path, share: true}
	g.play(t, 1)
	g.hostile(t)
	srv.stop(t)
}

// TestServeScriptureGateway: the story over the gateway, on SQLite; the
// commands registered include /scripture, for Manage Server in guilds.
func TestServeScriptureGateway(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	path := filepath.Join(t.TempDir(), "glowcloud.db")
	srv := startServe(t, map[string]string{
		"DISCORD_TOKEN":       proclaimToken,
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"DISCORD_API_BASE":    fake.URL(),
		"GLOWCLOUD_DATABASE":  path,
		"GLOWCLOUD_COOLDOWN":  "0",
	})
	g := scriptureGame{quizGame: quizGame{fakes: []*discordtest.Server{fake}, send: gatewaySend([]*discordtest.Server{fake})}, dsn: path}
	g.play(t, 1)
	var registered map[string]any
	for _, c := range fake.Commands("") {
		if c["name"] == "scripture" {
			registered = c
		}
	}
	if registered == nil || registered["default_member_permissions"] != "32" || fmt.Sprint(registered["contexts"]) != "[0]" {
		t.Errorf("/scripture registered as %v, want Manage Server, guilds only", registered)
	}
	srv.stop(t)
}

// TestReplicasScripture: the story on two serve processes sharing one
// PostgreSQL schema: texts added through the first, manifestos asked of
// the second, which serves the model one of them trained within 5 s.
func TestReplicasScripture(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t)
	rs := startReplicas(t, 2, dbURL, "GLOWCLOUD_COOLDOWN=0")
	g := scriptureGame{quizGame: quizGame{fakes: []*discordtest.Server{rs.fake}, send: httpSend(rs.bases, rs.priv)}, dsn: dbURL}
	g.play(t, 2)
}

// TestReplicasScriptureGateway: the story over the gateway on two serves
// sharing one PostgreSQL schema, each connected to a fake Discord of its
// own: the texts added through the first, the manifestos asked of the
// second.
func TestReplicasScriptureGateway(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.Schema(t)
	var fakes []*discordtest.Server
	for range 2 {
		fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
		startServe(t, map[string]string{
			"DISCORD_TOKEN":       proclaimToken,
			"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
			"DISCORD_API_BASE":    fake.URL(),
			"GLOWCLOUD_DATABASE":  dbURL,
			"GLOWCLOUD_COOLDOWN":  "0",
		})
		fakes = append(fakes, fake)
	}
	g := scriptureGame{quizGame: quizGame{fakes: fakes, send: gatewaySend(fakes)}, dsn: dbURL}
	g.play(t, 2)
}

// TestServeScriptureOff: GLOWCLOUD_SCRIPTURE=off registers no /scripture,
// and one sent anyway is answered politely.
func TestServeScriptureOff(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	srv := startServe(t, map[string]string{
		"DISCORD_TOKEN":       proclaimToken,
		"GLOWCLOUD_HTTP_ADDR": "127.0.0.1:0",
		"DISCORD_API_BASE":    fake.URL(),
		"GLOWCLOUD_DATABASE":  filepath.Join(t.TempDir(), "glowcloud.db"),
		"GLOWCLOUD_SCRIPTURE": "off",
	})
	g := scriptureGame{quizGame: quizGame{fakes: []*discordtest.Server{fake}, send: gatewaySend([]*discordtest.Server{fake})}}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for len(fake.Commands("")) == 0 && ctx.Err() == nil {
		wait(20 * time.Millisecond) // registered after READY
	}
	for _, c := range fake.Commands("") {
		if c["name"] == "scripture" {
			t.Errorf("/scripture registered with GLOWCLOUD_SCRIPTURE=off")
		}
	}
	if content, _ := g.command(t, 0, discordtest.DefaultGuildID, sub("list"))["content"].(string); !strings.Contains(content, "not configured") {
		t.Errorf("/scripture list with scripture off: %q", content)
	}
	srv.stop(t)
}

// TestServeScriptureProclaims: scheduled proclamations in a server with
// scripture preach its blend, as its commands do; over the gateway, on
// SQLite, the proclamations on a clock the test steps.
func TestServeScriptureProclaims(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.WithToken(proclaimToken))
	clock := newSteppedClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	srv := startServeWith(t, map[string]string{
		"DISCORD_TOKEN":          proclaimToken,
		"GLOWCLOUD_HTTP_ADDR":    "127.0.0.1:0",
		"DISCORD_API_BASE":       fake.URL(),
		"GLOWCLOUD_DATABASE":     filepath.Join(t.TempDir(), "glowcloud.db"),
		"GLOWCLOUD_PROCLAIM_MIN": "1s",
		"GLOWCLOUD_COOLDOWN":     "0",
	}, func(e *environment) { e.clock = clock })
	g := scriptureGame{quizGame: quizGame{fakes: []*discordtest.Server{fake}, send: gatewaySend([]*discordtest.Server{fake})}}
	guild, channel := discordtest.DefaultGuildID, discordtest.DefaultChannelID
	if got := g.add(t, 0, guild, "harbour.txt", scriptureText(t, "harbour.txt")); !strings.Contains(got, "has learned harbour") {
		t.Fatalf("add: %q", got)
	}
	typ, started := g.answer(t, 0, g.interaction(0, guild, "32", 2, map[string]any{"name": "proclaim", "type": 1, "options": []any{map[string]any{
		"name": "start", "type": 1, "options": []any{
			map[string]any{"name": "every", "type": 3, "value": "2s"},
			map[string]any{"name": "kind", "type": 3, "value": "manifesto"},
		}}}}))
	if content, _ := started["content"].(string); typ != 4 || !strings.Contains(content, "every 2s") {
		t.Fatalf("/proclaim start: type %d %v", typ, started)
	}
	const posts = 4
	for i := 1; i <= posts; i++ {
		clock.advance(t, 2*time.Second)
		until(t, func() bool { return len(fake.ChannelMessages(channel)) >= i }, func() string {
			return fmt.Sprintf("%d posts after slot %d", len(fake.ChannelMessages(channel)), i)
		})
	}
	says := 0
	for i, m := range fake.ChannelMessages(channel) {
		if err := bottest.Inert(m); err != nil {
			t.Errorf("post %d: %v", i, err)
		}
		if raw := fmt.Sprint(m["embeds"]); saysAny(raw, harbourWords) {
			says++
		}
	}
	if says < posts/2 {
		t.Errorf("%d of %d scheduled manifestos preach the server's scripture", says, posts)
	}
	srv.stop(t)
}
