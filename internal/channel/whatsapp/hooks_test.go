package whatsapp_test

// These tests run the WhatsApp channel through the whole server, as Meta meets it: a real
// HTTP listener from app.Open, the real webhook routes, the ingest transaction, the media
// store and the send job, on SQLite and on PostgreSQL, with a local fake of the Graph API.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

const (
	appSecret   = "demo-whatsapp-secret"
	verifyToken = "demo-verify"
	accessToken = "demo-whatsapp-access-token"
	phoneID     = "106540352242922" // the business number of Meta's examples
	smsToken    = "demo-twilio-token"
	// outWamid is the id in the sent and read status fixtures; the fake Graph API gives it
	// to the first message sent, so the recorded reports can be replayed as they are.
	outWamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
	textID   = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
)

var _ web.Challenger = (*whatsapp.Adapter)(nil)

type env struct {
	*channeltest.Env
	wa    channel.Channel
	sms   channel.Channel
	graph *whatsapp.FakeGraph
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	graph := whatsapp.NewFakeGraph(t, accessToken)
	graph.HandOut(outWamid)
	e := channeltest.New(t, dsn, channeltest.Options{Channels: []channel.Channel{
		{Name: "demo-whatsapp", Kind: whatsapp.Kind, Secret: appSecret, Enabled: true, Settings: map[string]string{
			whatsapp.SettingVerifyToken: verifyToken, whatsapp.SettingAccessToken: accessToken, whatsapp.SettingPhoneNumberID: phoneID,
			whatsapp.SettingAPIBase: graph.URL,
			whatsapp.SettingTemplates: `[{"name":"claim_update","language":"he","body":"שלום {{1}}, התביעה שלך {{2}} עודכנה"},
{"name":"claim_update","language":"en","body":"Hello {{1}}, your claim {{2}} has been updated"}]`,
		}},
		{Name: "demo-sms", Kind: twilio.Kind, Secret: smsToken, Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: "AC5ef872f6da5a21de157d80997a64bd33", twilio.SettingFrom: "+12015550123", twilio.SettingAPIBase: graph.URL,
		}},
	}})
	return &env{Env: e, wa: e.Channels[0], sms: e.Channels[1], graph: graph}
}

// post delivers a webhook body to the channel, signed with the app secret unless sig is given
// ("" for no signature header).
func (e *env) post(body string, sig ...string) channeltest.Answer {
	e.T().Helper()
	signature := whatsapp.Signature(appSecret, []byte(body))
	if len(sig) > 0 {
		signature = sig[0]
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/whatsapp/"+e.wa.Name, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(whatsapp.SignatureHeader, signature)
	}
	return e.Do(req)
}

// reply posts an agent's reply through the API, as the console does.
func (e *env) reply(conversationID, text string, template bool) channeltest.Answer {
	e.T().Helper()
	return e.AsAgent(http.MethodPost, "/api/v1/conversations/"+conversationID+"/messages", map[string]any{"text": text, "template": template})
}

func (e *env) mustReply(conversationID, text string, template bool) string {
	e.T().Helper()
	return e.ReplyJSON(conversationID, map[string]any{"text": text, "template": template})
}

// conversationOf returns the customer with phone and their only open conversation, as the API
// shows it.
func (e *env) conversationOf(phone string) (customer.Customer, conversation.Conversation) {
	e.T().Helper()
	c, open := e.ConversationOf(customer.Phone, phone)
	var conv conversation.Conversation
	e.Get("/api/v1/conversations/"+open.ID, &conv)
	return c, conv
}

func fixture(t *testing.T, name string) string { return string(channeltest.Fixture(t, name)) }

var photo = []byte("\xff\xd8\xff\xe0\x00\x10JFIF the customer's photo of the damage")

// Meta's App Dashboard saves the callback URL only when the GET echoes hub.challenge.
func TestChallenge(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		get := func(path string) channeltest.Answer {
			req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
			return e.Do(req)
		}
		ok := get("/hooks/whatsapp/demo-whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" + verifyToken)
		if ok.Status != http.StatusOK || ok.Body != "1158201444" || !strings.HasPrefix(ok.ContentType(), "text/plain") {
			t.Errorf("right token: %d %q %q, want 200 text/plain 1158201444", ok.Status, ok.ContentType(), ok.Body)
		}
		if got := get("/hooks/whatsapp/demo-whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"); got.Status != http.StatusForbidden || strings.Contains(got.Body, "1158201444") {
			t.Errorf("wrong token: %d %q, want 403", got.Status, got.Body)
		}
		if got := get("/hooks/whatsapp/nope?hub.mode=subscribe&hub.challenge=1&hub.verify_token=" + verifyToken); got.Status != http.StatusNotFound {
			t.Errorf("unknown channel: %d, want 404", got.Status)
		}
		if got := get("/hooks/sms/demo-sms?hub.mode=subscribe&hub.challenge=1&hub.verify_token=" + verifyToken); got.Status != http.StatusMethodNotAllowed {
			t.Errorf("SMS channel: %d, want 405 (no challenge there)", got.Status)
		}
	})
}

// A text message creates the customer by phone number and WhatsApp id, in an open, owned
// conversation the API shows; Meta's retry of the same delivery stores nothing more.
func TestInboundText(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		body := fixture(t, "text.json")
		first := e.post(body)
		if first.Status != http.StatusOK || !strings.Contains(first.Body, `"accepted":1`) {
			t.Fatalf("delivery: %d %s", first.Status, first.Body)
		}
		if again := e.post(body); again.Status != http.StatusOK || !strings.Contains(again.Body, `"duplicates":1`) {
			t.Errorf("replay: %d %s, want 200 with one duplicate", again.Status, again.Body)
		}
		cust, conv := e.conversationOf("+16505551234")
		var ids []string
		for _, id := range cust.Identities {
			ids = append(ids, string(id.Kind)+":"+id.Value)
		}
		if strings.Join(ids, " ") != "phone:+16505551234 whatsapp:16505551234" || cust.Name != "Sheena Nelson" {
			t.Errorf("customer %q with %v, want Sheena Nelson with phone and whatsapp", cust.Name, ids)
		}
		if conv.AssigneeID != e.Agent.ID || conv.ChannelID != e.wa.ID {
			t.Errorf("conversation owner %q channel %q, want %q on %q", conv.AssigneeID, conv.ChannelID, e.Agent.ID, e.wa.ID)
		}
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages after a replayed delivery, want 1", len(conv.Messages))
		}
		if m := conv.Messages[0]; m.Text != "Does it come in another color?" || m.ExternalID != textID || m.Direction != conversation.Inbound {
			t.Errorf("message %+v", m)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// Signature failures are 401, bodies that are not Meta's are 400, and neither leaves a trace.
func TestRejectedDeliveriesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		eventsBefore := e.Count(`SELECT COUNT(*) FROM events`) // creating the agent
		body := fixture(t, "text.json")
		tampered := strings.Replace(body, "another color", "a refund", 1)
		good := whatsapp.Signature(appSecret, []byte(body))
		cases := []struct {
			name string
			got  channeltest.Answer
			want int
		}{
			{"tampered body", e.post(tampered, good), http.StatusUnauthorized},
			{"no signature", e.post(body, ""), http.StatusUnauthorized},
			{"wrong secret", e.post(body, whatsapp.Signature("guess", []byte(body))), http.StatusUnauthorized},
			{"wrong prefix", e.post(body, strings.Replace(good, "sha256=", "sha1=", 1)), http.StatusUnauthorized},
			{"garbage, signed", e.post("this is not JSON"), http.StatusBadRequest},
			{"truncated, signed", e.post(body[:len(body)/2]), http.StatusBadRequest},
			{"another object, signed", e.post(strings.Replace(body, "whatsapp_business_account", "instagram", 1)), http.StatusBadRequest},
			{"no sender, signed", e.post(strings.Replace(body, `"from": "16505551234",`, "", 1)), http.StatusBadRequest},
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
	})
}

// A photo is fetched from the Graph API inside the delivery and kept in Gesher: the agent
// downloads the same bytes from the message's attachment. While the Graph API is down the
// delivery is refused, so Meta retries it, and nothing half-stored is left behind.
func TestInboundImageIsKept(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.graph.AddMedia("1003383421387256", whatsapp.FakeMedia{Data: photo, MimeType: "image/jpeg"})
		body := whatsapp.SetChecksum(fixture(t, "image.json"), photo)

		e.graph.FailLookups(http.StatusServiceUnavailable)
		if got := e.post(body); got.Status != http.StatusServiceUnavailable {
			t.Fatalf("while the Graph API is down: %d %s, want 503 so that Meta retries", got.Status, got.Body)
		}
		for _, table := range []string{"customers", "messages", "media", "channel_receipts"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after the refused delivery, want 0", n, table)
			}
		}

		if got := e.post(body); got.Status != http.StatusOK {
			t.Fatalf("Meta's retry: %d %s", got.Status, got.Body)
		}
		_, conv := e.conversationOf("+16505551234")
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages, want 1", len(conv.Messages))
		}
		m := conv.Messages[0]
		if m.Text != "Taj Mahal" || len(m.Attachments) != 1 {
			t.Fatalf("message %q with %+v", m.Text, m.Attachments)
		}
		att := m.Attachments[0]
		if att.Name != "image-1003383421387256.jpg" || att.ContentType != "image/jpeg" || att.Size != int64(len(photo)) || !strings.HasPrefix(att.URL, "/api/v1/media/") {
			t.Errorf("attachment %+v", att)
		}
		got := e.AsAgent(http.MethodGet, att.URL, nil)
		if got.Status != http.StatusOK || got.Body != string(photo) || got.ContentType() != "image/jpeg" {
			t.Errorf("download: %d %q, %d bytes; want 200 image/jpeg with the customer's bytes", got.Status, got.ContentType(), len(got.Body))
		}
		if n := e.Count(`SELECT COUNT(*) FROM media`); n != 1 {
			t.Errorf("%d media rows, want 1", n)
		}
	})
}

// A reply reaches the Graph API as Meta expects it, with the bearer token; Meta's status
// reports then move it sent → delivered → read, and a late report never moves it back. A
// failed report fails the message with Meta's reason.
func TestReplyAndStatuses(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.post(fixture(t, "text.json"))
		_, conv := e.conversationOf("+16505551234")

		first := e.mustReply(conv.ID, "Yes: blue, green and שחור.", false)
		e.Work(1)
		reqs := e.graph.Requests()
		if len(reqs) != 1 {
			t.Fatalf("the Graph API got %d requests, want 1", len(reqs))
		}
		want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text",
			"text": map[string]any{"body": "Yes: blue, green and שחור."}}
		if reqs[0].Path != "/v21.0/"+phoneID+"/messages" || reqs[0].Auth != "Bearer "+accessToken || !reflect.DeepEqual(reqs[0].Body, want) {
			t.Errorf("request %s %s %v\nwant body %v", reqs[0].Path, reqs[0].Auth, reqs[0].Body, want)
		}
		if m := e.Message(first); m.Status != conversation.StatusSent || m.ExternalID != outWamid {
			t.Fatalf("after the send: %s with %q, want sent with %s", m.Status, m.ExternalID, outWamid)
		}
		delivered := strings.ReplaceAll(fixture(t, "status-delivered.json"), "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", outWamid)
		for _, body := range []string{fixture(t, "status-sent.json"), delivered, fixture(t, "status-read.json"), delivered, fixture(t, "status-sent.json")} {
			if got := e.post(body); got.Status != http.StatusOK {
				t.Errorf("status report: %d %s", got.Status, got.Body)
			}
		}
		if m := e.Message(first); m.Status != conversation.StatusRead {
			t.Errorf("after sent, delivered, read and late reports: %s, want read", m.Status)
		}

		second := e.mustReply(conv.ID, "Which size?", false)
		e.Work(1)
		wamid := e.Message(second).ExternalID
		if wamid == "" || wamid == outWamid {
			t.Fatalf("second reply has wamid %q", wamid)
		}
		failed := strings.ReplaceAll(fixture(t, "status-failed.json"), "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", wamid)
		e.post(failed)
		if m := e.Message(second); m.Status != conversation.StatusFailed || m.StatusReason != "This message was not delivered to maintain healthy ecosystem engagement. (WhatsApp error 131049)" {
			t.Errorf("after the failed report: %s %q", m.Status, m.StatusReason)
		}

		moves := e.StatusMoves(conv.ID)
		a, b := first[len(first)-4:], second[len(second)-4:]
		wantMoves := []string{a + ":queued→sent", a + ":sent→delivered", a + ":delivered→read", b + ":queued→sent", b + ":sent→failed"}
		if strings.Join(moves, " ") != strings.Join(wantMoves, " ") {
			t.Errorf("status events\n got %v\nwant %v", moves, wantMoves)
		}
	})
}

// A 500 from the Graph API is retried and the reply goes out once.
func TestSendRetriedThenDeliveredOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.post(fixture(t, "text.json"))
		_, conv := e.conversationOf("+16505551234")
		e.graph.Answer(whatsapp.GraphError(http.StatusInternalServerError, 131000, "Something went wrong"))
		id := e.mustReply(conv.ID, "We are looking into it.", false)
		e.Work(1)
		if m := e.Message(id); m.Status != conversation.StatusQueued {
			t.Errorf("after a 500: %s, want still queued", m.Status)
		}
		e.Work(5)
		if m := e.Message(id); m.Status != conversation.StatusSent || m.ExternalID != outWamid {
			t.Errorf("after 500 then 200: %s with %q, want sent with %s", m.Status, m.ExternalID, outWamid)
		}
		if n := len(e.graph.Requests()); n != 2 {
			t.Errorf("the Graph API got %d requests, want 2 (one failure, one success)", n)
		}
	})
}

// More than 24 hours after the customer last wrote, WhatsApp takes only an approved template:
// the API refuses a free-form reply with the reason, and sends a template reply as the real
// template, its parameters taken from the agent's rendered text.
func TestWindowClosedNeedsTemplate(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.post(fixture(t, "text.json"))
		_, conv := e.conversationOf("+16505551234")
		e.Clock.Advance(25 * time.Hour)

		got := e.reply(conv.ID, "Any news on your claim?", false)
		var refusal struct {
			Error struct {
				Code   string `json:"code"`
				Reason string `json:"reason"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(got.Body), &refusal); err != nil || got.Status != http.StatusUnprocessableEntity || refusal.Error.Reason != channel.UnfitWindowClosed {
			t.Fatalf("free-form reply outside the window: %d %s, want 422 with reason %s", got.Status, got.Body, channel.UnfitWindowClosed)
		}

		id := e.mustReply(conv.ID, "שלום שינה, התביעה שלך 2024-118 עודכנה", true)
		e.Work(1)
		reqs := e.graph.Requests()
		if len(reqs) != 1 {
			t.Fatalf("the Graph API got %d requests, want only the template", len(reqs))
		}
		want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "template",
			"template": map[string]any{"name": "claim_update", "language": map[string]any{"code": "he"}, "components": []any{
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "text": "שינה"}, map[string]any{"type": "text", "text": "2024-118"}}}}}}
		if !reflect.DeepEqual(reqs[0].Body, want) {
			t.Errorf("template request\n got %v\nwant %v", reqs[0].Body, want)
		}
		if m := e.Message(id); m.Status != conversation.StatusSent || !m.Template {
			t.Errorf("template reply: %s template=%v, want sent and marked as a template", m.Status, m.Template)
		}

		// A template reply whose text is no approved template fails with that reason.
		bad := e.mustReply(conv.ID, "Hello, please call us", true)
		e.Work(1)
		if m := e.Message(bad); m.Status != conversation.StatusFailed || m.StatusReason != "no approved template matches this text" {
			t.Errorf("unmatched template: %s %q", m.Status, m.StatusReason)
		}
	})
}

// Issue 3's promise: the same phone writing on WhatsApp, then by SMS, then calling is one
// customer with one open conversation and one owner.
func TestSameNumberOnWhatsAppThenSMSThenACall(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		israeli := strings.ReplaceAll(strings.ReplaceAll(fixture(t, "text.json"), "16505551234", "972501234567"), "Sheena Nelson", "דנה לוי")
		if got := e.post(israeli); got.Status != http.StatusOK {
			t.Fatalf("WhatsApp: %d %s", got.Status, got.Body)
		}
		_, before := e.conversationOf("+972501234567")

		form := url.Values{
			"MessageSid": {"SM0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}, "AccountSid": {"AC5ef872f6da5a21de157d80997a64bd33"},
			"From": {"+972501234567"}, "To": {"+12015550123"}, "Body": {"שלחתי גם הודעה בוואטסאפ"}, "NumMedia": {"0"}, "SmsStatus": {"received"},
		}
		if got := e.PostTwilio(e.sms, form); got.Status != http.StatusOK {
			t.Fatalf("SMS: %d %s", got.Status, got.Body)
		}

		// Then they call the contact centre's number.
		voice, err := e.App.Channels.Ensure(context.Background(), channel.Channel{Name: "demo-voice", Kind: twilio.VoiceKind, Secret: smsToken, Enabled: true,
			Settings: map[string]string{twilio.SettingGreeting: "שלום, הגעתם לגשר ביטוח"}})
		if err != nil {
			t.Fatal(err)
		}
		call := url.Values{
			"CallSid": {"CA7d2c6e1b5a4f3e2d1c0b9a8f7e6d5c4b"}, "AccountSid": {"AC5ef872f6da5a21de157d80997a64bd33"}, "From": {"+972501234567"},
			"To": {"+97235550100"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"},
		}
		if got := e.PostTwilio(voice, call); got.Status != http.StatusOK || !strings.Contains(got.Body, "<Say") || !strings.Contains(got.Body, "<Enqueue>demo-voice</Enqueue>") {
			t.Fatalf("call: %d %s; want TwiML that greets and queues the caller", got.Status, got.Body)
		}

		cust, after := e.conversationOf("+972501234567")
		if after.ID != before.ID || after.AssigneeID == "" || after.AssigneeID != before.AssigneeID {
			t.Errorf("after the SMS and the call: conversation %s owned by %q; want %s still owned by %q", after.ID, after.AssigneeID, before.ID, before.AssigneeID)
		}
		if len(after.Messages) != 3 || after.Messages[0].ChannelID != e.wa.ID || after.Messages[1].ChannelID != e.sms.ID || after.Messages[2].ChannelID != voice.ID {
			t.Errorf("messages %+v, want the WhatsApp message, the SMS, then the call", after.Messages)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if n := e.Count(`SELECT COUNT(*) FROM conversations WHERE customer_id = ?`, cust.ID); n != 1 {
			t.Errorf("%d conversations, want 1", n)
		}
		if got := fmt.Sprint(len(cust.Identities)); got != "2" {
			t.Errorf("identities %+v, want the phone and the WhatsApp id", cust.Identities)
		}
	})
}
