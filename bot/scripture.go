package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// /scripture: a server's admins give the Glow Cloud texts of their own,
// which it preaches a blend of, with the essay, in that server only (issue
// 17; see package scripture).
//
// The core reads the command: which subcommand, which options, who asks
// and with what permissions, and the attachment by what Discord reports of
// it (checkAttachment, the /retrain rule). The work (checking Manage
// Server, downloading, the store, waiting for the training) is a
// Scripture's, which cmd/glowcloud builds over scripture.Commands, so the
// core imports no database. Every reply is ephemeral, a deferred one too,
// and the commands take no cooldown: they generate nothing. /scripture add
// is deferred at once and finished in the background by the Scripture,
// which edits the reply when the training is done (answerScripture).

// CmdScripture is the server admins' command of their scripture.
const CmdScripture = "scripture"

// The subcommands of /scripture and their options.
const (
	SubAdd    = "add"
	SubList   = "list"
	SubRemove = "remove"
	SubForget = "forget"
	SubBlend  = "blend"

	OptFile  = "file"
	OptName  = "name"
	OptEssay = "essay"
)

// Scripture answers /scripture; *scripture.Commands is one. Each method
// but Add and Names returns the text of the ephemeral reply and an error:
// nil on success; one matching ErrForbidden or ErrInvalid when the member
// was refused (the text says why); any other error is the operator's (it
// is logged, and the text apologises). Implementations must be safe for
// concurrent use.
type Scripture interface {
	// Allowed judges, without I/O, whether c may run /scripture here (in a
	// server, with Manage Server): "" and nil, or a refusal.
	Allowed(c Caller) (string, error)
	// Add learns file (checked by what Discord reports of it) as the
	// server's text named name (empty: from the file's name). Answer has
	// deferred the reply ephemerally and calls Add once; Add returns at
	// once and does the work in the background (ctx carries values only),
	// ending by editing the reply through rs with what was learned or why
	// not.
	Add(ctx context.Context, c Caller, file Attachment, name string, rs Responder)
	// List answers /scripture list: the texts, the blend, the model's state.
	List(ctx context.Context, c Caller) (string, error)
	// Remove answers /scripture remove: deletes the text named name.
	Remove(ctx context.Context, c Caller, name string) (string, error)
	// Forget answers /scripture forget: unconfirmed, the question (what
	// would be deleted), which the core shows with the confirm buttons;
	// confirmed (the button was pressed), deletes the server's scripture.
	Forget(ctx context.Context, c Caller, confirmed bool) (string, error)
	// Blend answers /scripture blend: sets the essay's share, 0..100.
	Blend(ctx context.Context, c Caller, essay int) (string, error)
	// Names returns up to max names of the server's texts that start with
	// prefix (any case), for autocomplete: none when c may not see them or
	// the store fails.
	Names(ctx context.Context, c Caller, prefix string, max int) []string
}

// msgScriptureOff answers /scripture when no Scripture is configured.
const msgScriptureOff = "Server scripture is not configured here."

// forgetTTL is how long a forget's confirm button works: an old prompt
// found later deletes nothing.
const forgetTTL = 15 * time.Minute

// Labels of the forget prompt's buttons.
const (
	forgetLabel = "Forget all of it"
	keepLabel   = "Keep it"
)

// scriptureCommand is the definition of /scripture.
func scriptureCommand() Command {
	return Command{
		Name:        CmdScripture,
		Description: "Server admins: give the Glow Cloud this server's own texts to preach from.",
		Admin:       true,
		Options: []Option{
			{
				Type:        OptionSubcommand,
				Name:        SubAdd,
				Description: "Add a .txt or .md file: the Glow Cloud learns it and preaches it here.",
				Options: []Option{
					{Type: OptionAttachment, Name: OptFile, Description: "A .txt or .md file of your server's scripture.", Required: true},
					{Type: OptionString, Name: OptName, Description: "What to call it (default: the file's name).", MaxLength: maxScriptureName},
				},
			},
			{
				Type:        OptionSubcommand,
				Name:        SubList,
				Description: "This server's texts, the blend and the model's state.",
			},
			{
				Type:        OptionSubcommand,
				Name:        SubRemove,
				Description: "Delete one of this server's texts.",
				Options: []Option{{
					Type: OptionString, Name: OptName, Description: "The text's name.",
					Required: true, MinLength: ptr(1), MaxLength: maxScriptureName, Autocomplete: true,
				}},
			},
			{
				Type:        OptionSubcommand,
				Name:        SubForget,
				Description: "Delete all of this server's scripture: texts, model and blend (asks first).",
			},
			{
				Type:        OptionSubcommand,
				Name:        SubBlend,
				Description: "How much of the essay stays in the mix (default 50).",
				Options: []Option{{
					Type: OptionInteger, Name: OptEssay, Description: "The essay's share in percent: 0 (your texts alone) to 100 (the essay alone).",
					Required: true, MinValue: ptr(0.0), MaxValue: 100,
				}},
			},
		},
	}
}

// maxScriptureName bounds a name option as typed; the name kept is at most
// scripture.MaxName characters (48) once cleaned.
const maxScriptureName = 100

// isScripture reports whether req is /scripture or a press of its forget
// prompt's buttons.
func isScripture(req Request) bool {
	switch req.Kind {
	case KindCommand:
		return req.Command == CmdScripture
	case KindComponent:
		return isScriptureCustomID(req.CustomID)
	}
	return false
}

// scriptureAdd is a checked /scripture add: what Answer hands the Scripture.
type scriptureAdd struct {
	file Attachment
	name string
}

// handleScripture answers /scripture and its buttons through the
// Scripture. For an allowed /scripture add it only judges the request: the
// work is Answer's to start (answerScripture), and add is set.
func (b *Bot) handleScripture(ctx context.Context, req Request) (reply Reply, res result, add *scriptureAdd) {
	res = result{command: CmdScripture, outcome: outcomeOK}
	if b.scripture == nil {
		res.outcome = outcomeBadRequest
		return ephemeral(msgScriptureOff), res, nil
	}
	c := Caller{GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, Permissions: req.Permissions}
	var (
		text string
		err  error
	)
	if req.Kind == KindComponent {
		confirmed, at, derr := decodeForgetID(req.CustomID)
		switch {
		case derr != nil:
			res.outcome = outcomeBadRequest
			return ephemeral(msgBadButton), res, nil
		case !confirmed:
			return Reply{Content: "Nothing was forgotten: this server's scripture stays.", Ephemeral: true, Update: true}, res, nil
		case b.now().Sub(at) > forgetTTL || at.Sub(b.now()) > time.Minute:
			return Reply{Content: "That question has expired, and nothing was forgotten. Run /scripture forget again.", Ephemeral: true, Update: true}, res, nil
		}
		text, err = b.scripture.Forget(ctx, c, true)
		r := b.scriptureReply(ctx, req, text, err, &res)
		r.Update = true
		return r, res, nil
	}
	if text, err := b.scripture.Allowed(c); err != nil {
		return b.scriptureReply(ctx, req, text, err, &res), res, nil
	}
	opts, err := scriptureOptions(req)
	if err != nil {
		res.outcome = outcomeBadRequest
		return ephemeral(userMessage(err)), res, nil
	}
	switch req.Subcommand {
	case SubAdd:
		id, _ := opts[OptFile].(string)
		a, found := req.Attachments[id]
		if id == "" || !found {
			res.outcome = outcomeBadRequest
			return ephemeral("Discord did not pass on the attached file. Please attach it again."), res, nil
		}
		if err := checkAttachment(a); err != nil {
			res.outcome = outcomeBadRequest
			return ephemeral(userMessage(err)), res, nil
		}
		name, _ := opts[OptName].(string)
		return ephemeral("The Glow Cloud will learn " + DisplayName(a.Filename) + "."), res, &scriptureAdd{file: a, name: name}
	case SubList:
		text, err = b.scripture.List(ctx, c)
	case SubRemove:
		name, _ := opts[OptName].(string)
		text, err = b.scripture.Remove(ctx, c, name)
	case SubForget:
		text, err = b.scripture.Forget(ctx, c, false)
		if err == nil {
			r := ephemeral(text)
			now := b.now()
			r.Buttons = []Button{
				{Label: forgetLabel, CustomID: forgetID(true, now), Emoji: "🗑️"},
				{Label: keepLabel, CustomID: forgetID(false, now)},
			}
			return r, res, nil
		}
	default: // SubBlend; scriptureOptions knows no others
		n, _ := opts[OptEssay].(int64)
		text, err = b.scripture.Blend(ctx, c, int(n))
	}
	return b.scriptureReply(ctx, req, text, err, &res), res, nil
}

// scriptureReply is the ephemeral reply of a Scripture's text and error,
// which it logs when it is the operator's and sets res's outcome by.
func (b *Bot) scriptureReply(ctx context.Context, req Request, text string, err error, res *result) Reply {
	return scriptureEphemeral(b.adminAnswer(ctx, req, text, err, res))
}

// scriptureEphemeral is the ephemeral reply of text: its content, or,
// when it is longer than a message's content may be (a list of twenty
// texts), an embed's description, which holds twice as much.
func scriptureEphemeral(text string) Reply {
	if textLen(text) <= MaxContent {
		return ephemeral(text)
	}
	return LimitReply(Reply{Embeds: []Embed{{Description: text, Color: glowColor(0)}}, Ephemeral: true})
}

// scriptureOptions checks /scripture's subcommand and options against its
// definition: text for string and attachment options, an int64 in range
// for essay:.
func scriptureOptions(req Request) (map[string]any, error) {
	def, _ := Lookup(CmdScripture)
	i := slices.IndexFunc(def.Options, func(o Option) bool { return o.Type == OptionSubcommand && o.Name == req.Subcommand })
	if i < 0 {
		return nil, userError("Use /scripture add, list, remove, forget or blend.")
	}
	defs := def.Options[i].Options
	out := make(map[string]any, len(req.Options))
	for k, v := range req.Options {
		j := slices.IndexFunc(defs, func(o Option) bool { return o.Name == k })
		if j < 0 {
			return nil, userError(fmt.Sprintf("/scripture %s has no option “%s”.", req.Subcommand, shown(clip(k, 32))))
		}
		switch defs[j].Type {
		case OptionInteger:
			n, ok := integer(v)
			if !ok || n < 0 || n > 100 {
				return nil, userError(k + " must be a whole number from 0 to 100.")
			}
			out[k] = n
		default:
			s, ok := v.(string)
			if !ok || !utf8.ValidString(s) {
				return nil, userError(k + " must be text.")
			}
			out[k] = s
		}
	}
	for _, o := range defs {
		if _, present := out[o.Name]; o.Required && !present {
			return nil, userError(fmt.Sprintf("/scripture %s needs %s:.", req.Subcommand, o.Name))
		}
	}
	return out, nil
}

// answerScripture answers /scripture add: a refusal is sent at once; an
// allowed request is deferred, ephemerally, and handed to the Scripture,
// whose background job edits the reply. It returns once it has deferred.
func (b *Bot) answerScripture(ctx context.Context, req Request, rs Responder) error {
	start := time.Now()
	reply, res, add := b.handleScripture(ctx, req)
	if add == nil {
		var err error
		if err = rs.Respond(ctx, reply); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
		return b.answered(ctx, req, res, false, start, err)
	}
	if err := rs.Defer(ctx, true); err != nil {
		return b.answered(ctx, req, res, true, start, fmt.Errorf("defer: %w", err))
	}
	c := Caller{GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, Permissions: req.Permissions}
	b.scripture.Add(context.WithoutCancel(ctx), c, add.file, add.name, rs)
	return b.answered(ctx, req, res, true, start, nil)
}

// isScriptureAdd reports whether req is /scripture add, which Answer
// defers at once (answerScripture).
func isScriptureAdd(req Request) bool {
	return req.Kind == KindCommand && req.Command == CmdScripture && req.Subcommand == SubAdd
}

// scriptureNames answers the autocomplete of /scripture remove name:.
func (b *Bot) scriptureNames(ctx context.Context, req Request) []string {
	if b.scripture == nil || req.Subcommand != SubRemove || req.Focused != OptName {
		return nil
	}
	prefix, _ := req.Options[OptName].(string)
	if len(prefix) > MaxChoice*4 {
		prefix = prefix[:MaxChoice*4]
	}
	c := Caller{GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, Permissions: req.Permissions}
	var out []string
	for _, n := range b.scripture.Names(ctx, c, prefix, MaxChoices) {
		// Names are kept clean (they render as themselves); anything
		// else is not offered.
		if utf8.ValidString(n) && shown(n) == n && n != "" {
			out = append(out, n)
		}
	}
	return out
}

// The forget prompt's buttons: "gc1|sf|UNIX" forgets, "gc1|sk|UNIX" keeps;
// UNIX is when the prompt was made, in seconds.
const (
	forgetPrefix = customIDVersion + "|sf|"
	keepPrefix   = customIDVersion + "|sk|"
)

// forgetID is the custom_id of a forget prompt's button made at t.
func forgetID(confirm bool, t time.Time) string {
	p := keepPrefix
	if confirm {
		p = forgetPrefix
	}
	return p + strconv.FormatInt(t.Unix(), 10)
}

// isScriptureCustomID reports whether id is meant for /scripture.
func isScriptureCustomID(id string) bool {
	return strings.HasPrefix(id, forgetPrefix) || strings.HasPrefix(id, keepPrefix)
}

// decodeForgetID parses a custom_id made by forgetID, strictly.
func decodeForgetID(id string) (confirm bool, at time.Time, err error) {
	rest, confirm := strings.CutPrefix(id, forgetPrefix)
	if !confirm {
		var ok bool
		if rest, ok = strings.CutPrefix(id, keepPrefix); !ok {
			return false, time.Time{}, errBadCustomID
		}
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != rest {
		return false, time.Time{}, errBadCustomID
	}
	return confirm, time.Unix(n, 0), nil
}
