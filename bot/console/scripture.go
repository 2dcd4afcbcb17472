package console

import (
	"context"
	"fmt"
	"strings"

	"github.com/glowcloud/glowcloud/bot"
)

// /scripture at the console: "/scripture add file:PATH [name:NAME]" takes a
// local file where Discord takes an attachment (Options.Attach turns the
// path into one), and goes through the core's Answer as on Discord: the
// reply is deferred, and the Scripture's background job edits it in when
// the training is done, printed at the prompt as the Poster's edits are.

// attach fills req's attachment options, typed as local paths, with the
// attachments Options.Attach makes of them. It returns a notice to print
// instead of sending req when a path cannot be attached.
func attach(req *bot.Request, opts Options) error {
	def, ok := bot.Lookup(req.Command)
	if !ok {
		return nil
	}
	options := def.Options
	if subs := subcommands(def); len(subs) > 0 {
		options = nil
		for _, s := range subs {
			if s.Name == req.Subcommand {
				options = s.Options
			}
		}
	}
	for _, o := range options {
		path, typed := req.Options[o.Name].(string)
		if o.Type != bot.OptionAttachment || !typed {
			continue
		}
		if opts.Attach == nil {
			return notice("This console takes no files.")
		}
		path = strings.TrimSpace(path)
		if path == "" {
			return notice(fmt.Sprintf("Type /%s %s %s:PATH, the path of a local file.", def.Name, req.Subcommand, o.Name))
		}
		a, err := opts.Attach(path)
		if err != nil {
			return notice(fmt.Sprintf("Cannot attach %s: %v", path, err))
		}
		if req.Attachments == nil {
			req.Attachments = map[string]bot.Attachment{}
		}
		req.Options[o.Name] = a.ID
		req.Attachments[a.ID] = a
	}
	return nil
}

// isScriptureAdd reports whether req is /scripture add, which the console
// answers through the core's Answer (a deferred reply, edited later).
func isScriptureAdd(req bot.Request) bool {
	return req.Kind == bot.KindCommand && req.Command == bot.CmdScripture && req.Subcommand == bot.SubAdd
}

// responder is the console's bot.Responder for what Answer sends: the first
// response and the deferral are printed at once; an edit comes later,
// from the background, and goes through the Poster like a /quiz reveal.
type responder struct {
	r        renderer
	out      *strings.Builder
	posts    *Poster
	deferred bool
}

func (rs *responder) Respond(_ context.Context, m bot.Reply) error {
	rs.out.WriteString(rs.r.reply(m) + "\n")
	return nil
}

func (rs *responder) Defer(_ context.Context, ephemeral bool) error {
	rs.deferred = true
	line := "The Glow Cloud is thinking…"
	if ephemeral {
		line += "\n" + rs.r.style("(only you can see this)", styleDim)
	}
	rs.out.WriteString(line + "\n")
	return nil
}

func (rs *responder) Edit(ctx context.Context, m bot.Reply) error {
	if rs.posts == nil {
		return nil // nowhere to show it: the console has no Poster
	}
	return rs.posts.Edit(ctx, "", "", m)
}
