package scripture

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/corpus"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/internal/jobs"
	"github.com/glowcloud/glowcloud/proclaim"
)

// Commands answers /scripture add|list|remove|forget|blend: it is the
// core's bot.Scripture, over a Store. Each method but Add returns the text
// of the ephemeral reply and an error: nil on success, one matching
// bot.ErrForbidden or bot.ErrInvalid when the member was refused (the text
// says why), or the store's error, with a text that apologises without
// details, for the operator's log. /scripture add is a background job
// (Add), which serve's shutdown waits for (Wait). Commands is safe for
// concurrent use; make one with NewCommands.
type Commands struct {
	store Store
	cfg   CommandsConfig
	log   *slog.Logger
	jobs  *jobs.Group
}

var _ bot.Scripture = (*Commands)(nil)

// CommandsConfig configures Commands. The zero value works: default
// limits, a plain HTTP client, no trainer to nudge.
type CommandsConfig struct {
	// Limits bound each server's texts (GLOWCLOUD_SCRIPTURE_FILES, _BYTES);
	// a zero field means its default.
	Limits Limits
	// Client downloads the attachments: the REST client (rest.Client), so
	// DISCORD_API_BASE and tests' fakes apply. Nil means a plain client
	// with a timeout.
	Client *http.Client
	// Nudge, if set, tells the trainer to look for work now (Service.Nudge);
	// it must not block.
	Nudge func()
	// Changed, if set, is told when a command changed a server's texts or
	// blend in this process (Service.Changed), so its next reply reads them
	// afresh.
	Changed func(guildID string)
	// Alone, if set, reports whether the server's model can write novel
	// text from its texts alone (Service.Alone), which /scripture blend
	// essay:0 needs; nil means it cannot yet.
	Alone func(ctx context.Context, guildID string) (bool, error)
	// Clock times the wait for a training (the real one when nil).
	Clock proclaim.Clock
	// Poll is how often an add looks at the store for its training's end
	// (default 250 ms).
	Poll time.Duration
	// Log receives one line per add, and recovered panics; nil discards.
	Log *slog.Logger
}

// Timings of an add.
const (
	defaultPoll = 250 * time.Millisecond
	// addTimeout bounds an add: download, store, training. Discord's
	// interaction token lives 15 minutes, and the job's last act is to
	// edit the reply with it.
	addTimeout = 14 * time.Minute
	// editTimeout bounds the last edit when the job's own context is over.
	editTimeout = 15 * time.Second
	// downloadTimeout bounds a download with the plain client.
	downloadTimeout = 2 * time.Minute
	// interruptGrace is how long Wait still waits, after cancelling the
	// jobs, for each to tell its admin.
	interruptGrace = 5 * time.Second
)

// NewCommands returns the commands over st.
func NewCommands(st Store, cfg CommandsConfig) *Commands {
	if cfg.Limits.Files <= 0 {
		cfg.Limits.Files = DefaultFiles
	}
	if cfg.Limits.Bytes <= 0 {
		cfg.Limits.Bytes = DefaultBytes
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: downloadTimeout}
	}
	if cfg.Nudge == nil {
		cfg.Nudge = func() {}
	}
	if cfg.Changed == nil {
		cfg.Changed = func(string) {}
	}
	if cfg.Clock == nil {
		cfg.Clock = proclaim.SystemClock{}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = defaultPoll
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "scripture")
	return &Commands{store: st, cfg: cfg, log: log, jobs: jobs.New(log)}
}

// What the admins read.
const (
	sorry    = "The Glow Cloud could not reach its memory just now. Nothing was changed; try again in a moment."
	notGuild = "Scripture belongs to servers: use this command in a server channel."
	notAdmin = "Only members with the Manage Server permission may give the Glow Cloud this server's scripture."
)

// Allowed checks that c may run /scripture: in a server, with Manage
// Server (or Administrator), by proclaim's rule.
func (cm *Commands) Allowed(c bot.Caller) (string, error) {
	switch {
	case c.GuildID == "":
		return notGuild, fmt.Errorf("%w: not in a guild", bot.ErrForbidden)
	case !proclaim.CanManage(c.Permissions):
		return notAdmin, fmt.Errorf("%w: user %s lacks Manage Server in guild %s", bot.ErrForbidden, c.UserID, c.GuildID)
	}
	return "", nil
}

// invalid is a refusal of what the admin asked: its text is the reply.
func invalid(format string, a ...any) (string, error) {
	msg := fmt.Sprintf(format, a...)
	return msg, fmt.Errorf("%w: %s", bot.ErrInvalid, msg)
}

// Add starts the job of a /scripture add whose reply the core has deferred:
// download the file (at most corpus.MaxUpload bytes, whatever Discord or
// the server claim), judge it by corpus.CheckUpload, store it under its
// clean name within the server's limits, nudge the trainer and wait for
// the training of the texts as they now are; then edit the reply with what
// was learned, or why not. A training already under way is said in an
// edit at once: the new text is queued behind it.
func (cm *Commands) Add(ctx context.Context, c bot.Caller, file bot.Attachment, name string, rs bot.Responder) {
	started := cm.jobs.Go(ctx, addTimeout, func(ctx context.Context) { cm.add(ctx, c, file, name, rs) })
	if !started { // shutting down
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), editTimeout)
		defer cancel()
		_ = rs.Edit(ctx, bot.Reply{Content: msgHalted, Ephemeral: true})
	}
}

// Wait waits until the running adds are done. If ctx ends first, it
// cancels them, waits up to interruptGrace more for each to tell its admin,
// and returns an error wrapping ctx's. serve's shutdown calls it.
func (cm *Commands) Wait(ctx context.Context) error { return cm.jobs.WaitGrace(ctx, interruptGrace) }

// Running reports the number of adds running.
func (cm *Commands) Running() int { return cm.jobs.Running() }

// Messages of an add's end.
const (
	msgHalted  = "The bot is shutting down. If the text was stored, it is trained as soon as the Glow Cloud is back: /scripture list shows it."
	msgSlow    = "The training is taking long. The text is stored and will be learned: /scripture list shows when it is ready."
	msgRemoved = "This server's scripture was removed or forgotten while it was being learned."
)

// add is the job of Add.
func (cm *Commands) add(ctx context.Context, c bot.Caller, file bot.Attachment, nameOpt string, rs bot.Responder) {
	start := cm.cfg.Clock.Now()
	result, text := "ok", ""
	var cause error
	defer func() {
		editCtx := ctx
		if ctx.Err() != nil {
			var cancel context.CancelFunc
			editCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), editTimeout)
			defer cancel()
		}
		editErr := rs.Edit(editCtx, bot.LimitReply(bot.Reply{Content: text, Ephemeral: true}))
		level := slog.LevelInfo
		if cause != nil || editErr != nil {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("guild", c.GuildID), slog.String("user", c.UserID), slog.String("file", file.Filename),
			slog.String("result", result), slog.Duration("duration", cm.cfg.Clock.Now().Sub(start)),
		}
		if cause != nil {
			attrs = append(attrs, slog.String("err", cause.Error()))
		}
		if editErr != nil {
			attrs = append(attrs, slog.String("edit_err", editErr.Error()))
		}
		cm.log.LogAttrs(ctx, level, "scripture add", attrs...)
	}()

	shownFile := bot.DisplayName(file.Filename)
	name := CleanName(nameOpt)
	if strings.TrimSpace(nameOpt) == "" {
		name = CleanName(file.Filename)
	}
	if name == "" {
		result, cause = "bad_name", errors.New("no name left once cleaned")
		text = "name: has no letters or digits to name the text by. Add it again with a name such as name:lore; nothing was added."
		if strings.TrimSpace(nameOpt) == "" {
			text = shownFile + " has no letters or digits to name it by. Add it again with a name such as name:lore; nothing was added."
		}
		return
	}
	data, err := cm.fetch(ctx, file)
	if err != nil {
		result, cause = "download", err
		var fe *fetchError
		switch {
		case errors.As(err, &fe):
			result, text = fe.result, fe.msg
		case ctx.Err() != nil:
			text = msgHalted
		default:
			text = "The Glow Cloud could not download " + shownFile + ", and learned nothing. Please try again."
		}
		return
	}
	before, err := cm.store.ScriptureGuild(ctx, c.GuildID)
	if err != nil {
		result, text, cause = "error", sorry, err
		return
	}
	sum := sha256.Sum256(data)
	g, err := cm.store.AddText(ctx, Text{
		GuildID: c.GuildID,
		Name:    name,
		SHA256:  hex.EncodeToString(sum[:]),
		Size:    int64(len(data)),
		Data:    data,
		AddedBy: c.UserID,
		AddedAt: cm.cfg.Clock.Now().UTC().Truncate(time.Millisecond),
	}, cm.cfg.Limits)
	var dup *DuplicateError
	switch {
	case errors.Is(err, ErrTooMany):
		result, cause = "too_many", err
		text = fmt.Sprintf("This server already has %d texts, the most it may have. Remove one with /scripture remove first; nothing was added.", cm.cfg.Limits.Files)
		return
	case errors.Is(err, ErrTooLarge):
		result, cause = "too_large", err
		text = fmt.Sprintf("%s (%s) would take this server's scripture past %s in all. Remove a text with /scripture remove first; nothing was added.",
			shownFile, bot.ByteSize(int64(len(data))), bot.ByteSize(cm.cfg.Limits.Bytes))
		return
	case errors.As(err, &dup):
		result, cause = "duplicate", err
		if dup.SameBytes {
			text = fmt.Sprintf("%s is already this server's scripture, as %s; nothing was added.", shownFile, dup.Name)
		} else {
			text = fmt.Sprintf("This server already has a text named %s. Add it with another name: (or remove the old one first); nothing was added.", dup.Name)
		}
		return
	case err != nil:
		result, text, cause = "error", sorry, err
		return
	}
	cm.cfg.Changed(c.GuildID)
	cm.cfg.Nudge()
	gen := g.Gen
	learning := fmt.Sprintf("The Glow Cloud is learning %s (%s)…", name, bot.ByteSize(int64(len(data))))
	if before.State == StateTraining {
		learning += " A training of this server's scripture is under way: this text is queued behind it."
	}
	_ = rs.Edit(ctx, bot.Reply{Content: learning, Ephemeral: true})

	for {
		g, err := cm.store.ScriptureGuild(ctx, c.GuildID)
		switch {
		case err != nil && ctx.Err() == nil:
			cm.log.Warn("scripture add: read the training's state", "guild", c.GuildID, "err", err)
		case err != nil:
		case g.State == StateNone:
			result, text = "removed", msgRemoved
			return
		case g.State == StateReady && g.TrainedGen >= gen:
			text = cm.learned(ctx, c.GuildID, name, g)
			return
		case g.State == StateFailed && g.Gen >= gen:
			result = "failed"
			text = fmt.Sprintf("%s is stored, but the Glow Cloud could not learn this server's scripture: %s. /scripture remove name:%s takes it out again.",
				name, shownError(g.Error), name)
			return
		}
		select {
		case <-ctx.Done():
			result, cause = "timeout", context.Cause(ctx)
			text = msgSlow
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				text = msgHalted
			}
			return
		case <-cm.cfg.Clock.After(cm.cfg.Poll):
		}
	}
}

// learned is the reply to an add whose training is done.
func (cm *Commands) learned(ctx context.Context, guildID, name string, g Guild) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The Glow Cloud has learned %s", name)
	if texts, err := cm.store.Texts(ctx, guildID, false); err == nil {
		for _, t := range texts {
			if t.Name == name && t.Sentences >= 0 {
				fmt.Fprintf(&b, ": %d sentences from it", t.Sentences)
			}
		}
	}
	b.WriteString(". ")
	if s := strings.TrimSpace(g.Summary); s != "" {
		b.WriteString("This server's scripture: " + discordtext.ShowText(s))
		if !strings.HasSuffix(s, ".") {
			b.WriteString(".")
		}
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "It preaches here now, %s.", describeBlend(g.Essay))
	return b.String()
}

// shownError is a training's failure as it may be shown.
func shownError(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return "no reason was given"
	}
	return discordtext.Show(clip(s, 300))
}

// describeBlend says what a blend takes from where.
func describeBlend(essay int) string {
	switch essay {
	case 100:
		return "from the essay alone (/scripture blend essay:50 mixes your texts back in)"
	case 0:
		return "from your texts alone, once they are enough to write new sentences (until then half of the essay stays in)"
	}
	return fmt.Sprintf("blending %d %% of the essay with %d %% of your texts", essay, 100-essay)
}

// fetchError is a download refused: msg for the admin, result for the log.
type fetchError struct {
	msg, result string
	err         error
}

func (e *fetchError) Error() string { return e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// fetch downloads an attachment and judges it by corpus's rule for uploads
// (corpus.CheckUpload): at most corpus.MaxUpload bytes, whatever
// Content-Length or Discord's reported size say, of text without NUL
// bytes.
func (cm *Commands) fetch(ctx context.Context, a bot.Attachment) ([]byte, error) {
	name := bot.DisplayName(a.Filename)
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: bad attachment URL", a.Filename)
	}
	resp, err := cm.cfg.Client.Do(hr)
	if err != nil {
		// The URL carries Discord's signature; log the cause without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("download %s: %w", a.Filename, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: HTTP status %s", a.Filename, resp.Status)
	}
	tooLarge := &fetchError{
		msg:    fmt.Sprintf("%s is larger than %s, and the Glow Cloud learned nothing.", name, bot.ByteSize(corpus.MaxUpload)),
		result: "too_large",
		err:    fmt.Errorf("download %s: larger than %d bytes", a.Filename, corpus.MaxUpload),
	}
	if resp.ContentLength > corpus.MaxUpload {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, corpus.MaxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", a.Filename, err)
	}
	if len(data) > corpus.MaxUpload {
		return nil, tooLarge
	}
	if err := corpus.CheckUpload(a.Filename, data); err != nil {
		return nil, &fetchError{
			msg:    name + " is not text the Glow Cloud can read (binary, or neither UTF-8 nor Windows-1252), and it learned nothing.",
			result: "not_text",
			err:    fmt.Errorf("download: %w", err),
		}
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, &fetchError{msg: name + " is empty, and the Glow Cloud learned nothing.", result: "empty", err: fmt.Errorf("download %s: empty", a.Filename)}
	}
	return data, nil
}

// List answers /scripture list: each text (name, size, who added it and
// when, sentences learned), the blend and the model's state.
func (cm *Commands) List(ctx context.Context, c bot.Caller) (string, error) {
	if text, err := cm.Allowed(c); err != nil {
		return text, err
	}
	g, err := cm.store.ScriptureGuild(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("scripture list: %w", err)
	}
	texts, err := cm.store.Texts(ctx, c.GuildID, false)
	if err != nil {
		return sorry, fmt.Errorf("scripture list: %w", err)
	}
	var b strings.Builder
	if len(texts) == 0 {
		fmt.Fprintf(&b, "This server has no scripture: the Glow Cloud preaches the essay here. Add a .txt or .md file with /scripture add (at most %d texts, %s in all).",
			cm.cfg.Limits.Files, bot.ByteSize(cm.cfg.Limits.Bytes))
		if g.Essay != DefaultEssay {
			fmt.Fprintf(&b, " The blend is set to %d %% essay for when it has some.", g.Essay)
		}
		return b.String(), nil
	}
	var total int64
	for _, t := range texts {
		total += t.Size
	}
	fmt.Fprintf(&b, "This server's scripture: %d of at most %d texts, %s of %s.", len(texts), cm.cfg.Limits.Files, bot.ByteSize(total), bot.ByteSize(cm.cfg.Limits.Bytes))
	for _, t := range texts {
		fmt.Fprintf(&b, "\n- %s: %s, added by %s <t:%d:R>, ", t.Name, bot.ByteSize(t.Size), who(t.AddedBy), t.AddedAt.Unix())
		if t.Sentences < 0 {
			b.WriteString("not learned yet")
		} else {
			fmt.Fprintf(&b, "%d sentences learned", t.Sentences)
		}
	}
	fmt.Fprintf(&b, "\nBlend: %s.", describeBlend(g.Essay))
	b.WriteString("\nModel: ")
	switch g.State {
	case StateReady:
		b.WriteString("ready")
		if s := strings.TrimSpace(g.Summary); s != "" {
			b.WriteString(" (" + discordtext.Show(clip(s, 400)) + ")")
		}
		b.WriteString(".")
	case StateTraining:
		b.WriteString("training now.")
	case StatePending:
		b.WriteString("waiting for a trainer; it trains within moments.")
	case StateFailed:
		fmt.Fprintf(&b, "failed: %s.", shownError(g.Error))
	default:
		b.WriteString("none yet.")
	}
	return b.String(), nil
}

// who shows the user who added a text: a user mention, which
// allowed_mentions (parsing nothing) keeps from pinging, when id is one.
func who(id string) string {
	if id == "" || len(id) > 20 || strings.Trim(id, "0123456789") != "" {
		return "someone"
	}
	return "<@" + id + ">"
}

// Remove answers /scripture remove: it deletes the text named name (as
// CleanName makes it) and the server's model, which is trained again from
// the others.
func (cm *Commands) Remove(ctx context.Context, c bot.Caller, name string) (string, error) {
	if text, err := cm.Allowed(c); err != nil {
		return text, err
	}
	clean := CleanName(name)
	if clean == "" {
		return invalid("Name the text to remove: /scripture list shows this server's texts.")
	}
	found, err := cm.store.RemoveText(ctx, c.GuildID, clean)
	switch {
	case err != nil:
		return sorry, fmt.Errorf("scripture remove: %w", err)
	case !found:
		return invalid("This server has no text named %s. /scripture list shows its texts.", clean)
	}
	cm.cfg.Changed(c.GuildID)
	g, err := cm.store.ScriptureGuild(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("scripture remove: %w", err)
	}
	if g.State == StateNone {
		return fmt.Sprintf("%s is deleted. It was this server's last text: the Glow Cloud preaches the essay here again.", clean), nil
	}
	cm.cfg.Nudge()
	return fmt.Sprintf("%s is deleted, and the model made with it too. The Glow Cloud is learning this server's other texts again; until then it preaches the essay here.", clean), nil
}

// Forget answers /scripture forget: unconfirmed, it says what would be
// deleted (the core adds the confirm buttons); confirmed, it deletes
// every row of the server's scripture.
func (cm *Commands) Forget(ctx context.Context, c bot.Caller, confirmed bool) (string, error) {
	if text, err := cm.Allowed(c); err != nil {
		return text, err
	}
	if confirmed {
		n, err := cm.store.ForgetGuild(ctx, c.GuildID)
		if err != nil {
			return sorry, fmt.Errorf("scripture forget: %w", err)
		}
		cm.cfg.Changed(c.GuildID)
		return fmt.Sprintf("Forgotten: %s, the model trained from them and the blend are deleted from the Glow Cloud's database. It preaches the essay here again.", plural(n, "text")), nil
	}
	g, err := cm.store.ScriptureGuild(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("scripture forget: %w", err)
	}
	switch {
	case g.Texts == 0 && g.State == StateNone && g.ModelVersion == 0 && g.Essay == DefaultEssay:
		return invalid("This server has no scripture: there is nothing to forget.")
	case g.Texts == 0:
		return fmt.Sprintf("Forget this server's scripture? It has no texts; its blend (%d %% essay) will be deleted from the database.", g.Essay), nil
	}
	return fmt.Sprintf("Forget all of this server's scripture? Its %s (%s), the model trained from them and the blend will be deleted from the database, for good.",
		plural(g.Texts, "text"), bot.ByteSize(g.Bytes)), nil
}

// Blend answers /scripture blend: it sets the essay's share of the
// server's blend.
func (cm *Commands) Blend(ctx context.Context, c bot.Caller, essay int) (string, error) {
	if text, err := cm.Allowed(c); err != nil {
		return text, err
	}
	if !ValidEssay(essay) {
		return invalid("essay: is a share from 0 to 100.")
	}
	if err := cm.store.SetBlend(ctx, c.GuildID, essay); err != nil {
		return sorry, fmt.Errorf("scripture blend: %w", err)
	}
	cm.cfg.Changed(c.GuildID)
	g, err := cm.store.ScriptureGuild(ctx, c.GuildID)
	if err != nil {
		return sorry, fmt.Errorf("scripture blend: %w", err)
	}
	if g.Texts == 0 {
		return fmt.Sprintf("Set: once this server has scripture (/scripture add), the Glow Cloud will preach here %s.", describeBlend(essay)), nil
	}
	msg := fmt.Sprintf("The Glow Cloud now preaches here %s.", describeBlend(essay))
	if essay == 0 {
		alone := false
		if cm.cfg.Alone != nil {
			var err error
			if alone, err = cm.cfg.Alone(ctx, c.GuildID); err != nil {
				cm.log.Warn("scripture blend: can the model write alone", "guild", c.GuildID, "err", err)
			}
		}
		if alone {
			msg = "The Glow Cloud now preaches here from your texts alone."
		} else {
			msg = fmt.Sprintf("Your texts are not yet enough to write new sentences alone, so the blend keeps %d %% of the essay until they are; then it preaches from your texts alone. Add more with /scripture add.", DefaultEssay)
		}
	}
	return msg, nil
}

// Names returns up to max names of the server's texts starting with
// prefix (any case), for remove's autocomplete; none when c may not run
// the command, or the store fails.
func (cm *Commands) Names(ctx context.Context, c bot.Caller, prefix string, max int) []string {
	if _, err := cm.Allowed(c); err != nil {
		return nil
	}
	texts, err := cm.store.Texts(ctx, c.GuildID, false)
	if err != nil {
		cm.log.Warn("scripture names", "guild", c.GuildID, "err", err)
		return nil
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	var out []string
	for _, t := range texts {
		if len(out) < max && strings.HasPrefix(strings.ToLower(t.Name), prefix) {
			out = append(out, t.Name)
		}
	}
	return out
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
