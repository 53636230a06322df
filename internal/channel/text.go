package channel

import "strings"

// StorableText makes a provider's text safe to store: valid UTF-8 (PostgreSQL refuses
// anything else), no NUL bytes (neither database's text type keeps them), and at most max
// bytes, cut on a character boundary.
func StorableText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}
