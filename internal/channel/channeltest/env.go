package channeltest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/web"
)

// ServerURL, in a setting of Options.Channels, stands for the web server's URL, which is not
// known before New starts it (Twilio's public_url).
const ServerURL = "{server}"

// Options shape an Env. The zero value is a server with no channel, reaching providers with
// the default client, its clock at 22 November 2026, 09:00 UTC.
type Options struct {
	// HTTPClient is what the adapters reach providers with: a local fake's client, usually.
	HTTPClient *http.Client
	// Start is the manual clock's first reading.
	Start time.Time
	// Channels are created in this order before the agent; Env.Channels has them with ids.
	Channels []channel.Channel
	// AgentName and AgentEmail name the one agent; by default Noa Agent, agent@test.example.
	AgentName, AgentEmail string
}

// Env is a whole Gesher server for end-to-end tests of a channel: app.Open on a real database
// with a manual clock, its web handler on a real listener (the webhook rate limit off, since
// every request comes from one address), the channels a test needs, and one online agent with
// an API token, so that new conversations get an owner as in production.
type Env struct {
	App      *app.App
	Clock    *clock.Manual
	URL      string            // the web server's, without a trailing slash
	Channels []channel.Channel // Options.Channels as stored
	Agent    auth.User
	Token    string // the agent's API token

	t testing.TB
}

// New starts an Env on the database at dsn; everything it starts stops when the test ends.
func New(t testing.TB, dsn string, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	}
	if o.AgentName == "" {
		o.AgentName = "Noa Agent"
	}
	if o.AgentEmail == "" {
		o.AgentEmail = "agent@test.example"
	}
	e := &Env{t: t, Clock: clock.NewManual(o.Start)}
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: e.Clock, Argon: auth.CheapArgon(), NodeID: "test", Version: "test", HTTPClient: o.HTTPClient})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e.App = a
	limits := web.DefaultLimits()
	limits.HookRatePerIP = 0
	srv := httptest.NewServer(a.Web("", limits))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	for _, ch := range o.Channels {
		settings := make(map[string]string, len(ch.Settings))
		for k, v := range ch.Settings {
			settings[k] = strings.ReplaceAll(v, ServerURL, e.URL)
		}
		ch.Settings = settings
		e.Channels = append(e.Channels, e.Ensure(ch))
	}
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: o.AgentEmail, Name: o.AgentName, Role: auth.RoleAgent, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	online := "online"
	if e.Agent, err = a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
		t.Fatal(err)
	}
	if e.Token, _, err = a.Auth.CreateToken(ctx, u.ID, "test", event.System); err != nil {
		t.Fatal(err)
	}
	return e
}

// T is the test the Env serves, for helpers built on it.
func (e *Env) T() testing.TB { return e.t }

// Ensure creates (or updates) a channel, as an admin would, and returns it stored.
func (e *Env) Ensure(ch channel.Channel) channel.Channel {
	e.t.Helper()
	ch, err := e.App.Channels.Ensure(context.Background(), ch)
	if err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// Answer is what the server said to a request.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// ContentType is the answer's Content-Type header.
func (a Answer) ContentType() string { return a.Header.Get("Content-Type") }

// Do sends req and reads the whole answer; only a failed round trip fails the test.
func (e *Env) Do(req *http.Request) Answer {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Answer{resp.StatusCode, resp.Header, string(b)}
}

// AsAgent calls the API with the agent's token; body, unless nil, is sent as JSON.
func (e *Env) AsAgent(method, path string, body any) Answer {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	return e.Do(req)
}

// Get reads path through the API as the agent, which must answer 200, and decodes the
// answer into out unless out is nil.
func (e *Env) Get(path string, out any) Answer {
	e.t.Helper()
	got := e.AsAgent(http.MethodGet, path, nil)
	if got.Status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, got.Status, got.Body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got.Body), out); err != nil {
			e.t.Fatalf("GET %s: %v in %s", path, err, got.Body)
		}
	}
	return got
}

// Reply posts an agent's reply through the API, as the console does, and returns the id of
// the message, which must be accepted and queued for sending.
func (e *Env) Reply(conversationID, text string) string {
	e.t.Helper()
	return e.ReplyJSON(conversationID, map[string]any{"text": text})
}

// ReplyJSON is Reply with the request's body spelled out, for what only some channels take
// (WhatsApp's "template").
func (e *Env) ReplyJSON(conversationID string, body any) string {
	e.t.Helper()
	got := e.AsAgent(http.MethodPost, "/api/v1/conversations/"+conversationID+"/messages", body)
	var m struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(got.Body), &m); err != nil || got.Status != http.StatusAccepted || m.Status != conversation.StatusQueued {
		e.t.Fatalf("reply: %d %s; want 202 with a queued message", got.Status, got.Body)
	}
	return m.ID
}

// Count runs a COUNT query on the server's database.
func (e *Env) Count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// ConversationOf returns the customer an identity leads to and their only open conversation,
// with its messages; anything else fails the test.
func (e *Env) ConversationOf(kind customer.IdentityKind, value string) (customer.Customer, conversation.Conversation) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.App.Customers.FindByIdentity(ctx, kind, value)
	if err != nil {
		e.t.Fatalf("customer with %s %s: %v", kind, value, err)
	}
	open, err := e.App.Conversations.List(ctx, conversation.Filter{CustomerID: c.ID, Status: []conversation.Status{conversation.Open}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(open) != 1 {
		e.t.Fatalf("customer with %s %s has %d open conversations, want 1", kind, value, len(open))
	}
	conv, err := e.App.Conversations.Get(ctx, open[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, conv
}

// Message returns one stored message.
func (e *Env) Message(id string) conversation.Message {
	e.t.Helper()
	m, err := e.App.Conversations.Message(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// StatusMoves lists the status changes of messages on a conversation's event log, in order, as
// "<the message id's last four characters>:<from>→<to>"; reports that changed nothing are left
// out.
func (e *Env) StatusMoves(conversationID string) []string {
	e.t.Helper()
	events, err := e.App.Events.List(context.Background(), event.Filter{ConversationID: conversationID, Kinds: []event.Kind{event.MessageStatus}})
	if err != nil {
		e.t.Fatal(err)
	}
	var moves []string
	for _, ev := range events {
		var d map[string]string
		_ = json.Unmarshal(ev.Data, &d)
		if d["from"] != d["to"] {
			moves = append(moves, d["message_id"][len(d["message_id"])-4:]+":"+d["from"]+"→"+d["to"])
		}
	}
	return moves
}

// Work runs the due jobs, then moves the clock past any back-off, rounds times.
func (e *Env) Work(rounds int) {
	e.t.Helper()
	for range rounds {
		if _, err := e.App.Jobs.Work(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		e.Clock.Advance(10 * time.Minute)
	}
}

// PostAPI posts body to an API channel's webhook, signed as an integrator signs it.
func (e *Env) PostAPI(ch channel.Channel, body string) Answer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/hooks/"+string(ch.Kind)+"/"+ch.Name, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.SignatureHeader, api.Sign(ch.Secret, []byte(body)))
	return e.Do(req)
}

// PostTwilio posts a form to a Twilio channel's webhook (SMS or voice), signed as Twilio
// signs it.
func (e *Env) PostTwilio(ch channel.Channel, form url.Values) Answer {
	e.t.Helper()
	hook := e.URL + "/hooks/" + string(ch.Kind) + "/" + ch.Name
	req, err := http.NewRequest(http.MethodPost, hook, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Signature(ch.Secret, hook, form))
	return e.Do(req)
}

// Fixture reads a file of the test's package's testdata folder.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
