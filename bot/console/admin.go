package console

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/bot"
)

// The console is one server and one channel, and the person at the prompt
// is its admin until they type "as member".
const (
	ConsoleGuild   = "100000000000000001" // the guild console requests come from
	ConsoleChannel = "100000000000000002" // the channel they are typed in
)

// caller is who the console's requests come from.
type caller struct {
	user        string
	permissions string
	note        string
}

var (
	asAdmin  = caller{user: consoleUser, permissions: strconv.Itoa(bot.PermManageGuild), note: "You are a server admin (Manage Server) again."}
	asMember = caller{user: consoleUser, permissions: "0", note: "You are a member without Manage Server now: /proclaim and /hush will refuse you. Type \"as admin\" to go back."}
)

// memberName is what "as NAME" takes: a short word.
var memberName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// becomes is who "as WHO" makes the person at the prompt, and false (with
// a note why) when WHO names nobody.
func becomes(who string) (caller, bool) {
	switch w := strings.ToLower(who); {
	case w == "admin" || w == "you":
		return asAdmin, true
	case w == "member":
		return asMember, true
	case memberName.MatchString(w) && w != consoleUser:
		return caller{user: w, permissions: "0", note: "You are " + w + " now, another member of the server (without Manage Server). Type \"as admin\" to be yourself again."}, true
	}
	return caller{note: "Type as admin, as member, or as NAME (a short word) to be another member."}, false
}

// Options configure RunWith. The zero value gives Run.
type Options struct {
	// Posts, if set, are the scheduled posts to print as they come.
	Posts *Poster
	// Now is the console's clock, which posts are stamped with and relative
	// times count from (a fast one, say); nil means time.Now.
	Now func() time.Time
	// Speed is how many times faster than real time Now runs; 0 or 1 for
	// real time. Otherwise the console says so, and every time it shows is
	// marked "on the console clock".
	Speed float64

	// Attach, if set, makes an attachment of a local file, for an option
	// that takes one (/scripture add file:PATH); nil: the console takes no
	// files.
	Attach func(path string) (bot.Attachment, error)
	// Busy, if set, reports whether background work a command started (a
	// /scripture add's training) is still to report. After a /scripture
	// add the console prints what comes (the edits of its reply) until it
	// is not, before it reads the next line: what is typed next is
	// answered from what was learned.
	Busy func() bool

	// terminal makes the console interactive (line editing, prompt, styles)
	// over any reader and writer, for tests.
	terminal bool
}

// posted is one post, as the Poster hands it to the prompt, or an edit of
// a reply's message (a /quiz round's reveal).
type posted struct {
	channel string
	reply   bot.Reply
	edit    bool
}

// Poster is the console's proclaim.Poster: what the Runner posts is printed
// at the prompt, between the replies. It is safe for concurrent use.
type Poster struct{ ch chan posted }

// NewPoster returns a Poster for Options.Posts.
func NewPoster() *Poster { return &Poster{ch: make(chan posted)} }

// Post hands m to the prompt, waiting until it is printed or ctx ends.
func (p *Poster) Post(ctx context.Context, channelID string, m bot.Reply) error {
	select {
	case p.ch <- posted{channel: channelID, reply: m}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Edit hands the prompt an edit of a reply's message (the console has one
// channel, so the interaction's token only tells it that a message
// changed), waiting until it is printed or ctx ends. It makes the Poster a
// quiz.Editor: the reveal of a /quiz round shows here.
func (p *Poster) Edit(ctx context.Context, _, _ string, m bot.Reply) error {
	select {
	case p.ch <- posted{channel: ConsoleChannel, reply: m, edit: true}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// post shows a scheduled post under a line naming the channel and the
// time on the console's clock.
func (r renderer) post(p posted) string {
	at := r.clockNow().Format("15:04:05")
	if r.clock != "" {
		at += " " + r.clock
	}
	verb := "posts in"
	if p.edit {
		verb = "edits its message in"
	}
	return fmt.Sprintf("── the Glow Cloud %s %s at %s ──\n%s\n", verb, r.inline("<#"+p.channel+">"), at, r.reply(p.reply))
}

// subcommands returns a command's subcommands, if it has any.
func subcommands(c bot.Command) []bot.Option {
	var out []bot.Option
	for _, o := range c.Options {
		if o.Type == bot.OptionSubcommand {
			out = append(out, o)
		}
	}
	return out
}
