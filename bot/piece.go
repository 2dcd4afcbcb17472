package bot

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/glowcloud/glowcloud/limits"
)

// A Piece names one reply the bot can write: its kind (CmdManifesto,
// CmdSquint or CmdGlowcloud, the command whose reply it is; a scheduled
// proclamation is one of the last and the first), the model it came from,
// its seed, its topic (a manifesto's) or thing (a squint's), as shown, and a
// manifesto's paragraphs. The texts are deterministic, so a Piece is the
// piece: a page needs no storage, and its link (a Token) is the manifesto.
type Piece struct {
	Kind       string
	Model      string // the model's id, as a reply's footer shows it
	Seed       uint64
	Topic      string // the topic or the thing, as shown (ShownTopic); "" for a glowcloud
	Paragraphs int    // 1..5 for a manifesto, 0 otherwise
}

// ErrFaded is the error of a Piece whose model is no longer served: its
// words cannot be written again ("this manifesto has faded").
var ErrFaded = errors.New("the piece's model is no longer served")

// errBadToken is returned for any token ParseToken rejects.
var errBadToken = errors.New("bad piece token")

// A token is a Piece in a few URL-safe characters: the raw URL-safe base64
// (RFC 4648 §5, no padding) of
//
//	byte 0     tokenVersion
//	byte 1     kind<<4 | paragraphs (kind 1 manifesto, 2 squint, 3 glowcloud)
//	byte 2     n, the model id's length (1..maxTokenModel)
//	n bytes    the model id: lower-case letters and digits
//	uvarint    the seed (0..limits.MaxSeed)
//	the rest   the topic or thing, UTF-8, as shown
//
// A manifesto of the essay's model with a large seed and no topic is 26
// characters. Parsing is strict: it accepts exactly what Token produces
// (ParseToken(s).Token() == s), so a piece has one link and one ETag.
const (
	tokenVersion  = 1
	maxTokenModel = 12
	// maxTokenTopic bounds the shown text in bytes: a typed topic or thing
	// of limits.MaxThing characters, each escaped, fits.
	maxTokenTopic = 4 * 2 * limits.MaxThing
	// MaxToken is the longest token ParseToken reads, in characters.
	MaxToken = (3+maxTokenModel+binary.MaxVarintLen64+maxTokenTopic+2)/3*4 + 4
)

// kindCodes are the kinds' numbers in a token.
var kindCodes = [...]string{1: CmdManifesto, 2: CmdSquint, 3: CmdGlowcloud}

// tokenEncoding is base64url without padding, refusing non-zero trailing
// bits (so one piece has one token).
var tokenEncoding = base64.RawURLEncoding.Strict()

// Token returns p's token, or "" when p is not a piece the bot writes (see
// Valid).
func (p Piece) Token() string {
	if p.Valid() != nil {
		return ""
	}
	b := make([]byte, 0, 3+len(p.Model)+binary.MaxVarintLen64+len(p.Topic))
	b = append(b, tokenVersion, byte(kindCode(p.Kind)<<4|p.Paragraphs), byte(len(p.Model)))
	b = append(b, p.Model...)
	b = binary.AppendUvarint(b, p.Seed)
	b = append(b, p.Topic...)
	return tokenEncoding.EncodeToString(b)
}

// ParseToken parses a token made by Piece.Token. It is outside input (a
// URL anyone can type): anything but a token Token would produce is an
// error.
func ParseToken(s string) (Piece, error) {
	if len(s) == 0 || len(s) > MaxToken {
		return Piece{}, errBadToken
	}
	b, err := tokenEncoding.DecodeString(s)
	if err != nil || len(b) < 4 || b[0] != tokenVersion {
		return Piece{}, errBadToken
	}
	code := int(b[1] >> 4)
	if code <= 0 || code >= len(kindCodes) {
		return Piece{}, errBadToken
	}
	p := Piece{Kind: kindCodes[code], Paragraphs: int(b[1] & 0x0f)}
	n := int(b[2])
	if 3+n > len(b) {
		return Piece{}, errBadToken
	}
	p.Model = string(b[3 : 3+n])
	seed, size := binary.Uvarint(b[3+n:])
	if size <= 0 {
		return Piece{}, errBadToken
	}
	p.Seed = seed
	p.Topic = string(b[3+n+size:])
	if p.Valid() != nil || p.Token() != s {
		return Piece{}, errBadToken
	}
	return p, nil
}

// Valid reports whether p is a piece the bot writes: a known kind, a model
// id of 1..12 lower-case letters and digits, a seed of 0..limits.MaxSeed, a
// manifesto's 1..5 paragraphs (none for the others), and its topic as shown:
// a squint's thing not empty, a glowcloud without one.
func (p Piece) Valid() error {
	switch {
	case kindCode(p.Kind) == 0,
		len(p.Model) == 0 || len(p.Model) > maxTokenModel || strings.Trim(p.Model, "0123456789abcdefghijklmnopqrstuvwxyz") != "",
		p.Seed > limits.MaxSeed,
		len(p.Topic) > maxTokenTopic || !utf8.ValidString(p.Topic) || !isShown(p.Topic):
		return errBadToken
	}
	switch p.Kind {
	case CmdManifesto:
		if p.Paragraphs < limits.MinParagraphs || p.Paragraphs > limits.MaxParagraphs {
			return errBadToken
		}
	case CmdSquint:
		if p.Paragraphs != 0 || p.Topic == "" {
			return errBadToken
		}
	case CmdGlowcloud:
		if p.Paragraphs != 0 || p.Topic != "" {
			return errBadToken
		}
	}
	return nil
}

func kindCode(kind string) int {
	for i, k := range kindCodes {
		if k != "" && k == kind {
			return i
		}
	}
	return 0
}

// action is the action p's reply answers.
func (p Piece) action() action {
	switch p.Kind {
	case CmdManifesto:
		return action{command: CmdManifesto, topic: p.Topic, paragraphs: p.Paragraphs, seed: p.Seed, hasSeed: true}
	case CmdSquint:
		return action{command: CmdSquint, thing: p.Topic}
	}
	return action{command: CmdGlowcloud}
}

// piece is the Piece of act's reply from model with seed.
func (act action) piece(model string, seed uint64) Piece {
	p := Piece{Kind: act.command, Model: model, Seed: seed}
	switch act.command {
	case CmdManifesto:
		p.Topic, p.Paragraphs = act.topic, act.paragraphs
	case CmdSquint:
		p.Topic = act.thing
	}
	return p
}

// NewPiece is the piece of a fresh reply of kind from w's model with seed:
// text is a manifesto's topic (may be empty) or a squint's thing, as typed;
// it takes the way in of a typed option (validated and shown as the
// command's), and is ignored for a glowcloud. A manifesto has the default
// paragraphs. The error, for a kind the bot does not write or text it
// refuses, is fit to show the user.
func NewPiece(w Writer, kind, text string, seed uint64) (Piece, error) {
	if w == nil {
		return Piece{}, userError(msgNotReady)
	}
	act := action{command: kind}
	var err error
	switch kind {
	case CmdManifesto:
		act.paragraphs = limits.DefParagraphs
		act.topic, err = ShownTopic(text)
	case CmdSquint:
		act.thing, err = validThing(text)
	case CmdGlowcloud:
	default:
		err = userError(msgUnknownCommand)
	}
	if err != nil {
		return Piece{}, err
	}
	p := act.piece(shortModelID(w.ModelID()), seed&limits.MaxSeed)
	if p.Valid() != nil {
		// A model id no token can hold (a Writer of tests, say).
		return Piece{}, userError(msgNotReady)
	}
	return p, nil
}

// Write returns p's reply, written by w exactly as the command (or the
// schedule) that made p wrote it, word for word, without its share button:
// the one path from a piece to its words, for pages. It returns ErrFaded
// when w's model is not p's, and an error when p is not Valid or w has
// nothing to say.
func Write(w Writer, p Piece) (Reply, error) {
	if err := p.Valid(); err != nil {
		return Reply{}, err
	}
	if !Serves(w, p) {
		return Reply{}, ErrFaded
	}
	r, ok := generate(w, p.action(), p.Seed, "")
	if !ok {
		return Reply{}, errors.New("the model has nothing to say")
	}
	return LimitReply(r), nil
}

// Serves reports whether w writes p's model, which it must to write p
// again; a nil w serves nothing.
func Serves(w Writer, p Piece) bool {
	return w != nil && shortModelID(w.ModelID()) == p.Model
}

// MaxURL is Discord's limit on a link button's url.
const MaxURL = 512

// shareLabel is the label of a reply's link to its page.
const shareLabel = "Share"

// ShareURL is the address of p's page under publicURL (an absolute http or
// https URL, without a trailing slash): publicURL/m/TOKEN. It is "" when p
// has no token or the address would be longer than a link button takes.
func ShareURL(publicURL string, p Piece) string {
	t := p.Token()
	if publicURL == "" || t == "" {
		return ""
	}
	u := publicURL + "/m/" + t
	if len(u) > MaxURL {
		return ""
	}
	return u
}
