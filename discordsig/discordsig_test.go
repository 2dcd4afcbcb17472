package discordsig

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallOrder are the encodings of the eight points of small order, listed
// as libsodium's blocklist gives them (an oracle apart from the
// edwards25519 arithmetic ParsePublicKey uses), with the sign bit set where
// the point has one.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000000", // order 4
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
}

// le encodes n as 32 little-endian bytes, in hex.
func le(n *big.Int) string {
	b := n.FillBytes(make([]byte, 32))
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return hex.EncodeToString(b)
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	good := hex.EncodeToString(pub)
	if _, err := ParsePublicKey(good); err != nil {
		t.Fatalf("ParsePublicKey(a real key) = %v", err)
	}
	if _, err := ParsePublicKey(" " + strings.ToUpper(good) + "\n"); err != nil {
		t.Errorf("ParsePublicKey(upper case, spaces) = %v", err)
	}

	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	bad := map[string]string{
		"empty":     "",
		"not hex":   strings.Repeat("zz", 32),
		"too short": good[:62],
		"too long":  good + "00",
		// y = p and y = p+1 are 0 and 1 encoded non-canonically.
		"y = p, non-canonical":   le(p),
		"y = p+1, non-canonical": le(new(big.Int).Add(p, big.NewInt(1))),
		// 2^255 - 1 holds y = 18 + p with the sign bit set; every y ≥ p is
		// non-canonical, on the curve or not.
		"all ones": strings.Repeat("ff", 32),
		// y = 2 is not on the curve (x² would be a non-square).
		"off the curve": "0200000000000000000000000000000000000000000000000000000000000000",
	}
	for i, s := range smallOrder {
		bad["small order "+strconv.Itoa(i)] = s
	}
	for name, s := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if k, err := ParsePublicKey(s); !errors.Is(err, ErrKey) {
				t.Errorf("ParsePublicKey(%q) = %x, %v; want ErrKey", s, k, err)
			}
		})
	}
}

// TestPlaceholderKeyForges shows why ParsePublicKey refuses small-order
// keys: with 64 hex zeros as the key, crypto/ed25519 accepts a signature made
// with no private key (R a small-order point, S = 0).
func TestPlaceholderKeyForges(t *testing.T) {
	t.Parallel()
	zero := make(ed25519.PublicKey, 32)
	msg := []byte("1700000000" + `{"type":2,"data":{"name":"retrain"}}`)
	forged := false
	for _, r := range smallOrder {
		sig, _ := hex.DecodeString(r + strings.Repeat("00", 32))
		forged = forged || ed25519.Verify(zero, msg, sig)
	}
	if !forged {
		t.Fatal("no small-order R forged a signature for the zero key; the premise of ParsePublicKey's check is wrong")
	}
	if _, err := ParsePublicKey(hex.EncodeToString(zero)); !errors.Is(err, ErrKey) {
		t.Fatalf("ParsePublicKey(zeros) = %v, want ErrKey", err)
	}
}

func signedHeader(t *testing.T, priv ed25519.PrivateKey, ts string, body []byte) http.Header {
	t.Helper()
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	return h
}

func TestCheckHeadersAndVerify(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`{"type":1}`)
	good := signedHeader(t, priv, ts, body)

	s, err := CheckHeaders(good, now)
	if err != nil {
		t.Fatalf("CheckHeaders(good) = %v", err)
	}
	if err := s.Verify(pub, body); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}
	if err := s.Verify(pub, []byte(`{"type":2}`)); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify(another body) = %v, want ErrSignature", err)
	}

	with := func(k, v string) http.Header {
		h := good.Clone()
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
		return h
	}
	for _, tt := range []struct {
		name string
		h    http.Header
		want error
	}{
		{"no signature", with(HeaderSignature, ""), ErrHeaders},
		{"no timestamp", with(HeaderTimestamp, ""), ErrHeaders},
		{"short signature", with(HeaderSignature, good.Get(HeaderSignature)[:126]), ErrHeaders},
		{"signature not hex", with(HeaderSignature, strings.Repeat("g", 128)), ErrHeaders},
		{"timestamp not a number", with(HeaderTimestamp, "soon"), ErrHeaders},
		{"negative timestamp", with(HeaderTimestamp, "-5"), ErrHeaders},
		{"huge timestamp", with(HeaderTimestamp, "99999999999999999999"), ErrHeaders},
		{"stale", with(HeaderTimestamp, strconv.FormatInt(now.Add(-Window-time.Second).Unix(), 10)), ErrStale},
		{"future", with(HeaderTimestamp, strconv.FormatInt(now.Add(Window+time.Second).Unix(), 10)), ErrStale},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := CheckHeaders(tt.h, now); !errors.Is(err, tt.want) {
				t.Errorf("CheckHeaders = %v, want %v", err, tt.want)
			}
		})
	}

	// Within the window but another timestamp than was signed: headers
	// pass, the signature does not.
	moved := with(HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10))
	if s, err := CheckHeaders(moved, now); err != nil {
		t.Fatal(err)
	} else if err := s.Verify(pub, body); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify(re-stamped) = %v, want ErrSignature", err)
	}
}

// TestVerifyRejectsNonCanonicalS adds the group order L to S: the same
// signature in another encoding must not verify.
func TestVerifyRejectsNonCanonicalS(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	ts, body := "1700000000", []byte("{}")
	sig := ed25519.Sign(priv, append([]byte(ts), body...))
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	sLE := sig[32:]
	sBE := make([]byte, 32)
	for i := range sLE {
		sBE[31-i] = sLE[i]
	}
	s := new(big.Int).Add(new(big.Int).SetBytes(sBE), l)
	mall, _ := hex.DecodeString(hex.EncodeToString(sig[:32]) + le(s))
	signed := Signed{sig: mall, timestamp: ts}
	if err := signed.Verify(pub, body); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify(S+L) = %v, want ErrSignature", err)
	}
	if err := (Signed{sig: sig, timestamp: ts}).Verify(pub, body); err != nil {
		t.Errorf("Verify(S) = %v", err)
	}
}

func FuzzCheckHeaders(f *testing.F) {
	f.Add(strings.Repeat("ab", 64), "1700000000")
	f.Add("", "")
	f.Add(strings.Repeat("0", 128), "-1")
	f.Fuzz(func(t *testing.T, sig, ts string) {
		h := http.Header{}
		h.Set(HeaderSignature, sig)
		h.Set(HeaderTimestamp, ts)
		s, err := CheckHeaders(h, time.Unix(1_700_000_000, 0))
		if err != nil {
			return
		}
		if len(s.sig) != ed25519.SignatureSize {
			t.Fatalf("accepted a %d-byte signature", len(s.sig))
		}
		_ = s.Verify(make(ed25519.PublicKey, 32), nil) // must not panic
	})
}

func FuzzParsePublicKey(f *testing.F) {
	for _, s := range smallOrder {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			return
		}
		for _, so := range smallOrder {
			if hex.EncodeToString(k) == so {
				t.Fatalf("accepted small-order key %s", so)
			}
		}
	})
}
