package webchat

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Message is the widget's POST body: who the visitor is, the widget's id for the message, the
// text, and optionally how to reach the visitor elsewhere.
type Message struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"token"`
	ID        string `json:"id"`
	Text      string `json:"text"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// Limits on what Parse accepts. The widget's text box holds 2,000 characters; the byte limit
// leaves room for scripts that take four bytes a character.
const (
	MaxText      = 8 * 1024
	maxMessageID = 64
	maxName      = 200
)

// Parse decodes and checks a widget message. It is the whole parser, so it is what the fuzz
// test drives. Email and phone come back normalised; errors are *channel.PayloadError. Fields
// it does not know are ignored, so an older server accepts a newer widget's messages.
func Parse(body []byte) (Message, error) {
	var m Message
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return m, channel.Payloadf("not a JSON message: %v", err)
	}
	if dec.More() {
		return m, channel.Payloadf("more than one JSON value in the body")
	}
	if _, err := customer.Normalize(customer.Visitor, m.VisitorID); err != nil {
		return m, channel.Payloadf("visitor_id: %v", err)
	}
	if m.Token == "" {
		return m, channel.Payloadf("token is missing")
	}
	if err := checkID(m.ID); err != nil {
		return m, err
	}
	if !utf8.ValidString(m.Text) || strings.ContainsRune(m.Text, 0) {
		return m, channel.Payloadf("text is not valid UTF-8 text")
	}
	if len(m.Text) > MaxText {
		return m, channel.Payloadf("text is longer than %d bytes", MaxText)
	}
	m.Text = strings.TrimSpace(m.Text)
	if m.Text == "" {
		return m, channel.Payloadf("text is empty")
	}
	m.Name = cleanName(m.Name)
	var err error
	if m.Email = strings.TrimSpace(m.Email); m.Email != "" {
		if m.Email, err = customer.Normalize(customer.Email, m.Email); err != nil {
			return m, channel.Payloadf("email: %v", err)
		}
	}
	if m.Phone = strings.TrimSpace(m.Phone); m.Phone != "" {
		if m.Phone, err = customer.Normalize(customer.Phone, m.Phone); err != nil {
			return m, channel.Payloadf("phone: %v", err)
		}
	}
	return m, nil
}

// checkID accepts the widget's message ids (a UUID or similar) and nothing that could not be
// one: it becomes half of the de-duplication key.
func checkID(id string) error {
	if id == "" {
		return channel.Payloadf("id (the widget's message id) is missing")
	}
	if len(id) > maxMessageID {
		return channel.Payloadf("id is longer than %d characters", maxMessageID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return channel.Payloadf("id has characters an id does not have")
		}
	}
	return nil
}

// cleanName keeps a display name printable: no control characters, invalid UTF-8 or runs of
// space, at most maxName bytes.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxName {
		s = strings.ToValidUTF8(s[:maxName], "")
	}
	return s
}
