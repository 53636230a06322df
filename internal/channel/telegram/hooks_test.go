package telegram_test

// These tests run the Telegram channel through the whole server, as Telegram meets it: a real
// HTTP listener from app.Open, the real webhook route, the ingest transaction and the send job,
// on SQLite and on PostgreSQL, with a local fake of the Bot API (telegram.FakeBotAPI). What the
// tests look at is what an agent sees through the API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/telegram"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

const (
	secret     = "demo-telegram-secret"
	botToken   = "123456:demo-telegram-bot-token"
	smsToken   = "demo-twilio-token"
	apiSecret  = "test-api-secret"
	accountSid = "AC5ef872f6da5a21de157d80997a64bd33"
	danaID     = "5012345678"
	danaPhone  = "+972500000001" // the number in message-contact-self.json
	photoID    = "AgACAgQAAxkBAAIEuGdQk3Xq0s1Wm2yDk9v1c8RkAAFvAAL4xTEbq6ZIUpN4AAEuT4s9AQADAgADeAADNgQ"
)

type env struct {
	*channeltest.Env
	tg  channel.Channel
	sms channel.Channel
	api channel.Channel
	bot *telegram.FakeBotAPI
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	bot := telegram.NewFakeBotAPI(botToken)
	fake := httptest.NewServer(bot)
	t.Cleanup(fake.Close)
	e := channeltest.New(t, dsn, channeltest.Options{HTTPClient: fake.Client(), Channels: []channel.Channel{
		{Name: "demo-telegram", Kind: telegram.Kind, Secret: secret, Enabled: true, Settings: map[string]string{
			telegram.SettingBotToken: botToken, telegram.SettingAPIBase: fake.URL,
		}},
		{Name: "demo-sms", Kind: twilio.Kind, Secret: smsToken, Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: accountSid, twilio.SettingFrom: "+12015550123", twilio.SettingAPIBase: fake.URL,
		}},
		{Name: "crm", Kind: api.Kind, Secret: apiSecret, Enabled: true},
	}})
	return &env{Env: e, tg: e.Channels[0], sms: e.Channels[1], api: e.Channels[2], bot: bot}
}

// post delivers an update to the channel's webhook as Telegram does: JSON, with the secret
// token in its header unless header is given ("" for none at all).
func (e *env) post(body []byte, header ...string) channeltest.Answer {
	e.T().Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/telegram/"+e.tg.Name, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h := secret
	if len(header) > 0 {
		h = header[0]
	}
	if h != "" {
		req.Header.Set(telegram.SecretHeader, h)
	}
	return e.Do(req)
}

func (e *env) mustPost(name string) channeltest.Answer {
	e.T().Helper()
	got := e.post(channeltest.Fixture(e.T(), name))
	if got.Status != http.StatusOK {
		e.T().Fatalf("%s: %d %s, want 200", name, got.Status, got.Body)
	}
	return got
}

// postSMS delivers an inbound SMS as Twilio does, signed.
func (e *env) postSMS(sid, from, text string) {
	e.T().Helper()
	form := url.Values{"MessageSid": {sid}, "AccountSid": {accountSid}, "From": {from}, "To": {"+12015550123"}, "Body": {text}, "NumMedia": {"0"}, "SmsStatus": {"received"}}
	if got := e.PostTwilio(e.sms, form); got.Status != http.StatusOK {
		e.T().Fatalf("SMS: %d %s", got.Status, got.Body)
	}
}

// postAPI posts a message on the generic API channel, signed as an integrator signs it.
func (e *env) postAPI(id, phone, text string) {
	e.T().Helper()
	if got := e.PostAPI(e.api, fmt.Sprintf(`{"id":%q,"from":{"phone":%q},"text":%q}`, id, phone, text)); got.Status != http.StatusOK {
		e.T().Fatalf("API message: %d %s", got.Status, got.Body)
	}
}

// customerBy finds the customer an identity leads to, through the API.
func (e *env) customerBy(kind customer.IdentityKind, value string) customer.Customer {
	e.T().Helper()
	var list struct{ Items []customer.Customer }
	e.Get("/api/v1/customers?identity="+url.QueryEscape(string(kind)+":"+value), &list)
	if len(list.Items) != 1 {
		e.T().Fatalf("customers with %s %s: %d, want 1", kind, value, len(list.Items))
	}
	return list.Items[0]
}

// openConversation returns the customer's only open conversation, with its messages, through
// the API.
func (e *env) openConversation(customerID string) conversation.Conversation {
	e.T().Helper()
	var list struct{ Items []conversation.Conversation }
	e.Get("/api/v1/conversations?status=open&customer="+customerID, &list)
	if len(list.Items) != 1 {
		e.T().Fatalf("customer %s has %d open conversations, want 1", customerID, len(list.Items))
	}
	var c conversation.Conversation
	e.Get("/api/v1/conversations/"+list.Items[0].ID, &c)
	return c
}

// message returns one message of a conversation as the API shows it.
func (e *env) message(conversationID, messageID string) conversation.Message {
	e.T().Helper()
	var c conversation.Conversation
	e.Get("/api/v1/conversations/"+conversationID, &c)
	for _, m := range c.Messages {
		if m.ID == messageID {
			return m
		}
	}
	e.T().Fatalf("message %s not in conversation %s", messageID, conversationID)
	return conversation.Message{}
}

// A private text creates the customer by Telegram id, named as on Telegram, in one open
// conversation with an owner. Telegram's re-delivery of the same update stores nothing more.
func TestInboundText(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		first := e.mustPost("message-text.json")
		again := e.mustPost("message-text.json")
		var a1, a2 struct{ Accepted, Duplicates int }
		_ = json.Unmarshal([]byte(first.Body), &a1)
		_ = json.Unmarshal([]byte(again.Body), &a2)
		if a1.Accepted != 1 || a2.Duplicates != 1 || a2.Accepted != 0 {
			t.Errorf("answers %s then %s; want accepted 1, then duplicates 1", first.Body, again.Body)
		}
		cust := e.customerBy(customer.Telegram, danaID)
		if cust.Name != "Dana Cohen" || len(cust.Identities) != 1 {
			t.Errorf("customer %q with identities %+v, want Dana Cohen with only her Telegram id", cust.Name, cust.Identities)
		}
		conv := e.openConversation(cust.ID)
		if conv.AssigneeID != e.Agent.ID || conv.ChannelID != e.tg.ID {
			t.Errorf("conversation owned by %q on %q, want %q on the Telegram channel %q", conv.AssigneeID, conv.ChannelID, e.Agent.ID, e.tg.ID)
		}
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages after a re-delivered update, want 1", len(conv.Messages))
		}
		m := conv.Messages[0]
		if m.Text != "שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?" || m.ExternalID != "815204431" || m.Direction != conversation.Inbound {
			t.Errorf("message %+v", m)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// An edit arrives as a new update: a new message saying it was edited, which its own
// re-delivery does not repeat.
func TestEditedMessage(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, name := range []string{"message-text.json", "message-edited.json", "message-edited.json", "message-text.json"} {
			e.mustPost(name)
		}
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		if len(conv.Messages) != 2 || conv.Messages[1].Text != "(edited) שלום, הפוליסה שלי (מספר 4521) לא הגיעה במייל. אפשר לשלוח שוב?" {
			t.Errorf("messages %+v, want the original and the edit", conv.Messages)
		}
	})
}

// A wrong or missing secret token is 401 and leaves no trace; a body that is not an Update,
// with the right token, is 400, also without a trace.
func TestRejectedDeliveriesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		eventsBefore := e.Count(`SELECT COUNT(*) FROM events`) // creating the agent
		body := channeltest.Fixture(t, "message-text.json")
		form := func() channeltest.Answer {
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/telegram/"+e.tg.Name, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(telegram.SecretHeader, secret)
			return e.Do(req)
		}
		cases := []struct {
			name string
			got  channeltest.Answer
			want int
		}{
			{"wrong secret", e.post(body, "demo-telegram-secreT"), http.StatusUnauthorized},
			{"no secret", e.post(body, ""), http.StatusUnauthorized},
			{"another channel's secret", e.post(body, smsToken), http.StatusUnauthorized},
			{"garbage", e.post([]byte("update_id=815204431&text=hi")), http.StatusBadRequest},
			{"truncated", e.post(body[:len(body)/2]), http.StatusBadRequest},
			{"no update_id", e.post(bytes.Replace(body, []byte(`"update_id": 815204431,`), nil, 1)), http.StatusBadRequest},
			{"empty", e.post(nil), http.StatusBadRequest},
			{"form content type", form(), http.StatusBadRequest},
		}
		for _, c := range cases {
			if c.got.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, c.got.Status, c.got.Body, c.want)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts", "media"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after rejected deliveries, want 0", n, table)
			}
		}
		if n := e.Count(`SELECT COUNT(*) FROM events`); n != eventsBefore {
			t.Errorf("%d events after rejected deliveries, want the %d from before", n, eventsBefore)
		}
		for _, path := range []string{"/hooks/telegram/" + e.sms.Name, "/hooks/telegram/nope"} {
			req, _ := http.NewRequest(http.MethodPost, e.URL+path, bytes.NewReader(body))
			req.Header.Set(telegram.SecretHeader, secret)
			if got := e.Do(req); got.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, got.Status)
			}
		}
	})
}

// Updates Gesher does not serve are acknowledged, so Telegram stops re-sending them, and
// store nothing.
func TestIgnoredUpdatesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, name := range []string{"my-chat-member.json", "channel-post.json", "message-group.json", "poll.json"} {
			e.mustPost(name)
		}
		for _, table := range []string{"customers", "messages", "channel_receipts"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after ignored updates, want 0", n, table)
			}
		}
	})
}

// A photo is fetched from the Bot API (getFile, then the file) and stored with the message;
// the agent downloads the same bytes from Gesher. While Telegram fails, the update is not
// acknowledged and nothing is stored, so Telegram's re-delivery brings it in whole.
func TestPhotoIsStoredAndDownloadable(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'}, bytes.Repeat([]byte{0x5a, 0xa5}, 40000)...)
		e.bot.AddFile(photoID, "photos/file_17.jpg", jpeg)
		e.bot.Answer("getFile", telegram.FakeError(http.StatusBadGateway, "Bad Gateway", 0))

		if got := e.post(channeltest.Fixture(t, "message-photo.json")); got.Status < 300 {
			t.Fatalf("while getFile fails: %d %s; want an answer that makes Telegram deliver again", got.Status, got.Body)
		}
		for _, table := range []string{"customers", "messages", "channel_receipts", "media"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after the failed delivery, want 0", n, table)
			}
		}

		e.mustPost("message-photo.json")
		e.mustPost("message-photo.json") // and once more: still one message
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages, want 1", len(conv.Messages))
		}
		m := conv.Messages[0]
		if m.Text != "הנזק לדלת האחורית, כמו שביקשתם" || len(m.Attachments) != 1 {
			t.Fatalf("message %q with attachments %+v, want the caption and the photo", m.Text, m.Attachments)
		}
		att := m.Attachments[0]
		if att.Name != "photo.jpg" || att.ContentType != "image/jpeg" || att.Size != int64(len(jpeg)) || !strings.HasPrefix(att.URL, "/api/v1/media/") {
			t.Errorf("attachment %+v", att)
		}
		got := e.Get(att.URL, nil)
		if got.Body != string(jpeg) || got.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("download: %d bytes of %s, want the %d bytes Telegram served as image/jpeg", len(got.Body), got.Header.Get("Content-Type"), len(jpeg))
		}
		// The re-delivery is recognised only at ingest, after the download: each of the three
		// deliveries asked for the file, and the bytes are stored once.
		if calls := e.bot.Calls("getFile"); len(calls) != 3 || calls[1].Params["file_id"] != photoID {
			t.Errorf("getFile calls %+v, want one per delivery, for the largest size", calls)
		}
		if n := e.Count(`SELECT COUNT(*) FROM media`); n != 1 {
			t.Errorf("%d stored files, want 1", n)
		}
	})
}

// Issue acceptance: a Telegram user who shares their own number becomes the customer who
// already wrote from it (by SMS, or through the API channel): one customer, one open
// conversation, the same owner, and later Telegram messages join it too.
func TestSelfContactShareJoinsThePhoneCustomer(t *testing.T) {
	for _, first := range []string{"sms", "api"} {
		t.Run("after "+first, func(t *testing.T) {
			storetest.EachURL(t, func(t *testing.T, dsn string) {
				e := newEnv(t, dsn)
				if first == "sms" {
					e.postSMS("SM0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f", danaPhone, "שלום, אני רוצה לבדוק את מצב התביעה")
				} else {
					// The CRM writes the number as Israelis do.
					e.postAPI("crm-77", "050-000-0001", "שלום, אני רוצה לבדוק את מצב התביעה")
				}
				before := e.customerBy(customer.Phone, danaPhone)
				convBefore := e.openConversation(before.ID)

				e.mustPost("message-contact-self.json")
				e.mustPost("message-text.json")

				byTelegram := e.customerBy(customer.Telegram, danaID)
				if byTelegram.ID != before.ID {
					t.Fatalf("the Telegram id leads to customer %s, want the phone's customer %s", byTelegram.ID, before.ID)
				}
				conv := e.openConversation(before.ID)
				if conv.ID != convBefore.ID || conv.AssigneeID == "" || conv.AssigneeID != convBefore.AssigneeID {
					t.Errorf("conversation %s owned by %q, want %s still owned by %q", conv.ID, conv.AssigneeID, convBefore.ID, convBefore.AssigneeID)
				}
				if len(conv.Messages) != 3 || conv.Messages[1].Text != "Shared their phone number: +972500000001" || conv.Messages[2].ChannelID != e.tg.ID {
					t.Errorf("messages %+v, want the first message, the shared number and the Telegram text", conv.Messages)
				}
				if conv.ChannelID != e.tg.ID {
					t.Errorf("conversation's channel %s, want Telegram %s (replies go where the customer last wrote)", conv.ChannelID, e.tg.ID)
				}
				if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
					t.Errorf("%d customers, want 1", n)
				}
				if n := e.Count(`SELECT COUNT(*) FROM conversations`); n != 1 {
					t.Errorf("%d conversations, want 1", n)
				}
				// The agent's answer goes back on Telegram, to her private chat.
				e.Reply(conv.ID, "מצאנו את התביעה, השמאי יתקשר מחר")
				e.Work(1)
				if calls := e.bot.Calls("sendMessage"); len(calls) != 1 || calls[0].Params["chat_id"] != float64(5012345678) {
					t.Errorf("sendMessage calls %+v, want one to chat 5012345678", calls)
				}
			})
		})
	}
}

// An agent's reply reaches the Bot API's sendMessage with the customer's chat id and the text,
// and the message is recorded sent with Telegram's message id.
func TestReplyReachesTelegram(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.mustPost("message-text.json")
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		id := e.Reply(conv.ID, "שלחנו את הפוליסה שוב, תבדקי גם בתיקיית הספאם.")
		e.Work(1)
		calls := e.bot.Calls("sendMessage")
		if len(calls) != 1 || calls[0].Params["chat_id"] != float64(5012345678) || calls[0].Params["text"] != "שלחנו את הפוליסה שוב, תבדקי גם בתיקיית הספאם." {
			t.Fatalf("sendMessage calls %+v", calls)
		}
		if m := e.message(conv.ID, id); m.Status != conversation.StatusSent || m.ExternalID != "5012345678:1220" {
			t.Errorf("reply is %s with id %q, want sent as 5012345678:1220", m.Status, m.ExternalID)
		}
	})
}

// Flood control (429 with retry_after) is waited out and the reply is then delivered, once.
func TestFloodControlIsRetriedThenDeliveredOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.mustPost("message-text.json")
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		e.bot.Answer("sendMessage", telegram.FakeError(http.StatusTooManyRequests, "Too Many Requests: retry after 5", 5))
		id := e.Reply(conv.ID, "בודקים ומעדכנים")
		if _, err := e.App.Jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if m := e.message(conv.ID, id); m.Status != conversation.StatusQueued {
			t.Errorf("after the 429: %s, want still queued", m.Status)
		}
		e.Work(3)
		if m := e.message(conv.ID, id); m.Status != conversation.StatusSent || m.ExternalID != "5012345678:1220" {
			t.Errorf("after the wait: %s as %q, want sent as 5012345678:1220", m.Status, m.ExternalID)
		}
		if calls := e.bot.Calls("sendMessage"); len(calls) != 2 {
			t.Errorf("%d sendMessage calls, want 2: one refused, one delivered", len(calls))
		}
	})
}

// A customer who blocked the bot: the reply fails with Telegram's words, which the agent
// sees, and it is not retried.
func TestBlockedBotFailsTheReply(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.mustPost("message-text.json")
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		e.bot.Answer("sendMessage", telegram.FakeError(http.StatusForbidden, "Forbidden: bot was blocked by the user", 0))
		id := e.Reply(conv.ID, "?")
		e.Work(3)
		if m := e.message(conv.ID, id); m.Status != conversation.StatusFailed || m.StatusReason != "Forbidden: bot was blocked by the user" {
			t.Errorf("reply is %s (%q), want failed with Telegram's reason", m.Status, m.StatusReason)
		}
		if n := len(e.bot.Calls("sendMessage")); n != 1 {
			t.Errorf("%d sendMessage calls, want 1 (a refusal is not retried)", n)
		}
	})
}

// A press on an inline-keyboard button is a message with the button's text, and Telegram is
// answered with answerCallbackQuery so the customer's app stops waiting; a re-delivery gets
// the same answer and stores nothing more.
func TestButtonPress(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for range 2 {
			got := e.mustPost("callback-query.json")
			var a map[string]string
			if err := json.Unmarshal([]byte(got.Body), &a); err != nil || a["method"] != "answerCallbackQuery" || a["callback_query_id"] != "21530573828310441" {
				t.Errorf("answer %s, want answerCallbackQuery for the query", got.Body)
			}
		}
		conv := e.openConversation(e.customerBy(customer.Telegram, danaID).ID)
		if len(conv.Messages) != 1 || conv.Messages[0].Text != "כן, מחר בבוקר" {
			t.Errorf("messages %+v, want the pressed button's text once", conv.Messages)
		}
	})
}
