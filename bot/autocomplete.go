package bot

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/discordtext"
)

// suggester is what autocomplete needs from the Writer; *compose.Writer has
// it. A Writer without it gets no suggestions, never an error.
type suggester interface {
	// Suggest returns up to max topics the model can write about, best
	// first, whose lower case starts with prefix's; all its best for "".
	Suggest(prefix string, max int) []string
}

// autocompleteWait bounds the wait for a server's Writer when answering
// autocomplete, which Discord cannot be told to wait for (no deferral) and
// drops after 3 s: a server's model that is not loaded yet (a large
// scripture takes seconds) goes on loading for the next keystroke, and
// this one is answered from what WriterFor gives once the wait is over
// (scripture.Service: the essay's Writer).
const autocompleteWait = 1500 * time.Millisecond

// autocompleted returns the option of command that answers autocomplete.
func autocompleted(command string) (string, bool) {
	switch command {
	case CmdManifesto:
		return "topic", true
	case CmdSquint:
		return "thing", true
	}
	return "", false
}

// autocomplete answers a KindAutocomplete request: the topics the model can
// steer a text through that start with what the user has typed so far,
// best first. It applies no cooldown (Discord asks on every keystroke) and
// never fails: anything it cannot answer gets an empty list, which Discord
// shows as "no options".
func (b *Bot) autocomplete(ctx context.Context, req Request) Reply {
	reply := Reply{Autocomplete: true, Choices: []string{}}
	if req.Command == CmdScripture {
		reply.Choices = append(reply.Choices, b.scriptureNames(ctx, req)...)
		return LimitReply(reply)
	}
	if opt, ok := autocompleted(req.Command); !ok || req.Focused != opt {
		return reply
	}
	prefix, _ := req.Options[req.Focused].(string)
	// The prefix is matched, never shown: the choices are the model's own
	// words, and the one the user picks comes back as a command option,
	// which takes the way in of any other.
	if len(prefix) > MaxChoice*4 {
		prefix = prefix[:MaxChoice*4]
	}
	wctx, cancel := context.WithTimeout(ctx, autocompleteWait)
	w := b.writerFor(wctx, req.GuildID)
	cancel()
	if s, ok := w.(suggester); ok {
		// The choices are the model's words: generated text, shown as
		// generated text is (see inert), the value a pick sends back too.
		for _, c := range s.Suggest(prefix, MaxChoices) {
			if utf8.ValidString(c) { // LimitReply drops the others
				c = discordtext.Show(c)
			}
			reply.Choices = append(reply.Choices, c)
		}
	}
	return LimitReply(reply)
}
