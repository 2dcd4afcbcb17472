package bot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// consoleUser is the user id console requests carry.
const consoleUser = "console"

const consoleHelp = `The Glow Cloud listens. Type:
  /manifesto [topic:WORDS] [paragraphs:1-5] [seed:N]
  /squint thing:WORDS
  /glowcloud
  press      press the last reply's "Hail again" button (also: again)
  help       this text
  quit       leave (also: exit, or end of input)
An option's value runs until the next " name:".`

// optionStart finds the start of an option: a name and a colon at the start
// of the text or after a space.
var optionStart = regexp.MustCompile(`(?:^|\s)([a-z][a-z0-9_-]*):`)

// Console is a local prompt that shows what Discord would. It reads lines
// from in (a terminal or not) until "quit", the end of input or ctx is
// cancelled, and prints each reply to out: embed title, description and
// footer, the button as [🔁 Hail again], and "(only you can see this)" for
// ephemeral replies. Commands go through Handle, and "press" goes through
// the same custom_id decoding as a button press on Discord. There is no
// cooldown at the console. It returns nil when done, or an error if in or
// out fails.
func (b *Bot) Console(ctx context.Context, in io.Reader, out io.Writer) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()

	prompt := isTerminal(in)
	var lastButton string
	for {
		if prompt {
			if _, err := io.WriteString(out, "glowcloud> "); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
		}
		var line string
		select {
		case <-ctx.Done():
			return nil
		case l, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					if err != nil {
						return fmt.Errorf("console: read: %w", err)
					}
				default:
				}
				return nil
			}
			line = strings.TrimSpace(l)
		}

		var req Request
		switch strings.ToLower(line) {
		case "":
			continue
		case "quit", "exit":
			return nil
		case "help", "?":
			if _, err := fmt.Fprintln(out, consoleHelp); err != nil {
				return fmt.Errorf("console: write: %w", err)
			}
			continue
		case "press", "again":
			if lastButton == "" {
				if _, err := fmt.Fprintln(out, "There is no button to press yet. Summon something first."); err != nil {
					return fmt.Errorf("console: write: %w", err)
				}
				continue
			}
			req = Request{Kind: KindComponent, CustomID: lastButton}
		default:
			var err error
			if req, err = parseConsoleCommand(line); err != nil {
				if _, err := fmt.Fprintln(out, err); err != nil {
					return fmt.Errorf("console: write: %w", err)
				}
				continue
			}
		}
		req.ID, req.UserID = "console", consoleUser

		reply, _ := b.handle(ctx, req, false)
		if len(reply.Buttons) > 0 {
			lastButton = reply.Buttons[0].CustomID
		}
		if _, err := io.WriteString(out, RenderReply(reply)+"\n"); err != nil {
			return fmt.Errorf("console: write: %w", err)
		}
	}
}

// parseConsoleCommand turns "/manifesto topic:robots paragraphs:2" into a
// command request. Values of integer options that parse as integers are sent
// as numbers, as Discord would; other values are sent as text, for Handle to
// judge. Text before the first option is an error.
func parseConsoleCommand(line string) (Request, error) {
	line = strings.TrimPrefix(line, "/")
	name, rest, _ := strings.Cut(line, " ")
	req := Request{Kind: KindCommand, Command: strings.ToLower(name)}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return req, nil
	}
	locs := optionStart.FindAllStringSubmatchIndex(rest, -1)
	if len(locs) == 0 || locs[0][0] != 0 {
		return req, userError("Options look like name:value, as in /squint thing:tea party. Type help for more.")
	}
	kinds, _ := commandOptions(req.Command)
	req.Options = make(map[string]any, len(locs))
	for i, loc := range locs {
		optName := rest[loc[2]:loc[3]]
		end := len(rest)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		value := strings.TrimSpace(rest[loc[1]:end])
		if kinds[optName] == optInteger {
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				req.Options[optName] = float64(n)
				continue
			}
		}
		req.Options[optName] = value
	}
	return req, nil
}

// RenderReply shows a reply as plain text, roughly as Discord would: the
// content, each embed with a bar at its left, the buttons in brackets, and
// "(only you can see this)" under an ephemeral reply.
func RenderReply(r Reply) string {
	var sb strings.Builder
	if r.Content != "" {
		sb.WriteString(r.Content)
		sb.WriteString("\n")
	}
	for _, e := range r.Embeds {
		bar := func(s string) {
			for l := range strings.SplitSeq(s, "\n") {
				sb.WriteString(strings.TrimRight("┃ "+l, " "))
				sb.WriteString("\n")
			}
		}
		if e.Title != "" {
			bar(e.Title)
			bar(strings.Repeat("─", min(len([]rune(e.Title)), 40)))
		}
		if e.Description != "" {
			bar(e.Description)
		}
		if e.Footer != "" {
			bar("")
			bar(e.Footer)
		}
	}
	if len(r.Buttons) > 0 {
		labels := make([]string, 0, len(r.Buttons))
		for _, bt := range r.Buttons {
			labels = append(labels, "["+strings.TrimSpace(bt.Emoji+" "+bt.Label)+"]")
		}
		sb.WriteString(strings.Join(labels, " "))
		sb.WriteString("\n")
	}
	if r.Ephemeral {
		sb.WriteString("(only you can see this)\n")
	}
	return sb.String()
}

// isTerminal reports whether r is an interactive terminal, where a prompt
// helps; piped input gets none.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
