package email

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Kind is the channel kind served here. channel.Fitter requires a customer.Email identity for
// it.
const Kind channel.Kind = "email"

// Channel settings this adapter reads.
const (
	SettingAddress         = "address"   // the channel's address; mail to it belongs to the channel
	SettingFromName        = "from_name" // the display name of replies
	SettingSMTPHost        = "smtp_host"
	SettingSMTPPort        = "smtp_port"
	SettingSMTPUsername    = "smtp_username" // empty: no SMTP AUTH
	SettingSMTPTLS         = "smtp_tls"      // none, starttls or tls
	SettingMessageIDDomain = "message_id_domain"
)

// TLS modes of smtp_tls.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// SignatureHeader signs the HTTP inbound route exactly as on the API channel.
const SignatureHeader = api.SignatureHeader

// Names of the files a message may carry besides its attachments.
const (
	FoldedFile = "quoted-text.txt" // the quoted history and signature folded out of the text
	HTMLFile   = "message.html"    // the HTML body, sanitised
	FullFile   = "message.txt"     // the whole text, when it was too long to store as text
)

// subjectPrefix starts the first line of a message's text when the mail has a subject worth
// showing. An agent sees the subject where the customer put it, and the outbound side finds
// it there again for "Re: …" (the message model has no subject of its own).
const subjectPrefix = "Subject: "

// Options configure the adapter.
type Options struct {
	Clock clock.Clock  // the Date header of replies; nil is the system clock
	Log   *slog.Logger // nil discards
	// TLSConfig is used for starttls and tls connections; nil verifies the server against
	// the system's roots under smtp_host. Tests give their own roots.
	TLSConfig *tls.Config
	// Timeout bounds one SMTP delivery, connection to the last reply; zero is 60 seconds.
	Timeout time.Duration
}

// Adapter is the email channel.
type Adapter struct {
	clock   clock.Clock
	log     *slog.Logger
	tls     *tls.Config
	timeout time.Duration
	// verifier checks the HTTP route's signature: the API channel's scheme, reused as is.
	verifier *api.Adapter
}

var (
	_ channel.Adapter      = (*Adapter)(nil)
	_ channel.SecretHolder = (*Adapter)(nil)
	_ channel.BodyLimiter  = (*Adapter)(nil)
)

// MaxBodyBytes implements channel.BodyLimiter: a relayed message may carry attachments up to
// the size the SMTP listener takes.
func (a *Adapter) MaxBodyBytes() int64 { return MaxMessageBytes }

// New returns the adapter.
func New(opt Options) *Adapter {
	a := &Adapter{clock: opt.Clock, log: opt.Log, tls: opt.TLSConfig, timeout: opt.Timeout, verifier: api.New(nil)}
	if a.clock == nil {
		a.clock = clock.System{}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.timeout == 0 {
		a.timeout = 60 * time.Second
	}
	return a
}

// Kind implements channel.Adapter.
func (a *Adapter) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder: the secret is the SMTP password and the HMAC key
// of the HTTP route; AUTH PLAIN and LOGIN carry it base64-encoded.
func (a *Adapter) Secrets(ch channel.Channel) []string {
	if ch.Secret == "" {
		return nil
	}
	user := ch.Settings[SettingSMTPUsername]
	return []string{
		ch.Secret,
		base64.StdEncoding.EncodeToString([]byte(ch.Secret)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + ch.Secret)),
	}
}

// Verify implements channel.Adapter for POST /hooks/email/{channel}: X-Gesher-Signature is
// "sha256=" and the hex HMAC-SHA256 of the raw message with the channel secret, as on the API
// channel. A channel without a secret accepts nothing over HTTP (SMTP does not use Verify).
func (a *Adapter) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	return a.verifier.Verify(ch, r, body)
}

// Receive implements channel.Adapter for relays that forward the raw message over HTTP. It
// parses exactly as the SMTP listener does.
func (a *Adapter) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case err != nil:
			return nil, channel.Payloadf("Content-Type %q cannot be read", limit(ct, 80))
		case mt != "message/rfc822" && mt != "message/global" && mt != "text/plain" && mt != "application/octet-stream":
			return nil, channel.Payloadf("expected the raw message as message/rfc822, got %s", mt)
		}
	}
	m, err := Parse(body, "")
	if err != nil {
		return nil, err
	}
	return a.Items(ch, m)
}

// Items turns a parsed message into what the ingester stores: one message from the sender;
// one status update for a bounce of a message Gesher sent; nothing for an automatic reply
// (an out-of-office answer must not open a conversation or reopen a resolved one) or for a
// report Gesher cannot match to a message. Nothing stored is still a delivery accepted, so
// the sending server does not try again.
func (a *Adapter) Items(ch channel.Channel, m *Mail) ([]channel.Inbound, error) {
	if m.Bounce != nil {
		st := ""
		switch m.Bounce.Action {
		case "failed":
			st = conversation.StatusFailed
		case "delivered":
			st = conversation.StatusDelivered
		}
		if st == "" || m.Bounce.MessageID == "" {
			a.log.Info("email: delivery report not applied", "channel", ch.Name, "action", m.Bounce.Action, "about", m.Bounce.MessageID, "message_id", m.MessageID)
			return nil, nil
		}
		reason := m.Bounce.Reason
		if st == conversation.StatusFailed && reason == "" {
			reason = "the recipient's mail server returned the message"
		}
		return []channel.Inbound{{
			ExternalID: m.MessageID, At: m.Date,
			Status: &channel.StatusUpdate{ExternalID: m.Bounce.MessageID, Status: st, Reason: reason},
		}}, nil
	}
	if m.Auto != "" {
		a.log.Info("email: automatic message not stored", "channel", ch.Name, "from", m.From, "why", m.Auto, "message_id", m.MessageID)
		return nil, nil
	}
	if m.From != "" && strings.EqualFold(m.From, strings.TrimSpace(ch.Settings[SettingAddress])) {
		// Mail from the channel to itself is a loop (a forwarding rule, a reply that came
		// back), not a customer.
		a.log.Info("email: message from the channel's own address not stored", "channel", ch.Name, "message_id", m.MessageID)
		return nil, nil
	}
	if m.From == "" {
		return nil, channel.Payloadf("the message has no sender address that can be answered")
	}
	in := channel.Inbound{
		ExternalID: m.MessageID, At: m.Date,
		From:  channel.Contact{Identities: []channel.Identity{{Kind: customer.Email, Value: m.From}}, Name: m.Name},
		Text:  messageText(m),
		Files: append([]channel.File(nil), m.Files...),
	}
	in.Attachments = append(in.Attachments, m.TooLarge...)
	if len(in.Text) > maxText {
		in.Files = append(in.Files, textFile(FullFile, in.Text))
		in.Text = limit(in.Text, maxText-100) + "\n[…] the whole text is in " + FullFile
	}
	if m.Folded != "" {
		in.Files = append(in.Files, textFile(FoldedFile, m.Folded))
	}
	if m.HTML != "" {
		in.Files = append(in.Files, channel.File{Name: HTMLFile, ContentType: "text/html; charset=utf-8", Data: []byte(m.HTML)})
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Files) == 0 && len(in.Attachments) == 0 {
		return nil, channel.Payloadf("the message has no subject, no text and no attachments")
	}
	return []channel.Inbound{in}, nil
}

// messageText is what the agent reads: the subject on its own first line (unless it only
// says "Re:" to a thread the agent already has), then the new part of the message.
func messageText(m *Mail) string {
	subject := m.Subject
	if m.InReplyTo != "" && isReplySubject(subject) {
		subject = ""
	}
	switch {
	case subject == "":
		return m.Text
	case m.Text == "":
		return subjectPrefix + subject
	}
	return subjectPrefix + subject + "\n\n" + m.Text
}

func textFile(name, text string) channel.File {
	return channel.File{Name: name, ContentType: "text/plain; charset=utf-8", Data: []byte(text)}
}

// replyPrefixes are what mail programs put before a subject they answer or forward, in the
// languages of our customers' mail programs.
var replyPrefixes = []string{"re", "aw", "sv", "antw", "fw", "fwd", "wg", "tr", "rv", "תשובה", "השב", "הע", "העבר", "ответ", "rép", "رد"}

// isReplySubject reports whether a subject starts with a reply or forward prefix.
func isReplySubject(s string) bool {
	return baseSubject(s) != strings.TrimSpace(s)
}

// baseSubject strips every leading "Re:", "Fwd:", "תשובה:" … (and "Re[2]:") from a subject.
func baseSubject(s string) string {
	s = strings.TrimSpace(s)
	for {
		word, rest, ok := strings.Cut(s, ":")
		if !ok {
			return s
		}
		w := strings.ToLower(strings.TrimSpace(word))
		if i := strings.IndexByte(w, '['); i > 0 && strings.HasSuffix(w, "]") {
			w = w[:i]
		}
		known := false
		for _, p := range replyPrefixes {
			if w == p {
				known = true
				break
			}
		}
		if !known {
			return s
		}
		s = strings.TrimSpace(rest)
	}
}

// SubjectOf returns the subject a message's text was stored with, or "".
func SubjectOf(text string) string {
	first, _, _ := strings.Cut(text, "\n")
	if s, ok := strings.CutPrefix(first, subjectPrefix); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

// String describes the adapter in logs.
func (a *Adapter) String() string { return fmt.Sprintf("channel adapter %q", Kind) }
