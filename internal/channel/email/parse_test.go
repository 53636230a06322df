package email

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/media"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstBody decodes the first non-multipart part of a raw message with the standard library
// alone (no enmime), transfer encoding undone, charset untouched.
func firstBody(t *testing.T, raw []byte) (charset string, body []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ct, h, r := msg.Header.Get("Content-Type"), map[string][]string(msg.Header), io.Reader(msg.Body)
	for {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			charset = params["charset"]
			break
		}
		p, err := multipart.NewReader(r, params["boundary"]).NextRawPart()
		if err != nil {
			t.Fatal(err)
		}
		ct, h, r = p.Header.Get("Content-Type"), p.Header, p
	}
	switch strings.ToLower(strings.Join(h["Content-Transfer-Encoding"], "")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	body, err = io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return charset, body
}

// The charset fixtures really are in their charsets: their bodies are byte for byte what
// golang.org/x/text's encoders make of the texts (a different route from iconv, which made
// them), none of them is UTF-8, and Parse turns each back into the text.
func TestCharsetFixtures(t *testing.T) {
	visual := []string{",םולש", ".30.11-ב הגפ 7731 רפסמ ילש הסילופה", "?(השקבב) התוא שדחל רשפא", ".רבעש שדוחב םכלש הריהמה הרזעה לע הבר הדות", "Moshe Levi - יול השמ"}
	cases := []struct {
		file, charset string
		enc           encoding.Encoding
		sent          string // the text as it is in the body, before encoding
		want          string // what Parse must read
		subject, name string
	}{
		{"hebrew-windows-1255.eml", "windows-1255", charmap.Windows1255,
			"שלום רב,\r\n\r\nאני רוצה להגיש תביעה על נזק לרכב. מספר הפוליסה 4521-88.\r\nסכום הנזק המשוער: 3,200 ₪.\r\nמצורף צילום הפוליסה.\r\n\r\nתודה,\r\nיעל כהן\r\n", "", "תביעה על נזק לרכב", "יעל כהן"},
		{"hebrew-iso-8859-8-visual.eml", "iso-8859-8", charmap.ISO8859_8, strings.Join(visual, "\r\n") + "\r\n",
			"שלום,\nהפוליסה שלי מספר 7731 פגה ב-30.11.\nאפשר לחדש אותה (בבקשה)?\nתודה רבה על העזרה המהירה שלכם בחודש שעבר.\nMoshe Levi - משה לוי", "Policy 7731", "Moshe Levi"},
		{"hebrew-iso-8859-8-i.eml", "ISO-8859-8-I", charmap.ISO8859_8,
			"שלום,\r\nקיבלתי את ההודעה שלכם לגבי הפוליסה. הכתובת החדשה שלי: רחוב הרצל 12, חיפה.\r\nאשמח לאישור בדואר חוזר.\r\nבברכה,\r\nדוד מזרחי\r\n", "", "שינוי כתובת", "דוד מזרחי"},
		{"arabic-windows-1256.eml", "windows-1256", charmap.Windows1256,
			"مرحبا،\r\nأريد تجديد بوليصة التأمين الخاصة بسيارتي. رقم البوليصة 9043.\r\nهل يمكنكم الاتصال بي غدا؟\r\nشكرا جزيلا،\r\nعمر حداد\r\n", "", "تجديد البوليصة", "عمر حداد"},
		{"russian-koi8-r.eml", "koi8-r", charmap.KOI8R,
			"Здравствуйте!\r\n\r\nЯ хочу узнать статус моей страховки. Номер полиса 55-1234.\r\nПожалуйста, ответьте по электронной почте.\r\n\r\nСпасибо,\r\nОльга Петрова\r\n", "", "Вопрос о страховке", "Ольга Петрова"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw := fixture(t, c.file)
			charset, body := firstBody(t, raw)
			if !strings.EqualFold(charset, c.charset) {
				t.Errorf("declared charset %q, want %q", charset, c.charset)
			}
			want, err := c.enc.NewEncoder().String(c.sent)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, []byte(want)) {
				t.Errorf("body bytes\n% x\nwant\n% x", body, want)
			}
			if utf8.Valid(body) {
				t.Errorf("the body is valid UTF-8; it should be in %s", c.charset)
			}
			m, err := Parse(raw, "")
			if err != nil {
				t.Fatal(err)
			}
			wantText := c.want
			if wantText == "" {
				wantText = strings.TrimSpace(strings.ReplaceAll(c.sent, "\r\n", "\n"))
			}
			if m.Text != wantText || m.Subject != c.subject || m.Name != c.name {
				t.Errorf("parsed text %q, subject %q, name %q\nwant %q, %q, %q", m.Text, m.Subject, m.Name, wantText, c.subject, c.name)
			}
		})
	}
	// The windows-1255 fixture's attachment has a Hebrew name in an encoded word.
	m, err := Parse(fixture(t, "hebrew-windows-1255.eml"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Name != "פוליסה.pdf" || !bytes.HasPrefix(m.Files[0].Data, []byte("%PDF-1.4")) {
		t.Errorf("files %+v", m.Files)
	}
}

// UTF-8 that a message labels US-ASCII, or does not label at all, is read as UTF-8, however
// short (enmime alone reads it as windows-1252), in a plain, a quoted-printable and a base64
// part; real windows-1252 is still read as such.
func TestUndeclaredUTF8(t *testing.T) {
	for name, c := range map[string]struct{ raw, text string }{
		"no MIME header": {"From: a@example.com\r\nSubject: x\r\n\r\nשלום, מה נשמע?\r\n", "שלום, מה נשמע?"},
		"declared US-ASCII, quoted-printable": {"From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=D7=A9=D7=9C=D7=95=D7=9D =D7=A2=D7=95=D7=9C=D7=9D\r\n--b--\r\n", "שלום עולם"},
		"declared US-ASCII, base64": {"From: a@example.com\r\nContent-Type: text/plain; charset=US-ASCII\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte("Привет, мир")) + "\r\n", "Привет, мир"},
		"windows-1252 stays windows-1252": {"From: a@example.com\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nCaf\xe9 cr\xe8me\r\n", "Café crème"},
	} {
		m, err := Parse([]byte(c.raw), "")
		if err != nil || m.Text != c.text {
			t.Errorf("%s: %q, %v; want %q", name, m.Text, err, c.text)
		}
	}
}

func TestVisualToLogical(t *testing.T) {
	tests := []struct{ visual, logical string }{
		{"םולש", "שלום"},
		{"םלוע םולש", "שלום עולם"},
		{".30.11-ב הגפ 7731 רפסמ ילש הסילופה", "הפוליסה שלי מספר 7731 פגה ב-30.11."},
		{"?(השקבב) התוא שדחל רשפא", "אפשר לחדש אותה (בבקשה)?"},
		{"info@gesher.example תבותכל ינורטקלא ראודב ונל בותכל רשפא", "אפשר לכתוב לנו בדואר אלקטרוני לכתובת info@gesher.example"},
		{"Moshe Levi - יול השמ", "Moshe Levi - משה לוי"},
		{"Policy number 7731, renewed", "Policy number 7731, renewed"},
		{"", ""},
		{"םולש\r", "שלום\r"},
	}
	for _, tt := range tests {
		if got := visualToLogical(tt.visual); got != tt.logical {
			t.Errorf("visualToLogical(%q) = %q, want %q", tt.visual, got, tt.logical)
		}
		if back := visualToLogical(tt.logical); back != tt.visual {
			t.Errorf("visualToLogical(%q) = %q, want %q back (the reordering is its own inverse)", tt.logical, back, tt.visual)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		name, text, body, rest string
	}{
		{"nothing to fold", "Hello,\nmy policy is 4521.\nThanks", "Hello,\nmy policy is 4521.\nThanks", ""},
		{"signature", "Hello\n\n-- \nDana Levi\n050-0000000", "Hello", "-- \nDana Levi\n050-0000000"},
		{"signature without its space", "Hello\n--\nDana", "Hello", "--\nDana"},
		{"gmail attribution", "Yes, Thursday.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Gesher <service@demo.example> wrote:\n> When can you come?", "Yes, Thursday.",
			"On Mon, Nov 23, 2026 at 10:00 AM Gesher <service@demo.example> wrote:\n> When can you come?"},
		{"wrapped attribution", "Yes.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Gesher Insurance <\nservice@demo.example> wrote:\n\n> When?", "Yes.",
			"On Mon, Nov 23, 2026 at 10:00 AM Gesher Insurance <\nservice@demo.example> wrote:\n\n> When?"},
		{"original message", "Cancel it please.\n\n-----Original Message-----\nFrom: Gesher\nSent: Monday\n\nYour appointment", "Cancel it please.",
			"-----Original Message-----\nFrom: Gesher\nSent: Monday\n\nYour appointment"},
		{"hebrew original message", "בטלו בבקשה.\n-----הודעה מקורית-----\nמאת: גשר\nנשלח: יום ב", "בטלו בבקשה.", "-----הודעה מקורית-----\nמאת: גשר\nנשלח: יום ב"},
		{"outlook block", "Fine.\n\n________________________________\nFrom: Gesher <service@demo.example>\nSent: Monday, November 23, 2026 10:00 AM\nTo: Avi\nSubject: Appointment\n\nThursday at 10",
			"Fine.", "________________________________\nFrom: Gesher <service@demo.example>\nSent: Monday, November 23, 2026 10:00 AM\nTo: Avi\nSubject: Appointment\n\nThursday at 10"},
		{"outlook block in Hebrew, bold as html2text writes it", "בסדר.\n\n*מאת:* גשר ביטוח\n*נשלח:* יום שני\n*אל:* אבי\n*נושא:* פגישה\n\nביום חמישי", "בסדר.",
			"*מאת:* גשר ביטוח\n*נשלח:* יום שני\n*אל:* אבי\n*נושא:* פגישה\n\nביום חמישי"},
		{"hebrew attribution", "תודה!\n\nבתאריך יום ב׳, 23 בנוב׳ 2026, 10:00, מאת גשר ביטוח <service@demo.example> נכתב:\n> שלום", "תודה!",
			"בתאריך יום ב׳, 23 בנוב׳ 2026, 10:00, מאת גשר ביטוח <service@demo.example> נכתב:\n> שלום"},
		{"gmail hebrew attribution with direction marks", "תודה\n\n\u202bבתאריך יום ב׳, 23 בנוב׳ 2026 ב-10:00 מאת \u202aGesher\u202c\u200f <\u202aservice@demo.example\u202c\u200f>:\u202c\n> שלום", "תודה",
			"\u202bבתאריך יום ב׳, 23 בנוב׳ 2026 ב-10:00 מאת \u202aGesher\u202c\u200f <\u202aservice@demo.example\u202c\u200f>:\u202c\n> שלום"},
		{"a Hebrew sentence that starts with a date is not an attribution", "בתאריך 5.12 אני צריך את המסמכים הבאים:\n1. פוליסה\n2. צילום רישיון",
			"בתאריך 5.12 אני צריך את המסמכים הבאים:\n1. פוליסה\n2. צילום רישיון", ""},
		{"russian attribution", "Спасибо.\n\n24.11.2026, 10:00, Gesher <service@demo.example> пишет:\n> Здравствуйте", "Спасибо.",
			"24.11.2026, 10:00, Gesher <service@demo.example> пишет:\n> Здравствуйте"},
		{"closing quote with a short attribution", "Agreed.\n\nDana wrote:\n> Shall we say Thursday?\n>\n> Dana", "Agreed.", "Dana wrote:\n> Shall we say Thursday?\n>\n> Dana"},
		{"closing quote without attribution", "Agreed.\n> Shall we say Thursday?", "Agreed.", "> Shall we say Thursday?"},
		{"answers between quotes are not hidden", "> Your policy number?\n4521\n> Your car?\nMazda 3", "> Your policy number?\n4521\n> Your car?\nMazda 3", ""},
		{"only a quote is not folded away", "> Your appointment is on Thursday.", "> Your appointment is on Thursday.", ""},
		{"a forward is what the customer wants read", "See below.\n\n---------- Forwarded message ---------\nFrom: Garage <garage@example.com>\nDate: Mon\n\nThe repair costs 3,200 ₪.",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Garage <garage@example.com>\nDate: Mon\n\nThe repair costs 3,200 ₪.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, rest := fold(tt.text)
			if body != tt.body || rest != tt.rest {
				t.Errorf("fold(%q)\n body %q\n rest %q\nwant\n body %q\n rest %q", tt.text, body, rest, tt.body, tt.rest)
			}
		})
	}
}

func TestReplyFixtures(t *testing.T) {
	m, err := Parse(fixture(t, "gmail-reply.eml"), "")
	if err != nil {
		t.Fatal(err)
	}
	if m.InReplyTo != "01jd5q3w8y4k2m6n8p0r2t4v6x@demo.example" || strings.Join(m.References, " ") != "01jd5q0a1b2c3d4e5f6g7h8j9k@demo.example 01jd5q3w8y4k2m6n8p0r2t4v6x@demo.example" {
		t.Errorf("In-Reply-To %q, References %q", m.InReplyTo, m.References)
	}
	if m.MessageID != "CAF=k3Zq8vXy2mN4pR7tLw9hJ1bD5sG6eA0cU3iO8nK2fQ@mail.gmail.com" {
		t.Errorf("Message-ID %q", m.MessageID)
	}
	if strings.Contains(m.HTML, "style=") || strings.Contains(m.HTML, "class=") || !strings.Contains(m.HTML, "Thanks! The new address is 12 Herzl St") {
		t.Errorf("sanitised HTML %s", m.HTML)
	}
	items, err := New(Options{}).Items(channel.Channel{Name: "support"}, m)
	if err != nil {
		t.Fatal(err)
	}
	// "Re: …" answering a thread: the subject is not repeated above the text.
	if len(items) != 1 || items[0].Text != "Thanks! The new address is 12 Herzl St, Haifa. Please send the documents there.\n\nDana" {
		t.Errorf("items %+v", items)
	}
	// An HTML-only reply is folded too: html2text writes Gmail's blockquote as "> " lines.
	htmlOnly := "From: Dana <dana@example.com>\r\nMessage-ID: <h1@example.com>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<div dir="ltr">Thursday is fine.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 23, 2026 at 10:00 AM Gesher &lt;service@demo.example&gt; wrote:<br></div><blockquote class="gmail_quote">When can you come?</blockquote></div>`
	if m, err = Parse([]byte(htmlOnly), ""); err != nil {
		t.Fatal(err)
	}
	if m.Text != "Thursday is fine." || !strings.Contains(m.Folded, "> When can you come?") {
		t.Errorf("HTML-only reply: text %q, folded %q", m.Text, m.Folded)
	}
}

func TestAutomaticMessages(t *testing.T) {
	base := "From: Yael <yael@example.co.il>\r\nTo: service@demo.example\r\nSubject: Out of office\r\nMessage-ID: <a1@example.co.il>\r\n%s\r\nI am away.\r\n"
	tests := []struct {
		header, envelope string
		auto             bool
	}{
		{"Auto-Submitted: auto-replied\r\n", "", true},
		{"Auto-Submitted: auto-generated\r\n", "", true},
		{"Auto-Submitted: no\r\n", "", false},
		{"X-Autoreply: yes\r\n", "", true},
		{"X-Autorespond: Out of office\r\n", "", true},
		{"X-Auto-Response-Suppress: All\r\n", "", true},
		{"Precedence: auto_reply\r\n", "", true},
		{"Precedence: bulk\r\n", "", true},
		{"Precedence: junk\r\n", "", true},
		{"Precedence: list\r\n", "", false},
		{"", NullSender, true},
		{"Return-Path: <>\r\n", "", true},
		{"Return-Path: <yael@example.co.il>\r\n", "", false},
		{"", "yael@example.co.il", false},
	}
	a := New(Options{})
	for _, tt := range tests {
		raw := strings.Replace(base, "%s", tt.header, 1)
		m, err := Parse([]byte(raw), tt.envelope)
		if err != nil {
			t.Fatalf("%q: %v", tt.header, err)
		}
		if (m.Auto != "") != tt.auto || m.Bounce != nil {
			t.Errorf("header %q, envelope %q: Auto %q bounce %v; want automatic %v", tt.header, tt.envelope, m.Auto, m.Bounce, tt.auto)
		}
		items, err := a.Items(channel.Channel{Name: "support"}, m)
		if err != nil || (len(items) == 0) != tt.auto {
			t.Errorf("header %q: %d items, %v", tt.header, len(items), err)
		}
	}
	m, err := Parse(fixture(t, "auto-reply.eml"), "yael.cohen@example.co.il")
	if err != nil || m.Auto != "Auto-Submitted: auto-replied" {
		t.Errorf("auto-reply fixture: %v, %q", err, m.Auto)
	}
}

func TestBounces(t *testing.T) {
	a := New(Options{})
	ours := "01jd5u8z7x6c5v4b3n2m1l0k9j@demo.example"
	m, err := Parse(fixture(t, "bounce-dsn.eml"), NullSender)
	if err != nil {
		t.Fatal(err)
	}
	want := Bounce{MessageID: ours, Action: "failed", Reason: "550 5.1.1 <dana.levi@example.com>: Recipient address rejected: User unknown in virtual mailbox table"}
	if m.Bounce == nil || *m.Bounce != want {
		t.Fatalf("bounce %+v, want %+v", m.Bounce, want)
	}
	items, err := a.Items(channel.Channel{}, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Status == nil || *items[0].Status != (channel.StatusUpdate{ExternalID: ours, Status: conversation.StatusFailed, Reason: want.Reason}) ||
		items[0].ExternalID != "20261124100005.4Zx1y2z3A4@mx.example.net" || len(items[0].From.Identities) != 0 {
		t.Errorf("items %+v", items)
	}

	dsn := func(action, original string) string {
		return "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\r\nTo: service@demo.example\r\nMessage-ID: <dsn.2@mx.example.net>\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nDelivery to the following recipient has been delayed.\r\n" +
			"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; dana@example.com\r\nAction: " + action + "\r\nStatus: 4.4.1\r\n\r\n" +
			"--b\r\nContent-Type: message/rfc822\r\n\r\n" + original + "\r\n--b--\r\n"
	}
	original := "From: service@demo.example\r\nTo: dana@example.com\r\nMessage-ID: <" + ours + ">\r\nSubject: Re: claim\r\n\r\nHello\r\n"
	if m, err = Parse([]byte(dsn("delayed", original)), NullSender); err != nil || m.Bounce == nil || m.Bounce.Action != "delayed" || m.Bounce.MessageID != ours {
		t.Fatalf("delayed: %+v %v", m, err)
	}
	if items, err := a.Items(channel.Channel{}, m); err != nil || len(items) != 0 {
		t.Errorf("a delayed report is no failure: %+v %v", items, err)
	}
	if m, err = Parse([]byte(dsn("failed", original)), NullSender); err != nil || m.Bounce.Reason != "status 4.4.1" || m.Bounce.MessageID != ours {
		t.Errorf("failed without a diagnostic, returned as message/rfc822: %+v %v", m.Bounce, err)
	}

	if m, err = Parse([]byte(dsn("delivered", original)), NullSender); err != nil {
		t.Fatal(err)
	}
	if items, err := a.Items(channel.Channel{}, m); err != nil || len(items) != 1 || items[0].Status.Status != conversation.StatusDelivered || items[0].Status.ExternalID != ours {
		t.Errorf("a success report: %+v %v; want the reply marked delivered", items, err)
	}

	// An old-style bounce: text from MAILER-DAEMON quoting the original's headers.
	old := "From: MAILER-DAEMON@mail.example.com\r\nTo: service@demo.example\r\nSubject: failure notice\r\nMessage-ID: <old.3@mail.example.com>\r\n\r\n" +
		"Hi. This is the qmail-send program at mail.example.com.\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n" +
		"<dana@example.com>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n--- Below this line is a copy of the message.\r\n\r\nMessage-ID: <" + ours + ">\r\nFrom: service@demo.example\r\n"
	if m, err = Parse([]byte(old), NullSender); err != nil || m.Bounce == nil || m.Bounce.MessageID != ours || m.Bounce.Action != "failed" ||
		!strings.Contains(m.Bounce.Reason, "Sorry, no mailbox here by that name.") {
		t.Errorf("old-style bounce: %+v %v", m.Bounce, err)
	}
	// A report that names no message of ours stores nothing.
	if m, err = Parse([]byte(dsn("failed", "")), NullSender); err != nil {
		t.Fatal(err)
	}
	if items, err := a.Items(channel.Channel{}, m); err != nil || len(items) != 0 {
		t.Errorf("a bounce about nothing we know: %+v %v", items, err)
	}
}

func TestSanitizeHTML(t *testing.T) {
	in := `<html><head><style>p{color:red}</style><script>alert(1)</script></head><body onload="x()">` +
		`<div dir="rtl" style="color:red" class="c">שלום <a href="javascript:alert(1)">כאן</a> <a href="https://example.com/a" onclick="x()">there</a></div>` +
		`<img src="http://tracker.example/p.gif"><img src="cid:part1@example.com" onerror="x()" alt="photo"><iframe src="https://e.example"></iframe>` +
		`<svg onload="x()"><circle r="1"/></svg><p>done</p></body></html>`
	got := sanitizeHTML(in)
	for _, bad := range []string{"script", "alert", "onload", "onclick", "onerror", "javascript", "tracker.example", "iframe", "svg", "style", "class="} {
		if strings.Contains(got, bad) {
			t.Errorf("%q survived: %s", bad, got)
		}
	}
	for _, good := range []string{`<div dir="rtl">שלום`, `href="https://example.com/a"`, `src="cid:part1@example.com"`, `<p>done</p>`} {
		if !strings.Contains(got, good) {
			t.Errorf("%s was lost: %s", good, got)
		}
	}
	if s := sanitizeHTML(`<script>alert(1)</script><style>x</style>`); s != "" {
		t.Errorf("nothing visible left, got %q", s)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, raw := range map[string][]byte{
		"empty":        {},
		"blank":        []byte(" \r\n\r\n"),
		"too large":    append([]byte("From: a@example.com\r\n\r\n"), make([]byte, MaxMessageBytes)...),
		"many files":   manyFiles(maxFiles + 1),
		"bad boundary": []byte("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n"),
	} {
		_, err := Parse(raw, "")
		var pe *channel.PayloadError
		if name == "bad boundary" {
			// enmime reads even this; what matters is that it is not a crash.
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("%s: %v is not a PayloadError", name, err)
			}
			continue
		}
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a PayloadError", name, err)
		}
	}
	a := New(Options{})
	m, err := Parse([]byte("Subject: hi\r\n\r\nwho am I?\r\n"), "nobody")
	if err != nil {
		t.Fatal(err)
	}
	var pe *channel.PayloadError
	if _, err := a.Items(channel.Channel{}, m); !errors.As(err, &pe) || !strings.Contains(pe.Reason, "no sender address") {
		t.Errorf("no sender: %v", err)
	}
	m, err = Parse([]byte("From: a@example.com\r\nMessage-ID: <e@example.com>\r\n\r\n \r\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Items(channel.Channel{}, m); !errors.As(err, &pe) || !strings.Contains(pe.Reason, "no subject, no text") {
		t.Errorf("nothing in it: %v", err)
	}
}

func manyFiles(n int) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfiles\r\n")
	for i := range n {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f" + string(rune('a'+i%26)) + ".bin\"\r\n\r\nxyz\r\n")
	}
	b.WriteString("--b--\r\n")
	return []byte(b.String())
}

// What becomes of a message: the subject above the text, files for the folded quote and the
// HTML, a file too large to keep noted by name, a text too long to store cut with the whole
// of it kept as a file; and the sender found from the envelope when From cannot be answered.
func TestItems(t *testing.T) {
	a := New(Options{})
	big := enmime.NewPart("video/mp4")
	big.FileName, big.Content = "video.mp4", bytes.Repeat([]byte{0xff}, media.MaxSize+1)
	m := &Mail{MessageID: "m1@example.com", From: "dana@example.com", Name: "Dana", Subject: "Claim 4521", Text: "Hello", Folded: "> earlier", HTML: "<p>Hello</p>",
		Files: []channel.File{{Name: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}}
	m.addFile(big)
	items, err := a.Items(channel.Channel{}, m)
	if err != nil {
		t.Fatal(err)
	}
	in := items[0]
	if in.Text != "Subject: Claim 4521\n\nHello" || in.From.Name != "Dana" || in.From.Identities[0] != (channel.Identity{Kind: customer.Email, Value: "dana@example.com"}) {
		t.Errorf("item %+v", in)
	}
	var names []string
	for _, f := range in.Files {
		names = append(names, f.Name+" "+f.ContentType)
	}
	if strings.Join(names, ", ") != "a.pdf application/pdf, quoted-text.txt text/plain; charset=utf-8, message.html text/html; charset=utf-8" {
		t.Errorf("files %v", names)
	}
	if len(in.Attachments) != 1 || in.Attachments[0].Name != "video.mp4 (not kept: 16.0 MiB, over the 16 MiB limit)" || in.Attachments[0].Size != int64(len(big.Content)) || in.Attachments[0].URL != "" {
		t.Errorf("too large: %+v", in.Attachments)
	}

	long := &Mail{MessageID: "m2@example.com", From: "dana@example.com", Text: strings.Repeat("שלום ", maxText/5)}
	items, err = a.Items(channel.Channel{}, long)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(items[0].Text); n > maxText || !utf8.ValidString(items[0].Text) || len(items[0].Files) != 1 || items[0].Files[0].Name != FullFile || string(items[0].Files[0].Data) != long.Text {
		t.Errorf("a long text: %d bytes stored, files %d", n, len(items[0].Files))
	}

	// Mail from the channel's own address is a loop, not a customer.
	self := &Mail{MessageID: "m3@example.com", From: "service@demo.example", Text: "Re: Re: Re: hello"}
	if items, err := a.Items(channel.Channel{Settings: map[string]string{SettingAddress: "Service@demo.example"}}, self); err != nil || len(items) != 0 {
		t.Errorf("mail from ourselves: %+v %v", items, err)
	}

	// From names no domain; the envelope's address is used.
	p, err := Parse([]byte("From: Bob <bob@extern>\r\nMessage-ID: <b@x>\r\n\r\nhi\r\n"), "bob@extern.example")
	if err != nil || p.From != "bob@extern.example" || p.Name != "Bob" {
		t.Errorf("fallback sender: %+v %v", p, err)
	}
	// A message without Message-ID is keyed by its bytes: the same bytes, the same key.
	raw := []byte("From: a@example.com\r\n\r\nhi\r\n")
	p1, _ := Parse(raw, "")
	p2, _ := Parse(raw, "")
	p3, _ := Parse(append(raw, '!'), "")
	if !strings.HasPrefix(p1.MessageID, "sha256:") || p1.MessageID != p2.MessageID || p1.MessageID == p3.MessageID {
		t.Errorf("hash ids %q %q %q", p1.MessageID, p2.MessageID, p3.MessageID)
	}
}

func TestSubjects(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Claim":              "Claim",
		"RE: Fwd: Claim":         "Claim",
		"Re[2]: Claim":           "Claim",
		"תשובה: הפגישה":          "הפגישה",
		"השב: הע: הפגישה":        "הפגישה",
		"Ответ: Вопрос":          "Вопрос",
		"Claim: car 4521":        "Claim: car 4521",
		"Re:":                    "",
		"Subject with no prefix": "Subject with no prefix",
	} {
		if got := baseSubject(in); got != want {
			t.Errorf("baseSubject(%q) = %q, want %q", in, got, want)
		}
	}
	if SubjectOf("Subject: Claim 4521\n\nHello") != "Claim 4521" || SubjectOf("Hello\nSubject: x") != "" {
		t.Errorf("SubjectOf")
	}
}

func sharedSeeds(f *testing.F) []string {
	dir, err := os.Getwd()
	if err != nil {
		f.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "emails")
		if _, err := os.Stat(p); err == nil {
			return []string{
				filepath.Join(p, "mail", "mime-mixed-related.raw"), filepath.Join(p, "mail", "html-mime-inline.raw"),
				filepath.Join(p, "mail", "multipart-wo-boundary.raw"), filepath.Join(p, "mail", "qp-utf8-header.raw"),
				filepath.Join(p, "low-quality", "bad-header-wrap.raw"), filepath.Join(p, "low-quality", "unk-encoding-part.raw"),
				filepath.Join(p, "mail", "erroneous.raw"),
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			f.Fatalf("shared/data/emails not found above the package directory")
		}
		dir = parent
	}
}

func FuzzParse(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(fixtures) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, path := range append(fixtures, sharedSeeds(f)...) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	f.Add([]byte("From: a@example.com\r\nContent-Type: text/plain; charset=iso-8859-8\r\n\r\n\xf9\xec\xe5\xed (12)\r\n"), false)
	f.Add([]byte("Return-Path: <>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--x--"), true)
	a := New(Options{})
	f.Fuzz(func(t *testing.T, raw []byte, null bool) {
		envelope := "sender@relay.example"
		if null {
			envelope = NullSender
		}
		m, err := Parse(raw, envelope)
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		if m.MessageID == "" || (checkID(m.MessageID) == "" && !strings.HasPrefix(m.MessageID, "sha256:")) {
			t.Fatalf("message id %q", m.MessageID)
		}
		for _, s := range []string{m.Text, m.Folded, m.HTML, m.Subject, m.Name} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("not storable: %q", s)
			}
		}
		if len(m.Files)+len(m.TooLarge) > maxFiles {
			t.Fatalf("%d files", len(m.Files))
		}
		for _, fl := range m.Files {
			if len(fl.Data) > media.MaxSize || fl.Name == "" || !strings.Contains(fl.ContentType, "/") || !utf8.ValidString(fl.Name) {
				t.Fatalf("file %q %q %d", fl.Name, fl.ContentType, len(fl.Data))
			}
		}
		items, err := a.Items(channel.Channel{Name: "fuzz"}, m)
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("Items error %v is not a PayloadError", err)
			}
			return
		}
		for _, in := range items {
			if in.ExternalID == "" {
				t.Fatalf("item without an id")
			}
			if in.Status != nil {
				if in.Status.ExternalID == "" || len(in.From.Identities) != 0 {
					t.Fatalf("status item %+v", in)
				}
				continue
			}
			if len(in.From.Identities) != 1 || in.From.Identities[0].Kind != customer.Email {
				t.Fatalf("sender %+v", in.From)
			}
			if v, err := customer.Normalize(customer.Email, in.From.Identities[0].Value); err != nil || v != in.From.Identities[0].Value {
				t.Fatalf("sender %q is not a normalised address", in.From.Identities[0].Value)
			}
			if len(in.Text) > maxText || !utf8.ValidString(in.Text) || strings.ContainsRune(in.Text, 0) {
				t.Fatalf("text not storable")
			}
			if strings.TrimSpace(in.Text) == "" && len(in.Files) == 0 && len(in.Attachments) == 0 {
				t.Fatalf("an empty message was accepted")
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	raw := fixture(b, "gmail-reply.eml")
	for b.Loop() {
		if _, err := Parse(raw, ""); err != nil {
			b.Fatal(err)
		}
	}
}
