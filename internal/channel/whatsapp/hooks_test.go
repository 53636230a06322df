package whatsapp_test

// These tests run the WhatsApp channel through the whole server, as Meta meets it: a real
// HTTP listener from app.Open, the real webhook routes, the ingest transaction, the media
// store and the send job, on SQLite and on PostgreSQL, with a local fake of the Graph API.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
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
	t     *testing.T
	app   *app.App
	clock *clock.Manual
	url   string
	wa    channel.Channel
	sms   channel.Channel
	agent auth.User
	token string
	graph *whatsapp.FakeGraph
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), graph: whatsapp.NewFakeGraph(t, accessToken)}
	e.graph.HandOut(outWamid)
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: e.clock, Argon: auth.CheapArgon(), NodeID: "test", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e.app = a
	limits := web.DefaultLimits()
	limits.HookRatePerIP = 0
	srv := httptest.NewServer(a.Web("", limits))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.wa, err = a.Channels.Ensure(ctx, channel.Channel{Name: "demo-whatsapp", Kind: whatsapp.Kind, Secret: appSecret, Enabled: true, Settings: map[string]string{
		whatsapp.SettingVerifyToken: verifyToken, whatsapp.SettingAccessToken: accessToken, whatsapp.SettingPhoneNumberID: phoneID,
		whatsapp.SettingAPIBase: e.graph.URL,
		whatsapp.SettingTemplates: `[{"name":"claim_update","language":"he","body":"שלום {{1}}, התביעה שלך {{2}} עודכנה"},
{"name":"claim_update","language":"en","body":"Hello {{1}}, your claim {{2}} has been updated"}]`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.sms, err = a.Channels.Ensure(ctx, channel.Channel{Name: "demo-sms", Kind: twilio.Kind, Secret: smsToken, Enabled: true, Settings: map[string]string{
		twilio.SettingAccountSID: "AC5ef872f6da5a21de157d80997a64bd33", twilio.SettingFrom: "+12015550123", twilio.SettingAPIBase: e.graph.URL,
	}})
	if err != nil {
		t.Fatal(err)
	}
	// One online agent, so that new conversations get an owner.
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "agent@test.example", Name: "Noa Agent", Role: auth.RoleAgent, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	online := "online"
	if e.agent, err = a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
		t.Fatal(err)
	}
	if e.token, _, err = a.Auth.CreateToken(ctx, u.ID, "test", event.System); err != nil {
		t.Fatal(err)
	}
	return e
}

type answer struct {
	status      int
	contentType string
	body        string
}

func (e *env) do(req *http.Request) answer {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// post delivers a webhook body to the channel, signed with the app secret unless sig is given
// ("" for no signature header).
func (e *env) post(body string, sig ...string) answer {
	e.t.Helper()
	signature := whatsapp.Signature(appSecret, []byte(body))
	if len(sig) > 0 {
		signature = sig[0]
	}
	req, _ := http.NewRequest(http.MethodPost, e.url+"/hooks/whatsapp/"+e.wa.Name, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(whatsapp.SignatureHeader, signature)
	}
	return e.do(req)
}

func (e *env) api(method, path string, body any) answer {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, e.url+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	return e.do(req)
}

// reply posts an agent's reply through the API, as the console does.
func (e *env) reply(conversationID, text string, template bool) answer {
	e.t.Helper()
	return e.api(http.MethodPost, "/api/v1/conversations/"+conversationID+"/messages", map[string]any{"text": text, "template": template})
}

func (e *env) mustReply(conversationID, text string, template bool) string {
	e.t.Helper()
	got := e.reply(conversationID, text, template)
	var m struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(got.body), &m); err != nil || got.status != http.StatusAccepted || m.Status != conversation.StatusQueued {
		e.t.Fatalf("reply: %d %s; want 202 with a queued message", got.status, got.body)
	}
	return m.ID
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// conversationOf returns the customer with phone and their only open conversation, as the API
// shows it.
func (e *env) conversationOf(phone string) (customer.Customer, conversation.Conversation) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.app.Customers.FindByIdentity(ctx, customer.Phone, phone)
	if err != nil {
		e.t.Fatalf("customer with phone %s: %v", phone, err)
	}
	open, err := e.app.Conversations.List(ctx, conversation.Filter{CustomerID: c.ID, Status: []conversation.Status{conversation.Open}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(open) != 1 {
		e.t.Fatalf("customer %s has %d open conversations, want 1", phone, len(open))
	}
	got := e.api(http.MethodGet, "/api/v1/conversations/"+open[0].ID, nil)
	var conv conversation.Conversation
	if err := json.Unmarshal([]byte(got.body), &conv); err != nil || got.status != http.StatusOK {
		e.t.Fatalf("GET conversation: %d %s", got.status, got.body)
	}
	return c, conv
}

func (e *env) message(id string) conversation.Message {
	e.t.Helper()
	m, err := e.app.Conversations.Message(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// work runs the due jobs, then moves the clock past any back-off, rounds times.
func (e *env) work(rounds int) {
	e.t.Helper()
	for range rounds {
		if _, err := e.app.Jobs.Work(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		e.clock.Advance(10 * time.Minute)
	}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var photo = []byte("\xff\xd8\xff\xe0\x00\x10JFIF the customer's photo of the damage")

// Meta's App Dashboard saves the callback URL only when the GET echoes hub.challenge.
func TestChallenge(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		get := func(path string) answer {
			req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
			return e.do(req)
		}
		ok := get("/hooks/whatsapp/demo-whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" + verifyToken)
		if ok.status != http.StatusOK || ok.body != "1158201444" || !strings.HasPrefix(ok.contentType, "text/plain") {
			t.Errorf("right token: %d %q %q, want 200 text/plain 1158201444", ok.status, ok.contentType, ok.body)
		}
		if got := get("/hooks/whatsapp/demo-whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"); got.status != http.StatusForbidden || strings.Contains(got.body, "1158201444") {
			t.Errorf("wrong token: %d %q, want 403", got.status, got.body)
		}
		if got := get("/hooks/whatsapp/nope?hub.mode=subscribe&hub.challenge=1&hub.verify_token=" + verifyToken); got.status != http.StatusNotFound {
			t.Errorf("unknown channel: %d, want 404", got.status)
		}
		if got := get("/hooks/sms/demo-sms?hub.mode=subscribe&hub.challenge=1&hub.verify_token=" + verifyToken); got.status != http.StatusMethodNotAllowed {
			t.Errorf("SMS channel: %d, want 405 (no challenge there)", got.status)
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
		if first.status != http.StatusOK || !strings.Contains(first.body, `"accepted":1`) {
			t.Fatalf("delivery: %d %s", first.status, first.body)
		}
		if again := e.post(body); again.status != http.StatusOK || !strings.Contains(again.body, `"duplicates":1`) {
			t.Errorf("replay: %d %s, want 200 with one duplicate", again.status, again.body)
		}
		cust, conv := e.conversationOf("+16505551234")
		var ids []string
		for _, id := range cust.Identities {
			ids = append(ids, string(id.Kind)+":"+id.Value)
		}
		if strings.Join(ids, " ") != "phone:+16505551234 whatsapp:16505551234" || cust.Name != "Sheena Nelson" {
			t.Errorf("customer %q with %v, want Sheena Nelson with phone and whatsapp", cust.Name, ids)
		}
		if conv.AssigneeID != e.agent.ID || conv.ChannelID != e.wa.ID {
			t.Errorf("conversation owner %q channel %q, want %q on %q", conv.AssigneeID, conv.ChannelID, e.agent.ID, e.wa.ID)
		}
		if len(conv.Messages) != 1 {
			t.Fatalf("%d messages after a replayed delivery, want 1", len(conv.Messages))
		}
		if m := conv.Messages[0]; m.Text != "Does it come in another color?" || m.ExternalID != textID || m.Direction != conversation.Inbound {
			t.Errorf("message %+v", m)
		}
		if n := e.count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// Signature failures are 401, bodies that are not Meta's are 400, and neither leaves a trace.
func TestRejectedDeliveriesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		eventsBefore := e.count(`SELECT COUNT(*) FROM events`) // creating the agent
		body := fixture(t, "text.json")
		tampered := strings.Replace(body, "another color", "a refund", 1)
		good := whatsapp.Signature(appSecret, []byte(body))
		cases := []struct {
			name string
			got  answer
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
			if c.got.status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, c.got.status, c.got.body, c.want)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts", "media"} {
			if n := e.count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after rejected deliveries, want 0", n, table)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM events`); n != eventsBefore {
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
		if got := e.post(body); got.status != http.StatusServiceUnavailable {
			t.Fatalf("while the Graph API is down: %d %s, want 503 so that Meta retries", got.status, got.body)
		}
		for _, table := range []string{"customers", "messages", "media", "channel_receipts"} {
			if n := e.count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after the refused delivery, want 0", n, table)
			}
		}

		if got := e.post(body); got.status != http.StatusOK {
			t.Fatalf("Meta's retry: %d %s", got.status, got.body)
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
		got := e.api(http.MethodGet, att.URL, nil)
		if got.status != http.StatusOK || got.body != string(photo) || got.contentType != "image/jpeg" {
			t.Errorf("download: %d %q, %d bytes; want 200 image/jpeg with the customer's bytes", got.status, got.contentType, len(got.body))
		}
		if n := e.count(`SELECT COUNT(*) FROM media`); n != 1 {
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
		ctx := context.Background()
		e.post(fixture(t, "text.json"))
		_, conv := e.conversationOf("+16505551234")

		first := e.mustReply(conv.ID, "Yes: blue, green and שחור.", false)
		e.work(1)
		reqs := e.graph.Requests()
		if len(reqs) != 1 {
			t.Fatalf("the Graph API got %d requests, want 1", len(reqs))
		}
		want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text",
			"text": map[string]any{"body": "Yes: blue, green and שחור."}}
		if reqs[0].Path != "/v21.0/"+phoneID+"/messages" || reqs[0].Auth != "Bearer "+accessToken || !reflect.DeepEqual(reqs[0].Body, want) {
			t.Errorf("request %s %s %v\nwant body %v", reqs[0].Path, reqs[0].Auth, reqs[0].Body, want)
		}
		if m := e.message(first); m.Status != conversation.StatusSent || m.ExternalID != outWamid {
			t.Fatalf("after the send: %s with %q, want sent with %s", m.Status, m.ExternalID, outWamid)
		}
		delivered := strings.ReplaceAll(fixture(t, "status-delivered.json"), "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", outWamid)
		for _, body := range []string{fixture(t, "status-sent.json"), delivered, fixture(t, "status-read.json"), delivered, fixture(t, "status-sent.json")} {
			if got := e.post(body); got.status != http.StatusOK {
				t.Errorf("status report: %d %s", got.status, got.body)
			}
		}
		if m := e.message(first); m.Status != conversation.StatusRead {
			t.Errorf("after sent, delivered, read and late reports: %s, want read", m.Status)
		}

		second := e.mustReply(conv.ID, "Which size?", false)
		e.work(1)
		wamid := e.message(second).ExternalID
		if wamid == "" || wamid == outWamid {
			t.Fatalf("second reply has wamid %q", wamid)
		}
		failed := strings.ReplaceAll(fixture(t, "status-failed.json"), "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", wamid)
		e.post(failed)
		if m := e.message(second); m.Status != conversation.StatusFailed || m.StatusReason != "This message was not delivered to maintain healthy ecosystem engagement. (WhatsApp error 131049)" {
			t.Errorf("after the failed report: %s %q", m.Status, m.StatusReason)
		}

		events, err := e.app.Events.List(ctx, event.Filter{ConversationID: conv.ID, Kinds: []event.Kind{event.MessageStatus}})
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, ev := range events {
			var d map[string]string
			_ = json.Unmarshal(ev.Data, &d)
			if d["from"] != d["to"] {
				moves = append(moves, d["message_id"][len(d["message_id"])-4:]+":"+d["from"]+"→"+d["to"])
			}
		}
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
		e.work(1)
		if m := e.message(id); m.Status != conversation.StatusQueued {
			t.Errorf("after a 500: %s, want still queued", m.Status)
		}
		e.work(5)
		if m := e.message(id); m.Status != conversation.StatusSent || m.ExternalID != outWamid {
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
		e.clock.Advance(25 * time.Hour)

		got := e.reply(conv.ID, "Any news on your claim?", false)
		var refusal struct {
			Error struct {
				Code   string `json:"code"`
				Reason string `json:"reason"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(got.body), &refusal); err != nil || got.status != http.StatusUnprocessableEntity || refusal.Error.Reason != channel.UnfitWindowClosed {
			t.Fatalf("free-form reply outside the window: %d %s, want 422 with reason %s", got.status, got.body, channel.UnfitWindowClosed)
		}

		id := e.mustReply(conv.ID, "שלום שינה, התביעה שלך 2024-118 עודכנה", true)
		e.work(1)
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
		if m := e.message(id); m.Status != conversation.StatusSent || !m.Template {
			t.Errorf("template reply: %s template=%v, want sent and marked as a template", m.Status, m.Template)
		}

		// A template reply whose text is no approved template fails with that reason.
		bad := e.mustReply(conv.ID, "Hello, please call us", true)
		e.work(1)
		if m := e.message(bad); m.Status != conversation.StatusFailed || m.StatusReason != "no approved template matches this text" {
			t.Errorf("unmatched template: %s %q", m.Status, m.StatusReason)
		}
	})
}

// The same number on WhatsApp and by SMS is one customer, with one open conversation and one
// owner.
// Issue 3's promise: the same phone writing on WhatsApp, then by SMS, then calling is one
// customer with one open conversation and one owner.
func TestSameNumberOnWhatsAppThenSMSThenACall(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		israeli := strings.ReplaceAll(strings.ReplaceAll(fixture(t, "text.json"), "16505551234", "972501234567"), "Sheena Nelson", "דנה לוי")
		if got := e.post(israeli); got.status != http.StatusOK {
			t.Fatalf("WhatsApp: %d %s", got.status, got.body)
		}
		_, before := e.conversationOf("+972501234567")

		hook := e.url + "/hooks/sms/" + e.sms.Name
		form := url.Values{
			"MessageSid": {"SM0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"}, "AccountSid": {"AC5ef872f6da5a21de157d80997a64bd33"},
			"From": {"+972501234567"}, "To": {"+12015550123"}, "Body": {"שלחתי גם הודעה בוואטסאפ"}, "NumMedia": {"0"}, "SmsStatus": {"received"},
		}
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.SignatureHeader, twilio.Signature(smsToken, hook, form))
		if got := e.do(req); got.status != http.StatusOK {
			t.Fatalf("SMS: %d %s", got.status, got.body)
		}

		// Then they call the contact centre's number.
		voice, err := e.app.Channels.Ensure(context.Background(), channel.Channel{Name: "demo-voice", Kind: twilio.VoiceKind, Secret: smsToken, Enabled: true,
			Settings: map[string]string{twilio.SettingGreeting: "שלום, הגעתם לגשר ביטוח"}})
		if err != nil {
			t.Fatal(err)
		}
		callHook := e.url + "/hooks/voice/" + voice.Name
		call := url.Values{
			"CallSid": {"CA7d2c6e1b5a4f3e2d1c0b9a8f7e6d5c4b"}, "AccountSid": {"AC5ef872f6da5a21de157d80997a64bd33"}, "From": {"+972501234567"},
			"To": {"+97235550100"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"},
		}
		req, _ = http.NewRequest(http.MethodPost, callHook, strings.NewReader(call.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(twilio.SignatureHeader, twilio.Signature(smsToken, callHook, call))
		if got := e.do(req); got.status != http.StatusOK || !strings.Contains(got.body, "<Say") || !strings.Contains(got.body, "<Enqueue>demo-voice</Enqueue>") {
			t.Fatalf("call: %d %s; want TwiML that greets and queues the caller", got.status, got.body)
		}

		cust, after := e.conversationOf("+972501234567")
		if after.ID != before.ID || after.AssigneeID == "" || after.AssigneeID != before.AssigneeID {
			t.Errorf("after the SMS and the call: conversation %s owned by %q; want %s still owned by %q", after.ID, after.AssigneeID, before.ID, before.AssigneeID)
		}
		if len(after.Messages) != 3 || after.Messages[0].ChannelID != e.wa.ID || after.Messages[1].ChannelID != e.sms.ID || after.Messages[2].ChannelID != voice.ID {
			t.Errorf("messages %+v, want the WhatsApp message, the SMS, then the call", after.Messages)
		}
		if n := e.count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM conversations WHERE customer_id = ?`, cust.ID); n != 1 {
			t.Errorf("%d conversations, want 1", n)
		}
		if got := fmt.Sprint(len(cust.Identities)); got != "2" {
			t.Errorf("identities %+v, want the phone and the WhatsApp id", cust.Identities)
		}
	})
}
