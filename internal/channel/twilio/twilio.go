package twilio

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Kind is the channel kind served here.
const Kind channel.Kind = "sms"

// SignatureHeader carries Twilio's signature of a webhook request.
const SignatureHeader = "X-Twilio-Signature"

// Channel settings this adapter reads.
const (
	SettingAccountSID          = "account_sid"
	SettingFrom                = "from"
	SettingMessagingServiceSID = "messaging_service_sid"
	SettingStatusCallbackURL   = "status_callback_url"
	SettingPublicURL           = "public_url"
	SettingAPIBase             = "api_base"
)

// DefaultAPIBase is Twilio's REST API.
const DefaultAPIBase = "https://api.twilio.com"

// twiml is the empty TwiML answer: "stored, and no automatic reply". Agents answer later
// through the Messages API, not in the webhook's response.
const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// SMS is the Twilio SMS adapter.
type SMS struct {
	client *http.Client
}

var (
	_ channel.Adapter      = (*SMS)(nil)
	_ channel.Acknowledger = (*SMS)(nil)
	_ channel.SecretHolder = (*SMS)(nil)
)

// NewSMS returns the adapter. client may be nil for a default with a 15-second timeout.
func NewSMS(client *http.Client) *SMS {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &SMS{client: client}
}

// Kind implements channel.Adapter.
func (a *SMS) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder: the auth token, and the basic-auth credential it
// becomes in API calls.
func (a *SMS) Secrets(ch channel.Channel) []string {
	if ch.Secret == "" {
		return nil
	}
	return []string{ch.Secret, basicAuth(ch.Settings[SettingAccountSID], ch.Secret)}
}

// Signature computes X-Twilio-Signature: base64(HMAC-SHA1(authToken, fullURL followed by every
// POST parameter's name and value, sorted by name)). A name given several times contributes
// each value, in sorted order, as Twilio's own libraries do.
func Signature(authToken, fullURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := append([]string(nil), params[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify implements channel.Adapter. The signature covers the URL Twilio called, so behind a
// proxy the server must know its public URL (channel.RequestURL). A channel without an auth
// token accepts nothing, rather than everything.
func (a *SMS) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	return verify(ch, r, body)
}

// verify checks X-Twilio-Signature, for every Twilio product: messaging and voice sign alike.
func verify(ch channel.Channel, r *http.Request, body []byte) error {
	got := r.Header.Get(SignatureHeader)
	if ch.Secret == "" || got == "" {
		return channel.ErrSignature
	}
	// Parsed leniently: a body that is not a valid form is refused by Receive with a 400
	// saying why, once we know the sender holds the token. The signature is computed over
	// whatever pairs decode, so a tampered body still fails here.
	params, _ := url.ParseQuery(string(body))
	for _, u := range urlVariants(channel.RequestURL(r)) {
		if hmac.Equal([]byte(got), []byte(Signature(ch.Secret, u, params))) {
			return nil
		}
	}
	return channel.ErrSignature
}

// urlVariants is the URL as given and with its default port added or removed: Twilio has
// signed both forms over the years depending on how the webhook URL was entered, and its
// libraries accept either.
func urlVariants(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return out
	}
	def := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	if def == "" {
		return out
	}
	alt := *u
	switch u.Port() {
	case "":
		alt.Host = u.Host + ":" + def
	case def:
		alt.Host = u.Hostname()
		if strings.Contains(alt.Host, ":") { // IPv6 literal
			alt.Host = "[" + alt.Host + "]"
		}
	default:
		return out
	}
	return append(out, alt.String())
}

// Receive implements channel.Adapter: one inbound message, or one status report on a message
// Gesher sent. Reports that say nothing new (accepted, queued, scheduled, a status Twilio adds
// in future) give no items, so nothing is stored and Twilio still gets its 2xx.
func (a *SMS) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, channel.Payloadf("expected an application/x-www-form-urlencoded body, got %q", ct)
		}
	}
	req, err := Parse(body)
	if err != nil {
		return nil, err
	}
	if req.IsStatus() {
		st, ok := mapStatus(req.Status)
		if !ok {
			return nil, nil
		}
		update := &channel.StatusUpdate{ExternalID: req.MessageSid, Status: st}
		if st == statusFailed {
			update.Reason = failureReason(req.Status, req.ErrorCode, req.ErrorMessage)
		}
		return []channel.Inbound{{ExternalID: req.MessageSid, Status: update}}, nil
	}
	phone, err := customer.Normalize(customer.Phone, req.From)
	if err != nil {
		return nil, channel.Payloadf("From: %v", err)
	}
	in := channel.Inbound{
		ExternalID: req.MessageSid,
		From:       channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}},
		Text:       req.Body,
	}
	for _, m := range req.Media {
		in.Attachments = append(in.Attachments, m.attachment())
	}
	return []channel.Inbound{in}, nil
}

// Ack implements channel.Acknowledger. An inbound message is answered with empty TwiML, which
// Twilio reads as "no automatic reply"; a status callback expects no body at all.
func (a *SMS) Ack(w http.ResponseWriter, ch channel.Channel, in []channel.Inbound, res []channel.Result) error {
	for _, item := range in {
		if item.Status == nil {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, err := w.Write([]byte(twiml))
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}
