// Package rest is how glowcloud reaches Discord's REST API: the bot token
// that redacts itself, the HTTP client that redirects discord.com to
// DISCORD_API_BASE, and the discordgo sessions used for REST alone.
package rest

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// redacted is what a Token shows wherever it is printed, logged or encoded.
const redacted = "[redacted]"

// Token is a Discord bot token. It hides itself from every printer: String,
// GoString, Format (every fmt verb, so %v, %+v, %#v, %q and %x too), slog's
// LogValue and encoding.TextMarshaler (so encoding/json) all give
// "[redacted]". Only Authorization, or an explicit conversion string(t),
// reveals it: the gateway and Session do that to authenticate.
type Token string

// String returns "[redacted]".
func (Token) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (Token) GoString() string { return redacted }

// Format writes "[redacted]" whatever the verb and flags.
func (Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue returns "[redacted]", so slog never writes the token.
func (Token) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[redacted]", so encoding/json and friends never write
// the token either.
func (Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Authorization returns the value of the Authorization header for t: "Bot "
// and the token, which may already carry that prefix.
func (t Token) Authorization() string {
	s := strings.TrimSpace(string(t))
	if strings.HasPrefix(s, "Bot ") {
		return s
	}
	return "Bot " + s
}
