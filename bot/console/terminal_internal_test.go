package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
)

// TestConsoleLineEditing: at a terminal the line can be edited and earlier
// lines recalled, as keystrokes arrive in raw mode: the up arrow brings
// back "/glowcloud" (it used to send "^[[A" as a command), Backspace takes
// back a typo, Ctrl-D on an empty line leaves; replies are styled.
func TestConsoleLineEditing(t *testing.T) {
	t.Parallel()
	keys := "/glowcloud\r" + // a command
		"\x1b[A\r" + // up arrow: the same again
		"/squint teq\x7fa\r" + // a typo, Backspace, fixed
		"\x04" // Ctrl-D
	var out bytes.Buffer
	err := RunWith(t.Context(), bottest.NewBot(bot.Config{}), strings.NewReader(keys), &out, Options{terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if n := strings.Count(got, "ALL HAIL. seed="); n != 2 {
		t.Errorf("%d proclamations, want 2 (the up arrow recalls /glowcloud):\n%q", n, got)
	}
	if !strings.Contains(got, "tea is anarchist") {
		t.Errorf("Backspace did not fix the typo:\n%q", got)
	}
	for _, want := range []string{prompt, "The Glow Cloud listens", "\x1b[2m"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "does not know") {
		t.Errorf("an escape sequence reached the bot as a command:\n%q", got)
	}
}

// TestRealLength: what a relative time on a fast console clock says of
// its real length.
func TestRealLength(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "20 s"},
		{-1500 * time.Millisecond, "2 s"},
		{59 * time.Second, "59 s"},
		{90 * time.Second, "2 min"},
		{150 * time.Minute, "2.5 h"},
	} {
		if got := realLength(tt.d); got != tt.want {
			t.Errorf("realLength(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
