package proclaim

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/bot"
	"github.com/glowcloud/glowcloud/discordtext"
)

// parseDuration reads a duration as people type it: Go's units (s, m, h, and
// the smaller ones) plus d (24 h) and w (7 d), in any combination ("1d12h",
// "90m", "1.5h"), or one of the words hourly, daily and weekly. Case and
// surrounding space are ignored. It accepts only positive durations up to
// max, so nothing it returns overflows when added to a time.
func parseDuration(s string, max time.Duration) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "hourly":
		return time.Hour, nil
	case "daily":
		return Day, nil
	case "weekly":
		return Week, nil
	case "":
		return 0, invalid("give a duration such as 1h, 6h, 1d or 1w")
	}
	var total time.Duration
	for rest := s; rest != ""; {
		// One component: a number, then a unit.
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, invalid("“%s” is not a duration such as 1h, 6h, 1d or 1w", discordtext.Show(clip(s)))
		}
		j := strings.IndexFunc(rest[i:], func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' })
		if j < 0 {
			j = len(rest) - i
		}
		num, unit := rest[:i], rest[i:i+j]
		rest = rest[i+j:]
		var d time.Duration
		switch unit {
		case "d", "w":
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, invalid("“%s” is not a duration such as 1h, 6h, 1d or 1w", discordtext.Show(clip(s)))
			}
			u := Day
			if unit == "w" {
				u = Week
			}
			f := n * float64(u)
			if f > float64(max) {
				return 0, invalid("“%s” is longer than %s", discordtext.Show(clip(s)), FormatDuration(max))
			}
			d = time.Duration(f)
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, invalid("“%s” is not a duration such as 1h, 6h, 1d or 1w", discordtext.Show(clip(s)))
			}
		}
		if d > max || total > max-d {
			return 0, invalid("“%s” is longer than %s", discordtext.Show(clip(s)), FormatDuration(max))
		}
		total += d
	}
	if total <= 0 {
		return 0, invalid("a duration must be more than zero")
	}
	return total, nil
}

// ParseEvery reads the every: option of /proclaim start. The interval must be
// at least min (GLOWCLOUD_PROCLAIM_MIN) and at most MaxEvery; it is rounded
// down to the millisecond, which is what the stores keep.
func ParseEvery(s string, min time.Duration) (time.Duration, error) {
	d, err := parseDuration(s, MaxEvery)
	if err != nil {
		return 0, err
	}
	d = d.Truncate(time.Millisecond)
	if d < min || d <= 0 {
		return 0, invalid("“%s” is shorter than %s, the shortest interval here", discordtext.Show(clip(s)), FormatDuration(min))
	}
	return d, nil
}

// ParseHush reads the for: option of /hush: empty means DefaultHush, "off"
// lifts the hush (off is true), anything else is a duration from MinHush to
// MaxHush (a hush shorter than a minute silences nothing: "1ns" would be
// taken and reported as "Hushed for 0s").
func ParseHush(s string) (d time.Duration, off bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return DefaultHush, false, nil
	case "off", "0", "none", "stop", "lift":
		return 0, true, nil
	}
	d, err = parseDuration(s, MaxHush)
	if err != nil {
		return 0, false, err
	}
	if d < MinHush {
		return 0, false, invalid("“%s” is shorter than %s, the shortest hush", discordtext.Show(clip(s)), FormatDuration(MinHush))
	}
	return d.Truncate(time.Millisecond), false, nil
}

// FormatDuration writes d the way /proclaim reads it: whole weeks and days as
// 1w and 2d, anything else as Go writes it without trailing zero units
// ("1h30m", not "1h30m0s").
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d%Week == 0:
		return strconv.FormatInt(int64(d/Week), 10) + "w"
	case d%Day == 0:
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	var b strings.Builder
	if d >= Day {
		b.WriteString(strconv.FormatInt(int64(d/Day), 10) + "d")
		d %= Day
	}
	if d > 0 {
		s := d.String()
		if strings.HasSuffix(s, "m0s") {
			s = s[:len(s)-2]
		}
		if strings.HasSuffix(s, "h0m") {
			s = s[:len(s)-2]
		}
		b.WriteString(s)
	}
	return b.String()
}

// Discord permission bits that /proclaim and /hush check.
const (
	bitAdministrator = 3 // ADMINISTRATOR (8) implies every permission
	bitManageGuild   = 5 // MANAGE_GUILD (32), "Manage Server"
)

// CanManage reports whether an interaction member's permissions (the decimal
// bit set Discord sends as member.permissions) include Manage Server or
// Administrator. Anything that is not a plain decimal number, including an
// empty string, grants nothing. The set may grow past 64 bits, so it is read
// as a big integer.
func CanManage(permissions string) bool {
	if permissions == "" || len(permissions) > 200 || strings.TrimLeft(permissions, "0123456789") != "" {
		return false
	}
	var n big.Int
	if _, ok := n.SetString(permissions, 10); !ok {
		return false
	}
	return n.Bit(bitAdministrator) == 1 || n.Bit(bitManageGuild) == 1
}

// inputError is a problem with what a user typed. Its text is written for the
// user, and it matches bot.ErrInvalid.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == bot.ErrInvalid }

func invalid(format string, args ...any) error {
	return &inputError{fmt.Sprintf(format, args...)}
}

// clip shortens typed text echoed in an error message.
func clip(s string) string {
	const n = 40
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
