// Package bot is glowcloud's core: it turns an interaction into a reply.
//
// [Bot.Handle] takes a [Request] and returns a [Reply]: the commands and
// their options (defined as data in [Commands]), Discord's limits
// ([LimitReply]), the "Hail again" button's custom ids and the per-user
// cooldown all live here. It talks to no transport; its only I/O is
// through what it is configured with (a shared cooldown store, bounded by
// a second; the Admin behind /proclaim and /hush; the Scripture behind
// /scripture; Config.WriterFor, a server's own Writer), and [Bot.Answer] defers
// whatever takes longer than Discord allows. [Bot.Answer] delivers a reply through a
// transport's [Responder] within Discord's 3 s, deferring slow ones. The
// transports are packages of their own over this one: bot/gateway,
// bot/httpapi and bot/console (with bot/discord converting discordgo's
// types); it imports none of them, nor discordgo, net/http or Prometheus.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/cooldown"
	"github.com/glowcloud/glowcloud/discordtext"
	"github.com/glowcloud/glowcloud/limits"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultCooldown   = 3 * time.Second
	DefaultDeferAfter = 2 * time.Second
)

// Command names the bot answers.
const (
	CmdSquint    = "squint"
	CmdGlowcloud = "glowcloud"
	CmdManifesto = "manifesto"
	cmdRetrain   = "retrain" // operators only; see retrain.go
)

// hailAgainLabel is the label of the button under every generated reply.
const hailAgainLabel = "Hail again"

// hailAgainEmoji decorates the "Hail again" button.
const hailAgainEmoji = "🔁"

// glowColor is the colour a reply's embed glows in. The seed picks it, so a
// reproduced reply glows the same; the Glow Cloud changes colour as it
// pleases, and so do we.
func glowColor(seed uint64) int {
	colors := [...]int{
		0xB388FF, // lavender glow
		0xFF80AB, // neon pink
		0x84FFFF, // eerie cyan
		0xCCFF90, // radioactive lime
		0xFFD180, // sodium-lamp amber
	}
	return colors[seed%uint64(len(colors))]
}

// Config configures a Bot. The zero value of every field but Writer is usable.
type Config struct {
	// Writer returns the text generator; it is called once per interaction,
	// so a model reload can swap it. A nil func or a nil Writer makes every
	// generating command answer with a polite "not ready" message.
	Writer func() Writer
	// WriterFor returns the Writer for the server guildID ("" in DMs): its
	// scripture's blend when it has one ready, else the essay's (the same
	// as Writer). Every generating path asks it (the commands, the topic
	// autocomplete, the "Hail again" button, /quiz; post.Writer does for
	// scheduled proclamations); it must be quick (a cached model and one
	// small read), and on a failure log it and return the essay's writer.
	// Nil (or a nil Writer returned) means Writer everywhere.
	WriterFor func(ctx context.Context, guildID string) Writer
	// Logger receives one line per answered interaction and any recovered
	// panic. Nil discards.
	Logger *slog.Logger
	// Metrics, if not nil, records interactions and generation errors.
	Metrics Recorder
	// Cooldown is the time a user waits between generating requests.
	// 0 means DefaultCooldown; a negative value turns the cooldown off.
	Cooldown time.Duration
	// DeferAfter is how long Answer waits for a reply before it defers the
	// interaction (Discord allows 3 s). 0 means DefaultDeferAfter.
	DeferAfter time.Duration
	// Now is the clock of the cooldown; nil means time.Now.
	Now func() time.Time
	// Seed returns a fresh seed for each reply that was not given one;
	// nil means limits.RandomSeed.
	Seed func() uint64
	// Operators are the user ids allowed to run operator commands (/retrain).
	// Nobody is an operator when it is empty.
	Operators []string
	// Retrainer runs the jobs /retrain starts; nil means operators are
	// told that retraining is not configured here.
	Retrainer Retrainer
	// Admin answers /proclaim and /hush (see admin.go); nil means they are
	// not configured here.
	Admin Admin
	// Quiz plays /quiz (see quiz.go); nil means it is not configured here.
	Quiz Quiz
	// Scripture answers /scripture (see scripture.go); nil means it is not
	// configured here (GLOWCLOUD_SCRIPTURE=off: the command is not
	// registered either).
	Scripture Scripture
	// CooldownStore, if set, keeps the cooldowns where every process
	// sharing it sees them (*sqlite.DB, *postgres.DB); nil keeps them in
	// this process's memory.
	CooldownStore cooldown.Store
	// PublicURL, if set, is where the pages of the replies are served
	// (GLOWCLOUD_PUBLIC_URL: an absolute http or https URL without a
	// trailing slash): every generated reply then carries a "Share" link
	// button to its page (ShareURL).
	PublicURL string
}

// Recorder records what the bot does; *metrics.Metrics is one. Its methods
// must be safe for concurrent use.
type Recorder interface {
	// Interaction counts an answered interaction: command is a known command
	// name or "unknown", outcome one of the outcomes Answer logs.
	Interaction(command, outcome string, took time.Duration)
	// GenerationError counts a reply the Writer failed to produce.
	GenerationError()
}

// noRecorder records nothing.
type noRecorder struct{}

func (noRecorder) Interaction(string, string, time.Duration) {}
func (noRecorder) GenerationError()                          {}

// Bot answers interactions. It is safe for concurrent use.
type Bot struct {
	writer     func() Writer
	guildWrite func(ctx context.Context, guildID string) Writer // nil: writer everywhere
	log        *slog.Logger
	metrics    Recorder
	deferAfter time.Duration
	now        func() time.Time
	seed       func() uint64
	operators  map[string]bool
	cool       *cooldown.Memory // nil when the cooldown is off
	coolEvery  time.Duration
	retrainer  Retrainer
	admin      Admin
	quiz       Quiz
	scripture  Scripture
	coolStore  cooldown.Store // nil: in memory only
	publicURL  string         // "": no share buttons
	// coolFailed is when coolStore last failed (Unix nanoseconds of b.now);
	// 0 while it answers. See takeCooldown.
	coolFailed atomic.Int64
	coolTakes  atomic.Uint64 // shared takes, to prune every pruneEvery
}

// New returns a Bot configured by cfg.
func New(cfg Config) *Bot {
	b := &Bot{
		writer:     cfg.Writer,
		guildWrite: cfg.WriterFor,
		log:        cfg.Logger,
		metrics:    cfg.Metrics,
		deferAfter: cfg.DeferAfter,
		now:        cfg.Now,
		seed:       cfg.Seed,
		operators:  make(map[string]bool, len(cfg.Operators)),
		retrainer:  cfg.Retrainer,
		admin:      cfg.Admin,
		quiz:       cfg.Quiz,
		scripture:  cfg.Scripture,
		coolStore:  cfg.CooldownStore,
		publicURL:  cfg.PublicURL,
	}
	if b.metrics == nil {
		b.metrics = noRecorder{}
	}
	if b.writer == nil {
		b.writer = func() Writer { return nil }
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.deferAfter <= 0 {
		b.deferAfter = DefaultDeferAfter
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.seed == nil {
		b.seed = limits.RandomSeed
	}
	for _, id := range cfg.Operators {
		b.operators[id] = true
	}
	switch {
	case cfg.Cooldown == 0:
		b.cool, b.coolEvery = cooldown.NewMemory(), DefaultCooldown
	case cfg.Cooldown > 0:
		b.cool, b.coolEvery = cooldown.NewMemory(), cfg.Cooldown
	}
	return b
}

// isOperator reports whether userID may run operator commands.
func (b *Bot) isOperator(userID string) bool { return userID != "" && b.operators[userID] }

// Outcomes of an interaction, as logged and used as the "outcome" metric label.
const (
	outcomeOK         = "ok"
	outcomeCooldown   = "cooldown"
	outcomeBadRequest = "bad_request"
	outcomeForbidden  = "forbidden" // an operator command from someone who is not one
	outcomeError      = "error"
	outcomePanic      = "panic"
	outcomeDeferred   = "deferred" // ok, but only after deferring
)

// result is what handle reports besides the reply.
type result struct {
	command string // a bounded label: a known command name or "unknown"
	outcome string
	// files are the attachments an allowed /retrain learns from (outcome
	// outcomeOK, command cmdRetrain); Answer downloads them.
	files []Attachment
}

// Polite messages. They are the user's side of an error; the operator's side
// goes to the log.
const (
	msgUnknownCommand = "The Glow Cloud does not know that command. It answers /manifesto, /squint and /glowcloud."
	msgUnknownKind    = "The Glow Cloud only answers its slash commands and its own buttons."
	msgBadButton      = "That button has faded from the Glow Cloud's memory. Run the command again to summon a fresh one."
	msgNotReady       = "The Glow Cloud is still gathering itself. Please try again in a moment."
	msgApology        = "Something went wrong inside the Glow Cloud. It has been noted; please try again."
	msgSilent         = "The Glow Cloud has nothing to say right now. Please try again."
)

// Handle answers one interaction. It never panics: a panic (say, in the
// Writer) becomes an ephemeral apology. The reply is already within
// Discord's limits. It does no I/O of its own; a generating command with a
// shared cooldown store (Config.CooldownStore) costs one round trip to it,
// /proclaim and /hush whatever Config.Admin does (a database round trip or
// two), /scripture whatever Config.Scripture does, and a generating command
// in a server whatever Config.WriterFor does (a cached model and a small
// read). Without those, it is pure.
//
// For /retrain and /scripture add, Handle only judges the request: who asks
// and what is attached. A refusal is the reply; an allowed request gets an
// ephemeral note of what will be learnt, and the work itself is started by
// Answer, which does the I/O.
func (b *Bot) Handle(ctx context.Context, req Request) Reply {
	r, _ := b.handle(ctx, req, true)
	return r
}

// HandleLocal answers a request typed at a local prompt (bot/console) as
// Handle would, except that it applies no cooldown, since one person at a
// prompt cannot spam anybody, and offers no operator commands, since there
// are no attachments to learn from and no operator at the keyboard (/retrain
// is unknown there).
func (b *Bot) HandleLocal(ctx context.Context, req Request) Reply {
	r, _ := b.handle(ctx, req, false)
	return r
}

// handle is Handle plus what Answer needs to log; fromDiscord is false for
// HandleLocal.
func (b *Bot) handle(ctx context.Context, req Request, fromDiscord bool) (reply Reply, res result) {
	res.command = "unknown"
	defer func() {
		if v := recover(); v != nil {
			b.log.LogAttrs(ctx, slog.LevelError, "handler panic",
				slog.String("command", res.command),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
			b.metrics.GenerationError()
			reply, res.outcome = ephemeral(msgApology), outcomePanic
		}
	}()

	if fromDiscord && req.Kind == KindCommand && req.Command == cmdRetrain {
		res.command = cmdRetrain
		files, outcome, err := b.checkRetrain(req)
		if err != nil {
			return ephemeral(userMessage(err)), result{command: cmdRetrain, outcome: outcome}
		}
		return ephemeral(retrainPlanned(files)), result{command: cmdRetrain, outcome: outcomeOK, files: files}
	}

	if req.Kind == KindAutocomplete {
		return b.autocomplete(ctx, req), result{command: commandLabel(req), outcome: outcomeOK}
	}
	if isAdminCommand(req) {
		return b.handleAdmin(ctx, req)
	}
	if isQuiz(req) {
		return b.handleQuiz(ctx, req)
	}
	if isScripture(req) {
		r, res, _ := b.handleScripture(ctx, req)
		return r, res
	}

	var (
		act action
		err error
	)
	switch req.Kind {
	case KindCommand:
		act, err = actionFromCommand(req.Command, req.Options)
	case KindComponent:
		act, err = decodeCustomID(req.CustomID)
		if err != nil {
			err = userError(msgBadButton)
		}
	default:
		err = userError(msgUnknownKind)
	}
	if act.command != "" {
		res.command = act.command
	}
	if err != nil {
		return ephemeral(userMessage(err)), result{command: res.command, outcome: outcomeBadRequest}
	}

	if fromDiscord && b.cool != nil {
		if wait := b.takeCooldown(ctx, req.UserID); wait > 0 {
			return ephemeral(cooldownMessage(wait)), result{command: res.command, outcome: outcomeCooldown}
		}
	}

	w := b.writerFor(ctx, req.GuildID)
	if w == nil {
		b.metrics.GenerationError()
		b.log.LogAttrs(ctx, slog.LevelError, "no writer", slog.String("command", res.command))
		return ephemeral(msgNotReady), result{command: res.command, outcome: outcomeError}
	}
	seed := b.seed()
	if act.hasSeed {
		seed = act.seed
	}
	reply, ok := generate(w, act, seed, ShareBase(b.writer(), w, b.publicURL))
	if !ok {
		b.metrics.GenerationError()
		b.log.LogAttrs(ctx, slog.LevelError, "writer returned no text",
			slog.String("command", res.command), slog.Uint64("seed", seed))
		return ephemeral(msgSilent), result{command: res.command, outcome: outcomeError}
	}
	return LimitReply(reply), result{command: res.command, outcome: outcomeOK}
}

// action is one thing the bot can generate, decoded from a command's options
// or from a button's custom_id.
type action struct {
	command    string // CmdSquint, CmdGlowcloud or CmdManifesto
	thing      string // squint
	topic      string // manifesto, may be empty
	paragraphs int    // manifesto
	seed       uint64 // manifesto, when hasSeed
	hasSeed    bool
}

// generate asks w for the text of act and dresses it as a reply: with the
// "Hail again" button, and with a "Share" link to its page when publicURL
// is set. ok is false when the Writer returned nothing to show. Every reply
// and post is written here, and so is every page (Write).
func generate(w Writer, act action, seed uint64, publicURL string) (r Reply, ok bool) {
	model := shortModelID(w.ModelID())
	e := Embed{Color: glowColor(seed)}
	switch act.command {
	case CmdManifesto:
		e.Title, e.Description = w.Manifesto(seed, act.topic, act.paragraphs)
		e.Footer = fmt.Sprintf("seed %d · model %s · %s to summon it again", seed, model, manifestoCommand(act, seed))
	case CmdSquint:
		e.Title = "Squinting at “" + act.thing + "”"
		e.Description = w.Squint(seed, act.thing)
		e.Footer = fmt.Sprintf("seed %d · model %s", seed, model)
	case CmdGlowcloud:
		e.Title = "ALL HAIL THE GLOW CLOUD"
		e.Description = w.Glowcloud(seed)
		e.Footer = fmt.Sprintf("seed %d · model %s", seed, model)
	}
	if strings.TrimSpace(e.Description) == "" {
		return Reply{}, false
	}
	e = inert(e)
	// The button posts a new message (callback type 4) rather than updating
	// this one (type 7): in a channel the original stays, and stays
	// reproducible from its footer, while the new one joins it.
	r = Reply{
		Embeds:  []Embed{e},
		Buttons: []Button{{Label: hailAgainLabel, Emoji: hailAgainEmoji, CustomID: encodeCustomID(act)}},
	}
	if u := ShareURL(publicURL, act.piece(model, seed)); u != "" {
		r.Buttons = append(r.Buttons, Button{Label: shareLabel, URL: u})
	}
	return r, true
}

// manifestoCommand is the slash command that reproduces a manifesto.
func manifestoCommand(act action, seed uint64) string {
	var sb strings.Builder
	sb.WriteString("/manifesto")
	if act.topic != "" {
		sb.WriteString(" topic:" + act.topic)
	}
	if act.paragraphs != limits.DefParagraphs {
		sb.WriteString(" paragraphs:" + strconv.Itoa(act.paragraphs))
	}
	sb.WriteString(" seed:" + strconv.FormatUint(seed, 10))
	return sb.String()
}

// shortModelID keeps footers tidy whatever id the Writer reports.
func shortModelID(id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return "unknown"
	}
	if utf8.RuneCountInString(id) > 12 {
		return string([]rune(id)[:12])
	}
	return id
}

func ephemeral(msg string) Reply { return LimitReply(Reply{Content: msg, Ephemeral: true}) }

// userError is an error whose text is fit to show the user.
type userError string

func (e userError) Error() string { return string(e) }

// Is makes a userError match ErrInvalid: what the user sent was wrong.
func (e userError) Is(target error) bool { return target == ErrInvalid }

func userMessage(err error) string {
	if ue, ok := err.(userError); ok {
		return string(ue)
	}
	return msgApology
}

// actionFromCommand validates a slash command's options. Discord validates
// them too, against the definitions in commands.go, but a stale definition,
// the console or a forged HTTP request can send anything.
func actionFromCommand(name string, opts map[string]any) (action, error) {
	def, ok := Lookup(name)
	if !ok {
		return action{}, userError(msgUnknownCommand)
	}
	act := action{command: name}
	for k := range opts {
		if !slices.ContainsFunc(def.Options, func(o Option) bool { return o.Name == k }) {
			return act, userError(fmt.Sprintf("/%s has no option “%s”. The Glow Cloud sees what you did there.", name, shown(clip(k, 32))))
		}
	}
	switch name {
	case CmdSquint:
		v, present := opts["thing"]
		if !present {
			return act, userError("Tell the Glow Cloud what to squint at: /squint thing:<anything>.")
		}
		s, ok := v.(string)
		if !ok {
			return act, userError("thing must be text.")
		}
		thing, err := validThing(s)
		if err != nil {
			return act, err
		}
		act.thing = thing
	case CmdManifesto:
		act.paragraphs = limits.DefParagraphs
		if v, present := opts["topic"]; present {
			s, ok := v.(string)
			if !ok {
				return act, userError("topic must be text.")
			}
			topic, err := ShownTopic(s)
			if err != nil {
				return act, err
			}
			act.topic = topic
		}
		if v, present := opts["paragraphs"]; present {
			n, ok := integer(v)
			if !ok || n < limits.MinParagraphs || n > limits.MaxParagraphs {
				return act, userError(fmt.Sprintf("paragraphs must be a whole number from %d to %d. The revolution is concise.", limits.MinParagraphs, limits.MaxParagraphs))
			}
			act.paragraphs = int(n)
		}
		if v, present := opts["seed"]; present {
			n, ok := integer(v)
			if !ok || n < 0 || n > limits.MaxSeed {
				return act, userError(fmt.Sprintf("seed must be a whole number from 0 to %d.", int64(limits.MaxSeed)))
			}
			act.seed, act.hasSeed = uint64(n), true
		}
	}
	return act, nil
}

// Nothing a user typed or a model learned renders. There are two ways to the
// wire, one for each kind of text, and every reply and post takes them
// (an interaction's reply, a deferred edit, a button's repost, a scheduled
// post, the console):
//
//   - User-typed text (a squint thing, a manifesto topic, a schedule's topic,
//     an option name) passes through shown on its way in (validThing,
//     ShownTopic), so the reply, the "Hail again" button's stored text and
//     the reply the button reposts all carry it with markdown escaped, links
//     defanged, mentions broken and bidi controls and NULs gone
//     (discordtext.Show). The Writer gets the shown text too.
//   - Generated text (a title, a body, a footer, a suggestion) passes through
//     inert on its way out of generate (or autocomplete), whatever the model
//     learned from: the essay, an operator's upload or a crafted model file
//     (discordtext.ShowText). Shown user text woven into it is unchanged:
//     both are idempotent.

// inert is e as generated text may be posted: every text of it made inert
// by discordtext, the body keeping its paragraphs.
func inert(e Embed) Embed {
	e.Title = discordtext.Show(e.Title)
	e.Description = discordtext.ShowText(e.Description)
	e.Footer = discordtext.Show(e.Footer)
	return e
}

// shown returns s as it may be shown in a message: discordtext.Show,
// trimmed. shown(shown(s)) == shown(s).
func shown(s string) string { return strings.TrimSpace(discordtext.Show(s)) }

// isShown reports whether s is already as shown would make it.
func isShown(s string) bool { return utf8.ValidString(s) && shown(s) == s }

// validThing trims a squint thing, checks its length (as Discord counts
// it, before escaping) and returns it shown.
func validThing(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", userError("thing must be text.")
	case utf8.RuneCountInString(s) > limits.MaxThing:
		return "", userError(fmt.Sprintf("That is too much to squint at: thing is %d characters at most.", limits.MaxThing))
	}
	if s = shown(s); s == "" {
		return "", userError("Tell the Glow Cloud what to squint at: /squint thing:<anything>.")
	}
	return s, nil
}

// ShownTopic is the one way in for a manifesto topic, wherever it was typed
// (/manifesto topic:, /proclaim start topic:) or kept (a schedule): it
// trims s, checks its length as Discord counts it (before escaping) and
// returns it shown. Its error matches ErrInvalid and says, fit for the user,
// what is wrong. ShownTopic of a shown topic returns it unchanged.
func ShownTopic(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", userError("topic must be text.")
	case utf8.RuneCountInString(s) > limits.MaxTopic:
		return "", userError(fmt.Sprintf("topic is %d characters at most. Manifestos have focus.", limits.MaxTopic))
	}
	return shown(s), nil
}

// integer accepts the integral numbers an option value can hold: float64 from
// JSON, and int or int64 from Go callers.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > limits.MaxSeed {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// clip shortens s for echoing in an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Apology is the polite ephemeral reply a transport sends when something
// failed before the core could answer (a panic in the transport, say).
func Apology() Reply { return ephemeral(msgApology) }
