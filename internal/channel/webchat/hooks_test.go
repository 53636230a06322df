package webchat_test

// These tests run the web chat through the whole server, as a browser meets it: a real HTTP
// listener from app.Open, the real session, webhook and WebSocket routes, the ingest
// transaction, the bus and the send job, on SQLite and on PostgreSQL. The visitor's side is a
// real WebSocket client; the agent's side is the API with an agent's token.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

const (
	chatSecret = "test-webchat-secret"
	apiSecret  = "test-api-secret"
	agentEmail = "noa.agent@test.example"
)

type env struct {
	*channeltest.Env
	chat channel.Channel
	api  channel.Channel
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	// The agent's full name and address are what the visitor must never see.
	e := channeltest.New(t, dsn, channeltest.Options{AgentName: "Noa Levi", AgentEmail: agentEmail, Channels: []channel.Channel{
		{Name: "site-chat", Kind: webchat.Kind, Secret: chatSecret, Enabled: true, Settings: map[string]string{
			webchat.SettingAllowedOrigins: "https://shop.example",
			"greeting_he":                 "שלום! כתבו לנו כאן.", "greeting_en": "Hello! Write to us here.", "title_en": "Gesher Insurance",
		}},
		{Name: "crm", Kind: api.Kind, Secret: apiSecret, Enabled: true},
	}})
	return &env{Env: e, chat: e.Channels[0], api: e.Channels[1]}
}

type visitor struct{ ID, Token string }

// session asks for a visitor identity, as the widget does on its first load.
func (e *env) session() visitor {
	e.T().Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/widget/"+e.chat.Name+"/session", nil)
	got := e.Do(req)
	var s struct {
		VisitorID string `json:"visitor_id"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal([]byte(got.Body), &s); err != nil || got.Status != http.StatusCreated || s.VisitorID == "" || s.Token == "" {
		e.T().Fatalf("session: %d %s", got.Status, got.Body)
	}
	return visitor{s.VisitorID, s.Token}
}

// write posts a visitor's message to the webhook, as the widget does.
func (e *env) write(v visitor, id, text string, extra ...string) channeltest.Answer {
	e.T().Helper()
	m := map[string]string{"visitor_id": v.ID, "token": v.Token, "id": id, "text": text}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	body, _ := json.Marshal(m)
	defer e.Clock.Advance(time.Second)
	return e.post("/hooks/webchat/"+e.chat.Name, string(body), "")
}

func (e *env) post(path, body, origin string) channeltest.Answer {
	e.T().Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return e.Do(req)
}

// call sends a request as the agent, then moves the clock on, so that what comes next is
// later.
func (e *env) call(method, path string, body any) channeltest.Answer {
	e.T().Helper()
	defer e.Clock.Advance(time.Second)
	return e.AsAgent(method, path, body)
}

// reply posts an agent's reply through the API, as the console does, and returns its id.
func (e *env) reply(conversationID, text string) string {
	e.T().Helper()
	got := e.call(http.MethodPost, "/api/v1/conversations/"+conversationID+"/messages", map[string]string{"text": text})
	var m struct{ ID string }
	if err := json.Unmarshal([]byte(got.Body), &m); err != nil || got.Status != http.StatusAccepted {
		e.T().Fatalf("reply: %d %s", got.Status, got.Body)
	}
	return m.ID
}

// socket is the visitor's side of the WebSocket.
type socket struct {
	t    testing.TB
	c    *websocket.Conn
	raw  []string // every frame, for the "never shows" checks
	ctx  context.Context
	stop context.CancelFunc
}

type frame struct {
	Type     string    `json:"type"`
	Messages []message `json:"messages"`
	Message  *message  `json:"message"`
	Agent    string    `json:"agent"`
}

type message struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	From     string `json:"from"`
	Author   string `json:"author"`
	Text     string `json:"text"`
}

func (e *env) connect(v visitor) *socket {
	e.T().Helper()
	// A generous bound so a broken server fails the test instead of hanging it; nothing
	// asserts how long anything took.
	ctx, stop := context.WithTimeout(context.Background(), 60*time.Second)
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.URL, "http")+"/widget/"+e.chat.Name+"/live?visitor_id="+v.ID+"&token="+v.Token, nil)
	if err != nil {
		stop()
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.T().Fatalf("connect: %v (HTTP %d)", err, status)
	}
	s := &socket{t: e.T(), c: c, ctx: ctx, stop: stop}
	e.T().Cleanup(func() { c.CloseNow(); stop() })
	return s
}

func (s *socket) next() frame {
	s.t.Helper()
	_, b, err := s.c.Read(s.ctx)
	if err != nil {
		s.t.Fatalf("read frame: %v", err)
	}
	s.raw = append(s.raw, string(b))
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		s.t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

// nextMessage reads frames until a message frame, skipping "agent" notices.
func (s *socket) nextMessage() message {
	s.t.Helper()
	for {
		f := s.next()
		if f.Type == "message" && f.Message != nil {
			return *f.Message
		}
		if f.Type != "agent" {
			s.t.Fatalf("unexpected frame %+v", f)
		}
	}
}

func (s *socket) send(v any) {
	s.t.Helper()
	b, _ := json.Marshal(v)
	if err := s.c.Write(s.ctx, websocket.MessageText, b); err != nil {
		s.t.Fatal(err)
	}
}

// statusWatch waits on the bus for a message's status to reach want: the server records
// "delivered" after the socket write the client has already read, so the test waits for the
// event rather than sleeping.
type statusWatch struct {
	sub *bus.Subscription
}

func (e *env) watchStatus() *statusWatch {
	w := &statusWatch{sub: e.App.Bus.Subscribe(func(ev event.Event) bool { return ev.Kind == event.MessageStatus }, 64)}
	e.T().Cleanup(w.sub.Close)
	return w
}

func (w *statusWatch) wait(t *testing.T, messageID, want string) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case d, ok := <-w.sub.C():
			if !ok {
				t.Fatal("status subscription closed")
			}
			var data map[string]string
			_ = json.Unmarshal(d.Event.Data, &data)
			if data["message_id"] == messageID && data["to"] == want {
				return
			}
		case <-timeout:
			t.Fatalf("message %s never became %s", messageID, want)
		}
	}
}

// A visitor gets an identity, writes, and is a customer with a visitor identity and one open,
// owned conversation; the widget's retry of the same message id stores nothing more, and the
// answer names the widget's own id, not the visitor's customer or conversation.
func TestVisitorWritesOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		v := e.session()
		if v2 := e.session(); v2.ID == v.ID || v2.Token == v.Token {
			t.Errorf("two sessions share an identity: %v %v", v, v2)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 0 {
			t.Errorf("sessions stored %d customers; a session stores nothing", n)
		}
		for i := range 2 {
			got := e.write(v, "c0ffee-1", "שלום, יש לי שאלה על הפוליסה")
			var ack struct {
				Messages []struct {
					ID        string `json:"id"`
					MessageID string `json:"message_id"`
					Duplicate bool   `json:"duplicate"`
				} `json:"messages"`
			}
			if err := json.Unmarshal([]byte(got.Body), &ack); err != nil || got.Status != http.StatusOK || len(ack.Messages) != 1 || ack.Messages[0].ID != "c0ffee-1" || ack.Messages[0].Duplicate != (i == 1) {
				t.Fatalf("delivery %d: %d %s", i+1, got.Status, got.Body)
			}
			if strings.Contains(got.Body, "customer") || strings.Contains(got.Body, "conversation") {
				t.Errorf("the answer shows internal ids: %s", got.Body)
			}
		}
		cust, conv := e.ConversationOf(customer.Visitor, v.ID)
		if len(cust.Identities) != 1 || cust.Identities[0].Kind != customer.Visitor || cust.Identities[0].Value != v.ID {
			t.Errorf("identities %+v, want the visitor id", cust.Identities)
		}
		if len(conv.Messages) != 1 || conv.Messages[0].Text != "שלום, יש לי שאלה על הפוליסה" || conv.Messages[0].ChannelID != e.chat.ID {
			t.Fatalf("messages %+v, want the one message on the web chat", conv.Messages)
		}
		if conv.AssigneeID != e.Agent.ID {
			t.Errorf("owner %q, want %q", conv.AssigneeID, e.Agent.ID)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// A bad or missing token is 401 and garbage is 400, and neither leaves a trace; a channel that
// is not a web chat is not found; a site not in allowed_origins is refused before anything is
// read, and an allowed one can read every answer, refusals included.
func TestRejectedMessagesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		eventsBefore := e.Count(`SELECT COUNT(*) FROM events`)
		v, other := e.session(), e.session()
		hook := "/hooks/webchat/" + e.chat.Name
		msg := func(visitorID, token string) string {
			b, _ := json.Marshal(map[string]string{"visitor_id": visitorID, "token": token, "id": "m1", "text": "hello"})
			return string(b)
		}
		good := msg(v.ID, v.Token)
		cases := []struct {
			name   string
			body   string
			origin string
			want   int
		}{
			{"wrong token", msg(v.ID, strings.Repeat("0", 64)), "", http.StatusUnauthorized},
			{"another visitor's token", msg(v.ID, other.Token), "", http.StatusUnauthorized},
			{"token under another secret", msg(v.ID, webchat.Token("guess", v.ID)), "", http.StatusUnauthorized},
			{"no token", `{"visitor_id":"` + v.ID + `","id":"m1","text":"hello"}`, "", http.StatusUnauthorized},
			{"garbage", "this is not JSON {", "", http.StatusBadRequest},
			{"truncated", good[:len(good)/2], "", http.StatusBadRequest},
			{"empty text", msg(v.ID, v.Token)[:0] + `{"visitor_id":"` + v.ID + `","token":"` + v.Token + `","id":"m1","text":"  "}`, "", http.StatusBadRequest},
			{"invalid email", `{"visitor_id":"` + v.ID + `","token":"` + v.Token + `","id":"m1","text":"hi","email":"nope"}`, "", http.StatusBadRequest},
			{"a site not allowed", good, "https://evil.example", http.StatusForbidden},
		}
		for _, c := range cases {
			if got := e.post(hook, c.body, c.origin); got.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, got.Status, got.Body, c.want)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts"} {
			if n := e.Count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after refused messages, want 0", n, table)
			}
		}
		if n := e.Count(`SELECT COUNT(*) FROM events`); n != eventsBefore {
			t.Errorf("%d events after refused messages, want %d", n, eventsBefore)
		}
		for _, path := range []string{"/hooks/webchat/" + e.api.Name, "/hooks/webchat/nope", "/widget/" + e.api.Name + "/session", "/widget/nope/session"} {
			if got := e.post(path, good, ""); got.Status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, got.Status)
			}
		}

		// The shop's own page: the preflight allows it, and even a 401 is readable there.
		pre, _ := http.NewRequest(http.MethodOptions, e.URL+hook, nil)
		pre.Header.Set("Origin", "https://shop.example")
		pre.Header.Set("Access-Control-Request-Method", "POST")
		pre.Header.Set("Access-Control-Request-Headers", "content-type")
		if got := e.Do(pre); got.Status != http.StatusNoContent || got.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
			!strings.Contains(got.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Errorf("preflight from the shop: %d %v", got.Status, got.Header)
		}
		pre.Header.Set("Origin", "https://evil.example")
		if got := e.Do(pre); got.Status != http.StatusForbidden || got.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from another site: %d %v", got.Status, got.Header)
		}
		if got := e.post(hook, msg(v.ID, other.Token), "https://shop.example"); got.Status != http.StatusUnauthorized || got.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
			t.Errorf("a refusal on the shop's page: %d %v", got.Status, got.Header)
		}
		if got := e.post(hook, good, "https://shop.example"); got.Status != http.StatusOK {
			t.Errorf("the shop's page: %d %s", got.Status, got.Body)
		}
		// A socket from another site is refused; one with a wrong token too.
		ctx := context.Background()
		live := "ws" + strings.TrimPrefix(e.URL, "http") + "/widget/" + e.chat.Name + "/live?visitor_id=" + v.ID + "&token="
		if _, resp, err := websocket.Dial(ctx, live+v.Token, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("socket from another site: %v %v", err, resp)
		}
		if _, resp, err := websocket.Dial(ctx, live+other.Token, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("socket with another visitor's token: %v %v", err, resp)
		}
		if c, _, err := websocket.Dial(ctx, live+v.Token, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example"}}}); err != nil {
			t.Errorf("socket from the shop: %v", err)
		} else {
			c.CloseNow()
		}
	})
}

// The visitor's socket starts with the conversation so far and then shows the agent's reply
// live, with the agent's first name only; writing it to the socket makes the reply delivered,
// and the widget's report that it was shown makes it read. Notes never reach the visitor.
func TestVisitorSeesTheReplyLive(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		v := e.session()
		if got := e.write(v, "first-1", "Is my car covered abroad?"); got.Status != http.StatusOK {
			t.Fatalf("write: %d %s", got.Status, got.Body)
		}
		cust, conv := e.ConversationOf(customer.Visitor, v.ID)
		s := e.connect(v)
		hello := s.next()
		if hello.Type != "hello" || len(hello.Messages) != 1 || hello.Messages[0].Text != "Is my car covered abroad?" || hello.Messages[0].From != "visitor" || hello.Messages[0].ClientID != "first-1" {
			t.Fatalf("hello %+v, want the visitor's message with its client id", hello)
		}
		if hello.Agent != "Noa" {
			t.Errorf("hello names agent %q, want the first name Noa", hello.Agent)
		}

		watch := e.watchStatus()
		if got := e.call(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/notes", map[string]string{"text": "INTERNAL: check the claims history first"}); got.Status != http.StatusCreated {
			t.Fatalf("note: %d %s", got.Status, got.Body)
		}
		id := e.reply(conv.ID, "Yes, in Europe and Turkey. Where are you travelling?")
		// The note came first on the bus: had it been sent, it would be this frame.
		got := s.nextMessage()
		if got.ID != id || got.From != "agent" || got.Author != "Noa" || got.Text != "Yes, in Europe and Turkey. Where are you travelling?" {
			t.Errorf("live frame %+v, want the reply by Noa", got)
		}
		watch.wait(t, id, conversation.StatusDelivered)
		s.send(map[string]any{"type": "read", "ids": []string{id}})
		watch.wait(t, id, conversation.StatusRead)
		m, _ := e.App.Conversations.Message(context.Background(), id)
		if m.Status != conversation.StatusRead {
			t.Errorf("reply status %s, want read", m.Status)
		}
		// The send job finds it already delivered and leaves it so.
		if _, err := e.App.Jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if m, _ := e.App.Conversations.Message(context.Background(), id); m.Status != conversation.StatusRead {
			t.Errorf("after the send job: %s, want still read", m.Status)
		}

		// The visitor's own next message comes back too (another tab of theirs shows it).
		e.write(v, "second-2", "To Greece, next week.")
		if got := s.nextMessage(); got.ClientID != "second-2" || got.From != "visitor" {
			t.Errorf("own message frame %+v", got)
		}
		for _, raw := range s.raw {
			for _, secret := range []string{"INTERNAL", agentEmail, "Levi", cust.ID, conv.ID, e.Agent.ID} {
				if strings.Contains(raw, secret) {
					t.Errorf("a frame shows %q: %s", secret, raw)
				}
			}
		}
	})
}

// Two visitors of the same channel: the second's socket never shows the first's messages or
// the agent's replies to them, and the first's identity does not open the second's socket.
func TestVisitorsAreApart(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a, b := e.session(), e.session()
		sb := e.connect(b)
		if hello := sb.next(); hello.Type != "hello" || len(hello.Messages) != 0 {
			t.Fatalf("a new visitor's hello %+v, want no messages", hello)
		}
		e.write(a, "a-1", "My policy number is 123-456")
		_, conv := e.ConversationOf(customer.Visitor, a.ID)
		e.reply(conv.ID, "Thanks, policy 123-456 is active.")
		// B's own first message: had A's message or its reply reached B, it would come first.
		e.write(b, "b-1", "Hello from B")
		if got := sb.nextMessage(); got.ClientID != "b-1" || got.Text != "Hello from B" {
			t.Fatalf("B's next frame %+v, want B's own message", got)
		}
		_, convB := e.ConversationOf(customer.Visitor, b.ID)
		e.reply(convB.ID, "Hello B")
		if got := sb.nextMessage(); got.Text != "Hello B" {
			t.Fatalf("B's next frame %+v, want the reply to B", got)
		}
		for _, raw := range sb.raw {
			if strings.Contains(raw, "123-456") {
				t.Errorf("B saw A's conversation: %s", raw)
			}
		}
		// A's socket, opened now, has A's story and nothing of B's.
		sa := e.connect(a)
		hello := sa.next()
		if len(hello.Messages) != 2 || hello.Messages[0].ClientID != "a-1" || hello.Messages[1].Text != "Thanks, policy 123-456 is active." {
			t.Errorf("A's history %+v", hello.Messages)
		}
	})
}

// "Continue elsewhere": a visitor who left an email is the same customer, in the same
// conversation, when they later write from that address on another channel; the browser
// still shows only the web chat's messages. An address that already belongs to someone else
// does not join them: the chat stays its own customer until an agent merges.
func TestVisitorWhoLeftAnEmailContinuesByEmail(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		v := e.session()
		if got := e.write(v, "c-1", "Please email me the policy", "email", "Dana.Levi@Example.com", "name", "Dana"); got.Status != http.StatusOK {
			t.Fatalf("write: %d %s", got.Status, got.Body)
		}
		cust, conv := e.ConversationOf(customer.Visitor, v.ID)
		if len(cust.Identities) != 2 || cust.Identities[1].Kind != customer.Email || cust.Identities[1].Value != "dana.levi@example.com" || cust.Name != "Dana" {
			t.Fatalf("customer %+v, want the visitor and the email", cust)
		}
		// Later, by email, through a system on the API channel.
		body := fmt.Sprintf(`{"id":"mail-1","from":{"email":"dana.levi@example.com"},"text":%q}`, "Re: policy — I also need the car's")
		if got := e.PostAPI(e.api, body); got.Status != http.StatusOK {
			t.Fatalf("API message: %d %s", got.Status, got.Body)
		}
		e.Clock.Advance(time.Second)
		again, after := e.ConversationOf(customer.Visitor, v.ID)
		if again.ID != cust.ID || after.ID != conv.ID || len(after.Messages) != 2 {
			t.Errorf("after the email: customer %s conversation %s with %d messages; want %s, %s, 2", again.ID, after.ID, len(after.Messages), cust.ID, conv.ID)
		}
		if n := e.Count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if hello := e.connect(v).next(); len(hello.Messages) != 1 || hello.Messages[0].ClientID != "c-1" {
			t.Errorf("the browser's history %+v, want only the web chat message", hello.Messages)
		}

		// Someone else types Dana's address into the widget: their message is stored, as
		// theirs, and Dana's conversation is not shown to them.
		w := e.session()
		if got := e.write(w, "x-1", "Show me Dana's policy", "email", "dana.levi@example.com"); got.Status != http.StatusOK {
			t.Fatalf("write: %d %s", got.Status, got.Body)
		}
		other, _ := e.ConversationOf(customer.Visitor, w.ID)
		if other.ID == cust.ID || len(other.Identities) != 1 {
			t.Errorf("the claimed address joined customer %s with %+v", other.ID, other.Identities)
		}
		if hello := e.connect(w).next(); len(hello.Messages) != 1 || hello.Messages[0].ClientID != "x-1" {
			t.Errorf("the other browser's history %+v", hello.Messages)
		}
	})
}

// A reply to a visitor who is not connected goes through the send job like any channel's
// ("sent", with no call made), and is delivered when the visitor comes back.
func TestReplyWhileAwayIsDeliveredOnReturn(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		v := e.session()
		e.write(v, "c-1", "Call me back tomorrow")
		_, conv := e.ConversationOf(customer.Visitor, v.ID)
		id := e.reply(conv.ID, "Of course. What time suits you?")
		if _, err := e.App.Jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		m, _ := e.App.Conversations.Message(ctx, id)
		if m.Status != conversation.StatusSent || m.ExternalID != id {
			t.Fatalf("after the send job: %s %q, want sent with its own id", m.Status, m.ExternalID)
		}
		watch := e.watchStatus()
		hello := e.connect(v).next()
		if len(hello.Messages) != 2 || hello.Messages[1].ID != id {
			t.Fatalf("history %+v, want the reply last", hello.Messages)
		}
		watch.wait(t, id, conversation.StatusDelivered)
	})
}

// The widget's settings, and the script itself (built or not).
func TestWidgetConfigAndScript(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	var cfg struct {
		Title, Greeting string
		Languages       []string
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/widget/"+e.chat.Name+"/config?lang=he", nil)
	req.Header.Set("Origin", "https://shop.example")
	got := e.Do(req)
	if err := json.Unmarshal([]byte(got.Body), &cfg); err != nil || got.Status != http.StatusOK || cfg.Greeting != "שלום! כתבו לנו כאן." || cfg.Title != "Gesher Insurance" ||
		strings.Join(cfg.Languages, ",") != "en,he" || got.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("config: %d %s %v", got.Status, got.Body, got.Header)
	}
	req, _ = http.NewRequest(http.MethodGet, e.URL+"/widget.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == "" {
			t.Errorf("widget.js headers %v", resp.Header)
		}
	case http.StatusServiceUnavailable:
		if !strings.Contains(string(body), "widget not built — run make") {
			t.Errorf("unbuilt widget.js says %q", body)
		}
	default:
		t.Errorf("widget.js: %d", resp.StatusCode)
	}
}
