package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// mailSink is the customer's mail server: an SMTP server that keeps what it is given.
type mailSink struct {
	mu   sync.Mutex
	raw  [][]byte
	host string
	port string
}

func newMailSink(t *testing.T) *mailSink {
	s := &mailSink{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &mailSinkSession{s: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "sink.test", true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.host, s.port, _ = net.SplitHostPort(ln.Addr().String())
	return s
}

func (s *mailSink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

type mailSinkSession struct{ s *mailSink }

func (ss *mailSinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (ss *mailSinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (ss *mailSinkSession) Reset()                                 {}
func (ss *mailSinkSession) Logout() error                          { return nil }
func (ss *mailSinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.raw = append(ss.s.raw, b)
	ss.s.mu.Unlock()
	return err
}

// mailParts decodes a message's text and HTML parts, as a mail program shows them.
func mailParts(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		switch p.Header.Get("Content-Transfer-Encoding") {
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, _ := io.ReadAll(body)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(b)
		} else {
			text = string(b)
		}
	}
}

// TestAnEmailedSurveyIsAnsweredOnItsPageNotByOpeningIt: a resolution of an email conversation
// is asked about by email with a link to a page (and the reply-with-a-number way kept).
// Opening the link — as a mail scanner does, three times — records nothing; a cross-site post
// and a post without a score record nothing either; the answer is one survey.answered event
// (via link) in the CSAT of the agent who had the conversation, thanked on the page and not
// by another email; a second post keeps the first answer. The next survey (NPS) is declined on
// its page, and the one after is not sent. A tampered link and, later, an expired one show the
// same 404 as any unknown token.
func TestAnEmailedSurveyIsAnsweredOnItsPageNotByOpeningIt(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		e.app.SetLinkBase(e.http.URL)
		sink := newMailSink(t)
		if _, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-email", Kind: email.Kind, Secret: "smtp-password", Enabled: true, Settings: map[string]string{
			email.SettingAddress: "service@test.example", email.SettingSMTPHost: sink.host, email.SettingSMTPPort: sink.port,
			email.SettingSMTPTLS: email.TLSNone, email.SettingMessageIDDomain: "test.example"}}); err != nil {
			t.Fatal(err)
		}
		// Ruth writes to the service's address through Gesher's own SMTP listener.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = e.app.Email.Serve(ln) }()
		t.Cleanup(func() { _ = e.app.Email.Close() })
		n := 0
		write := func(text string) {
			t.Helper()
			n++
			msg := fmt.Sprintf("From: Ruth Levi <ruth@example.org>\r\nTo: service@test.example\r\nSubject: =?utf-8?b?%s?=\r\nMessage-ID: <ruth-%d@example.org>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
				base64.StdEncoding.EncodeToString([]byte("התביעה שלי")), n, e.clock.Now().Format(time.RFC1123Z), text)
			if err := smtp.SendMail(ln.Addr().String(), nil, "ruth@example.org", []string{"service@test.example"}, []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		runJobs := e.runJobs
		agent := e.users[auth.RoleAgent]
		var ruth string
		resolve := func() {
			t.Helper()
			if err := e.db.QueryRow(ctx, `SELECT customer_id FROM identities WHERE kind = 'email' AND value = 'ruth@example.org'`).Scan(&ruth); err != nil {
				t.Fatal(err)
			}
			var id string
			if err := e.db.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ? ORDER BY created_at DESC LIMIT 1`, ruth).Scan(&id); err != nil {
				t.Fatal(err)
			}
			c, err := e.convs.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.AssigneeID != agent.ID {
				if _, err := e.convs.Assign(ctx, c.ID, agent.ID, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.convs.Reply(ctx, conversation.ReplyInput{ConversationID: c.ID, AuthorID: agent.ID, Text: "התביעה אושרה."}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.convs.SetStatus(ctx, c.ID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(6 * time.Minute)
			runJobs()
		}
		linkRe := regexp.MustCompile(regexp.QuoteMeta(e.http.URL) + `/r/[0-9A-Za-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]+`)
		lastLink := func() string {
			t.Helper()
			mails := sink.messages()
			text, html := mailParts(t, mails[len(mails)-1])
			link := linkRe.FindString(text)
			if link == "" || !strings.Contains(text, "הפסק סקרים") {
				t.Fatalf("the survey email says %q; want its link and the opt-out phrase", text)
			}
			if !strings.Contains(html, `<a href="`+link+`" dir="ltr">`) {
				t.Errorf("the HTML part does not link %s:\n%s", link, html)
			}
			return link
		}
		get := func(u string) (int, string) {
			t.Helper()
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(u string, form url.Values, site string) (int, string, string) {
			t.Helper()
			req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", site)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Location"), string(b)
		}
		answers := func() int { return e.count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered'`) }

		write("שלום, מתי תשולם התביעה שלי?")
		resolve()
		link := lastLink()
		sent := len(sink.messages())

		for range 3 {
			status, page := get(link)
			if status != 200 || !strings.Contains(page, `lang="he" dir="rtl"`) || strings.Count(page, `name="score"`) != 5 || !strings.Contains(page, "4 – טוב") {
				t.Fatalf("the survey page: %d\n%s", status, page)
			}
		}
		if n := answers(); n != 0 {
			t.Fatalf("opening the link recorded %d answers; want none", n)
		}
		if status, _, _ := post(link, url.Values{"score": {"1"}}, "cross-site"); status != http.StatusForbidden {
			t.Errorf("a cross-site post: %d; want 403", status)
		}
		status, _, page := post(link, url.Values{"comment": {"בלי ציון"}}, "same-origin")
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "בלי ציון") {
			t.Errorf("a post without a score: %d; want 422 with the reason and the comment kept\n%s", status, page)
		}
		if n := answers(); n != 0 {
			t.Fatalf("%d answers after refused posts; want none", n)
		}
		status, loc, _ := post(link, url.Values{"score": {"4"}, "comment": {"  הנציגה הייתה אדיבה  "}}, "same-origin")
		if status != http.StatusSeeOther || loc != strings.TrimPrefix(link, e.http.URL) {
			t.Fatalf("the answer: %d to %q; want 303 back to the page", status, loc)
		}
		if status, page := get(link); status != 200 || !strings.Contains(page, "תודה") || !strings.Contains(page, "4 – טוב") || strings.Contains(page, `name="score"`) {
			t.Errorf("after the answer the page: %d\n%s", status, page)
		}
		if status, _, _ := post(link, url.Values{"score": {"1"}}, "same-origin"); status != http.StatusSeeOther {
			t.Errorf("a second answer: %d; want the page again", status)
		}
		var payload string
		if err := e.db.QueryRow(ctx, `SELECT data FROM events WHERE kind = 'survey.answered'`).Scan(&payload); err != nil || answers() != 1 {
			t.Fatalf("%d answers (%v); want exactly one", answers(), err)
		}
		for _, want := range []string{`"score":4`, `"via":"link"`, `"agent_id":"` + agent.ID + `"`, `"comment":"הנציגה הייתה אדיבה"`} {
			if !strings.Contains(payload, want) {
				t.Errorf("the answer %s lacks %s", payload, want)
			}
		}
		runJobs()
		if got := len(sink.messages()); got != sent {
			t.Errorf("%d emails after the answer; want no thank-you email (the page said it)", got-sent)
		}
		from := url.QueryEscape(e.clock.Now().Add(-time.Hour).Format(time.RFC3339))
		to := url.QueryEscape(e.clock.Now().Add(time.Hour).Format(time.RFC3339))
		status, res := e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics/csat?from="+from+"&to="+to, nil)
		got := map[string]string{}
		for _, r := range res["rows"].([]any) {
			row := r.(map[string]any)
			got[fmt.Sprint(row["by"], "/", row["key"])] = fmt.Sprintf("%v answers, mean %v", row["responses"], row["mean"])
		}
		if status != 200 || got["agent/"+agent.ID] != "1 answers, mean 4" || got["channel/email"] != "1 answers, mean 4" {
			t.Errorf("CSAT: %d %v; want agent and email channel with the one answer", status, got)
		}

		// A tampered link is the same page as any unknown token.
		_, unknown := get(e.http.URL + "/r/nonsense")
		tampered := link[:len(link)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(link, "A")]
		if status, page := get(tampered); status != 404 || page != unknown {
			t.Errorf("a tampered link: %d, same page as an unknown one: %v", status, page == unknown)
		}

		// Two days on, Ruth writes again; this resolution asks NPS, which she declines.
		e.clock.Advance(48 * time.Hour)
		write("עוד שאלה קטנה")
		resolve()
		nps := lastLink()
		if status, page := get(nps); status != 200 || strings.Count(page, `name="score"`) != 11 || !strings.Contains(page, `aria-describedby="nps-scale"`) {
			t.Fatalf("the NPS page: %d\n%s", status, page)
		}
		if status, _, _ := post(nps, url.Values{"optout": {"1"}}, "same-origin"); status != http.StatusSeeOther {
			t.Fatalf("opt-out: %d", status)
		}
		if status, page := get(nps); status != 200 || !strings.Contains(page, "לא נשלח לכם עוד סקרים") {
			t.Errorf("after the opt-out the page: %d\n%s", status, page)
		}
		e.clock.Advance(48 * time.Hour)
		write("ושאלה אחרונה")
		sent = len(sink.messages())
		resolve()
		if n := e.count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.skipped' AND data LIKE '%opted-out%'`); n != 1 || len(sink.messages()) != sent+1 {
			t.Errorf("after opting out: %d skipped, %d emails; want the survey skipped and only the agent's reply sent", n, len(sink.messages())-sent)
		}

		// The first link has expired with its survey (three days): the same 404.
		if status, page := get(link); status != 404 || page != unknown {
			t.Errorf("an expired link: %d, same page as an unknown one: %v", status, page == unknown)
		}
	})
}
