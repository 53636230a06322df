package customer

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// IdentityKind names a way of reaching a customer.
type IdentityKind string

// The kinds of identity. A phone number is shared by SMS, voice and (as a second identity)
// WhatsApp, which is why Phone is E.164 and WhatsApp keeps the provider's own digits.
const (
	Phone    IdentityKind = "phone"    // E.164, "+972501234567"
	Email    IdentityKind = "email"    // lower-cased address, "dana@example.com"
	WhatsApp IdentityKind = "whatsapp" // the wa_id: international digits without "+", "972501234567"
	Telegram IdentityKind = "telegram" // the numeric user id, "123456789"
	Visitor  IdentityKind = "visitor"  // the web widget's opaque token
	External IdentityKind = "external" // an id in another system, a CRM's customer number
)

// Kinds lists every identity kind, in a stable order.
func Kinds() []IdentityKind {
	return []IdentityKind{Phone, Email, WhatsApp, Telegram, Visitor, External}
}

// Valid reports whether k is a known kind.
func (k IdentityKind) Valid() bool {
	switch k {
	case Phone, Email, WhatsApp, Telegram, Visitor, External:
		return true
	}
	return false
}

// Identity is one way of reaching a customer. OriginalCustomerID is the customer it was first
// seen on, so that un-merging gives it back.
type Identity struct {
	ID                 string       `json:"id"`
	CustomerID         string       `json:"customer_id"`
	OriginalCustomerID string       `json:"original_customer_id"`
	Kind               IdentityKind `json:"kind"`
	Value              string       `json:"value"`
	CreatedAt          time.Time    `json:"created_at"`
}

// InvalidIdentityError says why a raw identity was refused.
type InvalidIdentityError struct {
	Kind   IdentityKind
	Value  string
	Reason string
}

func (e *InvalidIdentityError) Error() string {
	v := e.Value
	// The value is the caller's input: keep a garbage megabyte out of messages and logs.
	if len(v) > 64 {
		v = strings.ToValidUTF8(v[:64], "") + "…"
	}
	if e.Kind == "" {
		return fmt.Sprintf("customer: invalid identity %q: %s", v, e.Reason)
	}
	return fmt.Sprintf("customer: invalid %s %q: %s", e.Kind, v, e.Reason)
}

// DefaultRegion is the country assumed for phone numbers written without an international
// prefix. Gesher's first users serve Israel.
const DefaultRegion = "IL"

const (
	maxPhoneInput    = 64  // longer is not a phone number, and parsing it costs
	maxEmailInput    = 512 // room for a display name around a 254-byte address
	maxEmailAddress  = 254 // RFC 5321's path limit, less the angle brackets
	maxExternalRunes = 200
)

// Normalize returns the canonical form of raw as an identity of kind, the form stored and
// compared, or an *InvalidIdentityError. Normalising a canonical form returns it unchanged.
func Normalize(kind IdentityKind, raw string) (string, error) {
	bad := func(reason string) (string, error) {
		return "", &InvalidIdentityError{Kind: kind, Value: raw, Reason: reason}
	}
	s := strings.TrimSpace(raw)
	if s == "" && kind.Valid() {
		return bad("empty")
	}
	switch kind {
	case Phone:
		return normalizePhone(s, bad)
	case Email:
		return normalizeEmail(s, bad)
	case WhatsApp:
		return normalizeWhatsApp(s, bad)
	case Telegram:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return bad("a Telegram user id is a positive number")
		}
		return strconv.FormatInt(n, 10), nil
	case Visitor:
		if len(s) < 8 || len(s) > 128 {
			return bad("a visitor token has 8 to 128 characters")
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return bad("a visitor token has only letters, digits, '_' and '-'")
			}
		}
		return s, nil
	case External:
		if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
			return bad("contains control characters or invalid UTF-8")
		}
		if utf8.RuneCountInString(s) > maxExternalRunes {
			return bad(fmt.Sprintf("longer than %d characters", maxExternalRunes))
		}
		return s, nil
	}
	return bad("unknown identity kind")
}

// normalizePhone returns E.164. Numbers are checked against libphonenumber's ranges, with one
// exception: an Israeli mobile-shaped number (05x and seven digits) is accepted even in a
// block the metadata does not list yet. Israeli operators open blocks faster than the
// metadata is released, and turning away a real customer's first SMS is worse than storing a
// number nobody uses.
func normalizePhone(s string, bad func(string) (string, error)) (string, error) {
	if len(s) > maxPhoneInput {
		return bad("too long for a phone number")
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil {
		return bad("not a phone number")
	}
	if !phonenumbers.IsValidNumber(n) && !israeliMobileShape(n) {
		return bad("not a valid phone number")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func israeliMobileShape(n *phonenumbers.PhoneNumber) bool {
	if n.GetCountryCode() != 972 || n.GetItalianLeadingZero() {
		return false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	if len(nsn) != 9 || nsn[0] != '5' {
		return false
	}
	for i := 1; i < len(nsn); i++ {
		if nsn[i] < '0' || nsn[i] > '9' {
			return false
		}
	}
	return true
}

// normalizeWhatsApp keeps a wa_id as digits. WhatsApp sends international numbers without "+";
// an agent typing a local number ("050-123-4567") gets it made international first.
func normalizeWhatsApp(s string, bad func(string) (string, error)) (string, error) {
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.':
			return -1
		}
		return r
	}, s)
	digits = strings.TrimPrefix(digits, "+")
	if strings.HasPrefix(digits, "0") {
		// A local or 00-prefixed number: the phone rules make it international, and the
		// result must still be a WhatsApp id (a short number such as 00 43 12000 is not).
		p, err := normalizePhone(digits, bad)
		if err != nil {
			return "", err
		}
		digits = strings.TrimPrefix(p, "+")
	}
	if len(digits) < 8 || len(digits) > 15 {
		return bad("a WhatsApp id is an international number of 8 to 15 digits")
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return bad("a WhatsApp id has only digits")
		}
	}
	return digits, nil
}

// normalizeEmail lower-cases the whole address. RFC 5321 lets the local part be
// case-sensitive, but no provider our customers use treats it so, and a customer who writes
// once as Dana@ and once as dana@ is one person.
func normalizeEmail(s string, bad func(string) (string, error)) (string, error) {
	if len(s) > maxEmailInput {
		return bad("too long for an email address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return bad("not an email address")
	}
	addr := strings.ToLower(a.Address)
	if len(addr) > maxEmailAddress || !utf8.ValidString(addr) {
		return bad("not an email address")
	}
	if strings.ContainsFunc(addr, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return bad("an email address has no spaces")
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return bad("an email address has exactly one @")
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return bad("the domain of an email address has a dot, as in example.com")
	}
	// The stored form must read back as itself, or the same person could be stored twice
	// (a quoted local part, for instance, loses its quotes in Address).
	if again, err := mail.ParseAddress(addr); err != nil || again.Address != addr || again.Name != "" {
		return bad("not an email address")
	}
	return addr, nil
}

// ParseIdentity reads "kind:value" ("phone:050-123-4567", "email:dana@example.com"), as the API's
// ?identity= query writes it, and returns the kind and the normalised value.
func ParseIdentity(s string) (IdentityKind, string, error) {
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", &InvalidIdentityError{Value: s, Reason: `write kind:value, as "phone:+972501234567"`}
	}
	kind := IdentityKind(strings.ToLower(strings.TrimSpace(k)))
	if !kind.Valid() {
		return "", "", &InvalidIdentityError{Value: s, Reason: "unknown identity kind; use phone, email, whatsapp, telegram, visitor or external"}
	}
	value, err := Normalize(kind, v)
	if err != nil {
		return "", "", err
	}
	return kind, value, nil
}
