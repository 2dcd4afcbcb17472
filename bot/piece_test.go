package bot_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/internal/bottest"
	"github.com/glowcloud/glowcloud/limits"
)

// validPieces are pieces of every kind, at the edges of what a token holds.
var validPieces = []bot.Piece{
	{Kind: bot.CmdManifesto, Model: "8d1441a3", Seed: 0, Paragraphs: 3},
	{Kind: bot.CmdManifesto, Model: "8d1441a3", Seed: limits.MaxSeed, Paragraphs: 5, Topic: "late capitalism"},
	{Kind: bot.CmdManifesto, Model: "z", Seed: 1, Paragraphs: 1, Topic: `\*\*bold\*\* \@​everyone hxxps\://evil․example`},
	{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 42, Topic: "the violin"},
	{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 42, Topic: strings.Repeat("é", limits.MaxThing)},
	{Kind: bot.CmdGlowcloud, Model: "abcdefghij12", Seed: 1 << 40},
}

// TestTokenRoundTrip: every valid piece has a token, and the token parses
// back to the piece.
func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, p := range validPieces {
		tok := p.Token()
		if tok == "" {
			t.Errorf("%+v: no token", p)
			continue
		}
		if len(tok) > bot.MaxToken {
			t.Errorf("%+v: token of %d characters, more than MaxToken %d", p, len(tok), bot.MaxToken)
		}
		got, err := bot.ParseToken(tok)
		if err != nil || got != p {
			t.Errorf("ParseToken(%q) = %+v, %v; want %+v", tok, got, err, p)
		}
	}
	// The essay's manifesto with no topic is short enough to share anywhere.
	if tok := (bot.Piece{Kind: bot.CmdManifesto, Model: "8d1441a3", Seed: limits.MaxSeed, Paragraphs: 3}).Token(); len(tok) > 26 {
		t.Errorf("token %q of %d characters", tok, len(tok))
	}
}

// TestTokenRefused: tokens Token would not produce, and pieces the bot does
// not write, are refused.
func TestTokenRefused(t *testing.T) {
	t.Parallel()
	good := validPieces[0].Token()
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	enc := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	with := func(i int, v byte) string {
		b := append([]byte(nil), raw...)
		b[i] = v
		return enc(b)
	}
	for name, tok := range map[string]string{
		"empty":            "",
		"padded":           good + "=",
		"std alphabet":     strings.NewReplacer("-", "+", "_", "/").Replace(validPieces[1].Token()) + "+/",
		"not base64":       "hail the glow cloud!",
		"too long":         strings.Repeat("A", bot.MaxToken+1),
		"version 2":        with(0, 2),
		"unknown kind":     with(1, 4<<4|3),
		"kind 0":           with(1, 3),
		"paragraphs 0":     with(1, 1<<4),
		"paragraphs 6":     with(1, 1<<4|6),
		"model too long":   with(2, 40),
		"model empty":      with(2, 0),
		"model upper case": with(3, 'D'),
		"truncated":        enc(raw[:3]),
		"seed over max":    enc(append(append([]byte(nil), raw[:11]...), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10)),
		"seed not minimal": enc(append(append([]byte(nil), raw[:11]...), 0x80, 0x00)),
		"topic unshown":    enc(append(append([]byte(nil), raw...), "**bold**"...)),
		"topic not utf-8":  enc(append(append([]byte(nil), raw...), 0xff)),
		"glowcloud topic":  enc(append([]byte{1, 3 << 4, 1, 'a', 1}, "robots"...)),
		"squint no thing":  enc([]byte{1, 2 << 4, 1, 'a', 1}),
		"squint paragraph": enc(append([]byte{1, 2<<4 | 3, 1, 'a', 1}, "tea"...)),
		"trailing bits":    trailingBits(t),
	} {
		if p, err := bot.ParseToken(tok); err == nil {
			t.Errorf("%s: ParseToken(%q) = %+v, want an error", name, tok, p)
		}
	}
	for _, p := range []bot.Piece{
		{Kind: "retrain", Model: "a", Paragraphs: 0},
		{Kind: bot.CmdManifesto, Model: "a", Paragraphs: 3, Seed: limits.MaxSeed + 1},
		{Kind: bot.CmdManifesto, Model: "A", Paragraphs: 3},
		{Kind: bot.CmdManifesto, Model: "a", Paragraphs: 3, Topic: "<@123>"},
	} {
		if tok := p.Token(); tok != "" {
			t.Errorf("%+v: token %q, want none", p, tok)
		}
	}
}

// trailingBits is a valid token with a trailing bit set that base64 would
// ignore.
func trailingBits(t *testing.T) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for _, p := range validPieces {
		if tok := p.Token(); len(tok)%4 != 0 {
			last := strings.IndexByte(alphabet, tok[len(tok)-1])
			return tok[:len(tok)-1] + string(alphabet[last+1])
		}
	}
	t.Fatal("no token with trailing bits")
	return ""
}

func FuzzParseToken(f *testing.F) {
	for _, p := range validPieces {
		f.Add(p.Token())
	}
	f.Add("AQEICGQxNDQxYTMA")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := bot.ParseToken(s)
		if err != nil {
			return
		}
		if p.Valid() != nil {
			t.Fatalf("ParseToken(%q) = %+v, which is not Valid", s, p)
		}
		if again := p.Token(); again != s {
			t.Fatalf("ParseToken(%q) = %+v, whose token is %q", s, p, again)
		}
	})
}

// TestShareButton: with a public URL, every generated reply carries a link
// button to its page, whose piece writes the reply again word for word;
// without one, nothing changes.
func TestShareButton(t *testing.T) {
	t.Parallel()
	const public = "https://glow.example"
	for _, req := range []bot.Request{
		bottest.Command(bot.CmdManifesto, map[string]any{"topic": "**robots**", "paragraphs": float64(2)}),
		bottest.Command(bot.CmdManifesto, map[string]any{"seed": float64(limits.MaxSeed)}),
		bottest.Command(bot.CmdSquint, map[string]any{"thing": "the tea party"}),
		bottest.Command(bot.CmdGlowcloud, nil),
		{Kind: bot.KindComponent, CustomID: "gc1|s|robots", UserID: "U1"},
	} {
		plain := bottest.NewBot(bot.Config{}).Handle(t.Context(), req)
		if len(plain.Buttons) != 1 {
			t.Errorf("%s: without a public URL, buttons %+v, want only Hail again", req.Command, plain.Buttons)
		}
		r := bottest.NewBot(bot.Config{PublicURL: public}).Handle(t.Context(), req)
		if len(r.Buttons) != 2 {
			t.Fatalf("%s: buttons %+v, want Hail again and Share", req.Command, r.Buttons)
		}
		share := r.Buttons[1]
		if share.Label != "Share" || share.CustomID != "" || !strings.HasPrefix(share.URL, public+"/m/") {
			t.Fatalf("%s: share button %+v", req.Command, share)
		}
		p, err := bot.ParseToken(strings.TrimPrefix(share.URL, public+"/m/"))
		if err != nil {
			t.Fatalf("%s: share URL %s: %v", req.Command, share.URL, err)
		}
		page, err := bot.Write(bottest.Writer{}, p)
		if err != nil {
			t.Fatalf("Write(%+v): %v", p, err)
		}
		if len(page.Embeds) != 1 || page.Embeds[0] != r.Embeds[0] {
			t.Errorf("%s: the page's words %+v differ from the reply's %+v", req.Command, page.Embeds, r.Embeds)
		}
		if len(page.Buttons) != 1 {
			t.Errorf("%s: a page's reply has buttons %+v, want no share button", req.Command, page.Buttons)
		}
	}
}

// TestProclamationShare: a scheduled post carries the share button too,
// and its page is the post.
func TestProclamationShare(t *testing.T) {
	t.Parallel()
	r, ok := bot.Proclamation(bottest.Writer{}, bot.CmdManifesto, "robots", 77, "https://glow.example")
	if !ok || len(r.Buttons) != 2 || r.Buttons[1].URL == "" {
		t.Fatalf("Proclamation = %+v, %v; want a share button", r, ok)
	}
	p, err := bot.ParseToken(strings.TrimPrefix(r.Buttons[1].URL, "https://glow.example/m/"))
	if err != nil || p.Seed != 77 || p.Topic != "robots" || p.Kind != bot.CmdManifesto {
		t.Fatalf("piece %+v, %v", p, err)
	}
	if page, err := bot.Write(bottest.Writer{}, p); err != nil || page.Embeds[0] != r.Embeds[0] {
		t.Errorf("page %+v, %v; want the post's embed %+v", page.Embeds, err, r.Embeds[0])
	}
}

// TestWriteFaded: a piece of another model has faded; an invalid one is
// refused.
func TestWriteFaded(t *testing.T) {
	t.Parallel()
	p := bot.Piece{Kind: bot.CmdGlowcloud, Model: "0000aaaa", Seed: 1}
	if _, err := bot.Write(bottest.Writer{}, p); !errors.Is(err, bot.ErrFaded) {
		t.Errorf("Write of another model's piece: %v, want ErrFaded", err)
	}
	if _, err := bot.Write(nil, p); !errors.Is(err, bot.ErrFaded) {
		t.Errorf("Write with no writer: %v, want ErrFaded", err)
	}
	if _, err := bot.Write(bottest.Writer{}, bot.Piece{Kind: bot.CmdGlowcloud, Model: "3fa2c9e1", Topic: "x"}); err == nil || errors.Is(err, bot.ErrFaded) {
		t.Errorf("Write of an invalid piece: %v, want an error other than ErrFaded", err)
	}
}

// TestNewPiece: a fresh piece takes the way in of a typed option.
func TestNewPiece(t *testing.T) {
	t.Parallel()
	w := bottest.Writer{}
	for _, tt := range []struct {
		kind, text string
		want       bot.Piece
		wantErr    bool
	}{
		{bot.CmdManifesto, "", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 9, Paragraphs: 3}, false},
		{bot.CmdManifesto, " **robots** ", bot.Piece{Kind: bot.CmdManifesto, Model: "3fa2c9e1", Seed: 9, Paragraphs: 3, Topic: `\*\*robots\*\*`}, false},
		{bot.CmdManifesto, strings.Repeat("x", limits.MaxTopic+1), bot.Piece{}, true},
		{bot.CmdSquint, "tea", bot.Piece{Kind: bot.CmdSquint, Model: "3fa2c9e1", Seed: 9, Topic: "tea"}, false},
		{bot.CmdSquint, "  ", bot.Piece{}, true},
		{bot.CmdGlowcloud, "ignored", bot.Piece{Kind: bot.CmdGlowcloud, Model: "3fa2c9e1", Seed: 9}, false},
		{"retrain", "", bot.Piece{}, true},
	} {
		got, err := bot.NewPiece(w, tt.kind, tt.text, 9)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NewPiece(%q, %q) = %+v, %v; want %+v (error %v)", tt.kind, tt.text, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := bot.NewPiece(bottest.MarkupWriter{}, bot.CmdGlowcloud, "", 1); err == nil {
		t.Error("NewPiece with a model id no token holds: no error")
	}
}
