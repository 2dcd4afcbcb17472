package bot

import (
	"github.com/bwmarrin/discordgo"
)

// This file converts between discordgo's types and the core's Request and
// Reply. Both transports use it, so a reply looks the same however it
// arrived.

// RequestFromInteraction converts an interaction into a Request. It never
// calls ApplicationCommandData or MessageComponentData (which panic on other
// interaction types): data of an unexpected shape makes a KindUnknown
// request. A nil i gives the zero Request.
func RequestFromInteraction(i *discordgo.Interaction) Request {
	if i == nil {
		return Request{}
	}
	req := Request{
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
	switch i.Type {
	case discordgo.InteractionPing:
		req.Kind = KindPing
	case discordgo.InteractionApplicationCommand:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || (data.CommandType != 0 && data.CommandType != discordgo.ChatApplicationCommand) {
			break
		}
		req.Kind = KindCommand
		req.Command = data.Name
		for _, o := range data.Options {
			if o == nil {
				continue
			}
			if req.Options == nil {
				req.Options = make(map[string]any, len(data.Options))
			}
			req.Options[o.Name] = o.Value
		}
		if data.Resolved != nil && len(data.Resolved.Attachments) > 0 {
			req.Attachments = make(map[string]Attachment, len(data.Resolved.Attachments))
			for id, a := range data.Resolved.Attachments {
				if a == nil {
					continue
				}
				req.Attachments[id] = Attachment{
					ID:          a.ID,
					Filename:    a.Filename,
					ContentType: a.ContentType,
					Size:        a.Size,
					URL:         a.URL,
				}
			}
		}
	case discordgo.InteractionMessageComponent:
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			break
		}
		req.Kind = KindComponent
		req.CustomID = data.CustomID
	}
	return req
}

// noMentions parses no mentions at all. It is built fresh for every payload
// because discordgo's types are mutable; a nil Parse slice would encode as
// null, which Discord reads as "default", so it must be empty, not nil.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// ResponseFromReply converts a reply into an interaction response: callback
// type 4, or 7 when r.Update. It applies LimitReply, sets flags 64 for an
// ephemeral reply and allowed_mentions parsing nothing, and encodes embeds
// and components as arrays, never null.
func ResponseFromReply(r Reply) *discordgo.InteractionResponse {
	r = LimitReply(r)
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

// DeferredResponse is the callback that defers an interaction (type 5,
// "thinking…"), ephemeral when asked; the reply follows in an edit. It is
// type 5 for buttons too: "Hail again" posts a new message, and type 6 would
// make the edit replace the message the button is on.
func DeferredResponse(ephemeral bool) *discordgo.InteractionResponse {
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

// WebhookEditFromReply converts a reply into the edit of a deferred
// response (PATCH .../messages/@original). It applies LimitReply and sets
// allowed_mentions parsing nothing. Content, embeds and components are
// always sent, so the edit replaces the whole "thinking…" message.
// Ephemerality cannot change in an edit; it was fixed by the defer.
func WebhookEditFromReply(r Reply) *discordgo.WebhookEdit {
	r = LimitReply(r)
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

func embedsFromReply(r Reply) []*discordgo.MessageEmbed {
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
func componentsFromReply(r Reply) []discordgo.MessageComponent {
	if len(r.Buttons) == 0 {
		return []discordgo.MessageComponent{}
	}
	row := discordgo.ActionsRow{Components: make([]discordgo.MessageComponent, 0, len(r.Buttons))}
	for _, b := range r.Buttons {
		btn := discordgo.Button{
			Label:    b.Label,
			Style:    discordgo.PrimaryButton,
			CustomID: b.CustomID,
		}
		if b.Emoji != "" {
			btn.Emoji = &discordgo.ComponentEmoji{Name: b.Emoji}
		}
		row.Components = append(row.Components, btn)
	}
	return []discordgo.MessageComponent{row}
}
