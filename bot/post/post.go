// Package post sends the Glow Cloud's scheduled proclamations to Discord:
// it is the proclaim.Runner's Poster, which posts a message to a channel
// over REST (POST /channels/{id}/messages, through the DISCORD_API_BASE
// client, needing no gateway intent), and its Writer, which composes a post
// exactly as the core composes the reply to /glowcloud or /manifesto.
package post

import (
	"context"
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/bot/discord"
	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/proclaim"
)

// Poster posts messages to channels as the bot. It implements
// proclaim.Poster and is safe for concurrent use.
type Poster struct {
	s *discordgo.Session
}

// NewPoster returns a Poster sending through client (see rest.Client) with
// the User-Agent ua, authorised by token.
func NewPoster(client *http.Client, ua string, token rest.Token) *Poster {
	return &Poster{s: rest.Session(client, ua, token)}
}

// Post sends m to the channel with allowed_mentions parsing nothing. It
// makes one attempt: discordgo's own retries (of a 429 after sleeping, of a
// 502) are turned off, so that the Runner decides, bounded by the
// schedule's next slot. Discord's refusals are *proclaim.PostError.
func (p *Poster) Post(ctx context.Context, channelID string, m bot.Reply) error {
	_, err := p.s.ChannelMessageSendComplex(channelID, discord.MessageSend(m),
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	return PostError(err)
}

// PostError maps discordgo's errors onto proclaim.PostError: a
// *discordgo.RESTError gives Discord's status, JSON code and message, and a
// rate limit (which discordgo reports as a *discordgo.RateLimitError) gives
// status 429 and retry_after. Other errors (the network, a cancelled
// context) are returned as they are, and nil stays nil.
func PostError(err error) error {
	var rl *discordgo.RateLimitError
	var re *discordgo.RESTError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil:
		return &proclaim.PostError{Status: http.StatusTooManyRequests, Message: rl.Message, RetryAfter: rl.RetryAfter}
	case errors.As(err, &re) && re.Response != nil:
		pe := &proclaim.PostError{Status: re.Response.StatusCode, Message: http.StatusText(re.Response.StatusCode)}
		if re.Message != nil {
			pe.Code, pe.Message = re.Message.Code, re.Message.Message
		}
		return pe
	}
	return err
}

// Writer composes proclamations with the core's text generator. It
// implements proclaim.Writer and is safe for concurrent use.
type Writer struct {
	essay     func() bot.Writer
	writerFor func(ctx context.Context, guildID string) bot.Writer
	publicURL string
}

// NewWriter returns a Writer over the generator w returns (called once per
// post, so a model reload applies to the next one). With publicURL set
// (GLOWCLOUD_PUBLIC_URL), each post carries a "Share" link to its page.
func NewWriter(w func() bot.Writer, publicURL string) *Writer {
	return &Writer{essay: w, publicURL: publicURL}
}

// ForGuild makes w write each server's posts with the Writer writerFor
// returns for it (bot.Config.WriterFor: its scripture's blend, if it has
// one), as the server's commands do; nil (the default), or a nil Writer
// returned, means the essay's. A post from a server's scripture carries no
// "Share" link (bot.ShareBase). It returns w.
func (w *Writer) ForGuild(writerFor func(ctx context.Context, guildID string) bot.Writer) *Writer {
	w.writerFor = writerFor
	return w
}

// msgSilent is posted when the generator has nothing to say, rather than
// nothing at all, which Discord would refuse.
const msgSilent = "The Glow Cloud glows silently."

// Write returns the post of a schedule's slot in the server guildID: the
// reply /glowcloud or /manifesto topic:TOPIC would give there for seed.
func (w *Writer) Write(ctx context.Context, guildID, kind, topic string, seed uint64) bot.Reply {
	essay := w.essay()
	gen := essay
	if w.writerFor != nil {
		if g := w.writerFor(ctx, guildID); g != nil {
			gen = g
		}
	}
	r, ok := bot.Proclamation(gen, kind, topic, seed, bot.ShareBase(essay, gen, w.publicURL))
	if !ok {
		return bot.Reply{Content: msgSilent}
	}
	return r
}

// Editor edits the message an interaction's reply made, through the
// interaction's webhook (PATCH /webhooks/{app}/{token}/messages/@original),
// which needs no bot token: a /quiz round's reveal. It implements
// quiz.Editor and is safe for concurrent use.
type Editor struct {
	s *discordgo.Session
}

// NewEditor returns an Editor sending through client (see rest.Client)
// with the User-Agent ua.
func NewEditor(client *http.Client, ua string) *Editor {
	return &Editor{s: rest.Session(client, ua, "")}
}

// Edit replaces the message with r (allowed_mentions parsing nothing). It
// makes one attempt, as Post does; Discord's refusals are
// *proclaim.PostError, and the token never appears in an error.
func (e *Editor) Edit(ctx context.Context, appID, token string, r bot.Reply) error {
	_, err := e.s.InteractionResponseEdit(&discordgo.Interaction{AppID: appID, Token: token}, discord.WebhookEdit(r),
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	return PostError(rest.Redact(err, token))
}
