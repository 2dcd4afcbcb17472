package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/glowcloud/glowcloud/limits"
)

// /proclaim and /hush: server admins schedule the Glow Cloud's posts.
//
// The core only reads the command: which subcommand, which options, who asks
// and with what permissions. The work (checking Manage Server, parsing the
// interval, the store) is an Admin's, which cmd/glowcloud builds over
// proclaim.Commands, so the core imports no database. Every reply is
// ephemeral, a deferred one too (see Answer), and the commands take no
// cooldown: they generate nothing.

// Names of the server admins' commands and of /proclaim's subcommands.
const (
	CmdProclaim = "proclaim"
	CmdHush     = "hush"

	subStart = "start"
	subStop  = "stop"
	subList  = "list"
)

// Caller is who ran an admin command, and where.
type Caller struct {
	GuildID   string // empty in DMs
	ChannelID string
	UserID    string
	// Permissions is the interaction's member.permissions (decimal), which
	// the Admin checks for Manage Server.
	Permissions string
}

// StartOptions are the options of /proclaim start as typed.
type StartOptions struct {
	Every   string
	Channel string // a channel id; empty means the caller's channel
	Kind    string // glowcloud or manifesto; empty means glowcloud
	Topic   string
}

// Errors an Admin's methods match (errors.Is) when the member was refused.
var (
	// ErrForbidden means the member may not run the command here (no Manage
	// Server, or not in a server).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid means an option was wrong; the reply says which.
	ErrInvalid = errors.New("invalid option")
)

// Admin answers the server admins' commands. Each method returns the text of
// the ephemeral reply and an error: nil on success; one matching
// ErrForbidden or ErrInvalid when the member was refused (the text says
// why); any other error is the operator's (it is logged, and the text
// apologises). Implementations must be safe for concurrent use.
type Admin interface {
	// Start answers /proclaim start: it stores (or replaces) a schedule.
	Start(ctx context.Context, c Caller, o StartOptions) (string, error)
	// Stop answers /proclaim stop: it ends a channel's schedule (empty
	// channel: the caller's).
	Stop(ctx context.Context, c Caller, channel string) (string, error)
	// List answers /proclaim list: the server's schedules and hush.
	List(ctx context.Context, c Caller) (string, error)
	// Hush answers /hush: forOpt is the for: option as typed (empty, a
	// duration, or off).
	Hush(ctx context.Context, c Caller, forOpt string) (string, error)
}

// Permission bits and values the admin commands' definitions use.
const (
	// PermManageGuild is Manage Server, default_member_permissions "32".
	PermManageGuild = 1 << 5
	maxDuration     = 32 // characters of an every: or for: option
)

// msgAdminOff answers admin commands when no Admin is configured.
const msgAdminOff = "Proclamations are not configured here."

// adminCommands are the definitions of /proclaim and /hush.
func adminCommands() []Command {
	channel := Option{
		Type:         OptionChannel,
		Name:         "channel",
		Description:  "The channel (default: this one).",
		ChannelTypes: []int{0, 5},
	}
	return []Command{
		{
			Name:        CmdProclaim,
			Description: "Server admins: let the Glow Cloud proclaim in a channel on a schedule.",
			Admin:       true,
			Options: []Option{
				{
					Type:        OptionSubcommand,
					Name:        subStart,
					Description: "Post a proclamation in a channel every so often (starting again replaces it).",
					Options: []Option{
						{
							Type:        OptionString,
							Name:        "every",
							Description: "How often: 1h, 6h, 1d, 1w...",
							Required:    true,
							MinLength:   ptr(1),
							MaxLength:   maxDuration,
						},
						channel,
						{
							Type:        OptionString,
							Name:        "kind",
							Description: "What to post (default: glowcloud).",
							Choices:     []Choice{{Name: CmdGlowcloud, Value: CmdGlowcloud}, {Name: CmdManifesto, Value: CmdManifesto}},
						},
						{
							Type:        OptionString,
							Name:        "topic",
							Description: "What the manifestos are about.",
							MaxLength:   limits.MaxTopic,
						},
					},
				},
				{
					Type:        OptionSubcommand,
					Name:        subStop,
					Description: "Stop the proclamations in a channel.",
					Options:     []Option{channel},
				},
				{
					Type:        OptionSubcommand,
					Name:        subList,
					Description: "List this server's schedules, their next posts and last results.",
				},
			},
		},
		{
			Name:        CmdHush,
			Description: "Server admins: silence the Glow Cloud's scheduled posts here for a while.",
			Admin:       true,
			Options: []Option{{
				Type:        OptionString,
				Name:        "for",
				Description: "How long: 1h (default), at most 24h; off lifts the hush.",
				MaxLength:   maxDuration,
			}},
		},
	}
}

// isAdminCommand reports whether req is /proclaim or /hush.
func isAdminCommand(req Request) bool {
	return req.Kind == KindCommand && (req.Command == CmdProclaim || req.Command == CmdHush)
}

// handleAdmin answers /proclaim and /hush through the Admin.
func (b *Bot) handleAdmin(ctx context.Context, req Request) (Reply, result) {
	res := result{command: req.Command, outcome: outcomeOK}
	if b.admin == nil {
		res.outcome = outcomeBadRequest
		return ephemeral(msgAdminOff), res
	}
	opts, err := adminOptions(req)
	if err != nil {
		res.outcome = outcomeBadRequest
		return ephemeral(userMessage(err)), res
	}
	c := Caller{GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, Permissions: req.Permissions}
	var text string
	switch {
	case req.Command == CmdHush:
		text, err = b.admin.Hush(ctx, c, opts["for"])
	case req.Subcommand == subStart:
		text, err = b.admin.Start(ctx, c, StartOptions{Every: opts["every"], Channel: opts["channel"], Kind: opts["kind"], Topic: opts["topic"]})
	case req.Subcommand == subStop:
		text, err = b.admin.Stop(ctx, c, opts["channel"])
	default: // subList; adminOptions knows no others
		text, err = b.admin.List(ctx, c)
	}
	return ephemeral(b.adminAnswer(ctx, req, text, err, &res)), res
}

// adminAnswer is the one rule for what an admin command's work returned
// (Admin's, Scripture's): it sets res's outcome by err (ErrForbidden,
// ErrInvalid, or the operator's error, which it logs) and returns the text
// to show, an apology when there is none.
func (b *Bot) adminAnswer(ctx context.Context, req Request, text string, err error, res *result) string {
	switch {
	case err == nil:
	case errors.Is(err, ErrForbidden):
		res.outcome = outcomeForbidden
	case errors.Is(err, ErrInvalid):
		res.outcome = outcomeBadRequest
	default:
		res.outcome = outcomeError
		b.log.LogAttrs(ctx, slog.LevelError, "admin command",
			slog.String("command", req.Command), slog.String("subcommand", req.Subcommand),
			slog.String("guild", req.GuildID), slog.String("err", err.Error()))
	}
	if text == "" {
		return msgApology
	}
	return text
}

// adminOptions checks an admin command's subcommand and options against its
// definition and returns the options' values, which are all text.
func adminOptions(req Request) (map[string]string, error) {
	def, _ := Lookup(req.Command)
	defs := def.Options
	if req.Command == CmdProclaim {
		i := slices.IndexFunc(def.Options, func(o Option) bool { return o.Type == OptionSubcommand && o.Name == req.Subcommand })
		if i < 0 {
			return nil, userError("Use /proclaim start, /proclaim stop or /proclaim list.")
		}
		defs = def.Options[i].Options
	}
	out := make(map[string]string, len(req.Options))
	for k, v := range req.Options {
		if !slices.ContainsFunc(defs, func(o Option) bool { return o.Name == k }) {
			return nil, userError(fmt.Sprintf("/%s has no option %q.", commandPath(req), clip(k, 32)))
		}
		s, ok := v.(string)
		if !ok {
			return nil, userError(k + " must be text.")
		}
		out[k] = s
	}
	return out, nil
}

// commandPath is "proclaim start" or "hush".
func commandPath(req Request) string {
	if req.Subcommand == "" {
		return req.Command
	}
	return req.Command + " " + req.Subcommand
}
