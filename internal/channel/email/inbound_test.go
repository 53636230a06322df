package email_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// file is an attachment expected on a stored message: its name and its decoded size.
type file struct {
	name string
	size int
}

// sharedCase is what each of the shared messages must become. The attachment sizes are the
// decoded sizes as Python's email package (an independent MIME parser) reads the files,
// except where it reads a broken message worse, as noted, and except that a part sent without
// a transfer encoding has one byte more per line: over SMTP every line ends in CRLF, and the
// files end theirs in LF.
type sharedCase struct {
	words string // words of the body that must be in the stored text
	from  string // the customer's address
	files []file
	// bounce says the message is a delivery report Gesher cannot match to a message it
	// sent: accepted, and nothing stored.
	bounce bool
}

const envelopeSender = "sender@relay.example"

var sharedCases = map[string]sharedCase{
	"low-quality/bad-final-boundary.raw": {words: "A text section", from: "james@makita.skynet", files: []file{{"foo_9E5D72.zip", 7}}},
	"low-quality/bad-header-start.raw":   {words: "A text section", from: "james@makita.skynet"},
	// Python ends the part's header at the unindented "name=" line and keeps 63 bytes of
	// header as content; the base64 body "PGh0bWw+Cg==" is 7 bytes.
	"low-quality/bad-header-wrap.raw":         {words: "A text section", from: "james@makita.skynet", files: []file{{"7DDA4_foo_9E5D72.zip", 7}}},
	"low-quality/empty-header.raw":            {words: "A text section", from: "james@makita.skynet"},
	"low-quality/html-only-inline.raw":        {words: "Test of HTML section", from: "james@makita.skynet", files: []file{{"favicon.png", 687}}},
	"low-quality/incorrect-charset.raw":       {words: "Mathematics and sciences:\n\n  ∮ E⋅da = Q,  n → ∞", from: "james@makita.skynet"},
	"low-quality/malformed-base64-attach.raw": {words: "A text section", from: "james@makita.skynet", files: []file{{"some.doc", 7}}},
	"low-quality/missing-content-type.raw":    {words: "A plain text email", from: "james@makita.skynet"},
	"low-quality/missing-content-type2.raw":   {words: "A text section", from: "james@makita.skynet"},
	"low-quality/unk-charset-html-only.raw":   {words: "Hello World!", from: "james@makita.skynet"},
	"low-quality/unk-charset-part.raw":        {words: "A text section", from: "james@makita.skynet", files: []file{{"foo_9E5D72.zip", 7}}},
	"low-quality/unk-encoding-part.raw":       {words: "A text section", from: "james@makita.skynet", files: []file{{"foo_9E5D72.zip", 14}}}, // 13 in the file; one line,

	"mail/attachment-application.raw": {words: "A text section", from: "james@makita.skynet", files: []file{{"some.doc", 7}}},
	// The part names itself with a nonstandard file= parameter, which Python ignores.
	"mail/attachment-octet.raw":                        {words: "A text section", from: "me@here.com", files: []file{{"ATTACHMENT.EXE", 61}}},
	"mail/attachment-only-inline-quoted-printable.raw": {words: "Just some html content", from: "cgarrett@stuff.com"},
	"mail/attachment-only-inline.raw":                  {words: "Subject: Test", from: "alice@test.com", files: []file{{"favicon.jpg", 687}}},
	"mail/attachment-only-no-disposition.raw":          {words: "Subject: Test", from: "alice@test.com", files: []file{{"favicon.jpg", 687}}},
	"mail/attachment-only-text-attachment.raw":         {words: "Subject: Test", from: "alice@test.com", files: []file{{"test.csv", 10}}},
	"mail/attachment-only.raw":                         {words: "Subject: Test", from: "alice@test.com", files: []file{{"favicon.jpg", 687}}},
	"mail/attachment.raw":                              {words: "A text section", from: "james@makita.skynet", files: []file{{"test.html", 7}}},
	"mail/ctype-bug.raw":                               {words: "Head over to the Quick Start", from: "support@papertrailapp.com"},
	"mail/epilogue-sample.raw":                         {words: "A text section", from: "pem@open.ch", files: []file{{"test.html", 7}}},
	// Not a message at all, only a line of text: taken as the body of a message without
	// header, from the envelope's sender.
	"mail/erroneous.raw":                                {words: "// Not an RFC-822 Document", from: envelopeSender},
	"mail/header-only.raw":                              {words: "Subject: Attachment", from: "james@makita.skynet"},
	"mail/html-mime-bad-charset-inline.raw":             {words: "Test of text section", from: "james@makita.skynet", files: []file{{"favicon.png", 687}}},
	"mail/html-mime-bad-unknown-charset-inline.raw":     {words: "Test of text section", from: "james@makita.skynet", files: []file{{"favicon.png", 687}}},
	"mail/html-mime-inline.raw":                         {words: "Test of text section", from: "james@makita.skynet", files: []file{{"favicon.png", 687}}},
	"mail/html-only-inline.raw":                         {words: "Test of HTML section", from: "james@makita.skynet", files: []file{{"favicon.png", 687}}},
	"mail/inlinemultipart.raw":                          {words: "Simple text.", from: envelopeSender, files: []file{{"test.pdf", 524}}}, // bob@extern has no domain to answer
	"mail/malformed-multiple-address-header-values.raw": {words: "Simple text.", from: envelopeSender, files: []file{{"test.pdf", 524}}},
	"mail/mime-alternative.raw":                         {words: "Section one", from: "jamehi03@jamehi03lx.noa.com"},
	// The name's bytes are UTF-8 without any declaration; Python reads them as Latin-1.
	"mail/mime-bad-8bit-filename.raw":             {words: "Text part", from: "pavel.bazika@some.domain", files: []file{{"管理.doc", 7}}},
	"mail/mime-bad-content-transfer-encoding.raw": {words: "This is an example", from: "example@demo.com"},
	"mail/mime-bad-content-type.raw":              {words: "Thank you for booking with easyHotel.", from: "bookings@easyhotel.com", files: []file{{"Invoice_302232133150612.pdf", 524}}},
	"mail/mime-blank-media-name.raw":              {words: "We wish you a pleasant stay.", from: "bookings@easyhotel.com", files: []file{{"Invoice_302232133150612.pdf", 524}}},
	"mail/mime-duplicate-param.raw":               {words: "We wish you a pleasant stay.", from: "bookings@easyhotel.com", files: []file{{"Invoice_302232133150612.pdf", 524}}},
	"mail/mime-mixed-related.raw":                 {words: "html1", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/mime-mixed.raw":                         {words: "Section one\n\n\nSection two", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/mime-signed.raw":                        {words: "Section two", from: "jamehi03@jamehi03lx.noa.com", files: []file{{"signature.asc", 845}}}, // 828 in the file; 17 lines,
	"mail/mime-unquoted-tspecials-param.raw":      {words: "We wish you a pleasant stay.", from: "bookings@easyhotel.com", files: []file{{"Invoice_(302232133150612).pdf", 524}}},
	// A report from Mailer-Daemon without a boundary: nothing in it names a message of ours.
	"mail/multipart-wo-boundary.raw":             {bounce: true},
	"mail/non-mime-html-charset-header-only.raw": {words: "Test Müller", from: "alice@intern.com"},
	"mail/non-mime-html.raw":                     {words: "This is *a* *test* mailing", from: "james@hillyerd.com"},
	"mail/non-mime-missing-charset.raw":          {words: "Unencoded Euro Sign", from: "james@hillyerd.com"},
	"mail/non-mime.raw":                          {words: "This is a test mailing", from: "james@hillyerd.com"},
	"mail/other-multi-related.raw":               {words: "Plain text.", from: "james@makita.skynet", files: []file{{"image001.png", 687}, {"image002.png", 687}}},
	"mail/other-parts.raw":                       {words: "A text section", from: "valere.jeantet@gmail.com", files: []file{{"B05.gif", 123}}},
	"mail/qp-ascii-header.raw":                   {words: "Subject: Test QP Subject!\n\nThis is a test mailing", from: "james@hillyerd.com"},
	"mail/qp-utf8-header-no-break.raw":           {words: "Subject: MIME UTF8 Test ¢ More Text\n\nLorem ipsum dolor sit amet", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/qp-utf8-header-recursed.raw":           {words: "Lorem ipsum dolor sit amet", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/qp-utf8-header.raw":                    {words: "Subject: MIME UTF8 Test ¢ More Text", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/quoted-printable-mime.raw":             {words: "Praesent non nibh odio.", from: "jamehi03@jamehi03lx.noa.com"},
	"mail/quoted-printable.raw":                  {words: "Nulla molestie interdum tortor", from: "james@makita.skynet"},
	"mail/unknown-part-type.raw":                 {words: "A text section", from: "valere.jeantet@gmail.com", files: []file{{"B05.gif", 123}}},
}

// Every shared message, well-formed and broken, sent by a real SMTP client to the listener, is
// accepted (250) and stored with readable text and its attachments as files of the right
// size, which an agent can download. Several of the messages share a Message-ID, so each is
// sent to an address of its own (a channel each); to one address the second would rightly be
// a duplicate.
func TestSharedMessagesOverSMTP(t *testing.T) {
	dir := sharedEmails(t)
	var names []string
	for _, sub := range []string{"mail", "low-quality"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			names = append(names, sub+"/"+en.Name())
		}
	}
	if len(names) != 54 {
		t.Fatalf("%d shared messages, want 54", len(names))
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := sharedCases[name]; !ok {
			t.Fatalf("no expectation for %s", name)
		}
	}
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for i, name := range names {
			want := sharedCases[name]
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			ch := e.channel("shared-"+strings.NewReplacer("/", "-", ".raw", "").Replace(name), "box"+string(rune('a'+i/26))+string(rune('a'+i%26))+"@demo.example", true)
			d := e.send(raw, envelopeSender, ch.Settings[email.SettingAddress])
			if d.exit != 0 || d.data != 250 {
				t.Errorf("%s: %v", name, d)
				continue
			}
			stored := e.messagesOn(ch)
			if want.bounce {
				if len(stored) != 0 {
					t.Errorf("%s: a bounce stored %d messages", name, len(stored))
				}
				continue
			}
			if len(stored) != 1 {
				t.Errorf("%s: %d messages stored, want 1", name, len(stored))
				continue
			}
			m := stored[0]
			if !utf8.ValidString(m.Text) || strings.TrimSpace(m.Text) == "" || !strings.Contains(m.Text, want.words) {
				t.Errorf("%s: stored text %q, want valid UTF-8 containing %q", name, m.Text, want.words)
			}
			c, err := e.App.Customers.Get(context.Background(), m.CustomerID)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Identities) == 0 || c.Identities[0].Kind != customer.Email || c.Identities[0].Value != want.from {
				t.Errorf("%s: customer %+v, want the email %s", name, c.Identities, want.from)
			}
			var got []file
			for _, att := range m.Attachments {
				if att.Name == email.HTMLFile || att.Name == email.FoldedFile {
					continue
				}
				data := e.media(att)
				if int64(len(data)) != att.Size {
					t.Errorf("%s: %s is %d bytes for download, %d on the message", name, att.Name, len(data), att.Size)
				}
				got = append(got, file{att.Name, len(data)})
			}
			if len(got) != len(want.files) {
				t.Errorf("%s: attachments %v, want %v", name, got, want.files)
				continue
			}
			for j := range got {
				if got[j] != want.files[j] {
					t.Errorf("%s: attachments %v, want %v", name, got, want.files)
				}
			}
		}
		if n := e.Count(`SELECT COUNT(*) FROM identities WHERE value LIKE 'mailer-daemon%'`); n != 0 {
			t.Errorf("the bounce made Mailer-Daemon a customer")
		}
	})
}

// The project's own fixtures: each charset arrives as real words, the customer's name too, a
// Hebrew file name survives, and the same message sent again is stored once.
func TestCharsetsOverSMTP(t *testing.T) {
	cases := []struct {
		file, from, name, text string
		files                  []file
	}{
		{"hebrew-windows-1255.eml", "yael.cohen@example.co.il", "יעל כהן",
			"Subject: תביעה על נזק לרכב\n\nשלום רב,\n\nאני רוצה להגיש תביעה על נזק לרכב. מספר הפוליסה 4521-88.\nסכום הנזק המשוער: 3,200 ₪.\nמצורף צילום הפוליסה.\n\nתודה,\nיעל כהן",
			[]file{{"פוליסה.pdf", 132}}},
		{"hebrew-iso-8859-8-visual.eml", "moshe.levi@example.org.il", "Moshe Levi",
			"Subject: Policy 7731\n\nשלום,\nהפוליסה שלי מספר 7731 פגה ב-30.11.\nאפשר לחדש אותה (בבקשה)?\nתודה רבה על העזרה המהירה שלכם בחודש שעבר.\nMoshe Levi - משה לוי", nil},
		{"hebrew-iso-8859-8-i.eml", "david.mizrahi@example.net.il", "דוד מזרחי",
			"Subject: שינוי כתובת\n\nשלום,\nקיבלתי את ההודעה שלכם לגבי הפוליסה. הכתובת החדשה שלי: רחוב הרצל 12, חיפה.\nאשמח לאישור בדואר חוזר.\nבברכה,\nדוד מזרחי", nil},
		{"arabic-windows-1256.eml", "omar.haddad@example.com", "عمر حداد",
			"Subject: تجديد البوليصة\n\nمرحبا،\nأريد تجديد بوليصة التأمين الخاصة بسيارتي. رقم البوليصة 9043.\nهل يمكنكم الاتصال بي غدا؟\nشكرا جزيلا،\nعمر حداد", nil},
		{"russian-koi8-r.eml", "olga.petrova@example.ru", "Ольга Петрова",
			"Subject: Вопрос о страховке\n\nЗдравствуйте!\n\nЯ хочу узнать статус моей страховки. Номер полиса 55-1234.\nПожалуйста, ответьте по электронной почте.\n\nСпасибо,\nОльга Петрова", nil},
	}
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, c := range cases {
			raw := channeltest.Fixture(t, c.file)
			for i := range 2 {
				if d := e.send(raw, c.from, ourAddress); d.exit != 0 || d.data != 250 {
					t.Fatalf("%s, delivery %d: %v", c.file, i+1, d)
				}
			}
			cust, conv := e.ConversationOf(customer.Email, c.from)
			if cust.Name != c.name {
				t.Errorf("%s: customer named %q, want %q", c.file, cust.Name, c.name)
			}
			if len(conv.Messages) != 1 {
				t.Fatalf("%s: %d messages after the same mail twice, want 1", c.file, len(conv.Messages))
			}
			m := conv.Messages[0]
			if m.Text != c.text {
				t.Errorf("%s: stored\n%s\nwant\n%s", c.file, m.Text, c.text)
			}
			var got []file
			for _, att := range m.Attachments {
				got = append(got, file{att.Name, len(e.media(att))})
			}
			if len(got) != len(c.files) || (len(got) > 0 && got[0] != c.files[0]) {
				t.Errorf("%s: attachments %v, want %v", c.file, got, c.files)
			}
		}

		// A message as a script or a simple mail program writes it: UTF-8 with no MIME header
		// at all (here swaks' own), which MIME says is US-ASCII.
		cmd := exec.Command("swaks", "--server", e.smtp, "--from", "noa@example.co.il", "--to", ourAddress,
			"--header", "Subject: שאלה על הפוליסה", "--body", "שלום, מתי הפוליסה שלי מתחדשת?")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
		if _, conv := e.ConversationOf(customer.Email, "noa@example.co.il"); conv.Messages[0].Text != "Subject: שאלה על הפוליסה\n\nשלום, מתי הפוליסה שלי מתחדשת?" {
			t.Errorf("undeclared UTF-8 stored as %q", conv.Messages[0].Text)
		}
	})
}

// A Gmail and an Outlook reply: the stored text is what the customer wrote now; the quoted
// history and the signature are kept in a file beside it, and the HTML body as a sanitised one.
func TestRepliesAreFolded(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, c := range []struct{ file, from, text, foldedStart, foldedHas string }{
			{"gmail-reply.eml", "dana.levi@gmail.example", "Thanks! The new address is 12 Herzl St, Haifa. Please send the documents there.\n\nDana",
				"-- \nDana Levi", "> Could you confirm the address we should send your policy documents to?"},
			{"outlook-reply.eml", "avi.mizrahi@outlook.example", "Hi,\n\nPlease cancel the appointment on Thursday, I can't make it. Could we move it to next week?\n\nRegards,\nAvi Mizrahi",
				"________________________________\nFrom: Gesher Insurance <service@demo.example>", "-----Original Message-----"},
			{"hebrew-reply.eml", "sara.bendavid@example.co.il", "תודה רבה, אגיע ביום חמישי בשעה 10:00 לסניף בחיפה.\n\nשרה",
				"בתאריך יום ב׳, 23 בנוב׳ 2026 ב-10:00", "> נקבעה לך פגישה בסניף חיפה ביום חמישי בשעה 10:00."},
		} {
			if d := e.send(channeltest.Fixture(t, c.file), c.from, ourAddress); d.exit != 0 || d.data != 250 {
				t.Fatalf("%s: %v", c.file, d)
			}
			_, conv := e.ConversationOf(customer.Email, c.from)
			m := conv.Messages[0]
			// A reply ("Re: …" to a thread) does not repeat its subject.
			if m.Text != c.text {
				t.Errorf("%s: text\n%q\nwant\n%q", c.file, m.Text, c.text)
			}
			var folded string
			for _, att := range m.Attachments {
				if att.Name == email.FoldedFile {
					folded = string(e.media(att))
				}
			}
			if !strings.HasPrefix(folded, c.foldedStart) || !strings.Contains(folded, c.foldedHas) {
				t.Errorf("%s: folded part %q, want it to start %q and hold %q", c.file, folded, c.foldedStart, c.foldedHas)
			}
		}
	})
}

// HTML with scripts, event handlers, javascript: links and remote images is kept only
// sanitised; the text shown to agents comes from the sanitised HTML; the inline image is a file.
func TestHostileHTMLIsSanitised(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if d := e.send(channeltest.Fixture(t, "html-hostile.eml"), "noa.peretz@example.com", ourAddress); d.exit != 0 || d.data != 250 {
			t.Fatal(d)
		}
		_, conv := e.ConversationOf(customer.Email, "noa.peretz@example.com")
		m := conv.Messages[0]
		if !strings.Contains(m.Text, "שלום, מצורפת *תמונה של הנזק* לרכב.") || !strings.Contains(m.Text, "our claims page ( https://www.example.com/claims )") {
			t.Errorf("text %q", m.Text)
		}
		var html string
		var png []byte
		for _, att := range m.Attachments {
			switch att.Name {
			case email.HTMLFile:
				html = string(e.media(att))
			case "damage.png":
				png = e.media(att)
			}
		}
		for _, bad := range []string{"<script", "document.cookie", "onload", "onerror", "onclick", "javascript:", "tracker.example", "images.example.com", "<iframe", "<form", "<input", "<style", "style=", "<title"} {
			if strings.Contains(strings.ToLower(html+m.Text), strings.ToLower(bad)) {
				t.Errorf("%q survived sanitising:\nhtml %s\ntext %s", bad, html, m.Text)
			}
		}
		for _, good := range []string{`<div dir="rtl">שלום, מצורפת <b>תמונה של הנזק</b> לרכב.</div>`, `href="https://www.example.com/claims"`, `src="cid:damage-photo@example.com"`} {
			if !strings.Contains(html, good) {
				t.Errorf("sanitised HTML lost %s:\n%s", good, html)
			}
		}
		if len(png) != 70 || string(png[1:4]) != "PNG" {
			t.Errorf("inline image: %d bytes", len(png))
		}
	})
}

// Mail for an address no enabled channel has is refused at RCPT with 550 and nothing is
// stored; a message without any sender that can be answered is refused with 554; a storage
// failure is a 451, so the sending server tries again.
func TestRefusals(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		off := e.channel("closed", "closed@demo.example", false)
		raw := channeltest.Fixture(t, "hebrew-windows-1255.eml")
		for _, to := range []string{"nobody@demo.example", off.Settings[email.SettingAddress], "service@elsewhere.example"} {
			if d := e.send(raw, "yael.cohen@example.co.il", to); d.exit != 24 || d.rcpt != 550 || !strings.Contains(d.transcript, "550 5.1.1") {
				t.Errorf("to %s: %v; want 550 at RCPT", to, d)
			}
		}
		// Of two recipients, the one that is ours gets the message.
		if d := e.send(raw, "yael.cohen@example.co.il", "nobody@demo.example", ourAddress); d.exit != 0 || d.data != 250 {
			t.Errorf("one good recipient of two: %v", d)
		}
		if n := len(e.messagesOn(e.ch)); n != 1 {
			t.Errorf("%d messages, want the one for the good recipient", n)
		}
		// To two of our addresses, the message is on both channels (in the one conversation).
		sales := e.channel("sales", "sales@demo.example", true)
		if d := e.send(channeltest.Fixture(t, "arabic-windows-1256.eml"), "omar.haddad@example.com", ourAddress, "sales@demo.example"); d.exit != 0 || d.data != 250 {
			t.Errorf("two of our recipients: %v", d)
		}
		if a, b := len(e.messagesOn(e.ch)), len(e.messagesOn(sales)); a != 2 || b != 1 {
			t.Errorf("%d messages on support and %d on sales, want 2 and 1", a, b)
		}

		noSender := []byte("Subject: hello\r\nMessage-ID: <nosender.1@example.test>\r\n\r\nWho am I?\r\n")
		if d := e.send(noSender, "someone@localhost", ourAddress); d.exit != 26 || d.data != 554 || !strings.Contains(d.transcript, "no sender address") {
			t.Errorf("no sender: %v; want 554 saying why", d)
		}
		for _, table := range []string{"customers", "conversations"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 2 {
				t.Errorf("%d rows in %s, want Yael's and Omar's", n, table)
			}
		}

		// Storage breaks between RCPT and the commit: the message is not acknowledged.
		if _, err := e.App.DB.Writer().Exec(`DROP TABLE channel_receipts`); err != nil {
			t.Fatal(err)
		}
		if d := e.send(channeltest.Fixture(t, "russian-koi8-r.eml"), "olga.petrova@example.ru", ourAddress); d.exit != 26 || d.data != 451 {
			t.Errorf("storage failure: %v; want 451", d)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 2 {
			t.Errorf("%d customers after a failed delivery, want 2", n)
		}
	})
}

// A message over 25 MiB is refused with 552 and nothing is stored.
func TestSizeLimit(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) { sizeLimit(t, newEnv(t, dsn)) })
}

func sizeLimit(t *testing.T, e *env) {
	big := []byte("From: Big <big@example.com>\r\nSubject: scans\r\nMessage-ID: <big.1@example.com>\r\n\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", email.MaxMessageBytes/1000+10))
	d := e.send(big, "big@example.com", ourAddress)
	if d.data != 552 {
		t.Errorf("%d bytes: exit %d, DATA %d; want 552", len(big), d.exit, d.data)
	}
	if n := e.Count(`SELECT COUNT(*) FROM messages`); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

// The HTTP route for relays: the raw message, signed as on the API channel. A bad signature is
// 401 and garbage 400, both storing nothing; the same Message-ID twice is one message.
func TestHTTPInbound(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		raw := channeltest.Fixture(t, "russian-koi8-r.eml")
		cases := []struct {
			name string
			got  channeltest.Answer
			want int
		}{
			{"no signature", e.postHook(raw, "message/rfc822", ""), http.StatusUnauthorized},
			{"wrong secret", e.postHook(raw, "message/rfc822", "sha256=00"), http.StatusUnauthorized},
			{"tampered", e.postHook(append([]byte("X-Tampered: 1\r\n"), raw...), "message/rfc822", e.sign(raw)), http.StatusUnauthorized},
			{"garbage, signed", e.postHook([]byte("this is not an email at all"), "message/rfc822"), http.StatusBadRequest},
			{"JSON, signed", e.postHook([]byte(`{"from":"olga.petrova@example.ru","text":"hi"}`), "application/json"), http.StatusBadRequest},
			{"empty, signed", e.postHook([]byte{}, "message/rfc822"), http.StatusBadRequest},
		}
		for _, c := range cases {
			if c.got.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, c.got.Status, c.got.Body, c.want)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts", "media"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after refused deliveries, want 0", n, table)
			}
		}
		for i := range 2 {
			if got := e.postHook(raw, "message/rfc822"); got.Status != http.StatusOK {
				t.Fatalf("delivery %d: %d %s", i+1, got.Status, got.Body)
			}
		}
		_, conv := e.ConversationOf(customer.Email, "olga.petrova@example.ru")
		if len(conv.Messages) != 1 || !strings.Contains(conv.Messages[0].Text, "Я хочу узнать статус моей страховки.") {
			t.Errorf("messages %+v, want the one message in Russian", conv.Messages)
		}
		// The same message over SMTP is the same message too.
		if d := e.send(raw, "olga.petrova@example.ru", ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		if n := len(e.messagesOn(e.ch)); n != 1 {
			t.Errorf("%d messages after HTTP twice and SMTP once, want 1", n)
		}
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/email/nope", strings.NewReader(string(raw)))
		req.Header.Set(email.SignatureHeader, e.sign(raw))
		if got := e.Do(req); got.Status != http.StatusNotFound {
			t.Errorf("unknown channel: %d", got.Status)
		}
	})
}

func (e *env) sign(raw []byte) string { return api.Sign(hookSecret, raw) }

// Closing the listener (as serve does on shutdown) ends Serve without an error and takes no
// more connections; a sending server then finds it down and tries again later.
func TestCloseStopsListening(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- e.App.Email.Serve(ln) }()
		e.smtp = ln.Addr().String()
		if d := e.send(channeltest.Fixture(t, "russian-koi8-r.eml"), "olga.petrova@example.ru", ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		if err := e.App.Email.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v after Close, want nil", err)
		}
		if d := e.send(channeltest.Fixture(t, "arabic-windows-1256.eml"), "omar.haddad@example.com", ourAddress); d.exit != 2 {
			t.Errorf("after Close: %v; want no connection (swaks exit 2)", d)
		}
		if n := len(e.messagesOn(e.ch)); n != 1 {
			t.Errorf("%d messages, want the one sent before Close", n)
		}
	})
}
