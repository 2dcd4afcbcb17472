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
	permissions string
	note        string
}

var (
	asAdmin  = caller{permissions: strconv.Itoa(bot.PermManageGuild), note: "You are a server admin (Manage Server) again."}
	asMember = caller{permissions: "0", note: "You are a member without Manage Server now: /proclaim and /hush will refuse you. Type \"as admin\" to go back."}
)

// Options configure RunWith. The zero value gives Run.
type Options struct {
	// Posts, if set, are the scheduled posts to print as they come.
	Posts *Poster
	// Now is the clock posts are stamped with (a fast one, say); nil means
	// time.Now.
	Now func() time.Time
}

// posted is one post, as the Poster hands it to the prompt.
type posted struct {
	channel string
	reply   bot.Reply
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

// renderPost shows a scheduled post with the channel and the time.
func renderPost(p posted, now func() time.Time) string {
	if now == nil {
		now = time.Now
	}
	return fmt.Sprintf("── the Glow Cloud posts in #%s at %s ──\n%s\n", p.channel, now().Format("15:04:05"), render(p.reply))
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

// discordTime finds Discord's timestamp markup, <t:UNIX:STYLE>, which the
// admin commands' replies use.
var discordTime = regexp.MustCompile(`<t:(-?\d+):[tTdDfFR]>`)

// discordWhen is a relative timestamp followed by the absolute one, as the
// admin commands write times; discordChannel a channel mention.
var (
	discordWhen    = regexp.MustCompile(`<t:(-?\d+):R> \(<t:-?\d+:f>\)`)
	discordChannel = regexp.MustCompile(`<#(\d+)>`)
)

// plainTimes writes Discord timestamps as the console's local times, and
// channel mentions as #id.
func plainTimes(s string) string {
	s = discordChannel.ReplaceAllString(s, "#$1")
	s = discordWhen.ReplaceAllString(s, "<t:$1:R>")
	return discordTime.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseInt(strings.Split(m, ":")[1], 10, 64)
		if err != nil {
			return m
		}
		return "at " + time.Unix(n, 0).Format("15:04:05")
	})
}
