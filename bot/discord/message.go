package discord

import (
	"github.com/bwmarrin/discordgo"

	"github.com/glowcloud/glowcloud/bot"
)

// MessageSend converts a reply into a channel message (POST
// /channels/{id}/messages), as scheduled proclamations are posted. It
// applies bot.LimitReply and sets allowed_mentions parsing nothing, like an
// interaction response; embeds, components and sticker_ids are arrays, never
// null. Ephemeral and Update mean nothing in a channel and are ignored.
func MessageSend(r bot.Reply) *discordgo.MessageSend {
	r = bot.LimitReply(r)
	return &discordgo.MessageSend{
		Content:         r.Content,
		Embeds:          embedsFromReply(r),
		Components:      componentsFromReply(r),
		StickerIDs:      []string{},
		AllowedMentions: noMentions(),
	}
}
