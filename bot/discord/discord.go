// Package discord converts between discordgo's types and the core's:
// interactions become bot.Requests, bot.Replies become interaction
// responses and webhook edits, and bot.Commands become application
// commands. The gateway and the HTTP endpoint both use it, so a reply looks
// the same however it arrived.
package discord

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
)

// Request converts an interaction into a bot.Request. It never
// calls ApplicationCommandData or MessageComponentData (which panic on other
// interaction types): data of an unexpected shape makes a KindUnknown
// request. A nil i gives the zero Request.
func Request(i *discordgo.Interaction) bot.Request {
	if i == nil {
		return bot.Request{}
	}
	req := bot.Request{
		ID:        i.ID,
		Token:     i.Token,
		AppID:     i.AppID,
		GuildID:   i.GuildID,
		ChannelID: i.ChannelID,
		Locale:    string(i.Locale),
	}
	switch {
	case i.Member != nil && i.Member.User != nil:
		req.UserID = i.Member.User.ID
	case i.User != nil:
		req.UserID = i.User.ID
	}
	req.BotDM = i.Context == discordgo.InteractionContextBotDM
	if i.Member != nil && i.Member.Permissions > 0 {
		req.Permissions = strconv.FormatInt(i.Member.Permissions, 10)
	}
	switch i.Type {
	case discordgo.InteractionPing:
		req.Kind = bot.KindPing
	case discordgo.InteractionApplicationCommand:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || (data.CommandType != 0 && data.CommandType != discordgo.ChatApplicationCommand) {
			break
		}
		req.Kind = bot.KindCommand
		req.Command = data.Name
		opts := data.Options
		if sub := subcommand(opts); sub != nil {
			req.Subcommand, opts = sub.Name, sub.Options
		}
		for _, o := range opts {
			if o == nil {
				continue
			}
			if req.Options == nil {
				req.Options = make(map[string]any, len(opts))
			}
			req.Options[o.Name] = o.Value
		}
		if data.Resolved != nil && len(data.Resolved.Attachments) > 0 {
			req.Attachments = make(map[string]bot.Attachment, len(data.Resolved.Attachments))
			for id, a := range data.Resolved.Attachments {
				if a == nil {
					continue
				}
				req.Attachments[id] = bot.Attachment{
					ID:          a.ID,
					Filename:    a.Filename,
					ContentType: a.ContentType,
					Size:        a.Size,
					URL:         a.URL,
				}
			}
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			break
		}
		req.Kind = bot.KindAutocomplete
		req.Command = data.Name
		opts := data.Options
		if sub := subcommand(opts); sub != nil {
			req.Subcommand, opts = sub.Name, sub.Options
		}
		for _, o := range opts {
			if o == nil {
				continue
			}
			if req.Options == nil {
				req.Options = make(map[string]any, len(opts))
			}
			req.Options[o.Name] = o.Value
			if o.Focused {
				req.Focused = o.Name
			}
		}
	case discordgo.InteractionMessageComponent:
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			break
		}
		req.Kind = bot.KindComponent
		req.CustomID = data.CustomID
	}
	return req
}

// subcommand returns the subcommand among a command's options, if the
// command was used with one: then it is the only option.
func subcommand(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	if len(opts) == 1 && opts[0] != nil && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		return opts[0]
	}
	return nil
}

// noMentions parses no mentions at all. It is built fresh for every payload
// because discordgo's types are mutable; a nil Parse slice would encode as
// null, which Discord reads as "default", so it must be empty, not nil.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// Response converts a reply into an interaction response: callback
// type 4, or 7 when r.Update, or 8 (the choices alone) when r.Autocomplete. It applies bot.LimitReply, sets flags 64 for an
// ephemeral reply and allowed_mentions parsing nothing, and encodes embeds
// and components as arrays, never null.
func Response(r bot.Reply) *discordgo.InteractionResponse {
	r = bot.LimitReply(r)
	if r.Autocomplete {
		return autocompleteResult(r.Choices)
	}
	t := discordgo.InteractionResponseChannelMessageWithSource
	if r.Update {
		t = discordgo.InteractionResponseUpdateMessage
	}
	data := &discordgo.InteractionResponseData{
		Content:         r.Content,
		Embeds:          embedsFromReply(r),
		Components:      componentsFromReply(r),
		AllowedMentions: noMentions(),
	}
	if r.Ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: t, Data: data}
}

// autocompleteResult is the answer to an autocomplete interaction
// (callback type 8): each choice is both the name shown and the value sent.
// choices is never nil (LimitReply), so an empty answer is "choices": [].
func autocompleteResult(choices []string) *discordgo.InteractionResponse {
	list := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(choices))
	for _, c := range choices {
		list = append(list, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		// allowed_mentions as on every response (CONTRACT.md), though a
		// choice list mentions nobody.
		Data: &discordgo.InteractionResponseData{Choices: list, AllowedMentions: noMentions()},
	}
}

// Deferred is the callback that defers an interaction (type 5,
// "thinking…"), ephemeral when asked; the reply follows in an edit. It is
// type 5 for buttons too: "Hail again" posts a new message, and type 6 would
// make the edit replace the message the button is on.
func Deferred(ephemeral bool) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{
		Embeds:          []*discordgo.MessageEmbed{},
		Components:      []discordgo.MessageComponent{},
		AllowedMentions: noMentions(),
	}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}
}

// WebhookEdit converts a reply into the edit of a deferred
// response (PATCH .../messages/@original). It applies bot.LimitReply and sets
// allowed_mentions parsing nothing. Content, embeds and components are
// always sent, so the edit replaces the whole "thinking…" message.
// Ephemerality cannot change in an edit; it was fixed by the defer.
func WebhookEdit(r bot.Reply) *discordgo.WebhookEdit {
	r = bot.LimitReply(r)
	content := r.Content
	embeds := embedsFromReply(r)
	components := componentsFromReply(r)
	return &discordgo.WebhookEdit{
		Content:         &content,
		Embeds:          &embeds,
		Components:      &components,
		AllowedMentions: noMentions(),
	}
}

func embedsFromReply(r bot.Reply) []*discordgo.MessageEmbed {
	embeds := make([]*discordgo.MessageEmbed, 0, len(r.Embeds))
	for _, e := range r.Embeds {
		me := &discordgo.MessageEmbed{
			Title:       e.Title,
			Description: e.Description,
			Color:       e.Color,
		}
		if e.Footer != "" {
			me.Footer = &discordgo.MessageEmbedFooter{Text: e.Footer}
		}
		embeds = append(embeds, me)
	}
	return embeds
}

// componentsFromReply puts the reply's buttons (at most 5 after LimitReply)
// in one action row.
func componentsFromReply(r bot.Reply) []discordgo.MessageComponent {
	if len(r.Buttons) == 0 {
		return []discordgo.MessageComponent{}
	}
	row := discordgo.ActionsRow{Components: make([]discordgo.MessageComponent, 0, len(r.Buttons))}
	for _, b := range r.Buttons {
		btn := discordgo.Button{
			Label:    b.Label,
			Style:    discordgo.PrimaryButton,
			CustomID: b.CustomID,
			Disabled: b.Disabled,
		}
		if b.URL != "" {
			// A link button: style 5, a url and no custom_id.
			btn.Style, btn.URL, btn.CustomID = discordgo.LinkButton, b.URL, ""
		}
		if b.Emoji != "" {
			btn.Emoji = &discordgo.ComponentEmoji{Name: b.Emoji}
		}
		row.Components = append(row.Components, btn)
	}
	return []discordgo.MessageComponent{row}
}

// ApplicationCommands converts command definitions into the application
// commands to register. Operator commands get default_member_permissions
// "0" and exist in guilds only; the others work in guilds, in DMs with the
// bot and, for user installs, in private channels. For a guild registration
// (guildID not empty) contexts and integration_types are left out, since
// only global commands take them.
func ApplicationCommands(cmds []bot.Command, guildID string) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, c := range cmds {
		ac := &discordgo.ApplicationCommand{
			Type:             discordgo.ChatApplicationCommand,
			Name:             c.Name,
			Description:      c.Description,
			Contexts:         everywhere(),
			IntegrationTypes: anyInstall(),
		}
		if c.Operators || c.Admin {
			ac.DefaultMemberPermissions = ptr(int64(0))
			if c.Admin {
				ac.DefaultMemberPermissions = ptr(int64(bot.PermManageGuild))
			}
			ac.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
			ac.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
		}
		if guildID != "" {
			ac.Contexts, ac.IntegrationTypes = nil, nil
		}
		ac.Options = commandOptions(c.Options)
		out = append(out, ac)
	}
	return out
}

// commandOptions converts option definitions, a subcommand's own options
// included.
func commandOptions(opts []bot.Option) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for _, o := range opts {
		ao := &discordgo.ApplicationCommandOption{
			Type:        optionType(o.Type),
			Name:        o.Name,
			Description: o.Description,
			Required:    o.Required,
			MaxLength:   o.MaxLength,
			MaxValue:    o.MaxValue,
			Options:     commandOptions(o.Options),
			// Autocomplete only for string options without choices:
			// Discord refuses it beside choices, and the core offers text.
			Autocomplete: o.Autocomplete && o.Type == bot.OptionString && len(o.Choices) == 0,
		}
		if o.MinLength != nil {
			ao.MinLength = ptr(*o.MinLength)
		}
		if o.MinValue != nil {
			ao.MinValue = ptr(*o.MinValue)
		}
		for _, ch := range o.Choices {
			ao.Choices = append(ao.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch.Name, Value: ch.Value})
		}
		for _, t := range o.ChannelTypes {
			ao.ChannelTypes = append(ao.ChannelTypes, discordgo.ChannelType(t))
		}
		out = append(out, ao)
	}
	return out
}

// optionType is the discordgo type of an option type; the core numbers them
// as Discord does.
func optionType(t bot.OptionType) discordgo.ApplicationCommandOptionType {
	return discordgo.ApplicationCommandOptionType(t)
}

func ptr[T any](v T) *T { return &v }

func everywhere() *[]discordgo.InteractionContextType {
	return &[]discordgo.InteractionContextType{
		discordgo.InteractionContextGuild,
		discordgo.InteractionContextBotDM,
		discordgo.InteractionContextPrivateChannel,
	}
}

func anyInstall() *[]discordgo.ApplicationIntegrationType {
	return &[]discordgo.ApplicationIntegrationType{
		discordgo.ApplicationIntegrationGuildInstall,
		discordgo.ApplicationIntegrationUserInstall,
	}
}

// Caps on what discordgo's messages may bring into the log. discordgo
// formats raw gateway payloads into some of them ("unknown event: ...
// Data: %s" with the whole event, of any size); the log gets their type
// and size instead, and any other argument is clipped.
const (
	maxLogArg     = 256  // bytes of one argument (a string, []byte, error or event)
	maxLogMessage = 2048 // bytes of the formatted message
)

// Logger returns a function to assign to discordgo.Logger, so that
// discordgo's own messages go to l (with component=discordgo) instead of
// the standard log package. discordgo.Logger is a package variable: assign
// it once per process, in cmd/glowcloud's run before serving; the serve
// package itself never touches it, since tests run many sessions in
// parallel. glowcloud's sessions pass on errors and warnings only, never
// discordgo's debug messages (one of which prints the IDENTIFY payload,
// token included).
//
// Gateway payloads are never logged verbatim: an event discordgo does not
// know is logged by op, type and size, and every other argument is
// clipped to a few hundred bytes, so a hostile gateway cannot flood the log.
func Logger(l *slog.Logger) func(msgL, caller int, format string, a ...any) {
	l = l.With("component", "discordgo")
	return func(msgL, _ int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		}
		ctx := context.Background()
		// discordgo v0.29.0: "unknown event: Op: %d, Seq: %d, Type: %s, Data: %s"
		// and "unknown Op: %d, Seq: %d, Type: %s, Data: %s, message: %s".
		if (strings.HasPrefix(format, "unknown event:") || strings.HasPrefix(format, "unknown Op:")) && len(a) >= 4 {
			size := 0
			for _, v := range a[3:] {
				size = max(size, argSize(v))
			}
			l.Log(ctx, level, "gateway sent an event discordgo does not know; not logged verbatim",
				"op", a[0], "seq", a[1], "type", clipArg(a[2]), "bytes", size)
			return
		}
		args := make([]any, len(a))
		for i, v := range a {
			args[i] = clipArg(v)
		}
		msg := strings.TrimSpace(fmt.Sprintf(format, args...))
		if len(msg) > maxLogMessage {
			msg = clip(msg, maxLogMessage) + fmt.Sprintf(" …(%d bytes in all)", len(msg))
		}
		l.Log(ctx, level, msg)
	}
}

// argSize is the size of a payload argument: a string's or []byte's length.
func argSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	}
	return 0
}

// clipArg returns v fit for the log: strings, bytes and errors clipped, a
// gateway event summarised by op, type and size, and anything else as is.
func clipArg(v any) any {
	switch x := v.(type) {
	case string:
		return clipLong(x)
	case []byte:
		return clipLong(string(x))
	case error:
		return clipLong(x.Error())
	case *discordgo.Event:
		if x == nil {
			return "<nil event>"
		}
		return fmt.Sprintf("event op %d seq %d type %s (%d bytes)", x.Operation, x.Sequence, clip(x.Type, 64), len(x.RawData))
	}
	return v
}

// clipLong clips s to maxLogArg bytes, saying how long it was.
func clipLong(s string) string {
	if len(s) <= maxLogArg {
		return s
	}
	return fmt.Sprintf("%s…(%d bytes)", clip(s, maxLogArg), len(s))
}

// clip cuts s to at most n bytes at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
