package auth

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Availability values: whether routing may give an agent new conversations.
const (
	AvailabilityOnline  = "online"
	AvailabilityAway    = "away"
	AvailabilityOffline = "offline"
)

// NormalizeEmail trims and lower-cases an email address and checks its shape. Addresses are
// stored normalised, so the unique index on users.email is case-insensitive in effect.
// It does not accept quoted local parts or display names ("Dana <dana@example.com>").
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	bad := func(why string) (string, error) {
		return "", &ValidationError{Field: "email", Reason: why}
	}
	if e == "" {
		return bad("is required")
	}
	if len(e) > 254 || !utf8.ValidString(e) {
		return bad("is not a valid email address")
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || strings.Contains(domain, "@") || local == "" || domain == "" || len(local) > 64 {
		return bad("is not a valid email address")
	}
	for _, part := range []string{local, domain} {
		if part[0] == '.' || part[len(part)-1] == '.' || strings.Contains(part, "..") {
			return bad("is not a valid email address")
		}
	}
	for _, r := range e {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return bad("is not a valid email address")
		}
	}
	return e, nil
}

// normalizeName trims a display name and bounds its length.
func normalizeName(s string) (string, error) {
	n := strings.TrimSpace(s)
	if utf8.RuneCountInString(n) > 200 || !utf8.ValidString(n) {
		return "", &ValidationError{Field: "name", Reason: "must be at most 200 characters"}
	}
	return n, nil
}

// normalizeLanguages returns the BCP 47 tags in their canonical form ("pt-br" → "pt-BR",
// "iw" → "he"), without duplicates, in the order given, so that routing can compare a
// customer's language with an agent's as plain strings.
func normalizeLanguages(in []string) ([]string, error) {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		tag, err := language.Parse(s)
		if err != nil || strings.Contains(s, ",") {
			return nil, &ValidationError{Field: "languages", Reason: "\"" + s + "\" is not a language tag such as en or pt-BR"}
		}
		if t := tag.String(); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// parseAvailability checks s.
func parseAvailability(s string) (string, error) {
	switch s {
	case AvailabilityOnline, AvailabilityAway, AvailabilityOffline:
		return s, nil
	}
	return "", &ValidationError{Field: "availability", Reason: "must be online, away or offline"}
}

// joinLanguages and splitLanguages convert to and from the comma-separated column.
func joinLanguages(l []string) string { return strings.Join(l, ",") }

func splitLanguages(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
