// Package discordsig checks the signatures Discord puts on HTTP
// interactions: the application's public key when it is configured, the
// signature headers before a body is read, and the Ed25519 signature over
// timestamp and body.
//
// crypto/ed25519 verifies with any 32 bytes that decode to a point, and a
// placeholder key such as 64 hex zeros decodes to a point of small order:
// with it a signature (R = a small-order point, S = 0) verifies for every
// message, with no private key at all. [ParsePublicKey] refuses such keys,
// so a placeholder can never let anyone forge an interaction.
package discordsig

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"filippo.io/edwards25519"
)

// Window is how far X-Signature-Timestamp may be from our clock. Ed25519
// alone checks no freshness, so without it a captured request could be
// replayed for ever.
const Window = 5 * time.Minute

// Header names Discord signs requests with.
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

// Errors that callers test with errors.Is.
var (
	// ErrKey reports a public key that is not a usable Ed25519 key.
	ErrKey = errors.New("not a usable Ed25519 public key")
	// ErrHeaders reports missing or malformed signature headers.
	ErrHeaders = errors.New("missing or malformed signature headers")
	// ErrStale reports a timestamp outside Window.
	ErrStale = errors.New("signature timestamp outside the window")
	// ErrSignature reports a signature that does not verify.
	ErrSignature = errors.New("bad signature")
)

// ParsePublicKey decodes a hex public key (as the Developer Portal shows it)
// and checks that it can verify anything: 32 bytes, the canonical encoding
// of a point on the curve, and not of small order (the identity and the
// other seven points whose multiples by 8 are the identity; a key like that
// verifies forged signatures).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: not hex: %v", ErrKey, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrKey, len(raw), ed25519.PublicKeySize)
	}
	p, err := new(edwards25519.Point).SetBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not a point on the curve", ErrKey)
	}
	// SetBytes accepts non-canonical encodings (y ≥ p); the same point
	// encoded canonically must be what we were given.
	if string(p.Bytes()) != string(raw) {
		return nil, fmt.Errorf("%w: non-canonical encoding", ErrKey)
	}
	if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return nil, fmt.Errorf("%w: a point of small order (a placeholder?), which verifies forged signatures", ErrKey)
	}
	return ed25519.PublicKey(raw), nil
}

// Signed is what the headers of a request say was signed, checked before
// its body is read.
type Signed struct {
	sig       []byte
	timestamp string
}

// CheckHeaders checks a request's signature headers without reading its
// body, so that a request that can never verify costs nothing: the
// signature must be 128 hex digits and the timestamp a decimal Unix time
// within Window of now.
func CheckHeaders(h http.Header, now time.Time) (Signed, error) {
	sigHex, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if len(sigHex) != 2*ed25519.SignatureSize || ts == "" || len(ts) > 20 {
		return Signed{}, ErrHeaders
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return Signed{}, ErrHeaders
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || secs < 0 {
		return Signed{}, ErrHeaders
	}
	// Compare in seconds: time.Unix of an absurd value would overflow Sub.
	if d := now.Unix() - secs; d > int64(Window/time.Second) || d < -int64(Window/time.Second) {
		return Signed{}, ErrStale
	}
	return Signed{sig: sig, timestamp: ts}, nil
}

// Verify reports whether body, with the timestamp of s, was signed by key.
// It rejects a non-canonical S (S ≥ the group order), as crypto/ed25519
// does, so a signature cannot be altered into another valid one.
func (s Signed) Verify(key ed25519.PublicKey, body []byte) error {
	if len(key) != ed25519.PublicKeySize || len(s.sig) != ed25519.SignatureSize {
		return ErrSignature
	}
	msg := make([]byte, 0, len(s.timestamp)+len(body))
	msg = append(append(msg, s.timestamp...), body...)
	if !ed25519.Verify(key, msg, s.sig) {
		return ErrSignature
	}
	return nil
}
