package twilio

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/ivr"
)

// VoiceKind is the phone channel: calls through Twilio Programmable Voice (or a provider that
// speaks its webhooks and TwiML).
const VoiceKind channel.Kind = "voice"

// Voice channel settings.
const (
	// SettingGreeting is what a caller hears first; empty: nothing is said.
	SettingGreeting = "greeting"
	// SettingVoiceLanguage is the language of the greeting for <Say> ("he-IL", "ar-XA",
	// "ru-RU", "en-US"); default he-IL.
	SettingVoiceLanguage = "language"
	// SettingForwardTo is a number the call is put through to (the contact centre's line);
	// without it the caller waits in the channel's queue (<Enqueue>), named by SettingQueue.
	SettingForwardTo = "forward_to"
	SettingQueue     = "queue"
)

// Voice is the Twilio voice adapter. A call is a customer reaching out like any message: the
// caller's number finds (or makes) the customer, and the call joins their one open
// conversation with its owner, whichever channel they wrote on before. The call itself is
// answered with TwiML: a greeting, then the contact centre's line or queue.
//
// A channel whose menu setting names a menu tree answers from that tree instead (menu.go):
// the menu's steps post back to the same webhook with ?menu=… in the URL.
type Voice struct {
	client *http.Client
	menu   Menu
	survey Surveyor // asks callers on the keypad once the agent hangs up (survey.go)
}

var (
	_ channel.Adapter      = (*Voice)(nil)
	_ channel.Acknowledger = (*Voice)(nil)
	_ channel.Answerer     = (*Voice)(nil)
	_ channel.SecretHolder = (*Voice)(nil)
	_ ivr.Releaser         = (*Voice)(nil)
)

// NewVoice returns the voice adapter. client, for the REST API (releasing a waiting call),
// may be nil for a default with a 15-second timeout.
func NewVoice(client *http.Client) *Voice {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &Voice{client: client}
}

// SetMenu sets the menus calls are answered from; wired once at start-up.
func (v *Voice) SetMenu(m Menu) { v.menu = m }

// Kind implements channel.Adapter.
func (v *Voice) Kind() channel.Kind { return VoiceKind }

// Secrets implements channel.SecretHolder.
func (v *Voice) Secrets(ch channel.Channel) []string {
	if ch.Secret == "" {
		return nil
	}
	return []string{ch.Secret, basicAuth(ch.Settings[SettingAccountSID], ch.Secret)}
}

// Verify implements channel.Adapter: the same signature as Twilio's messaging webhooks.
func (v *Voice) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	return verify(ch, r, body)
}

// Call is one of Twilio's voice webhook requests, parsed.
type Call struct {
	CallSid   string
	From, To  string
	Status    string // CallStatus, lower-cased: ringing, in-progress, completed …
	Direction string // inbound, outbound-api, outbound-dial
	Caller    string // CallerName, when the carrier gives one
	Duration  string // CallDuration, on the final status callback
}

// Ended reports whether the request is the status callback of a call that is over: nothing
// to store, and no TwiML wanted.
func (c Call) Ended() bool {
	switch c.Status {
	case "completed", "busy", "failed", "no-answer", "canceled":
		return true
	}
	return false
}

// anonymous are the From values of callers who withheld their number.
var anonymous = []string{"", "anonymous", "restricted", "unknown", "private", "+266696687", "+86282452253", "+7378742833", "+2562533"}

// ParseCall decodes a voice webhook body. It is the whole parser, so it is what the fuzz test
// drives. Errors are *channel.PayloadError.
func ParseCall(body []byte) (Call, error) {
	var c Call
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return c, channel.Payloadf("not a form-encoded body: %v", err)
	}
	get := func(k string) string { return channel.StorableText(strings.TrimSpace(form.Get(k)), 256) }
	c.CallSid, c.From, c.To = get("CallSid"), get("From"), get("To")
	c.Status, c.Direction = strings.ToLower(get("CallStatus")), strings.ToLower(get("Direction"))
	c.Caller, c.Duration = get("CallerName"), get("CallDuration")
	if err := checkSid("CallSid", c.CallSid); err != nil {
		return c, err
	}
	if c.Status == "" || len(c.Status) > 32 {
		return c, channel.Payloadf("CallStatus is missing or not a status word")
	}
	return c, nil
}

// Receive implements channel.Adapter. A new inbound call is one inbound item keyed by its
// CallSid (Twilio retries a webhook that got no answer; the retry is recognised); the status
// callback at its end, and calls Gesher placed itself, store nothing.
func (v *Voice) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, channel.Payloadf("expected an application/x-www-form-urlencoded body, got %q", ct)
	}
	c, err := ParseCall(body)
	if err != nil {
		return nil, err
	}
	if r.URL.Query().Get(surveyParam) != "" {
		// The survey at the end of a call already stored: nothing to ingest.
		return nil, checkSurveyRequest(r.URL.Query())
	}
	if step := r.URL.Query().Get(menuParam); step != "" {
		// A menu step of a call already stored: nothing to ingest, but the request is
		// checked here, so a bad one is a 400 before anything is recorded.
		return nil, checkMenuRequest(r.URL.Query(), body)
	}
	if c.Ended() || (c.Direction != "" && c.Direction != "inbound") {
		return nil, nil
	}
	in := channel.Inbound{ExternalID: c.CallSid, Text: "📞 " + callText(c)}
	phone, err := customer.Normalize(customer.Phone, c.From)
	switch {
	case err == nil && !isAnonymous(c.From):
		in.From = channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}, Name: c.Caller}
	default:
		// A withheld number still reaches an agent: the call is its own customer until the
		// caller says who they are and the agent merges them with their record.
		in.From = channel.Contact{Identities: []channel.Identity{{Kind: customer.External, Value: "call:" + c.CallSid}}, Name: "Caller with a withheld number"}
	}
	return []channel.Inbound{in}, nil
}

func isAnonymous(from string) bool {
	f := strings.ToLower(strings.TrimSpace(from))
	for _, a := range anonymous {
		if f == a {
			return true
		}
	}
	return strings.HasPrefix(f, "client:") || strings.HasPrefix(f, "sip:")
}

// callText is the call as the conversation shows it.
func callText(c Call) string {
	if c.To != "" {
		return "Phone call to " + c.To
	}
	return "Phone call"
}

// Ack implements channel.Acknowledger: the TwiML that answers the call, once it is stored.
// Twilio plays "an application error has occurred" to a caller whose webhook failed, so the
// answer is always well-formed TwiML, even for a call that stored nothing.
func (v *Voice) Ack(w http.ResponseWriter, ch channel.Channel, in []channel.Inbound, res []channel.Result) error {
	if len(in) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte(AnswerTwiML(ch)))
	return err
}

// AnswerTwiML is the answer to an incoming call on ch: the greeting, then the forwarding
// number or the queue.
func AnswerTwiML(ch channel.Channel) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response>`)
	if g := ch.Settings[SettingGreeting]; g != "" {
		lang := ch.Settings[SettingVoiceLanguage]
		if lang == "" {
			lang = "he-IL"
		}
		b.WriteString(`<Say language="` + escape(lang) + `">` + escape(g) + `</Say>`)
	}
	if to := ch.Settings[SettingForwardTo]; to != "" {
		b.WriteString(`<Dial>` + escape(to) + `</Dial>`)
	} else {
		q := ch.Settings[SettingQueue]
		if q == "" {
			q = ch.Name
		}
		b.WriteString(`<Enqueue>` + escape(q) + `</Enqueue>`)
	}
	b.WriteString(`</Response>`)
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Send implements channel.Adapter. A phone line carries no text: the agent answers on a
// channel that does, or calls back.
func (v *Voice) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	return channel.Receipt{}, &channel.SendError{Reason: "a phone channel cannot carry a written reply: answer by SMS or WhatsApp, or call the customer back"}
}
