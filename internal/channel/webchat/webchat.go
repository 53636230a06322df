package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Kind is the channel kind served here. internal/channel's fit rules know it by this word:
// it needs a customer.Visitor identity and does not fit a kosher phone.
const Kind channel.Kind = "webchat"

// Channel settings this adapter reads.
const (
	SettingAllowedOrigins = "allowed_origins"
	SettingTitle          = "title"    // title_<lang>, or title alone as the fallback
	SettingGreeting       = "greeting" // greeting_<lang>, or greeting alone as the fallback
)

// AnyOrigin in allowed_origins lets every site embed the widget (the demo's value).
const AnyOrigin = "*"

// visitorEncoding writes visitor ids in lower-case base32 without padding: 26 characters of
// letters and digits, which customer.Normalize accepts as a visitor identity as it is.
var visitorEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Adapter is the web chat channel.
type Adapter struct{}

var (
	_ channel.Adapter      = (*Adapter)(nil)
	_ channel.Acknowledger = (*Adapter)(nil)
	_ channel.SecretHolder = (*Adapter)(nil)
)

// New returns the adapter.
func New() *Adapter { return &Adapter{} }

// Kind implements channel.Adapter.
func (a *Adapter) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder.
func (a *Adapter) Secrets(ch channel.Channel) []string {
	if ch.Secret == "" {
		return nil
	}
	return []string{ch.Secret}
}

// Token is a visitor's credential: hex(HMAC-SHA256(secret, visitorID)). Deriving it instead of
// storing it means any node can check it and a visitor who never writes costs no row.
func Token(secret, visitorID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(visitorID))
	return hex.EncodeToString(mac.Sum(nil))
}

// NewVisitor issues a visitor identity for the channel: a random 128-bit id and its token.
// A channel without a secret issues none, rather than tokens anyone could compute.
func (a *Adapter) NewVisitor(ch channel.Channel) (id, token string, err error) {
	if ch.Secret == "" {
		return "", "", fmt.Errorf("webchat: channel %s has no secret: %w", ch.Name, channel.ErrSignature)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("webchat: visitor id: %w", err)
	}
	id = strings.ToLower(visitorEncoding.EncodeToString(b[:]))
	return id, Token(ch.Secret, id), nil
}

// VerifyVisitor checks a visitor's token in constant time. It returns channel.ErrSignature for
// a missing, malformed or wrong token, and for a channel without a secret.
func (a *Adapter) VerifyVisitor(ch channel.Channel, visitorID, token string) error {
	if ch.Secret == "" || visitorID == "" || len(token) != sha256.Size*2 {
		return channel.ErrSignature
	}
	if _, err := customer.Normalize(customer.Visitor, visitorID); err != nil {
		return channel.ErrSignature
	}
	if !hmac.Equal([]byte(strings.ToLower(token)), []byte(Token(ch.Secret, visitorID))) {
		return channel.ErrSignature
	}
	return nil
}

// Verify implements channel.Adapter: the body's token must be the visitor id's. A body that is
// not a JSON object carries no credentials to check; Receive refuses it with a 400 saying why,
// and since Receive checks the token again, nothing unverified is ever stored.
func (a *Adapter) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	var cred struct {
		VisitorID string `json:"visitor_id"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal(body, &cred); err != nil {
		if ch.Secret == "" {
			return channel.ErrSignature
		}
		return nil
	}
	return a.VerifyVisitor(ch, cred.VisitorID, cred.Token)
}

// Receive implements channel.Adapter: one visitor message. Its external id is the visitor id
// and the widget's own message id, so a retry after a dropped connection is stored once and two
// visitors can never collide on an id.
func (a *Adapter) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, channel.Payloadf("expected an application/json body, got %q", ct)
		}
	}
	m, err := Parse(body)
	if err != nil {
		return nil, err
	}
	if err := a.VerifyVisitor(ch, m.VisitorID, m.Token); err != nil {
		return nil, err
	}
	ids := []channel.Identity{{Kind: customer.Visitor, Value: m.VisitorID}}
	if m.Email != "" {
		ids = append(ids, channel.Identity{Kind: customer.Email, Value: m.Email})
	}
	if m.Phone != "" {
		ids = append(ids, channel.Identity{Kind: customer.Phone, Value: m.Phone})
	}
	return []channel.Inbound{{
		ExternalID: ExternalID(m.VisitorID, m.ID),
		From:       channel.Contact{Identities: ids, Name: m.Name},
		Text:       m.Text,
	}}, nil
}

// ExternalID is the de-duplication key of a visitor's message.
func ExternalID(visitorID, messageID string) string { return visitorID + ":" + messageID }

// ClientID returns the widget's own message id from an external id made by ExternalID, and
// false when ext is not one of this visitor's.
func ClientID(visitorID, ext string) (string, bool) {
	return strings.CutPrefix(ext, visitorID+":")
}

// Ack implements channel.Acknowledger. The widget needs only to know which of its messages are
// safe; customer and conversation ids are not the visitor's business.
func (a *Adapter) Ack(w http.ResponseWriter, ch channel.Channel, in []channel.Inbound, res []channel.Result) error {
	type stored struct {
		ID        string `json:"id"`
		MessageID string `json:"message_id"`
		Duplicate bool   `json:"duplicate,omitempty"`
	}
	out := struct {
		Messages []stored `json:"messages"`
	}{Messages: []stored{}}
	for i, r := range res {
		id := r.ExternalID
		if i < len(in) && len(in[i].From.Identities) > 0 {
			if c, ok := ClientID(in[i].From.Identities[0].Value, r.ExternalID); ok {
				id = c
			}
		}
		out.Messages = append(out.Messages, stored{ID: id, MessageID: r.MessageID, Duplicate: r.Duplicate})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return json.NewEncoder(w).Encode(out)
}

// Send implements channel.Adapter. The message is already in the database, and the visitor's
// WebSocket delivers it (and marks it delivered once written), so there is nothing to call:
// the receipt names the message itself. A customer without a visitor identity has no browser
// to deliver to.
func (a *Adapter) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	if !slices.ContainsFunc(m.To, func(id channel.Identity) bool { return id.Kind == customer.Visitor }) {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	return channel.Receipt{ExternalID: m.ID}, nil
}

// AllowedOrigins lists the origins that may embed the widget, as the channel's setting says;
// AnyOrigin alone means every origin. Gesher's own origin is always allowed by the caller.
func (a *Adapter) AllowedOrigins(ch channel.Channel) []string {
	var out []string
	for _, o := range strings.FieldsFunc(ch.Settings[SettingAllowedOrigins], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if o == AnyOrigin {
			return []string{AnyOrigin}
		}
		out = append(out, strings.TrimSuffix(strings.ToLower(o), "/"))
	}
	return out
}

// Greeting returns the panel's title and first line in lang, falling back to the setting
// without a language, then to English. Empty strings mean the widget's own defaults.
func (a *Adapter) Greeting(ch channel.Channel, lang string) (title, greeting string) {
	pick := func(key string) string {
		for _, k := range []string{key + "_" + lang, key, key + "_en"} {
			if v := strings.TrimSpace(ch.Settings[k]); v != "" {
				return v
			}
		}
		return ""
	}
	return pick(SettingTitle), pick(SettingGreeting)
}

// Languages lists the languages the channel has a greeting in, sorted.
func (a *Adapter) Languages(ch channel.Channel) []string {
	out := []string{}
	for k, v := range ch.Settings {
		if l, ok := strings.CutPrefix(k, SettingGreeting+"_"); ok && l != "" && strings.TrimSpace(v) != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}
