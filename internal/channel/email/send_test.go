package email_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

var sentAt = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func emailChannel(s *sink, settings ...string) channel.Channel {
	ch := channel.Channel{Name: "support", Kind: email.Kind, Secret: "smtp-password", Enabled: true, Settings: map[string]string{
		email.SettingAddress: "service@demo.example", email.SettingFromName: "Gesher Insurance",
		email.SettingSMTPHost: s.host, email.SettingSMTPPort: s.port, email.SettingSMTPTLS: email.TLSNone,
		email.SettingMessageIDDomain: "mail.demo.example",
	}}
	for i := 0; i+1 < len(settings); i += 2 {
		ch.Settings[settings[i]] = settings[i+1]
	}
	return ch
}

var toDana = []channel.Identity{{Kind: customer.Phone, Value: "+972500000042"}, {Kind: customer.Email, Value: "dana.levi@example.com"}}

func adapter(opts ...email.Options) *email.Adapter {
	o := email.Options{Clock: clock.NewManual(sentAt), Timeout: 10 * time.Second}
	if len(opts) > 0 {
		o = opts[0]
		o.Clock, o.Timeout = clock.NewManual(sentAt), 10*time.Second
	}
	return email.New(o)
}

// body decodes the text/plain and text/html parts of a raw message.
func body(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the sink got a message that does not parse: %v\n%s", err, raw)
	}
	var walk func(ct string, h map[string][]string, r io.Reader)
	walk = func(ct string, h map[string][]string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("Content-Type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header, p)
			}
		}
		var dec io.Reader = r
		switch strings.ToLower(first(h["Content-Transfer-Encoding"])) {
		case "quoted-printable":
			dec = quotedprintable.NewReader(r)
		case "base64":
			dec = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, err := io.ReadAll(dec)
		if err != nil {
			t.Fatal(err)
		}
		if params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("%s part in charset %s, want UTF-8", mt, params["charset"])
		}
		switch mt {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header, msg.Body)
	return text, html
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// A reply is a well-formed mail from the channel's address to the customer's, answering the
// subject of the customer's first message, citing the thread, with a Message-ID made of the
// message id, so a retry of the same message carries the same one.
func TestSend(t *testing.T) {
	s := newSink(t)
	a := adapter()
	m := channel.Outbound{
		ID: "01jd5u8z7x6c5v4b3n2m1l0k9j", ConversationID: "c1", To: toDana,
		Text: "שלום דנה,\nהתביעה שלך התקבלה ותטופל השבוע.\n\nGesher Insurance",
		Thread: []channel.ThreadMessage{
			{ExternalID: "CAHeb1255.0001@mail.example.co.il", Inbound: true, Text: "Subject: תביעה על נזק לרכב\n\nשלום רב"},
			{ExternalID: "01jd5r00000000000000000000@mail.demo.example", Text: "We got it."},
			{ExternalID: "sha256:4f1d", Inbound: true, Text: "a message that came without a Message-ID"},
			{ExternalID: "CAF=k3Zq8vXy@mail.gmail.com", Inbound: true, Text: "Subject: Re: תביעה על נזק לרכב\n\nthanks"},
		},
	}
	rec, err := a.Send(context.Background(), emailChannel(s), m)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ExternalID != "01jd5u8z7x6c5v4b3n2m1l0k9j@mail.demo.example" {
		t.Errorf("receipt %q, want the Message-ID without brackets", rec.ExternalID)
	}
	got := s.messages()
	if len(got) != 1 {
		t.Fatalf("the sink got %d messages, want 1", len(got))
	}
	msg := got[0]
	if msg.from != "service@demo.example" || len(msg.to) != 1 || msg.to[0] != "dana.levi@example.com" {
		t.Errorf("envelope from %q to %v", msg.from, msg.to)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(header(msg.data, "Subject"))
	from, _ := dec.DecodeHeader(header(msg.data, "From"))
	for name, want := range map[string]string{
		"Subject":     "Re: תביעה על נזק לרכב",
		"From":        `"Gesher Insurance" <service@demo.example>`,
		"To":          "<dana.levi@example.com>",
		"Message-ID":  "<01jd5u8z7x6c5v4b3n2m1l0k9j@mail.demo.example>",
		"In-Reply-To": "<CAF=k3Zq8vXy@mail.gmail.com>",
		"References":  "<CAHeb1255.0001@mail.example.co.il> <01jd5r00000000000000000000@mail.demo.example> <CAF=k3Zq8vXy@mail.gmail.com>",
	} {
		v := header(msg.data, name)
		switch name {
		case "Subject":
			v = subject
		case "From":
			v = from
		}
		if v != want {
			t.Errorf("%s: %q, want %q", name, v, want)
		}
	}
	if d, err := mail.ParseDate(header(msg.data, "Date")); err != nil || !d.Equal(sentAt) {
		t.Errorf("Date %q, want %v from the clock", header(msg.data, "Date"), sentAt)
	}
	text, html := body(t, msg.data)
	if strings.ReplaceAll(text, "\r\n", "\n") != m.Text {
		t.Errorf("text part %q, want %q", text, m.Text)
	}
	if !strings.Contains(html, `<div dir="auto">התביעה שלך התקבלה ותטופל השבוע.</div>`) {
		t.Errorf("HTML part does not carry the lines with dir=auto: %s", html)
	}

	// The same message again (a retry after a lost answer) has the same Message-ID.
	if _, err := a.Send(context.Background(), emailChannel(s), m); err != nil {
		t.Fatal(err)
	}
	if id := header(s.messages()[1].data, "Message-ID"); id != "<01jd5u8z7x6c5v4b3n2m1l0k9j@mail.demo.example>" {
		t.Errorf("the retry has Message-ID %s", id)
	}
}

// Without an email thread (a conversation moved to email) the subject comes from the
// conversation, else from the reply's first line; attachments with a public link are listed.
func TestSendSubjectsAndLinks(t *testing.T) {
	s := newSink(t)
	a := adapter()
	ctx := context.Background()
	if _, err := a.Send(ctx, emailChannel(s), channel.Outbound{ID: "m1", To: toDana, Subject: "Fwd: Claim 4521", Text: "Hello"}); err != nil {
		t.Fatal(err)
	}
	long := "Your claim 4521-88 was approved and the payment will reach your account within three working days"
	if _, err := a.Send(ctx, emailChannel(s), channel.Outbound{ID: "m2", To: toDana, Text: long + "\nBest",
		Attachments: []conversation.Attachment{{Name: "approval.pdf", URL: "https://files.example.com/approval.pdf"}}}); err != nil {
		t.Fatal(err)
	}
	got := s.messages()
	if sub := header(got[0].data, "Subject"); sub != "Re: Claim 4521" {
		t.Errorf("subject from the conversation: %q", sub)
	}
	if h := header(got[0].data, "In-Reply-To") + header(got[0].data, "References"); h != "" {
		t.Errorf("a message with no thread cites %q", h)
	}
	if sub, _ := new(mime.WordDecoder).DecodeHeader(header(got[1].data, "Subject")); sub != "Your claim 4521-88 was approved and the payment will reach y…" {
		t.Errorf("subject from the first line: %q", sub)
	}
	if text, _ := body(t, got[1].data); !strings.Contains(text, "approval.pdf: https://files.example.com/approval.pdf") {
		t.Errorf("the attachment's link is not in the text: %q", text)
	}
	// A link in the text is a link in the HTML part, its sentence's punctuation left out and
	// everything around it escaped, so a mail program that does not find links opens it too.
	if _, err := a.Send(ctx, emailChannel(s), channel.Outbound{ID: "m3", To: toDana,
		Text: "איך היה השירות? ענו כאן: https://help.example.com/r/01J.x1.A-b_c?lang=he&x=<1>. או השיבו <במספר>"}); err != nil {
		t.Fatal(err)
	}
	_, html := body(t, s.messages()[2].data)
	want := `<div dir="auto">איך היה השירות? ענו כאן: <a href="https://help.example.com/r/01J.x1.A-b_c?lang=he&amp;x=" dir="ltr">https://help.example.com/r/01J.x1.A-b_c?lang=he&amp;x=</a>&lt;1&gt;. או השיבו &lt;במספר&gt;</div>`
	if !strings.Contains(html, want) {
		t.Errorf("the HTML part\n%s\nlacks\n%s", html, want)
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name      string
		refusal   refusal
		temporary bool
		reason    string
	}{
		{"unknown recipient", refusal{"rcpt", 550, smtp.EnhancedCode{5, 1, 1}, "<dana.levi@example.com>: Recipient address rejected: User unknown"}, false,
			"550 5.1.1 <dana.levi@example.com>: Recipient address rejected: User unknown"},
		{"greylisted", refusal{"rcpt", 451, smtp.EnhancedCode{4, 7, 1}, "Greylisted, try again in 5 minutes"}, true, "451 4.7.1 Greylisted, try again in 5 minutes"},
		{"mailbox full", refusal{"data", 452, smtp.EnhancedCode{4, 2, 2}, "Mailbox full"}, true, "452 4.2.2 Mailbox full"},
		{"content refused", refusal{"data", 554, smtp.EnhancedCode{5, 7, 1}, "Message rejected as spam"}, false, "554 5.7.1 Message rejected as spam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSink(t)
			s.refuse(tt.refusal)
			_, err := adapter().Send(context.Background(), emailChannel(s), channel.Outbound{ID: "m1", To: toDana, Text: "hi"})
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SendError", err)
			}
			if se.Temporary != tt.temporary || se.Reason != tt.reason {
				t.Errorf("got temporary=%v reason=%q; want %v %q", se.Temporary, se.Reason, tt.temporary, tt.reason)
			}
			if n := len(s.messages()); n != 0 {
				t.Errorf("the sink kept %d messages", n)
			}
		})
	}
}

// A server that is down never got the message: retrying is safe, and done.
func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	ch := emailChannel(&sink{host: "127.0.0.1", port: port})
	_, err = adapter().Send(context.Background(), ch, channel.Outbound{ID: "m1", To: toDana, Text: "hi"})
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("got %v, want a temporary SendError", err)
	}
}

func TestSendTLSAndAuth(t *testing.T) {
	cert, roots := sinkTLS(t)
	trusting := adapter(email.Options{TLSConfig: &tls.Config{RootCAs: roots}})
	ctx := context.Background()
	m := channel.Outbound{ID: "m1", To: toDana, Text: "hi"}

	t.Run("starttls with AUTH", func(t *testing.T) {
		s := newSink(t, sinkOptions{starttls: cert, user: "gesher", pass: "smtp-password"})
		if _, err := trusting.Send(ctx, emailChannel(s, email.SettingSMTPTLS, email.TLSStartTLS, email.SettingSMTPUsername, "gesher"), m); err != nil {
			t.Fatal(err)
		}
		if used := s.encrypted(); len(used) != 1 || !used[0] {
			t.Errorf("delivered without TLS: %v", used)
		}
	})
	t.Run("implicit tls", func(t *testing.T) {
		s := newSink(t, sinkOptions{implicit: cert})
		if _, err := trusting.Send(ctx, emailChannel(s, email.SettingSMTPTLS, email.TLSImplicit), m); err != nil {
			t.Fatal(err)
		}
		if used := s.encrypted(); len(used) != 1 || !used[0] {
			t.Errorf("delivered without TLS: %v", used)
		}
	})
	permanent := func(t *testing.T, a *email.Adapter, ch channel.Channel, want string) {
		t.Helper()
		_, err := a.Send(ctx, ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Reason, want) {
			t.Errorf("got %v, want a permanent SendError mentioning %q", err, want)
		}
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		s := newSink(t, sinkOptions{starttls: cert})
		permanent(t, adapter(), emailChannel(s, email.SettingSMTPTLS, email.TLSStartTLS), "certificate")
	})
	t.Run("starttls required but not offered", func(t *testing.T) {
		s := newSink(t)
		permanent(t, trusting, emailChannel(s, email.SettingSMTPTLS, email.TLSStartTLS), "STARTTLS")
	})
	t.Run("wrong password", func(t *testing.T) {
		s := newSink(t, sinkOptions{starttls: cert, user: "gesher", pass: "the real one"})
		permanent(t, trusting, emailChannel(s, email.SettingSMTPTLS, email.TLSStartTLS, email.SettingSMTPUsername, "gesher"), "535")
		if n := len(s.messages()); n != 0 {
			t.Errorf("delivered %d messages without authenticating", n)
		}
	})
}

func TestSendRefusesBeforeConnecting(t *testing.T) {
	s := newSink(t)
	a := adapter()
	ctx := context.Background()
	if _, err := a.Send(ctx, emailChannel(s), channel.Outbound{ID: "m", To: []channel.Identity{{Kind: customer.Phone, Value: "+972500000042"}}, Text: "hi"}); !errors.Is(err, channel.ErrNoAddress) {
		t.Errorf("customer without email: %v, want ErrNoAddress", err)
	}
	permanent := func(name string, ch channel.Channel, m channel.Outbound, want string) {
		_, err := a.Send(ctx, ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Reason, want) {
			t.Errorf("%s: got %v, want a permanent SendError mentioning %q", name, err, want)
		}
	}
	hi := channel.Outbound{ID: "m", To: toDana, Text: "hi"}
	permanent("no address", emailChannel(s, email.SettingAddress, ""), hi, "address")
	permanent("no host", emailChannel(s, email.SettingSMTPHost, ""), hi, "smtp_host")
	permanent("bad port", emailChannel(s, email.SettingSMTPPort, "smtp"), hi, "smtp_port")
	permanent("bad tls mode", emailChannel(s, email.SettingSMTPTLS, "ssl3"), hi, "smtp_tls")
	permanent("bad Message-ID domain", emailChannel(s, email.SettingMessageIDDomain, "demo example"), hi, "message_id_domain")
	permanent("nothing to send", emailChannel(s), channel.Outbound{ID: "m", To: toDana, Text: "  "}, "nothing to send")
	permanent("a file of the media store", emailChannel(s), channel.Outbound{ID: "m", To: toDana, Text: "see the scan",
		Attachments: []conversation.Attachment{{Name: "scan.pdf", URL: "/api/v1/media/01jd"}}}, "scan.pdf")
	if n := s.tries(); n != 0 {
		t.Errorf("the SMTP server was reached %d times for messages that cannot be sent", n)
	}
}

func TestSecrets(t *testing.T) {
	got := email.New(email.Options{}).Secrets(channel.Channel{Secret: "pw", Settings: map[string]string{email.SettingSMTPUsername: "u"}})
	want := []string{"pw", base64.StdEncoding.EncodeToString([]byte("pw")), base64.StdEncoding.EncodeToString([]byte("\x00u\x00pw"))}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Secrets = %v, want %v", got, want)
	}
	if got := email.New(email.Options{}).Secrets(channel.Channel{}); len(got) != 0 {
		t.Errorf("a channel without a secret has secrets %v", got)
	}
}
