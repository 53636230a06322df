package branch

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The public forms' fields, read here so their parsing can be fuzzed apart from HTTP.

// ParseCode reads a check-in code as typed at the kiosk: five digits, with spaces and dashes
// tolerated and Arabic-Indic or Eastern Arabic-Indic digits read as their Western twins
// (a keyboard in Arabic types ٥). ok is false for anything else.
func ParseCode(s string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '٠' && r <= '٩':
			b.WriteRune('0' + (r - '٠'))
		case r >= '۰' && r <= '۹':
			b.WriteRune('0' + (r - '۰'))
		case r == ' ' || r == '-':
		default:
			return "", false
		}
	}
	c := b.String()
	if len(c) != 5 || c[0] == '0' {
		return "", false
	}
	return c, true
}

// ParseSlot reads a slot's start as the booking form sends it: the Unix second, base 10.
func ParseSlot(s string) (time.Time, bool) {
	if s == "" || len(s) > 12 {
		return time.Time{}, false
	}
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(r-'0')
	}
	if n < 1_000_000_000 || n > 1<<36 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// ParseDay reads a day as the booking form's date field sends it (2026-12-07) in loc.
func ParseDay(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

// CleanField keeps a form field to max runes of valid UTF-8 on one line.
func CleanField(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	s = cleanName(s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}
