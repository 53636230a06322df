package twilio_test

// These tests run the SMS channel through the whole server, as Twilio meets it: a real HTTP
// listener from app.Open, the real webhook route, the ingest transaction and the send job, on
// SQLite and on PostgreSQL, with a local fake of Twilio's Messages API.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

const (
	authToken  = "demo-twilio-token"
	apiSecret  = "test-api-secret"
	accountSid = "AC5ef872f6da5a21de157d80997a64bd33"
	ourNumber  = "+12015550123"
	// outSid is the sid in the status-callback fixtures; the fake Twilio gives it to the first
	// message sent, so the recorded callbacks can be replayed as they are.
	outSid = "SM9b8a7c6d5e4f30211a2b3c4d5e6f7a8b"
)

type env struct {
	*channeltest.Env
	sms    channel.Channel
	api    channel.Channel
	twilio *fakeTwilio
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	f := &fakeTwilio{sids: []string{outSid}}
	fake := httptest.NewServer(f)
	t.Cleanup(fake.Close)
	e := channeltest.New(t, dsn, channeltest.Options{HTTPClient: fake.Client(), Channels: []channel.Channel{
		{Name: "demo-sms", Kind: twilio.Kind, Secret: authToken, Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: accountSid, twilio.SettingFrom: ourNumber, twilio.SettingAPIBase: fake.URL, twilio.SettingPublicURL: channeltest.ServerURL,
		}},
		{Name: "crm", Kind: api.Kind, Secret: apiSecret, Enabled: true},
	}})
	return &env{Env: e, sms: e.Channels[0], api: e.Channels[1], twilio: f}
}

// postSMS posts a form body to the SMS webhook, signed as Twilio signs it unless sig is given
// ("" for no signature header at all).
func (e *env) postSMS(body string, sig ...string) channeltest.Answer {
	e.T().Helper()
	hook := e.URL + "/hooks/sms/" + e.sms.Name
	params, _ := url.ParseQuery(body)
	signature := twilio.Signature(authToken, hook, params)
	if len(sig) > 0 {
		signature = sig[0]
	}
	req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set(twilio.SignatureHeader, signature)
	}
	return e.Do(req)
}

// postAPI posts a message on the generic API channel, as an integrator would.
func (e *env) postAPI(id, phone, text string) channeltest.Answer {
	return e.PostAPI(e.api, fmt.Sprintf(`{"id":%q,"from":{"phone":%q},"text":%q}`, id, phone, text))
}

func fixture(t *testing.T, name string) string { return string(channeltest.Fixture(t, name)) }

const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// fakeTwilio is a local Messages API: form in, JSON out, basic auth checked.
type fakeTwilio struct {
	mu      sync.Mutex
	sids    []string // handed out first, then generated
	answers []int    // statuses to answer with before succeeding
	forms   []url.Values
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != accountSid || pass != authToken || r.URL.Path != "/2010-04-01/Accounts/"+accountSid+"/Messages.json" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`))
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forms = append(f.forms, form)
	w.Header().Set("Content-Type", "application/json")
	if len(f.answers) > 0 {
		status := f.answers[0]
		f.answers = f.answers[1:]
		w.WriteHeader(status)
		if status == http.StatusBadRequest {
			_, _ = w.Write([]byte(`{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}`))
		} else {
			fmt.Fprintf(w, `{"code": 20500, "message": "Internal Server Error", "status": %d}`, status)
		}
		return
	}
	sid := fmt.Sprintf("SM%032x", len(f.forms))
	if len(f.sids) > 0 {
		sid, f.sids = f.sids[0], f.sids[1:]
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "queued", "to": form.Get("To"), "from": form.Get("From"), "body": form.Get("Body"), "account_sid": accountSid})
}

func (f *fakeTwilio) sent() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

// An inbound SMS creates the customer by phone number and the message in an open, owned
// conversation, and Twilio gets empty TwiML. The same delivery again stores nothing more.
func TestInboundSMS(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		body := fixture(t, "inbound-sms.form")
		for i := range 2 {
			got := e.postSMS(body)
			if got.Status != http.StatusOK || !strings.HasPrefix(got.ContentType(), "text/xml") || got.Body != twiml {
				t.Fatalf("delivery %d: answer %d %q %q, want 200 text/xml %s", i+1, got.Status, got.ContentType(), got.Body, twiml)
			}
		}
		cust, conv := e.ConversationOf(customer.Phone, "+14155550100")
		if len(cust.Identities) != 1 || cust.Identities[0].Kind != customer.Phone || cust.Identities[0].Value != "+14155550100" {
			t.Errorf("customer identities %+v, want the phone +14155550100", cust.Identities)
		}
		if conv.AssigneeID != e.Agent.ID || conv.ChannelID != e.sms.ID {
			t.Errorf("conversation owner %q channel %q, want %q on %q", conv.AssigneeID, conv.ChannelID, e.Agent.ID, e.sms.ID)
		}
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages after a replayed delivery, want 1", len(conv.Messages))
		}
		m := conv.Messages[0]
		if m.Text != "Hi, my order #4521 hasn't arrived yet. Can you check?" || m.ExternalID != "SM3f1e2b7c9a0d4e5f8a6b1c2d3e4f5a6b" || m.Direction != conversation.Inbound {
			t.Errorf("message %+v", m)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// Issue 3, acceptance 2: the same phone writing through the API channel and then by SMS is one
// customer with one open conversation and one owner.
func TestSamePhoneOnAPIThenSMSIsOneCustomer(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		// The CRM writes the number as Israelis do; Twilio sends E.164.
		if got := e.postAPI("crm-77", "050-000-0001", "שלום, אני רוצה לשנות את הכתובת למשלוח"); got.Status != http.StatusOK {
			t.Fatalf("API message: %d %s", got.Status, got.Body)
		}
		_, before := e.ConversationOf(customer.Phone, "+972500000001")
		form := url.Values{
			"MessageSid": {"SM0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}, "SmsSid": {"SM0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}, "AccountSid": {accountSid},
			"From": {"+972500000001"}, "To": {ourNumber}, "Body": {"הכתובת החדשה: רחוב הרצל 10, חיפה"}, "NumMedia": {"0"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"},
		}
		if got := e.postSMS(form.Encode()); got.Status != http.StatusOK || got.Body != twiml {
			t.Fatalf("SMS: %d %s", got.Status, got.Body)
		}
		cust, after := e.ConversationOf(customer.Phone, "+972500000001")
		if after.ID != before.ID || after.AssigneeID == "" || after.AssigneeID != before.AssigneeID {
			t.Errorf("after the SMS: conversation %s owned by %q; want %s still owned by %q", after.ID, after.AssigneeID, before.ID, before.AssigneeID)
		}
		if len(after.Messages) != 2 || after.Messages[0].ChannelID != e.api.ID || after.Messages[1].ChannelID != e.sms.ID {
			t.Errorf("messages %+v, want the API message then the SMS", after.Messages)
		}
		if after.ChannelID != e.sms.ID {
			t.Errorf("conversation's channel %s, want the SMS channel %s (replies go where the customer last wrote)", after.ChannelID, e.sms.ID)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if n := e.Count(`SELECT COUNT(*) FROM conversations WHERE customer_id = ?`, cust.ID); n != 1 {
			t.Errorf("%d conversations, want 1", n)
		}
	})
}

func TestInboundMMSKeepsMedia(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if got := e.postSMS(fixture(t, "inbound-mms.form")); got.Status != http.StatusOK || got.Body != twiml {
			t.Fatalf("MMS: %d %s", got.Status, got.Body)
		}
		_, conv := e.ConversationOf(customer.Phone, "+14155550100")
		m := conv.Messages[0]
		base := "https://api.twilio.com/2010-04-01/Accounts/" + accountSid + "/Messages/MM7c2d9e1f0a3b4c5d6e7f8a9b0c1d2e3f/Media/"
		want := []conversation.Attachment{
			{Name: "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9", ContentType: "image/jpeg", URL: base + "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
			{Name: "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0", ContentType: "image/png", URL: base + "ME9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
		}
		if len(m.Attachments) != 2 || m.Attachments[0] != want[0] || m.Attachments[1] != want[1] || m.Text != "Photos of the box as it arrived" {
			t.Errorf("stored %q with %+v\nwant attachments %+v", m.Text, m.Attachments, want)
		}
	})
}

// A reply goes out through the Messages API with a status callback to this channel; Twilio's
// callbacks then move it to delivered, or to failed with Twilio's reason, and each is an
// event on the log.
func TestStatusCallbacks(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		e.postSMS(fixture(t, "inbound-sms.form"))
		_, conv := e.ConversationOf(customer.Phone, "+14155550100")
		reply := func(text string) string {
			id := e.Reply(conv.ID, text)
			e.Work(1)
			return id
		}
		status := func(id string) conversation.Message {
			m, err := e.App.Conversations.Message(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}

		first := reply("It left our warehouse yesterday; tracking number 1Z999AA10123456784.")
		sent := e.twilio.sent()
		if len(sent) != 1 {
			t.Fatalf("Twilio got %d requests, want 1", len(sent))
		}
		if sent[0].Get("To") != "+14155550100" || sent[0].Get("From") != ourNumber || sent[0].Get("StatusCallback") != e.URL+"/hooks/sms/demo-sms" {
			t.Errorf("send form %v", sent[0])
		}
		if m := status(first); m.Status != conversation.StatusSent || m.ExternalID != outSid {
			t.Fatalf("after the send: %s with sid %q, want sent with %s", m.Status, m.ExternalID, outSid)
		}
		for _, f := range []string{"status-queued.form", "status-sent.form", "status-delivered.form", "status-delivered.form"} {
			if got := e.postSMS(fixture(t, f)); got.Status != http.StatusNoContent || got.Body != "" {
				t.Errorf("%s: answer %d %q, want an empty 204", f, got.Status, got.Body)
			}
		}
		if m := status(first); m.Status != conversation.StatusDelivered {
			t.Errorf("after the delivered callback: %s, want delivered", m.Status)
		}
		// A late "sent" does not undo "delivered".
		e.postSMS(strings.ReplaceAll(fixture(t, "status-sent.form"), "ApiVersion", "Late=1&ApiVersion"))
		if m := status(first); m.Status != conversation.StatusDelivered {
			t.Errorf("after a late sent callback: %s, want delivered", m.Status)
		}

		second := reply("Could you confirm the apartment number?")
		sid := status(second).ExternalID
		if sid == "" || sid == outSid {
			t.Fatalf("second reply has sid %q", sid)
		}
		undelivered := strings.ReplaceAll(fixture(t, "status-undelivered.form"), outSid, sid)
		if got := e.postSMS(undelivered); got.Status != http.StatusNoContent {
			t.Errorf("undelivered callback: %d %s", got.Status, got.Body)
		}
		m := status(second)
		if m.Status != conversation.StatusFailed || m.StatusReason != "Unreachable destination handset (Twilio error 30003)" {
			t.Errorf("after undelivered: %s %q, want failed with Twilio's reason", m.Status, m.StatusReason)
		}

		moves := e.StatusMoves(conv.ID)
		a, b := first[len(first)-4:], second[len(second)-4:]
		want := []string{a + ":queued→sent", a + ":sent→delivered", b + ":queued→sent", b + ":sent→failed"}
		if strings.Join(moves, " ") != strings.Join(want, " ") {
			t.Errorf("status events\n got %v\nwant %v", moves, want)
		}
	})
}

// A tampered or missing signature is refused with 401 and leaves no trace; so does a valid
// signature for another URL. Garbage with a valid signature is a 400, also without a trace.
func TestRejectedDeliveriesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		eventsBefore := e.Count(`SELECT COUNT(*) FROM events`) // creating the agent
		body := fixture(t, "inbound-sms.form")
		params, _ := url.ParseQuery(body)
		tampered := strings.Replace(body, "Can+you+check", "Send+me+a+refund", 1)
		cases := []struct {
			name string
			got  channeltest.Answer
			want int
		}{
			{"tampered body", e.postSMS(tampered, twilio.Signature(authToken, e.URL+"/hooks/sms/demo-sms", params)), http.StatusUnauthorized},
			{"no signature", e.postSMS(body, ""), http.StatusUnauthorized},
			{"wrong token", e.postSMS(body, twilio.Signature("guess", e.URL+"/hooks/sms/demo-sms", params)), http.StatusUnauthorized},
			{"signed for another channel", e.postSMS(body, twilio.Signature(authToken, e.URL+"/hooks/sms/other", params)), http.StatusUnauthorized},
			{"garbage, signed", e.postSMS("this is not a form %zz"), http.StatusBadRequest},
			{"JSON, signed", e.postSMS(`{"MessageSid":"SM1","From":"+14155550100","Body":"hi"}`), http.StatusBadRequest},
			{"truncated, signed", e.postSMS(body[:len(body)/2]), http.StatusBadRequest},
		}
		for _, c := range cases {
			if c.got.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, c.got.Status, c.got.Body, c.want)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after rejected deliveries, want 0", n, table)
			}
		}
		if n := e.Count(`SELECT COUNT(*) FROM events`); n != eventsBefore {
			t.Errorf("%d events after rejected deliveries, want the %d from before", n, eventsBefore)
		}
		// The channel is found by name and kind: the API channel's name under /hooks/sms/ is
		// not found, nor is a channel that does not exist.
		for _, path := range []string{"/hooks/sms/crm", "/hooks/sms/nope"} {
			req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilio.SignatureHeader, twilio.Signature(authToken, e.URL+path, params))
			if got := e.Do(req); got.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, got.Status)
			}
		}
	})
}

// Outbound: a 5xx is retried and the message goes out once; a permanent refusal fails the
// message with Twilio's reason and is not retried.
func TestSendRetriesAndFailures(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		e.postSMS(fixture(t, "inbound-sms.form"))
		_, conv := e.ConversationOf(customer.Phone, "+14155550100")

		e.twilio.mu.Lock()
		e.twilio.answers = []int{http.StatusServiceUnavailable, http.StatusInternalServerError}
		e.twilio.mu.Unlock()
		m := e.Reply(conv.ID, "We are looking into it.")
		e.Work(1)
		if got, _ := e.App.Conversations.Message(ctx, m); got.Status != conversation.StatusQueued {
			t.Errorf("after a 503: %s, want still queued", got.Status)
		}
		e.Work(5)
		got, _ := e.App.Conversations.Message(ctx, m)
		if got.Status != conversation.StatusSent || got.ExternalID != outSid {
			t.Errorf("after 503, 500, 201: %s with sid %q, want sent with %s", got.Status, got.ExternalID, outSid)
		}
		if n := len(e.twilio.sent()); n != 3 {
			t.Errorf("Twilio got %d requests, want 3 (two failures, one success)", n)
		}

		e.twilio.mu.Lock()
		e.twilio.answers = []int{http.StatusBadRequest}
		e.twilio.mu.Unlock()
		m2 := e.Reply(conv.ID, "One more thing…")
		e.Work(5)
		got, _ = e.App.Conversations.Message(ctx, m2)
		if got.Status != conversation.StatusFailed || got.StatusReason != "Attempt to send to unsubscribed recipient (Twilio error 21610)" {
			t.Errorf("after a 400: %s %q, want failed with Twilio's reason", got.Status, got.StatusReason)
		}
		if n := len(e.twilio.sent()); n != 4 {
			t.Errorf("Twilio got %d requests in all, want 4 (a permanent refusal is not retried)", n)
		}
	})
}
