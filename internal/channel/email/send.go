package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wneessen/go-mail"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// maxReferences bounds the References header: the thread's first message and the latest
// ones, as RFC 5322 §3.6.4 allows when a thread grows long.
const maxReferences = 12

// Send implements channel.Adapter: it composes the reply and hands it to the channel's SMTP
// server.
//
// SMTP has no idempotency key, so "send once" rests on the outbox, which calls Send only while
// the message is queued and records it sent right after the server's 250. What a retry cannot
// rule out is a message the server took whose 250 was lost (a timeout after the final dot):
// the retry carries the same Message-ID, <m.ID@message_id_domain>, so the receiving side can
// recognise the copy, and a duplicate mail was judged a smaller harm than a lost reply.
func (a *Adapter) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	cfg, err := smtpConfig(ch)
	if err != nil {
		return channel.Receipt{}, err
	}
	to := ""
	for _, id := range m.To {
		if id.Kind == customer.Email {
			to = id.Value
			break
		}
	}
	if to == "" {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	text, err := outboundText(m)
	if err != nil {
		return channel.Receipt{}, err
	}
	messageID := m.ID + "@" + cfg.idDomain

	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(ch.Settings[SettingFromName], cfg.address); err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: "the channel's address cannot be used as a sender: " + err.Error()}
	}
	if err := msg.AddTo(to); err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: fmt.Sprintf("the customer's address %q cannot be used: %v", to, err)}
	}
	msg.Subject(replySubject(m, text))
	msg.SetMessageIDWithValue(messageID)
	msg.SetDateWithValue(a.clock.Now())
	if refs := references(m.Thread); len(refs) > 0 {
		msg.SetGenHeaderPreformatted(mail.HeaderInReplyTo, "<"+refs[len(refs)-1]+">")
		msg.SetGenHeaderPreformatted(mail.HeaderReferences, "<"+strings.Join(refs, "> <")+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, text)
	msg.AddAlternativeString(mail.TypeTextHTML, htmlBody(text))

	if err := a.deliver(ctx, cfg, msg); err != nil {
		return channel.Receipt{}, err
	}
	return channel.Receipt{ExternalID: messageID}, nil
}

type smtpSettings struct {
	address, host, username, password, tlsMode, idDomain string
	port                                                 int
}

// smtpConfig reads and checks the channel's settings; a channel that cannot send fails the
// message with a reason an administrator can act on, without a connection being tried.
func smtpConfig(ch channel.Channel) (smtpSettings, error) {
	s := ch.Settings
	c := smtpSettings{host: strings.TrimSpace(s[SettingSMTPHost]), username: s[SettingSMTPUsername], password: ch.Secret}
	addr, err := customer.Normalize(customer.Email, s[SettingAddress])
	if err != nil {
		return c, &channel.SendError{Reason: "the email channel has no valid address configured"}
	}
	c.address = addr
	if c.host == "" {
		return c, &channel.SendError{Reason: "the email channel has no smtp_host configured"}
	}
	c.tlsMode = strings.ToLower(strings.TrimSpace(s[SettingSMTPTLS]))
	if c.tlsMode == "" {
		c.tlsMode = TLSStartTLS
	}
	defaultPort := 587
	switch c.tlsMode {
	case TLSNone:
		defaultPort = 25
	case TLSStartTLS:
	case TLSImplicit:
		defaultPort = 465
	default:
		return c, &channel.SendError{Reason: fmt.Sprintf("smtp_tls is %q; it must be none, starttls or tls", c.tlsMode)}
	}
	c.port = defaultPort
	if p := strings.TrimSpace(s[SettingSMTPPort]); p != "" {
		if c.port, err = strconv.Atoi(p); err != nil || c.port <= 0 || c.port > 65535 {
			return c, &channel.SendError{Reason: fmt.Sprintf("smtp_port %q is not a port number", p)}
		}
	}
	c.idDomain = strings.TrimSpace(s[SettingMessageIDDomain])
	if c.idDomain == "" {
		_, c.idDomain, _ = strings.Cut(c.address, "@")
	}
	if checkID("x@"+c.idDomain) == "" || strings.Contains(c.idDomain, "@") {
		return c, &channel.SendError{Reason: fmt.Sprintf("message_id_domain %q cannot be part of a Message-ID", c.idDomain)}
	}
	return c, nil
}

// deliver runs one SMTP transaction. go-mail dials, negotiates TLS and authenticates; the
// transaction itself is driven here, so each refusal arrives as the server's own reply (code
// and words) rather than a summary.
func (a *Adapter) deliver(ctx context.Context, cfg smtpSettings, msg *mail.Msg) error {
	opts := []mail.Option{mail.WithPort(cfg.port), mail.WithTimeout(a.timeout)}
	switch cfg.tlsMode {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	}
	tc := &tls.Config{ServerName: cfg.host, MinVersion: tls.VersionTLS12}
	if a.tls != nil {
		tc = a.tls.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.host
		}
	}
	opts = append(opts, mail.WithTLSConfig(tc))
	if cfg.username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.username), mail.WithPassword(cfg.password))
	}
	client, err := mail.NewClient(cfg.host, opts...)
	if err != nil {
		return &channel.SendError{Reason: "the SMTP settings cannot be used: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return sendError(err)
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()

	from, err := msg.GetSender(false)
	if err != nil {
		return &channel.SendError{Reason: err.Error()}
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return &channel.SendError{Reason: err.Error()}
	}
	if err := sc.Mail(from); err != nil {
		return sendError(err)
	}
	for _, r := range rcpts {
		if err := sc.Rcpt(r); err != nil {
			return sendError(err)
		}
	}
	w, err := sc.Data()
	if err != nil {
		return sendError(err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		_ = w.Close()
		return sendError(err)
	}
	// The server's verdict on the message comes as the reply to the final dot.
	if err := w.Close(); err != nil {
		return sendError(err)
	}
	return nil
}

// sendError classifies a failed exchange: a 4xx reply, a refused or reset connection and a
// timeout are retried; a 5xx reply fails the message with the server's words; so do errors no
// retry can fix (an untrusted certificate, no STARTTLS where the channel requires it).
func sendError(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return &channel.SendError{Temporary: reply.Code >= 400 && reply.Code < 500, Reason: channel.StorableText(fmt.Sprintf("%d %s", reply.Code, oneLine(reply.Msg)), 500)}
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verification) {
		return &channel.SendError{Reason: "the SMTP server's certificate is not trusted: " + err.Error()}
	}
	se := channel.TransportError(err)
	se.Reason = channel.StorableText(se.Reason, 500)
	return se
}

// outboundText is the reply's text, with attachments that have a public link listed after it.
// A file in Gesher's own media store is not reachable by the customer and cannot be attached
// yet; rather than send the reply without it, the message fails and says so.
func outboundText(m channel.Outbound) (string, error) {
	text := strings.TrimSpace(m.Text)
	var links []string
	for _, att := range m.Attachments {
		if !strings.HasPrefix(att.URL, "https://") && !strings.HasPrefix(att.URL, "http://") {
			name := att.Name
			if name == "" {
				name = att.URL
			}
			return "", &channel.SendError{Reason: fmt.Sprintf("the attachment %q cannot be sent by email yet: only files with a public link can", name)}
		}
		if att.Name != "" {
			links = append(links, att.Name+": "+att.URL)
		} else {
			links = append(links, att.URL)
		}
	}
	if len(links) > 0 {
		text = strings.TrimSpace(text + "\n\n" + strings.Join(links, "\n"))
	}
	if text == "" {
		return "", &channel.SendError{Reason: "nothing to send: no text and no attachment"}
	}
	return text, nil
}

// replySubject answers the subject of the conversation's first message from the customer on
// this channel ("Re: …"), else the conversation's own subject, else starts a new one from the
// reply's first line.
func replySubject(m channel.Outbound, text string) string {
	for _, t := range m.Thread {
		if !t.Inbound {
			continue
		}
		if s := SubjectOf(t.Text); s != "" {
			return "Re: " + baseSubject(s)
		}
	}
	if s := strings.TrimSpace(m.Subject); s != "" {
		return "Re: " + baseSubject(s)
	}
	first, _, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if utf8.RuneCountInString(first) > 60 {
		first = string([]rune(first)[:60]) + "…"
	}
	return first
}

// references are the thread's Message-IDs, oldest first: the ids of earlier messages that are
// real Message-IDs (an inbound message without one is stored under a hash, which is not).
func references(thread []channel.ThreadMessage) []string {
	var ids []string
	for _, t := range thread {
		if strings.Contains(t.ExternalID, "@") && checkID(t.ExternalID) != "" {
			ids = append(ids, t.ExternalID)
		}
	}
	if len(ids) > maxReferences {
		ids = append(ids[:1], ids[len(ids)-maxReferences+1:]...)
	}
	return ids
}

// webLink finds the web addresses in a line of text; trailing punctuation is the sentence's.
var webLink = regexp.MustCompile(`https?://[^\s<>"]+`)

// writeLinked writes line escaped, with each web address in it a link — a tracker's or a
// survey's — so a mail program that does not recognise links itself still opens them with a tap.
func writeLinked(b *strings.Builder, line string) {
	for {
		loc := webLink.FindStringIndex(line)
		if loc == nil {
			b.WriteString(html.EscapeString(line))
			return
		}
		u := strings.TrimRight(line[loc[0]:loc[1]], ".,;:!?)»'")
		b.WriteString(html.EscapeString(line[:loc[0]]))
		b.WriteString(`<a href="` + html.EscapeString(u) + `" dir="ltr">` + html.EscapeString(u) + `</a>`)
		line = line[loc[0]+len(u):]
	}
}

// htmlBody is the HTML alternative of a reply: the same text, each line with dir="auto", so
// that a Hebrew or Arabic reply reads right to left in mail programs that would otherwise
// set every line flush left.
func htmlBody(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>")
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString("<div><br></div>")
			continue
		}
		b.WriteString(`<div dir="auto">`)
		writeLinked(&b, line)
		b.WriteString("</div>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
