package corpus

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHasControl: hasControl says what strings.IndexFunc(s, isControl)
// says, for every ASCII byte (which it tests itself) and for runes past
// ASCII (which it hands to isControl), alone and inside text.
func TestHasControl(t *testing.T) {
	t.Parallel()
	var runes []rune
	for r := rune(0); r < utf8.RuneSelf; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0x80, 0x85, 0x9f, 0xa0, 0xad, 'é', 0x200b, 0x202e, 0x2060, 0xfeff, utf8.RuneError, 0x110bd, 0xe0001, '😀')
	for _, r := range runes {
		for _, s := range []string{string(r), "ab" + string(r) + "c", "é" + string(r)} {
			if got, want := hasControl(s), strings.IndexFunc(s, isControl) >= 0; got != want {
				t.Errorf("hasControl(%q) = %v, want %v", s, got, want)
			}
		}
	}
}
