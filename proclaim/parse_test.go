package proclaim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/proclaim"
)

func TestParseEvery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		min  time.Duration
		want time.Duration // 0: an error
	}{
		{"1h", time.Hour, time.Hour},
		{"6h", time.Hour, 6 * time.Hour},
		{"1d", time.Hour, 24 * time.Hour},
		{"1w", time.Hour, 7 * 24 * time.Hour},
		{"1d12h", time.Hour, 36 * time.Hour},
		{"1.5h", time.Hour, 90 * time.Minute},
		{"90m", time.Hour, 90 * time.Minute},
		{" 2H ", time.Hour, 2 * time.Hour},
		{"daily", time.Hour, 24 * time.Hour},
		{"2s", time.Second, 2 * time.Second},
		{"1500ms", time.Second, 1500 * time.Millisecond},
		{"52w", time.Hour, 52 * 7 * 24 * time.Hour},
		{"30m", time.Hour, 0},    // below the minimum
		{"59m59s", time.Hour, 0}, // just below
		{"53w", time.Hour, 0},    // beyond MaxEvery
		{"9999999999999999h", time.Hour, 0},
		{"99999999999999999999d", time.Hour, 0},
		{"", time.Hour, 0},
		{"0h", time.Hour, 0},
		{"-1h", time.Hour, 0},
		{"h", time.Hour, 0},
		{"1", time.Hour, 0},
		{"1x", time.Hour, 0},
		{"1d 1h", time.Hour, 0},
		{"one hour", time.Hour, 0},
	} {
		got, err := proclaim.ParseEvery(tt.in, tt.min)
		switch {
		case tt.want == 0 && !errors.Is(err, bot.ErrInvalid):
			t.Errorf("ParseEvery(%q, %v) = %v, %v; want an ErrInvalid", tt.in, tt.min, got, err)
		case tt.want != 0 && (err != nil || got != tt.want):
			t.Errorf("ParseEvery(%q, %v) = %v, %v; want %v", tt.in, tt.min, got, err, tt.want)
		}
	}
}

func TestParseEveryTellsTheMinimum(t *testing.T) {
	t.Parallel()
	_, err := proclaim.ParseEvery("30m", 2*time.Hour)
	if err == nil || !strings.Contains(err.Error(), "2h") {
		t.Errorf("ParseEvery below the minimum: %v, want it to name the minimum 2h", err)
	}
}

func TestParseHush(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		want    time.Duration
		off     bool
		wantErr bool
	}{
		{"", time.Hour, false, false},
		{"off", 0, true, false},
		{"OFF", 0, true, false},
		{"30m", 30 * time.Minute, false, false},
		{"24h", 24 * time.Hour, false, false},
		{"1d", 24 * time.Hour, false, false},
		{"24h1s", 0, false, true},
		{"2d", 0, false, true},
		{"soon", 0, false, true},
		{"-1h", 0, false, true},
		// Shorter than a minute: the old code took "1ns" and replied
		// "Hushed for 0s".
		{"1ns", 0, false, true},
		{"59s", 0, false, true},
		{"0.9ms", 0, false, true},
		{"1m", time.Minute, false, false},
	} {
		got, off, err := proclaim.ParseHush(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want || off != tt.off {
			t.Errorf("ParseHush(%q) = %v, %v, %v; want %v, %v, error %v", tt.in, got, off, err, tt.want, tt.off, tt.wantErr)
		}
		if err != nil && !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("ParseHush(%q): %v is not an ErrInvalid", tt.in, err)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{6 * time.Hour, "6h"},
		{24 * time.Hour, "1d"},
		{14 * 24 * time.Hour, "2w"},
		{90 * time.Minute, "1h30m"},
		{2*time.Hour + 30*time.Second, "2h0m30s"},
		{36 * time.Hour, "1d12h"},
		{2 * time.Second, "2s"},
		{1500 * time.Millisecond, "1.5s"},
		{10 * time.Minute, "10m"},
	} {
		if got := proclaim.FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanManage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		perms string
		want  bool
	}{
		{"32", true},                            // Manage Server alone
		{"8", true},                             // Administrator implies it
		{"40", true},                            // both
		{"2147483647", true},                    // many bits including 5
		{"16", false},                           // Manage Channels is not Manage Server
		{"2147483607", false},                   // every low bit except 3 and 5
		{"0", false},                            //
		{"", false},                             // no member (a DM): nothing
		{"-32", false},                          //
		{"0x20", false},                         // not decimal
		{" 32", false},                          //
		{"32.0", false},                         //
		{"1237940039285380274899124256", true},  // beyond 64 bits, bit 5 set (2^90 + 32)
		{"1237940039285380274899124224", false}, // 2^90 alone
	} {
		if got := proclaim.CanManage(tt.perms); got != tt.want {
			t.Errorf("CanManage(%q) = %v, want %v", tt.perms, got, tt.want)
		}
	}
}

// FuzzParseEvery: never a panic; an accepted interval lies within
// [min, MaxEvery], is whole milliseconds, and reads back from its own
// formatting (what the replies show).
func FuzzParseEvery(f *testing.F) {
	for _, s := range []string{"1h", "6h", "1d", "1w", "1d12h", "1.5h", "90m", "2s", "hourly", "", "-1h", "1e9h", "9999999999999999999w", "0.0000001d", "1..5h", "5µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const min = time.Second
		d, err := proclaim.ParseEvery(s, min)
		if err != nil {
			if !errors.Is(err, bot.ErrInvalid) {
				t.Fatalf("ParseEvery(%q): %v is not an ErrInvalid", s, err)
			}
			return
		}
		if d < min || d > proclaim.MaxEvery || d%time.Millisecond != 0 {
			t.Fatalf("ParseEvery(%q) = %v, outside [%v, %v] or not whole ms", s, d, min, proclaim.MaxEvery)
		}
		back, err := proclaim.ParseEvery(proclaim.FormatDuration(d), min)
		if err != nil || back != d {
			t.Fatalf("ParseEvery(FormatDuration(%v) = %q) = %v, %v", d, proclaim.FormatDuration(d), back, err)
		}
	})
}

// FuzzParseHush: never a panic; off or a duration in (0, MaxHush].
func FuzzParseHush(f *testing.F) {
	for _, s := range []string{"", "off", "1h", "24h", "25h", "1d", "2d", "-5m", "0", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, off, err := proclaim.ParseHush(s)
		switch {
		case err != nil:
			if !errors.Is(err, bot.ErrInvalid) {
				t.Fatalf("ParseHush(%q): %v is not an ErrInvalid", s, err)
			}
		case off:
			if d != 0 {
				t.Fatalf("ParseHush(%q) = off with %v", s, d)
			}
		case d <= 0 || d > proclaim.MaxHush:
			t.Fatalf("ParseHush(%q) = %v, outside (0, %v]", s, d, proclaim.MaxHush)
		}
	})
}

// FuzzCanManage checks CanManage against an independent oracle: bits 3 and
// 5 of a decimal number depend only on the number mod 64, which folds digit
// by digit however long the number is.
func FuzzCanManage(f *testing.F) {
	for _, s := range []string{"32", "8", "16", "0", "", "-32", "18446744073709551615", "18446744073709551616", "+32", "0032", "20000000000000000010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s != "" && len(s) <= 200
		var mod uint
		for _, r := range s {
			if r < '0' || r > '9' {
				want = false
				break
			}
			mod = (mod*10 + uint(r-'0')) % 64
		}
		want = want && mod&(1<<3|1<<5) != 0
		if got := proclaim.CanManage(s); got != want {
			t.Fatalf("CanManage(%q) = %v, want %v", s, got, want)
		}
	})
}
