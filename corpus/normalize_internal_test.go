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

// typography is the Replacer plainTypography writes out: the oracle.
var typography = strings.NewReplacer(
	"\r\n", "\n", "\r", "\n",
	"\ufeff", "", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\u00ad", "",
	"\u00a0", " ", "\u2009", " ", "\u202f", " ", "\u2002", " ", "\u2003", " ", "\t", " ",
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u2033", `"`, "\u00ab", `"`, "\u00bb", `"`,
	" \u2013 ", " \u2014 ", " \u2014 ", " \u2014 ", " -- ", " \u2014 ", "--", " \u2014 ",
	"\u2013", "-", "\u2014", " \u2014 ", "\u2012", "-", "\u2010", "-", "\u2011", "-",
	"\u2026", "...",
)

// typographySeeds hold every key, keys side by side and overlapping, and
// near misses.
var typographySeeds = []string{
	"", "plain words", "a\r\nb\rc\n\r\r\n", "\ufeffa\u200bb\u200cc\u200dd\u2060e\u00adf",
	"a\u00a0b\u2009c\u202fd\u2002e\u2003f\tg", "\u2018a\u2019 \u201ab\u201b \u2032", "\u201ca\u201d \u201eb\u201f \u2033 \u00abc\u00bb",
	"a \u2013 b \u2014 c -- d--e\u2013f\u2014g\u2012h\u2010i\u2011j\u2026", " -- -- ", "--- ----", " ---", "- -", " --x", "x-- ",
	"\t-- ", " \u2014\u2014 ", " \u2013\u2013 ", "  \u2014  ", " \u2013", "\u2013 ", " -", "-", "\r", "\u00a0\u00a0", "\u2014 \u2014 \u2014",
	"\xe2\x80", "a\xe2", "\xef\xbb", "\xc2", "\u00ac \u00ae \u2015 \u2019\u2019", "caf\u00e9 na\u00efve \u20ac5 \ufffd",
}

// TestPlainTypography: plainTypography gives what the Replacer gives, on
// every seed and on a long text of them run together.
func TestPlainTypography(t *testing.T) {
	t.Parallel()
	all := strings.Join(typographySeeds, "")
	for _, s := range append(typographySeeds, all, strings.Repeat(all+" x ", 50)) {
		if got, want := plainTypography(s), typography.Replace(s); got != want {
			t.Errorf("plainTypography(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzPlainTypography(f *testing.F) {
	for _, s := range typographySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainTypography(s), typography.Replace(s); got != want {
			t.Errorf("plainTypography(%q) = %q, want %q", s, got, want)
		}
	})
}
