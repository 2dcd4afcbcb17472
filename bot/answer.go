package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Responder is what a transport gives Answer to deliver a reply. Answer
// calls either Respond, or Defer and then Edit, once per interaction.
type Responder interface {
	// Respond sends the initial response: callback type 4, or 7 when r.Update.
	Respond(ctx context.Context, r Reply) error
	// Defer acknowledges the interaction with callback type 5 ("thinking…"),
	// ephemeral when asked. Transports send type 5 for buttons as well, since
	// the "Hail again" button posts a new message rather than updating one.
	Defer(ctx context.Context, ephemeral bool) error
	// Edit replaces the deferred response (PATCH .../messages/@original).
	Edit(ctx context.Context, r Reply) error
}

// Answer handles req and delivers the reply through rs within Discord's
// deadline: if Handle has not finished after the Bot's DeferAfter, Answer
// defers the interaction and edits the reply in when it is ready. It records
// metrics and logs one line per interaction (command, guild, user, latency,
// outcome), never the token. It returns the transport's error, if any.
//
// A deferred reply is always public: whether it will be an error is unknown
// when deferring, and Discord cannot make a message ephemeral in an edit. In
// practice only generation is slow, and polite errors are fast.
//
// /retrain is the exception: an operator's allowed request is deferred at
// once, ephemerally, and retrained in the background (see answerRetrain);
// Answer returns when it has deferred, and the Bot's Wait waits for the rest.
func (b *Bot) Answer(ctx context.Context, req Request, rs Responder) error {
	if req.Kind == KindCommand && req.Command == CmdRetrain {
		return b.answerRetrain(ctx, req, rs)
	}
	start := time.Now()
	type handled struct {
		reply Reply
		res   result
	}
	done := make(chan handled, 1) // buffered: the goroutine never blocks
	go func() {
		r, res := b.handle(ctx, req, true)
		done <- handled{r, res}
	}()

	timer := time.NewTimer(b.deferAfter)
	defer timer.Stop()

	var (
		h        handled
		deferred bool
		err      error
	)
	select {
	case h = <-done:
		if err = rs.Respond(ctx, h.reply); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
	case <-timer.C:
		deferred = true
		if err = rs.Defer(ctx, false); err != nil {
			err = fmt.Errorf("defer: %w", err)
			// Discord would not accept an edit now; still wait for the
			// handler so the log line tells what it was doing.
			h = <-done
			break
		}
		select {
		case h = <-done:
			if err = rs.Edit(ctx, h.reply); err != nil {
				err = fmt.Errorf("edit deferred reply: %w", err)
			}
		case <-ctx.Done():
			h.res = result{command: commandLabel(req), outcome: OutcomeError}
			err = fmt.Errorf("wait for reply: %w", context.Cause(ctx))
		}
	case <-ctx.Done():
		h.res = result{command: commandLabel(req), outcome: OutcomeError}
		err = fmt.Errorf("wait for reply: %w", context.Cause(ctx))
	}

	return b.answered(ctx, req, h.res, deferred, start, err)
}

// answered records an answered interaction: the metrics, and one log line
// (command, guild, user, latency, outcome), never the token. It returns err
// wrapped with the interaction id.
func (b *Bot) answered(ctx context.Context, req Request, res result, deferred bool, start time.Time, err error) error {
	outcome := res.outcome
	switch {
	case err != nil:
		outcome = OutcomeError
	case deferred && outcome == OutcomeOK:
		outcome = OutcomeDeferred
	}
	latency := time.Since(start)
	b.metrics.observe(res.command, outcome, latency)

	level := slog.LevelInfo
	if outcome == OutcomeError || outcome == OutcomePanic {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("command", res.command),
		slog.String("kind", kindName(req.Kind)),
		slog.String("guild", req.GuildID),
		slog.String("user", req.UserID),
		slog.Duration("latency", latency),
		slog.String("outcome", outcome),
		slog.Bool("deferred", deferred),
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	b.log.LogAttrs(ctx, level, "interaction", attrs...)
	if err != nil {
		return fmt.Errorf("answer interaction %s: %w", req.ID, err)
	}
	return nil
}

// commandLabel is the bounded metric label of req's command, for when handle
// did not report one.
func commandLabel(req Request) string {
	if req.Kind == KindCommand {
		if _, ok := commandOptions(req.Command); ok {
			return req.Command
		}
	}
	if req.Kind == KindComponent {
		if act, err := decodeCustomID(req.CustomID); err == nil {
			return act.command
		}
	}
	return "unknown"
}

// kindName is the name of a Kind, as logged.
func kindName(k Kind) string {
	switch k {
	case KindPing:
		return "ping"
	case KindCommand:
		return "command"
	case KindComponent:
		return "component"
	}
	return "unknown"
}

// Discord's limits on what a reply may hold.
const (
	MaxContent     = 2000
	MaxEmbeds      = 10
	MaxTitle       = 256
	MaxDescription = 4096
	MaxFooter      = 2048
	MaxEmbedTotal  = 6000 // title + description + footer over all embeds
	MaxButtons     = 5    // one action row
	MaxLabel       = 80
	maxEmojiName   = 32
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
// idempotent, and the conversions in discord.go apply it again.
func LimitReply(r Reply) Reply {
	r.Content = fit(neutralize(r.Content), MaxContent)

	embeds := make([]Embed, 0, min(len(r.Embeds), MaxEmbeds))
	for _, e := range r.Embeds {
		if len(embeds) == MaxEmbeds {
			break
		}
		e.Title = fit(neutralize(e.Title), MaxTitle)
		e.Description = fit(neutralize(e.Description), MaxDescription)
		e.Footer = fit(neutralize(e.Footer), MaxFooter)
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
		if len(buttons) == MaxButtons {
			break
		}
		if bt.CustomID == "" || len(bt.CustomID) > MaxCustomID || !utf8.ValidString(bt.CustomID) {
			continue
		}
		bt.Label = fit(neutralize(bt.Label), MaxLabel)
		if len(bt.Emoji) > maxEmojiName || !utf8.ValidString(bt.Emoji) {
			bt.Emoji = ""
		}
		if bt.Label == "" && bt.Emoji == "" {
			bt.Label = HailAgainLabel
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
// last embed back, until all embeds together fit MaxEmbedTotal.
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
		for i := len(embeds) - 1; i >= 0 && total > MaxEmbedTotal; i-- {
			s := field(&embeds[i])
			n := textLen(*s)
			keep := max(0, n-(total-MaxEmbedTotal))
			*s = fit(*s, keep)
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

// fit returns s, made valid UTF-8, cut to at most max UTF-16 code units on a
// character boundary; a cut string ends with "…".
func fit(s string, max int) string {
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

// neutralize breaks "@everyone" and "@here" with a zero-width space.
func neutralize(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	s = strings.ReplaceAll(s, "@everyone", "@\u200beveryone")
	return strings.ReplaceAll(s, "@here", "@\u200bhere")
}

// errAlreadyResponded is returned by a Responder asked to respond twice.
var errAlreadyResponded = errors.New("interaction already answered")
