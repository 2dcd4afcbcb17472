package bot

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/limits"
)

// The "Hail again" button's custom_id carries everything needed to
// regenerate its reply, so it keeps working after a restart and on any
// instance. The format is versioned and '|'-separated; the last field is the
// free text and may itself contain '|':
//
//	gc1|m|<paragraphs>|<topic>   /manifesto (paragraphs is one digit 1..5; topic may be empty)
//	gc1|s|<thing>                /squint
//	gc1|g                        /glowcloud
//	gc1|q|<round>|r              a vote "Real" in a /quiz round
//	gc1|q|<round>|g              a vote "Glow Cloud" in a /quiz round
//	gc1|q                        /quiz's Play again: a new round here
//
// The seed is deliberately absent: pressing the button asks for a new one.
//
// Discord allows at most 100 characters; we count bytes, which is stricter.
// The free text is stored as shown (discordtext.Show, see handler.go), which
// is longer than what was typed: a thing or topic that does not fit is cut
// at the last word boundary that fits (at a character boundary if one word
// is too long), and further until the cut text is itself as Show makes it
// (no escape cut in half), so the regenerated reply squints at, or preaches
// about, the shortened text, and nothing in it can render.
//
// Decoding is strict: it accepts exactly what encodeCustomID produces, so
// encodeCustomID(decodeCustomID(s)) == s. Anything else, including ids from
// a future format version and ids whose text is not already shown (such as
// those made before the text was), is rejected and the user gets a polite
// ephemeral reply.

// customIDVersion prefixes every custom_id; bump it when the format changes.
const customIDVersion = "gc1"

// MaxCustomID is Discord's limit on a component's custom_id.
const MaxCustomID = 100

// errBadCustomID is returned for any custom_id decodeCustomID rejects.
var errBadCustomID = errors.New("bad custom_id")

// encodeCustomID returns the custom_id of the button regenerating act.
func encodeCustomID(act action) string {
	switch act.command {
	case CmdManifesto:
		prefix := customIDVersion + "|m|" + string(rune('0'+act.paragraphs)) + "|"
		return prefix + cutShown(act.topic, MaxCustomID-len(prefix))
	case CmdSquint:
		prefix := customIDVersion + "|s|"
		return prefix + cutShown(act.thing, MaxCustomID-len(prefix))
	case CmdGlowcloud:
		return customIDVersion + "|g"
	}
	return ""
}

// decodeCustomID parses a custom_id made by encodeCustomID.
func decodeCustomID(id string) (action, error) {
	if len(id) > MaxCustomID || !utf8.ValidString(id) {
		return action{}, errBadCustomID
	}
	version, rest, ok := strings.Cut(id, "|")
	if !ok || version != customIDVersion {
		return action{}, errBadCustomID
	}
	cmd, rest, hasRest := strings.Cut(rest, "|")
	switch {
	case cmd == "g" && !hasRest:
		return action{command: CmdGlowcloud}, nil
	case cmd == "s" && hasRest:
		if rest != "" && isShown(rest) {
			return action{command: CmdSquint, thing: rest}, nil
		}
	case cmd == "m" && hasRest:
		p, topic, ok := strings.Cut(rest, "|")
		if !ok || len(p) != 1 || p[0] < '0'+limits.MinParagraphs || p[0] > '0'+limits.MaxParagraphs {
			break
		}
		if isShown(topic) {
			return action{command: CmdManifesto, paragraphs: int(p[0] - '0'), topic: topic}, nil
		}
	}
	return action{}, errBadCustomID
}

// A /quiz round's id (see RoundIDLen): what crypto/rand.Text makes, 26
// characters of the base32 alphabet. It is random, so it says nothing of
// the round; the vote beside it is the presser's.
const RoundIDLen = 26

// quizPress is a press of a /quiz button: a vote (round set) or Play
// again (round empty).
type quizPress struct {
	round string
	real  bool
}

const quizPrefix = customIDVersion + "|q"

// QuizVoteID is the custom_id of a round's Real (real true) or Glow Cloud
// button. round must be a round id (IsRoundID).
func QuizVoteID(round string, real bool) string {
	v := "g"
	if real {
		v = "r"
	}
	return quizPrefix + "|" + round + "|" + v
}

// QuizPlayAgainID is the custom_id of the Play again button.
const QuizPlayAgainID = quizPrefix

// isQuizCustomID reports whether id is meant for /quiz (well formed or not).
func isQuizCustomID(id string) bool {
	return id == quizPrefix || strings.HasPrefix(id, quizPrefix+"|")
}

// decodeQuizID parses a custom_id made by QuizVoteID or QuizPlayAgainID,
// strictly.
func decodeQuizID(id string) (quizPress, error) {
	if id == QuizPlayAgainID {
		return quizPress{}, nil
	}
	rest, ok := strings.CutPrefix(id, quizPrefix+"|")
	if !ok {
		return quizPress{}, errBadCustomID
	}
	round, v, ok := strings.Cut(rest, "|")
	if !ok || !IsRoundID(round) || (v != "r" && v != "g") {
		return quizPress{}, errBadCustomID
	}
	return quizPress{round: round, real: v == "r"}, nil
}

// IsRoundID reports whether s has the form of a round id: RoundIDLen
// characters of the base32 alphabet (A–Z, 2–7).
func IsRoundID(s string) bool {
	if len(s) != RoundIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// cutShown returns the longest cut of s (by cutWords) that fits in max
// bytes and is as shown makes it, so that an escape is never cut in half:
// "\[" stays whole, "@" keeps its zero-width space.
func cutShown(s string, max int) string {
	c := cutWords(s, max)
	for c != "" && !isShown(c) {
		c = cutWords(c, len(c)-1)
	}
	return c
}

// cutWords returns s if it fits in max bytes, or else its longest prefix
// that ends at a word boundary and fits, or, for a single overlong word, the
// longest prefix that ends at a character boundary. Trailing space is
// trimmed. s must not start with a space.
func cutWords(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// Cutting right before a space ends a word; otherwise back up to the
	// last space inside the prefix, if there is one.
	if r, _ := utf8.DecodeRuneInString(s[cut:]); !unicode.IsSpace(r) {
		if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > 0 {
			cut = i
		}
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace)
}
