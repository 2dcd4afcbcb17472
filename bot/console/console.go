// Package console is the bot's local transport: a prompt where lines like
// "/manifesto topic:robots" go through the core's handlers and print what
// Discord would show.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/glowcloud/glowcloud/bot"
)

// consoleUser is the user id console requests carry; mentions of it show
// as "@you". consoleChannelName is what the console's channel is called.
const (
	consoleUser        = "console"
	consoleChannelName = "general"
)

const consoleHelp = `The Glow Cloud listens. Type:
  /manifesto [topic:WORDS] [paragraphs:1-5] [seed:N]
  /squint thing:WORDS      (or /squint WORDS)
  /glowcloud
  complete /manifesto topic:WORDS   what Discord suggests while topic is typed
  complete /squint thing:WORDS      (the same for thing)
  /proclaim start every:1h [channel:ID] [kind:glowcloud|manifesto] [topic:WORDS]
  /proclaim stop [channel:ID]     /proclaim list     /hush [for:1h|off]
  /quiz [top|me|forget-me]        Real or Glow Cloud? (a bare /quiz plays)
  /scripture add file:PATH [name:NAME]   the server's own text, from a local
             .txt or .md file; then /manifesto preaches its blend
  /scripture list|remove name:NAME|forget|blend essay:0-100
  as member  be a member without Manage Server (as admin: be the admin again)
  as NAME    be another member of the server, NAME (to vote in a /quiz round)
  press      press the last reply's first button; press LABEL presses the one
             labelled so (press real, press glow cloud, press play again)
  again      press the last reply's "Hail again" (or "Play again") button
  help       this text
  quit       leave (also: exit, or end of input)
An option's value runs until the next " name:" of one of the command's
options. A command's first required option (or its only one) may go
without its name: /squint the tea party, /hush off.`

// optionStart finds the start of an option: a name and a colon at the start
// of the text or after a space.
var optionStart = regexp.MustCompile(`(?:^|\s)([a-z][a-z0-9_-]*):`)

// Run is a local prompt that shows what Discord would of b's replies. It reads lines
// from in until "quit", the end of input or ctx is cancelled, and prints
// each reply to out as a Discord user would see it: markdown rendered,
// mentions and timestamps written out, embeds with a bar at their left, the
// button as [🔁 Hail again], and "(only you can see this)" under ephemeral
// replies. When in and out are a terminal the line can be edited (arrows,
// Home/End, Ctrl-W ...) and earlier lines recalled with the up arrow, and
// markdown shows as bold, italic and so on; piped input is read line by
// line and printed plainly. Commands go through b.HandleLocal, and "press"
// goes through the same custom_id decoding as a button press on Discord.
// There is no cooldown at the console. It returns nil when done, or an
// error if in or out fails.
func Run(ctx context.Context, b *bot.Bot, in io.Reader, out io.Writer) error {
	return RunWith(ctx, b, in, out, Options{})
}

// prompt is what the console shows before each line on a terminal.
const prompt = "glowcloud> "

// RunWith is Run with the server admins' commands and scheduled posts (see
// Options and admin.go).
func RunWith(ctx context.Context, b *bot.Bot, in io.Reader, out io.Writer, opts Options) error {
	var posts <-chan posted
	if opts.Posts != nil {
		posts = opts.Posts.ch
	}
	who := asAdmin
	interactive := opts.terminal || (isTerminal(in) && isTerminal(out))
	r := renderer{ansi: interactive, now: opts.Now}
	if opts.Speed > 0 && opts.Speed != 1 {
		r.clock = "on the console clock"
		r.speed = opts.Speed
	}
	read, w, restore := lineReader(in, out, interactive)
	defer restore()
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		for {
			l, err := read()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					readErr <- err
				}
				return
			}
			select {
			case lines <- l:
			case <-ctx.Done():
				return
			}
		}
	}()

	if interactive {
		if _, err := io.WriteString(w, welcome(opts.Speed)); err != nil {
			return fmt.Errorf("console: write: %w", err)
		}
	}
	var (
		lastButtons []bot.Button
		asked       int // requests made, for their tokens
	)
	for {
		var line string
		select {
		case <-ctx.Done():
			return nil
		case p := <-posts:
			if _, err := io.WriteString(w, r.post(p)); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
			if p.edit && len(p.reply.Buttons) > 0 {
				lastButtons = p.reply.Buttons
			}
			continue
		case l, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					return fmt.Errorf("console: read: %w", err)
				default:
				}
				return nil
			}
			line = strings.TrimSpace(l)
		}

		var req bot.Request
		lower := strings.ToLower(line)
		switch {
		case lower == "":
			continue
		case lower == "quit" || lower == "exit":
			return nil
		case strings.HasPrefix(lower, "as "):
			next, ok := becomes(strings.TrimSpace(line[len("as "):]))
			if ok {
				who = next
			}
			if _, err := fmt.Fprintln(w, next.note); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
			continue
		case lower == "help" || lower == "?":
			if _, err := fmt.Fprintln(w, consoleHelp); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
			continue
		case lower == "press" || lower == "again" || strings.HasPrefix(lower, "press "):
			bt, why := pick(lastButtons, lower)
			if why != "" {
				if _, err := fmt.Fprintln(w, why); err != nil {
					return fmt.Errorf("console: write: %w", err)
				}
				continue
			}
			req = bot.Request{Kind: bot.KindComponent, CustomID: bt.CustomID}
		default:
			parse := parseConsoleCommand
			if strings.HasPrefix(lower, "complete ") || lower == "complete" {
				parse = parseComplete
			}
			var err error
			if req, err = parse(line); err == nil && req.Kind == bot.KindCommand {
				err = attach(&req, opts)
			}
			if err != nil {
				if _, err := fmt.Fprintln(w, err); err != nil {
					return fmt.Errorf("console: write: %w", err)
				}
				continue
			}
		}
		asked++
		req.ID, req.UserID = "console", who.user
		req.AppID, req.Token = "console", fmt.Sprintf("console-%d", asked)
		req.GuildID, req.ChannelID, req.Permissions = ConsoleGuild, ConsoleChannel, who.permissions

		if isScriptureAdd(req) {
			var sb strings.Builder
			rs := &responder{r: r, out: &sb, posts: opts.Posts}
			_ = b.Answer(ctx, req, rs) // rs fails nothing; the core logs
			if _, err := io.WriteString(w, sb.String()); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
			if !rs.deferred || opts.Busy == nil || posts == nil {
				continue
			}
			// Print the edits of the reply until the add's work is done.
			tick := time.NewTicker(20 * time.Millisecond)
			for done := false; !done; {
				select {
				case <-ctx.Done():
					tick.Stop()
					return nil
				case p := <-posts:
					if _, err := io.WriteString(w, r.post(p)); err != nil {
						tick.Stop()
						return fmt.Errorf("console: write: %w", err)
					}
				case <-tick.C:
					done = !opts.Busy()
				}
			}
			tick.Stop()
			continue
		}
		reply := b.HandleLocal(ctx, req)
		if len(reply.Buttons) > 0 {
			lastButtons = reply.Buttons
		}
		if _, err := io.WriteString(w, r.reply(reply)+"\n"); err != nil {
			return fmt.Errorf("console: write: %w", err)
		}
	}
}

// pick is the button a press line presses, of the last buttons shown:
// "press" the first one that can be pressed, "again" the one whose label
// ends in "again" (Hail again, Play again), "press LABEL" the one whose
// label starts with LABEL (any case and spacing: "press glow cloud",
// "press real"). why, when not empty, says why none is pressed.
func pick(buttons []bot.Button, line string) (bot.Button, string) {
	if len(buttons) == 0 {
		return bot.Button{}, "There is no button to press yet. Summon something first."
	}
	squash := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "") }
	want := squash(strings.TrimPrefix(line, "press"))
	for _, bt := range buttons {
		label := squash(bt.Label)
		switch {
		case line == "again" && !strings.HasSuffix(label, "again"),
			want != "" && !strings.HasPrefix(label, want),
			line == "press" && bt.Disabled:
			continue
		case bt.Disabled:
			return bot.Button{}, "The " + bt.Label + " button is disabled: that round is over."
		}
		return bt, ""
	}
	if line == "again" || line == "press" {
		return buttons[0], ""
	}
	return bot.Button{}, "No button here is labelled like that."
}

// welcome is what an interactive console says first.
func welcome(speed float64) string {
	s := "The Glow Cloud listens. Type help for the commands; quit or Ctrl-D leaves.\n"
	if speed > 0 && speed != 1 {
		s += fmt.Sprintf("The console's clock runs %g times faster than yours: the times it shows are on that clock.\n", speed)
	}
	return s
}

// lineReader returns how the console reads a line and where it writes. On a
// terminal (interactive) that is golang.org/x/term's line editor, over the
// terminal put in raw mode when in is one (restore puts it back); it redraws
// the line being typed when a scheduled post is written. Otherwise lines
// are read plainly and written to out.
func lineReader(in io.Reader, out io.Writer, interactive bool) (read func() (string, error), w io.Writer, restore func()) {
	restore = func() {}
	if !interactive {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		return func() (string, error) {
			if sc.Scan() {
				return sc.Text(), nil
			}
			if err := sc.Err(); err != nil {
				return "", err
			}
			return "", io.EOF
		}, out, restore
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if state, err := term.MakeRaw(int(f.Fd())); err == nil {
			restore = func() { term.Restore(int(f.Fd()), state) }
		}
	}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, prompt)
	if f, ok := out.(*os.File); ok {
		if width, height, err := term.GetSize(int(f.Fd())); err == nil {
			t.SetSize(width, height)
		}
	}
	return t.ReadLine, t, restore
}

// parseConsoleCommand turns "/manifesto topic:robots paragraphs:2" into a
// command request. Text before the first option is the value of the
// command's first required option, or of its only one ("/squint tea" is
// "/squint thing:tea", "/hush off" is "/hush for:off"); a command with
// neither takes no such text. Values of integer options that
// parse as integers are sent as numbers, as Discord would; other values are
// sent as text, for the core to judge. A required option left out is an
// error that names it.
func parseConsoleCommand(line string) (bot.Request, error) {
	req, def, known, _, err := parseLine(line)
	if err != nil || !known {
		return req, err // the core says it does not know the command
	}
	for _, o := range def.Options {
		if _, ok := req.Options[o.Name]; o.Required && !ok {
			return req, notice(fmt.Sprintf("/%s needs %s: type /%s %s:WORDS, or just /%s WORDS.", def.Name, o.Name, def.Name, o.Name, def.Name))
		}
	}
	return req, nil
}

// parseComplete turns "complete /manifesto topic:rob" into the autocomplete
// request Discord sends while topic is typed: the focused option is the
// last one on the line (or, with none, the command's first option that
// autocompletes, typed so far as nothing).
func parseComplete(line string) (bot.Request, error) {
	rest := strings.TrimSpace(line[len("complete"):])
	req, def, known, last, err := parseLine(rest)
	if err != nil {
		return req, err
	}
	req.Kind = bot.KindAutocomplete
	if !known {
		return req, notice("Type complete /manifesto topic:WORDS or complete /squint thing:WORDS.")
	}
	req.Focused = last
	if req.Focused == "" {
		for _, o := range def.Options {
			if o.Autocomplete {
				req.Focused = o.Name
				if req.Options == nil {
					req.Options = map[string]any{}
				}
				req.Options[o.Name] = ""
				break
			}
		}
	}
	return req, nil
}

// parseLine parses a command line's name and options (see
// parseConsoleCommand) without judging them; last is the option named last.
func parseLine(line string) (req bot.Request, def bot.Command, known bool, last string, err error) {
	line = strings.TrimPrefix(line, "/")
	name, rest, _ := strings.Cut(line, " ")
	req = bot.Request{Kind: bot.KindCommand, Command: strings.ToLower(name)}
	def, known = bot.Lookup(req.Command)
	rest = strings.TrimSpace(rest)
	if subs := subcommands(def); len(subs) > 0 {
		word, after, _ := strings.Cut(rest, " ")
		i := slices.IndexFunc(subs, func(o bot.Option) bool { return o.Name == strings.ToLower(word) })
		if i < 0 {
			names := make([]string, len(subs))
			for j, o := range subs {
				names[j] = "/" + def.Name + " " + o.Name
			}
			return req, def, known, "", notice("Use " + strings.Join(names, ", ") + ".")
		}
		req.Subcommand = subs[i].Name
		def = bot.Command{Name: def.Name + " " + subs[i].Name, Options: subs[i].Options}
		rest = strings.TrimSpace(after)
	}
	// Text before the first option goes to the option that takes bare
	// text. Then only the command's own option names start an option, so
	// that a value may hold "https://..." or "time: now"; a command that
	// takes no bare text sends any name: on, for the core to refuse.
	taker, takes := bareTaker(def)
	locs := optionStart.FindAllStringSubmatchIndex(rest, -1)
	if takes {
		locs = slices.DeleteFunc(locs, func(loc []int) bool {
			name := rest[loc[2]:loc[3]]
			return !slices.ContainsFunc(def.Options, func(o bot.Option) bool { return o.Name == name })
		})
	}
	if rest != "" {
		req.Options = make(map[string]any, len(locs)+1)
	}
	if bare := rest; rest != "" && (len(locs) == 0 || locs[0][0] != 0) {
		if len(locs) > 0 {
			bare = rest[:locs[0][0]]
		}
		if !takes {
			return req, def, known, "", notice("Options look like name:value, as in /manifesto topic:tea party. Type help for more.")
		}
		req.Options[taker.Name] = typed(taker, strings.TrimSpace(bare))
		last = taker.Name
	}
	for i, loc := range locs {
		optName := rest[loc[2]:loc[3]]
		end := len(rest)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		value := strings.TrimSpace(rest[loc[1]:end])
		req.Options[optName] = value
		last = optName
		for _, o := range def.Options {
			if o.Name == optName {
				req.Options[optName] = typed(o, value)
			}
		}
	}
	return req, def, known, last, nil
}

// notice is a line the console prints instead of sending a request.
type notice string

func (n notice) Error() string { return string(n) }

// bareTaker returns the option that takes the text typed before any
// name: — a command's first required option, or its only option
// ("/squint tea" is /squint thing:tea, "/hush off" is /hush for:off).
func bareTaker(c bot.Command) (bot.Option, bool) {
	for _, o := range c.Options {
		if o.Required {
			return o, true
		}
	}
	if len(c.Options) == 1 && c.Options[0].Type != bot.OptionSubcommand {
		return c.Options[0], true
	}
	return bot.Option{}, false
}

// typed is value as Discord would send it for o: a number for an integer
// option that parses as one, else the text.
func typed(o bot.Option, value string) any {
	if o.Type == bot.OptionInteger {
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return float64(n)
		}
	}
	return value
}

// reply shows a reply roughly as Discord would: the content, each embed
// with a bar at its left (title, a rule, description, footer), the buttons
// in brackets, and "(only you can see this)" under an ephemeral reply.
func (r renderer) reply(rp bot.Reply) string {
	var sb strings.Builder
	if rp.Autocomplete {
		if len(rp.Choices) == 0 {
			return "(no suggestions)"
		}
		sb.WriteString("Suggestions:\n")
		for _, c := range rp.Choices {
			sb.WriteString("  • " + c + "\n")
		}
		return strings.TrimSuffix(sb.String(), "\n")
	}
	if rp.Content != "" {
		sb.WriteString(r.text(rp.Content))
		sb.WriteString("\n")
	}
	for _, e := range rp.Embeds {
		bar := func(s string) {
			for l := range strings.SplitSeq(s, "\n") {
				sb.WriteString(strings.TrimRight("┃ "+l, " "))
				sb.WriteString("\n")
			}
		}
		if e.Title != "" {
			title := r.inline(e.Title)
			bar(title)
			plain := renderer{now: r.now, clock: r.clock, speed: r.speed}.inline(e.Title)
			bar(strings.Repeat("─", min(utf8.RuneCountInString(plain), 40)))
		}
		if e.Description != "" {
			bar(r.text(e.Description))
		}
		if e.Footer != "" {
			bar("")
			bar(r.style(r.inline(e.Footer), styleDim))
		}
	}
	if len(rp.Buttons) > 0 {
		labels := make([]string, 0, len(rp.Buttons))
		var links []string
		for _, bt := range rp.Buttons {
			label := strings.TrimSpace(bt.Emoji + " " + bt.Label)
			if bt.Disabled {
				label = r.style(label+" (disabled)", styleDim)
			}
			labels = append(labels, "["+label+"]")
			if bt.URL != "" {
				// A link button opens its URL: print it, so the page can be
				// opened from here.
				links = append(links, bt.Label+": "+bt.URL)
			}
		}
		sb.WriteString(strings.Join(labels, " "))
		sb.WriteString("\n")
		for _, l := range links {
			sb.WriteString(l + "\n")
		}
	}
	if rp.Ephemeral {
		sb.WriteString(r.style("(only you can see this)", styleDim) + "\n")
	}
	return sb.String()
}

// isTerminal reports whether f is an interactive terminal, where a prompt
// and line editing help; piped input gets neither.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}
