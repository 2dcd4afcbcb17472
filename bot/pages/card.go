package pages

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/discordtext"
)

// The card (og:image): 1200×630, the size every unfurler takes for a large
// image (1.91:1), the title and the opening lines on the Glow Cloud's
// night, a bar in the reply's colour. cardDesign names this design in
// every card's ETag: change it when the drawing changes.
const (
	cardWidth  = 1200
	cardHeight = 630
	cardDesign = "card 2: go fonts, 58/32/24 px, bar 18 px, paletted"

	cardMargin   = 84
	titleSize    = 58
	titleLeading = 68
	titleLines   = 3
	bodySize     = 32
	bodyLeading  = 46
	footSize     = 24
)

var (
	cardNight = color.RGBA{0x14, 0x11, 0x19, 0xff}
	cardTitle = color.RGBA{0xf6, 0xf2, 0xff, 0xff}
	cardBody  = color.RGBA{0xcf, 0xc7, 0xdf, 0xff}
)

// card is what a card shows.
type card struct {
	title  string
	body   string // the opening, as much as fits
	footer string
	accent color.RGBA
}

// cardOf is the card of p's reply: its words as Discord displays them.
func cardOf(p bot.Piece, reply bot.Reply) card {
	e := reply.Embeds[0]
	paras, _ := paragraphs(p.Kind, discordtext.Plain(e.Description))
	return card{
		title:  discordtext.Plain(e.Title),
		body:   strings.Join(paras, " "),
		footer: fmt.Sprintf("glowcloud · model %s · seed %d", p.Model, p.Seed),
		accent: color.RGBA{uint8(e.Color >> 16), uint8(e.Color >> 8), uint8(e.Color), 0xff},
	}
}

// cardDrawer draws cards. Its fonts are parsed once; faces, which are not
// safe for concurrent use, are made per card.
type cardDrawer struct {
	bold, regular, medium *opentype.Font
}

func newCardDrawer() *cardDrawer {
	parse := func(ttf []byte) *opentype.Font {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic(fmt.Sprintf("pages: an embedded Go font does not parse: %v", err)) // cannot happen
		}
		return f
	}
	return &cardDrawer{bold: parse(gobold.TTF), regular: parse(goregular.TTF), medium: parse(gomedium.TTF)}
}

func (d *cardDrawer) face(f *opentype.Font, size float64) (font.Face, error) {
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// draw returns c as a PNG. The text is drawn as coverage into one alpha
// mask and then coloured by band (title, opening, footer: the bands do not
// overlap), into a paletted image of ramps from the night to each colour:
// a paletted PNG needs no filtering, which costs most of an RGBA one's
// encoding (a card in 60 ms instead of under 10).
func (d *cardDrawer) draw(c card) ([]byte, error) {
	title, err := d.face(d.bold, titleSize)
	if err != nil {
		return nil, err
	}
	body, err := d.face(d.regular, bodySize)
	if err != nil {
		return nil, err
	}
	foot, err := d.face(d.medium, footSize)
	if err != nil {
		return nil, err
	}
	mask := image.NewAlpha(image.Rect(0, 0, cardWidth, cardHeight))
	width := fixed.I(cardWidth - 2*cardMargin)
	y := cardMargin + titleSize - 10
	for _, l := range wrap(title, c.title, width, titleLines) {
		text(mask, title, cardMargin, y, l)
		y += titleLeading
	}
	// The bands: the title's descenders end 15 px under its last baseline,
	// the opening's first ascenders start 26 px above its first (68 px
	// lower), the footer's 20 px above its baseline.
	bodyTop := y - titleLeading + 28
	footY := cardHeight - cardMargin + footSize/2
	footTop := footY - 22
	bodyLines := max(0, (footY-footSize-24-y)/bodyLeading+1)
	for _, l := range wrap(body, c.body, width, bodyLines) {
		text(mask, body, cardMargin, y, l)
		y += bodyLeading
	}
	text(mask, foot, cardMargin, footY, c.footer)

	const levels = 63 // of coverage, per colour
	pal := color.Palette{cardNight, c.accent}
	ramps := [3]uint8{}
	for i, col := range []color.RGBA{cardTitle, cardBody, c.accent} {
		ramps[i] = uint8(len(pal)) - 1 // index of level 1 is ramps[i]+1
		for k := 1; k <= levels; k++ {
			pal = append(pal, blend(cardNight, col, k, levels))
		}
	}
	img := image.NewPaletted(mask.Rect, pal)
	for row := range cardHeight {
		ramp := ramps[0]
		switch {
		case row >= footTop:
			ramp = ramps[2]
		case row >= bodyTop:
			ramp = ramps[1]
		}
		src := mask.Pix[row*mask.Stride : row*mask.Stride+cardWidth]
		dst := img.Pix[row*img.Stride : row*img.Stride+cardWidth]
		for x, a := range src {
			switch {
			case x < accentBar:
				dst[x] = 1
			case a != 0:
				dst[x] = ramp + uint8(max(1, (int(a)*levels+127)/255))
			}
		}
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode card: %w", err)
	}
	return buf.Bytes(), nil
}

// accentBar is the width of the bar in the reply's colour, at the left.
const accentBar = 18

// blend is k/n of the way from a to b.
func blend(a, b color.RGBA, k, n int) color.RGBA {
	mix := func(x, y uint8) uint8 { return uint8((int(x)*(n-k) + int(y)*k + n/2) / n) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// text draws s's coverage in face into mask, its baseline at (x, y).
func text(mask *image.Alpha, face font.Face, x, y int, s string) {
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// wrap breaks s into at most n lines no wider than width in face, at
// spaces (a word too long for a line is broken where it must); when s does
// not fit, the last line ends in "…".
func wrap(face font.Face, s string, width fixed.Int26_6, n int) []string {
	if n <= 0 {
		return nil
	}
	words := strings.Fields(s)
	var lines []string
	line := ""
	for len(words) > 0 {
		w := words[0]
		try := w
		if line != "" {
			try = line + " " + w
		}
		if font.MeasureString(face, try) <= width {
			line, words = try, words[1:]
			continue
		}
		if line == "" {
			// One word wider than a line: break it; the rest goes on.
			cut := fit(face, w, width)
			line, words[0] = w[:cut], w[cut:]
		}
		lines = append(lines, line)
		line = ""
		if len(lines) == n {
			lines[n-1] = ellipsis(face, lines[n-1], width)
			return lines
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// fit is how many bytes of s (at least one character) fit in width.
func fit(face font.Face, s string, width fixed.Int26_6) int {
	cut := 0
	for i, r := range s {
		if i > 0 && font.MeasureString(face, s[:i+utf8.RuneLen(r)]) > width {
			break
		}
		cut = i + utf8.RuneLen(r)
	}
	return cut
}

// ellipsis ends line with "…", dropping words until it fits in width.
func ellipsis(face font.Face, line string, width fixed.Int26_6) string {
	for {
		try := strings.TrimRight(line, " ,;:.") + "…"
		if font.MeasureString(face, try) <= width || line == "" {
			return try
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			line = line[:i]
		} else {
			_, size := utf8.DecodeLastRuneInString(line)
			line = line[:len(line)-size]
		}
	}
}
