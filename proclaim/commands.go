package proclaim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/discordtext"
)

// Commands answers /proclaim start|stop|list and /hush: it is the core's
// bot.Admin. Each method returns the text of the ephemeral reply and an
// error: nil on success, one matching bot.ErrForbidden or bot.ErrInvalid
// when the user was refused (the text says why), or the store's error, with
// a text that apologises without details, for the operator's log. Commands
// is safe for concurrent use.
type Commands struct {
	store Store
	min   time.Duration
	now   func() time.Time
}

// NewCommands returns the admin commands over st. min is the shortest
// interval a schedule may have (GLOWCLOUD_PROCLAIM_MIN; <= 0 means
// DefaultMin); now is the clock (nil means time.Now).
func NewCommands(st Store, min time.Duration, now func() time.Time) *Commands {
	if min <= 0 {
		min = DefaultMin
	}
	if now == nil {
		now = time.Now
	}
	return &Commands{store: st, min: min, now: now}
}

var _ bot.Admin = (*Commands)(nil)

const (
	sorry    = "The Glow Cloud could not reach its memory just now. Nothing was changed; try again in a moment."
	notGuild = "Proclamations belong to servers: use this command in a server channel."
	notAdmin = "Only members with the Manage Server permission may direct the Glow Cloud's proclamations."
)

// allowed checks that c may run the admin commands.
func allowed(c bot.Caller) (string, error) {
	switch {
	case c.GuildID == "":
		return notGuild, fmt.Errorf("%w: not in a guild", bot.ErrForbidden)
	case !CanManage(c.Permissions):
		return notAdmin, fmt.Errorf("%w: user %s lacks Manage Server in guild %s", bot.ErrForbidden, c.UserID, c.GuildID)
	}
	return "", nil
}

// Start answers /proclaim start: it stores (or replaces) the schedule of a
// channel, whose first post comes one interval from now.
func (cm *Commands) Start(ctx context.Context, c bot.Caller, o bot.StartOptions) (string, error) {
	if text, err := allowed(c); err != nil {
		return text, err
	}
	every, err := ParseEvery(o.Every, cm.min)
	if err != nil {
		return refusal("every:", err), err
	}
	kind, err := parseKind(o.Kind)
	if err != nil {
		return refusal("kind:", err), err
	}
	topic, err := bot.ShownTopic(o.Topic)
	if err != nil {
		return "Check topic: " + err.Error(), err
	}
	channel, err := channelOption(o.Channel, c.ChannelID)
	if err != nil {
		return refusal("channel:", err), err
	}
	now := cm.now().Truncate(time.Millisecond)
	old, err := cm.store.Schedules(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("proclaim start: %w", err)
	}
	hush, err := cm.store.Hush(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("proclaim start: %w", err)
	}
	s, err := cm.store.PutSchedule(ctx, Schedule{
		GuildID:   c.GuildID,
		ChannelID: channel,
		Every:     every,
		Kind:      kind,
		Topic:     topic,
		NextAt:    now.Add(every),
		CreatedBy: c.UserID,
		CreatedAt: now,
	}, MaxPerGuild)
	switch {
	case errors.Is(err, ErrTooMany):
		return fmt.Sprintf("This server already has %d schedules, the most it may have. Stop one with /proclaim stop channel:, or start again in a channel that has one to replace it.", MaxPerGuild),
			fmt.Errorf("%w: %w", bot.ErrInvalid, err)
	case err != nil:
		return sorry, fmt.Errorf("proclaim start: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The Glow Cloud will proclaim in <#%s> every %s (%s", s.ChannelID, FormatDuration(s.Every), describeKind(s.Kind, s.Topic))
	fmt.Fprintf(&b, "). The first proclamation comes %s.", when(s.NextAt))
	for _, o := range old {
		if o.ChannelID == s.ChannelID {
			b.WriteString(" This replaces the schedule that was there.")
			break
		}
	}
	if hush.Active(now) {
		fmt.Fprintf(&b, " The server is hushed until %s: posts due before then are skipped.", when(hush.Until))
	}
	return b.String(), nil
}

// Stop answers /proclaim stop: it deletes the schedule of a channel (the
// caller's by default).
func (cm *Commands) Stop(ctx context.Context, c bot.Caller, channel string) (string, error) {
	if text, err := allowed(c); err != nil {
		return text, err
	}
	channel, err := channelOption(channel, c.ChannelID)
	if err != nil {
		return refusal("channel:", err), err
	}
	found, err := cm.store.DeleteSchedule(ctx, c.GuildID, channel)
	switch {
	case err != nil:
		return sorry, fmt.Errorf("proclaim stop: %w", err)
	case !found:
		return fmt.Sprintf("There is no schedule in <#%s>. /proclaim list shows this server's schedules.", channel), nil
	}
	return fmt.Sprintf("The proclamations in <#%s> have stopped.", channel), nil
}

// List answers /proclaim list: every schedule of the server with its next
// post, last result and pause, and the server's hush.
func (cm *Commands) List(ctx context.Context, c bot.Caller) (string, error) {
	if text, err := allowed(c); err != nil {
		return text, err
	}
	all, err := cm.store.Schedules(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("proclaim list: %w", err)
	}
	hush, err := cm.store.Hush(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("proclaim list: %w", err)
	}
	now := cm.now()
	var b strings.Builder
	if len(all) == 0 {
		b.WriteString("No proclamations are scheduled in this server. Start one with /proclaim start every:6h.")
	} else {
		fmt.Fprintf(&b, "Proclamations in this server (%d of at most %d):", len(all), MaxPerGuild)
	}
	for _, s := range all {
		fmt.Fprintf(&b, "\n- <#%s> every %s, %s: ", s.ChannelID, FormatDuration(s.Every), describeKind(s.Kind, s.Topic))
		if s.Paused != "" {
			fmt.Fprintf(&b, "**paused**, since %s", s.Paused)
		} else {
			fmt.Fprintf(&b, "next %s", when(s.NextAt))
		}
		if s.LastResult != "" {
			fmt.Fprintf(&b, "; last %s %s", s.LastResult, relative(s.LastAt))
		}
		if s.Paused != "" {
			b.WriteString(". Fix that, then /proclaim start there again to resume")
		}
		b.WriteString(".")
	}
	if hush.Active(now) {
		fmt.Fprintf(&b, "\nHushed until %s by <@%s>: scheduled posts are skipped. /hush for:off lifts it.", when(hush.Until), hush.By)
	}
	return b.String(), nil
}

// Hush answers /hush: it silences every schedule of the server for a while
// (DefaultHush, at most MaxHush), or lifts the hush with for:off.
func (cm *Commands) Hush(ctx context.Context, c bot.Caller, forOpt string) (string, error) {
	if text, err := allowed(c); err != nil {
		return text, err
	}
	d, off, err := ParseHush(forOpt)
	if err != nil {
		return refusal("for:", err), err
	}
	now := cm.now().Truncate(time.Millisecond)
	if off {
		h, err := cm.store.Hush(ctx, c.GuildID)
		if err != nil {
			return sorry, fmt.Errorf("hush off: %w", err)
		}
		if err := cm.store.ClearHush(ctx, c.GuildID); err != nil {
			return sorry, fmt.Errorf("hush off: %w", err)
		}
		if !h.Active(now) {
			return "This server was not hushed. Scheduled proclamations go on.", nil
		}
		return "The hush is lifted: scheduled proclamations resume with their next slot.", nil
	}
	until := now.Add(d)
	if err := cm.store.SetHush(ctx, Hush{GuildID: c.GuildID, Until: until, By: c.UserID}); err != nil {
		return sorry, fmt.Errorf("hush: %w", err)
	}
	return fmt.Sprintf("Hushed for %s: no scheduled proclamations in this server until %s. Slots that fall due meanwhile are skipped, not saved up. /hush for:off lifts it sooner.",
		FormatDuration(d), when(until)), nil
}

// refusal is the reply to an option the user got wrong.
func refusal(option string, err error) string {
	var ie *inputError
	if errors.As(err, &ie) {
		return fmt.Sprintf("Check %s %s.", option, ie.msg)
	}
	return fmt.Sprintf("Check %s.", option)
}

// channelOption returns the channel option, or def when it is empty. A
// channel id is a snowflake: a decimal number.
func channelOption(s, def string) (string, error) {
	if s == "" {
		s = def
	}
	if s == "" || len(s) > 20 || strings.Trim(s, "0123456789") != "" {
		return "", invalid("pick a text channel of this server")
	}
	return s, nil
}

// describeKind says what a schedule posts. The topic takes the way in of
// every typed topic, as bot.Proclamation does, whatever was stored: one kept
// raw by an older release is shown too.
func describeKind(kind, topic string) string {
	if topic == "" {
		return kind
	}
	shown, err := bot.ShownTopic(topic)
	if err != nil {
		shown = discordtext.Show(clip(topic))
	}
	return fmt.Sprintf("%s on “%s”", kind, shown)
}

// when writes t as Discord timestamps each reader sees in their own time
// zone: relative, then absolute.
func when(t time.Time) string {
	return fmt.Sprintf("<t:%d:R> (<t:%d:f>)", t.Unix(), t.Unix())
}

// relative writes t as a relative Discord timestamp.
func relative(t time.Time) string { return fmt.Sprintf("<t:%d:R>", t.Unix()) }
