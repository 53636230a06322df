package email_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A reply from the console reaches the customer's mail server from the channel's address,
// answering the subject of the customer's mail and citing it; the customer's answer to that
// reply (In-Reply-To its Message-ID) comes back into the same conversation, and the next reply
// cites the whole thread.
func TestReplyThreadsBack(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		const yael = "yael.cohen@example.co.il"
		if d := e.send(channeltest.Fixture(t, "hebrew-windows-1255.eml"), yael, ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		_, conv := e.ConversationOf(customer.Email, yael)
		first := e.Reply(conv.ID, "שלום יעל,\nקיבלנו את התביעה. שמאי יתקשר אלייך מחר.")
		e.Work(1)
		out := e.Message(first)
		wantID := first + "@demo.example"
		if out.Status != conversation.StatusSent || out.ExternalID != wantID {
			t.Fatalf("after the send: %s with id %q, want sent as %s", out.Status, out.ExternalID, wantID)
		}
		got := e.sink.messages()
		if len(got) != 1 {
			t.Fatalf("the sink got %d messages, want 1", len(got))
		}
		raw := got[0].data
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(header(raw, "Subject"))
		from, _ := dec.DecodeHeader(header(raw, "From"))
		checks := map[string][2]string{
			"envelope":    {got[0].from + " → " + strings.Join(got[0].to, ","), ourAddress + " → " + yael},
			"From":        {from, `"Gesher Insurance" <service@demo.example>`},
			"To":          {header(raw, "To"), "<" + yael + ">"},
			"Subject":     {subject, "Re: תביעה על נזק לרכב"},
			"Message-ID":  {header(raw, "Message-ID"), "<" + wantID + ">"},
			"In-Reply-To": {header(raw, "In-Reply-To"), "<CAHeb1255.0001@mail.example.co.il>"},
			"References":  {header(raw, "References"), "<CAHeb1255.0001@mail.example.co.il>"},
		}
		for name, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s: %q, want %q", name, c[0], c[1])
			}
		}
		if text, _ := body(t, raw); !strings.Contains(text, "קיבלנו את התביעה. שמאי יתקשר אלייך מחר.") {
			t.Errorf("text part %q", text)
		}

		// Yael answers from her mail program, quoting our reply.
		answer := fmt.Sprintf("From: =?UTF-8?B?16nXqNeUINeR158t15PXldeT?= <Yael.Cohen@example.co.il>\r\n"+
			"To: Gesher Insurance <service@demo.example>\r\nSubject: Re: תביעה על נזק לרכב\r\n"+
			"Message-ID: <CAHeb1255.0002@mail.example.co.il>\r\nIn-Reply-To: <%s>\r\nReferences: <CAHeb1255.0001@mail.example.co.il> <%s>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"+
			"מחר בבוקר מתאים לי.\r\n\r\nOn Tue, Nov 24, 2026 at 9:10 AM Gesher Insurance <service@demo.example> wrote:\r\n> שלום יעל,\r\n> קיבלנו את התביעה.\r\n", wantID, wantID)
		if d := e.send([]byte(answer), yael, ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		_, again := e.ConversationOf(customer.Email, yael)
		if again.ID != conv.ID || len(again.Messages) != 3 {
			t.Fatalf("the answer went to conversation %s with %d messages; want %s with 3", again.ID, len(again.Messages), conv.ID)
		}
		if m := again.Messages[2]; m.Direction != conversation.Inbound || m.Text != "מחר בבוקר מתאים לי." || m.ExternalID != "CAHeb1255.0002@mail.example.co.il" {
			t.Errorf("the answer is stored as %q (%s, %s)", m.Text, m.Direction, m.ExternalID)
		}

		second := e.Reply(conv.ID, "מצוין, נתראה מחר.")
		e.Work(1)
		got = e.sink.messages()
		if len(got) != 2 {
			t.Fatalf("the sink got %d messages, want 2", len(got))
		}
		raw = got[1].data
		subject, _ = dec.DecodeHeader(header(raw, "Subject"))
		if subject != "Re: תביעה על נזק לרכב" || header(raw, "Message-ID") != "<"+second+"@demo.example>" ||
			header(raw, "In-Reply-To") != "<CAHeb1255.0002@mail.example.co.il>" ||
			header(raw, "References") != "<CAHeb1255.0001@mail.example.co.il> <"+wantID+"> <CAHeb1255.0002@mail.example.co.il>" {
			t.Errorf("second reply: Subject %q, Message-ID %s, In-Reply-To %s, References %s",
				subject, header(raw, "Message-ID"), header(raw, "In-Reply-To"), header(raw, "References"))
		}
	})
}

// The customer's server says 451 (try later), then takes the message: it is delivered once.
// A 550 fails the message with the server's own words, and is not retried.
func TestSendRetriesAndFailures(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if d := e.send(channeltest.Fixture(t, "russian-koi8-r.eml"), "olga.petrova@example.ru", ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		_, conv := e.ConversationOf(customer.Email, "olga.petrova@example.ru")

		e.sink.refuse(refusal{"data", 451, smtp.EnhancedCode{4, 3, 0}, "Temporary local problem, try again later"})
		m := e.Reply(conv.ID, "Здравствуйте, Ольга! Полис 55-1234 действует до декабря.")
		e.Work(1)
		if got := e.Message(m); got.Status != conversation.StatusQueued {
			t.Errorf("after a 451: %s, want still queued", got.Status)
		}
		e.Work(3)
		if got := e.Message(m); got.Status != conversation.StatusSent || got.ExternalID != m+"@demo.example" {
			t.Errorf("after 451 then 250: %s as %q, want sent as %s@demo.example", got.Status, got.ExternalID, m)
		}
		if n, tries := len(e.sink.messages()), e.sink.tries(); n != 1 || tries != 2 {
			t.Errorf("the sink took %d messages in %d attempts, want 1 in 2", n, tries)
		}

		e.sink.refuse(refusal{"rcpt", 550, smtp.EnhancedCode{5, 1, 1}, "<olga.petrova@example.ru>: Recipient address rejected: User unknown"})
		m2 := e.Reply(conv.ID, "И ещё одно…")
		e.Work(5)
		got := e.Message(m2)
		if got.Status != conversation.StatusFailed || got.StatusReason != "550 5.1.1 <olga.petrova@example.ru>: Recipient address rejected: User unknown" {
			t.Errorf("after a 550: %s %q, want failed with the server's words", got.Status, got.StatusReason)
		}
		if n := e.sink.tries(); n != 3 {
			t.Errorf("the sink saw %d attempts in all, want 3 (a permanent refusal is not retried)", n)
		}
	})
}

// An out-of-office answer opens no conversation, and does not reopen a resolved one; a bounce
// of a reply fails that reply with the remote server's diagnostic and opens nothing either.
func TestAutoRepliesAndBounces(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		const yael = "yael.cohen@example.co.il"
		auto := channeltest.Fixture(t, "auto-reply.eml")
		if d := e.send(auto, yael, ourAddress); d.exit != 0 || d.data != 250 {
			t.Fatalf("auto-reply: %v; want it accepted", d)
		}
		for _, table := range []string{"customers", "conversations", "messages"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after an auto-reply from a stranger, want 0", n, table)
			}
		}

		if d := e.send(channeltest.Fixture(t, "hebrew-windows-1255.eml"), yael, ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		_, conv := e.ConversationOf(customer.Email, yael)
		reply := e.Reply(conv.ID, "Dana's address bounced; we'll try another way.")
		e.Work(1)
		if _, err := e.App.Conversations.SetStatus(ctx, conv.ID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: e.Agent.ID}); err != nil {
			t.Fatal(err)
		}
		// The answer to our reply is an auto-reply too, with an unknown Message-ID.
		auto = bytes.Replace(auto, []byte("auto-reply.0007@"), []byte("auto-reply.0008@"), 1)
		if d := e.send(auto, yael, ourAddress); d.data != 250 {
			t.Fatal(d)
		}
		after, err := e.App.Conversations.Get(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != conversation.Resolved || len(after.Messages) != 2 {
			t.Errorf("after an auto-reply: conversation %s with %d messages, want still resolved with 2", after.Status, len(after.Messages))
		}

		sent := e.Message(reply).ExternalID
		bounce := bytes.ReplaceAll(channeltest.Fixture(t, "bounce-dsn.eml"), []byte("01jd5u8z7x6c5v4b3n2m1l0k9j@demo.example"), []byte(sent))
		for i := range 2 {
			if d := e.send(bounce, "<>", ourAddress); d.exit != 0 || d.data != 250 {
				t.Fatalf("bounce, delivery %d: %v", i+1, d)
			}
		}
		m := e.Message(reply)
		want := "550 5.1.1 <dana.levi@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
		if m.Status != conversation.StatusFailed || m.StatusReason != want {
			t.Errorf("after the bounce: %s %q, want failed with %q", m.Status, m.StatusReason, want)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want only Yael (not the mailer daemon)", n)
		}
		if n := e.Count(`SELECT COUNT(*) FROM messages`); n != 2 {
			t.Errorf("%d messages, want Yael's and the reply", n)
		}
		events, err := e.App.Events.List(ctx, event.Filter{ConversationID: conv.ID, Kinds: []event.Kind{event.MessageStatus}})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 {
			t.Errorf("%d status events, want queued→sent and sent→failed (the bounce twice is one)", len(events))
		}
	})
}
