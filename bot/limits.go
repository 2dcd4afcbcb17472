package bot

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Discord's limits on what a reply may hold, defined here and nowhere else.
const (
	MaxContent     = 2000
	maxEmbeds      = 10
	maxTitle       = 256
	maxDescription = 4096
	maxFooter      = 2048
	maxEmbedTotal  = 6000 // title + description + footer over all embeds
	maxButtons     = 5    // one action row
	maxLabel       = 80
	maxEmojiName   = 32
	MaxChoices     = 25  // autocomplete choices in one answer
	MaxChoice      = 100 // characters in a choice's name, and in its value
)

// emptyReply stands in for a reply with nothing to show, which Discord
// would reject.
const emptyReply = "The Glow Cloud has nothing to say."

// LimitReply returns r cut to Discord's limits, whatever produced it: texts
// are cut on character boundaries and end with "…"; embeds and buttons past
// the limits, empty embeds, and buttons with an unusable custom_id are
// dropped. "@everyone" and "@here" get a zero-width space so they read as
// text even where allowed_mentions is lost (transports always send
// allowed_mentions parsing nothing, which is the real guarantee). Lengths
// are counted in UTF-16 code units, which is never less than the code points
// Discord counts, so the result is safe under either count. LimitReply is
// idempotent, and the conversions in bot/discord apply it again.
func LimitReply(r Reply) Reply {
	if r.Autocomplete {
		return Reply{Autocomplete: true, Choices: limitChoices(r.Choices)}
	}
	r.Content = truncate(neutralize(r.Content), MaxContent)

	embeds := make([]Embed, 0, min(len(r.Embeds), maxEmbeds))
	for _, e := range r.Embeds {
		if len(embeds) == maxEmbeds {
			break
		}
		e.Title = truncate(neutralize(e.Title), maxTitle)
		e.Description = truncate(neutralize(e.Description), maxDescription)
		e.Footer = truncate(neutralize(e.Footer), maxFooter)
		e.Color = max(0, min(e.Color, 0xFFFFFF))
		if e.Title == "" && e.Description == "" && e.Footer == "" {
			continue
		}
		embeds = append(embeds, e)
	}
	fitEmbedTotal(embeds)
	r.Embeds = nil
	for _, e := range embeds { // fitting the total may have emptied some
		if e.Title != "" || e.Description != "" || e.Footer != "" {
			r.Embeds = append(r.Embeds, e)
		}
	}

	var buttons []Button
	for _, bt := range r.Buttons {
		if len(buttons) == maxButtons {
			break
		}
		if bt.URL != "" {
			// A link button: a URL Discord takes and no custom_id.
			if bt.CustomID != "" || !linkURL(bt.URL) {
				continue
			}
		} else if bt.CustomID == "" || len(bt.CustomID) > MaxCustomID || !utf8.ValidString(bt.CustomID) {
			continue
		}
		bt.Label = truncate(neutralize(bt.Label), maxLabel)
		if len(bt.Emoji) > maxEmojiName || !utf8.ValidString(bt.Emoji) {
			bt.Emoji = ""
		}
		if bt.Label == "" && bt.Emoji == "" {
			bt.Label = hailAgainLabel
			if bt.URL != "" {
				bt.Label = shareLabel
			}
		}
		buttons = append(buttons, bt)
	}
	r.Buttons = buttons

	if strings.TrimSpace(r.Content) == "" && len(r.Embeds) == 0 {
		r.Content = emptyReply
	}
	return r
}

// fitEmbedTotal shortens descriptions, then footers, then titles, from the
// last embed back, until all embeds together fit maxEmbedTotal.
func fitEmbedTotal(embeds []Embed) {
	total := 0
	for _, e := range embeds {
		total += textLen(e.Title) + textLen(e.Description) + textLen(e.Footer)
	}
	for _, field := range []func(*Embed) *string{
		func(e *Embed) *string { return &e.Description },
		func(e *Embed) *string { return &e.Footer },
		func(e *Embed) *string { return &e.Title },
	} {
		for i := len(embeds) - 1; i >= 0 && total > maxEmbedTotal; i-- {
			s := field(&embeds[i])
			n := textLen(*s)
			keep := max(0, n-(total-maxEmbedTotal))
			*s = truncate(*s, keep)
			total -= n - textLen(*s)
		}
	}
}

// textLen is the length of s in UTF-16 code units, as the limits count it.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncate returns s, made valid UTF-8, cut to at most max UTF-16 code units on a
// character boundary; a cut string ends with "…".
func truncate(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max { // bytes >= UTF-16 units, so it fits
		return s
	}
	if textLen(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > max-1 { // leave room for "…"
			return s[:i] + "…"
		}
		n += utf16.RuneLen(r)
	}
	return s
}

// linkURL reports whether u is a link button's url Discord takes: an
// absolute http or https URL of at most MaxURL bytes, printable ASCII with
// no space (a page's link is).
func linkURL(u string) bool {
	if len(u) > MaxURL || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		return false
	}
	for i := 0; i < len(u); i++ {
		if u[i] <= ' ' || u[i] >= 0x7f {
			return false
		}
	}
	return true
}

// neutralize breaks "@everyone" and "@here" with a zero-width space.
func neutralize(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	s = strings.ReplaceAll(s, "@everyone", "@\u200beveryone")
	return strings.ReplaceAll(s, "@here", "@\u200bhere")
}

// limitChoices keeps the autocomplete choices Discord accepts: at most
// MaxChoices, each 1..MaxChoice characters of valid UTF-8, no two alike (a
// choice too long is dropped rather than cut: a cut value is not a topic the
// model knows). The result is never nil, so it encodes as a list.
func limitChoices(choices []string) []string {
	out := make([]string, 0, min(len(choices), MaxChoices))
	for _, c := range choices {
		if len(out) == MaxChoices {
			break
		}
		c = strings.TrimSpace(c)
		if c == "" || !utf8.ValidString(c) || textLen(c) > MaxChoice || slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}
