package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Kind is the channel kind served here. internal/channel's fit rules (the 24-hour window,
// kosher phones) know it by this word.
const Kind channel.Kind = "whatsapp"

// SignatureHeader carries Meta's signature of a webhook POST: "sha256=" and the hex
// HMAC-SHA256 of the raw body under the app secret.
const SignatureHeader = "X-Hub-Signature-256"

// Channel settings this adapter reads.
const (
	SettingVerifyToken   = "verify_token"
	SettingAccessToken   = "access_token"
	SettingPhoneNumberID = "phone_number_id"
	SettingAPIBase       = "api_base"
	SettingAPIVersion    = "api_version"
	SettingTemplates     = "templates"
)

// Defaults for the Graph API.
const (
	DefaultAPIBase    = "https://graph.facebook.com"
	DefaultAPIVersion = "v21.0"
)

// Adapter is the WhatsApp Cloud API adapter.
type Adapter struct {
	client *http.Client
	log    *slog.Logger
	sent   *sentParts
}

var (
	_ channel.Adapter      = (*Adapter)(nil)
	_ channel.SecretHolder = (*Adapter)(nil)
)

// New returns the adapter. client may be nil for a default with a 30-second timeout (media
// downloads run inside the webhook request); log may be nil to discard.
func New(client *http.Client, log *slog.Logger) *Adapter {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{client: client, log: log, sent: newSentParts(4096)}
}

// Kind implements channel.Adapter.
func (a *Adapter) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder: the app secret, the access token and the header it
// becomes, and the verify token.
func (a *Adapter) Secrets(ch channel.Channel) []string {
	var out []string
	if ch.Secret != "" {
		out = append(out, ch.Secret)
	}
	if t := ch.Settings[SettingAccessToken]; t != "" {
		out = append(out, t, "Bearer "+t)
	}
	if t := ch.Settings[SettingVerifyToken]; t != "" {
		out = append(out, t)
	}
	return out
}

// Signature computes X-Hub-Signature-256 for body under appSecret.
func Signature(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify implements channel.Adapter. Meta signs the raw bytes it sent, so the check runs on
// the body as read, before any decoding. A channel without an app secret accepts nothing.
func (a *Adapter) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	got, ok := strings.CutPrefix(r.Header.Get(SignatureHeader), "sha256=")
	if ch.Secret == "" || !ok {
		return channel.ErrSignature
	}
	sig, err := hex.DecodeString(got)
	if err != nil || len(sig) != sha256.Size {
		return channel.ErrSignature
	}
	mac := hmac.New(sha256.New, []byte(ch.Secret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return channel.ErrSignature
	}
	return nil
}

// Challenge answers the GET Meta sends when a callback URL is saved in the App Dashboard:
// hub.mode=subscribe and the channel's verify token are answered with hub.challenge as plain
// text; anything else is a 403. The web layer's GET /hooks/{kind}/{channel} calls it.
func (a *Adapter) Challenge(w http.ResponseWriter, r *http.Request, ch channel.Channel) error {
	q := r.URL.Query()
	want := ch.Settings[SettingVerifyToken]
	if q.Get("hub.mode") != "subscribe" || want == "" || subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(want)) != 1 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "verification failed\n")
		return nil
	}
	challenge := q.Get("hub.challenge")
	// The challenge is echoed into a response: only the short printable token Meta sends.
	if challenge == "" || len(challenge) > 256 || strings.IndexFunc(challenge, func(r rune) bool { return !unicode.IsPrint(r) || r == ' ' }) >= 0 {
		return channel.Payloadf("hub.challenge is missing or not a token")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, challenge)
	return nil
}

// Receive implements channel.Adapter: every customer message and every status report of one
// delivery, with the media the messages carry downloaded into Files. A download that fails
// for a reason another attempt may fix is an error that is not a PayloadError, so nothing of
// the delivery is stored and Meta delivers it again later.
func (a *Adapter) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, channel.Payloadf("expected an application/json body, got %q", limit(ct))
		}
	}
	d, err := Parse(body)
	if err != nil {
		return nil, err
	}
	for _, e := range d.Errors {
		// Account- and app-level problems (a rate limit, a policy block): nothing to store,
		// but the admin looking at the log needs Meta's words.
		a.log.Warn("whatsapp reported an error", "channel", ch.Name, "code", e.Code, "title", e.Title, "details", e.Details)
	}
	own := ch.Settings[SettingPhoneNumberID]
	warned := false
	foreign := func(pnid string) {
		if own != "" && pnid != "" && pnid != own && !warned {
			// One Meta app can send several numbers' webhooks to one callback URL. The
			// delivery is still stored (skipping it would lose it: Meta does not send
			// twice what got a 200), but replies go from this channel's number, so the
			// admin should give each number its own callback URL.
			a.log.Warn("whatsapp delivery for another business number", "channel", ch.Name, "phone_number_id", pnid, "channel_phone_number_id", own)
			warned = true
		}
	}
	var out []channel.Inbound
	for _, m := range d.Messages {
		foreign(m.PhoneNumberID)
		if m.Removed {
			continue
		}
		in := channel.Inbound{ExternalID: m.ID, From: sender(m), Text: m.Text, Attachments: append([]conversation.Attachment(nil), m.Links...), At: m.At, Press: m.Press}
		if m.Media != nil {
			f, link, err := a.fetchMedia(ctx, ch, m)
			if err != nil {
				return nil, err
			}
			if f != nil {
				in.Files = append(in.Files, *f)
			}
			if link != nil {
				in.Attachments = append(in.Attachments, *link)
			}
		}
		out = append(out, in)
	}
	for _, s := range d.Statuses {
		foreign(s.PhoneNumberID)
		st, ok := mapStatus(s.Status)
		if !ok {
			continue
		}
		u := &channel.StatusUpdate{ExternalID: s.ID, Status: st}
		if st == conversation.StatusFailed {
			u.Reason = failureReason(s.Errors)
		}
		out = append(out, channel.Inbound{ExternalID: s.ID, Status: u, At: s.At})
	}
	return out, nil
}

// sender is who wrote: found first by phone number (E.164), so that the person who also
// calls or texts is one customer, and known also by their wa_id, which replies go to. A wa_id
// that is not a valid phone number (Meta says the two need not match) leaves only the wa_id.
func sender(m Message) channel.Contact {
	c := channel.Contact{Name: m.Name}
	if p, err := customer.Normalize(customer.Phone, "+"+m.From); err == nil {
		c.Identities = append(c.Identities, channel.Identity{Kind: customer.Phone, Value: p})
	}
	c.Identities = append(c.Identities, channel.Identity{Kind: customer.WhatsApp, Value: m.From})
	return c
}

// mapStatus turns Meta's status word into Gesher's. "played" (a voice message listened to)
// implies read. ok is false for words Meta may add.
func mapStatus(s string) (string, bool) {
	switch s {
	case "sent":
		return conversation.StatusSent, true
	case "delivered":
		return conversation.StatusDelivered, true
	case "read", "played":
		return conversation.StatusRead, true
	case "failed":
		return conversation.StatusFailed, true
	}
	return "", false
}

// failureReason is what the agent reads on a failed message: Meta's words for the first
// error and its code.
func failureReason(errs []Error) string {
	if len(errs) == 0 {
		return "WhatsApp reported the message failed"
	}
	e := errs[0]
	if e.Code == codeReengagement {
		return reengagementReason
	}
	text := e.Message
	if text == "" {
		text = e.Title
	}
	if text == "" {
		text = e.Details
	}
	if text == "" {
		return "WhatsApp reported the message failed (WhatsApp error " + itoa(e.Code) + ")"
	}
	return text + " (WhatsApp error " + itoa(e.Code) + ")"
}
