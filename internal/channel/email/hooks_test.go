package email_test

// These tests run the email channel through the whole server, as mail meets it: the SMTP
// listener app.Open builds, fed by a real SMTP client (Debian's swaks), the HTTP inbound route,
// the ingest transaction and the send job, on SQLite and on PostgreSQL, with replies going to
// a real SMTP server on loopback (the sink).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/web"
)

const (
	ourAddress = "service@demo.example"
	hookSecret = "email-hook-secret"
)

type env struct {
	t     *testing.T
	app   *app.App
	clock *clock.Manual
	url   string // the web server
	smtp  string // the SMTP listener, host:port
	ch    channel.Channel
	agent auth.User
	token string
	sink  *sink
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Fatal("swaks is not installed: run scripts/ensure-deps.sh (apt-get install swaks)")
	}
	ctx := context.Background()
	e := &env{t: t, clock: clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)), sink: newSink(t)}
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Email.Serve(ln) }()
	t.Cleanup(func() { _ = a.Email.Close() })
	e.smtp = ln.Addr().String()

	e.ch = e.channel("support", ourAddress, true)
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

// channel creates an email channel for address whose replies go to the sink.
func (e *env) channel(name, address string, enabled bool) channel.Channel {
	e.t.Helper()
	ch, err := e.app.Channels.Ensure(context.Background(), channel.Channel{Name: name, Kind: email.Kind, Secret: hookSecret, Enabled: enabled, Settings: map[string]string{
		email.SettingAddress: address, email.SettingFromName: "Gesher Insurance",
		email.SettingSMTPHost: e.sink.host, email.SettingSMTPPort: e.sink.port, email.SettingSMTPTLS: email.TLSNone,
		email.SettingMessageIDDomain: "demo.example",
	}})
	if err != nil {
		e.t.Fatal(err)
	}
	return ch
}

// delivery is what a real SMTP client saw: the reply to each command it sent.
type delivery struct {
	exit       int    // swaks' exit code: 0 delivered, 24 no recipient accepted, 26 refused after DATA
	rcpt, data int    // the reply codes to RCPT TO and to the message's final dot (0: not reached)
	transcript string // for failure messages
}

var replyLine = regexp.MustCompile(`(?m)^ *(<-|<\*\*) +(\d{3})[ -]`)

// send delivers a raw message to the listener with swaks. from is the envelope sender ("<>"
// for a bounce).
func (e *env) send(raw []byte, from string, to ...string) delivery {
	e.t.Helper()
	if !bytes.HasSuffix(raw, []byte("\n")) {
		// In SMTP the data always ends with a line end before the final dot; swaks would add
		// it too, but takes a one-line argument without one for the name of a file.
		raw = append(raw[:len(raw):len(raw)], '\r', '\n')
	}
	f := filepath.Join(e.t.TempDir(), "message.eml")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		e.t.Fatal(err)
	}
	// swaks' own "fixups" of the data are its %TOKEN% replacement (none of the messages has
	// one), dropping an mbox "From " line, and the closing dot; the bytes are otherwise sent
	// as they are, dot-stuffed, with CRLF line ends as SMTP wants.
	cmd := exec.Command("swaks", "--server", e.smtp, "--helo", "client.test", "--from", from, "--to", strings.Join(to, ","),
		"--data", "@"+f, "--suppress-data", "--timeout", "60")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	d := delivery{transcript: out.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		d.exit = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("swaks: %v\n%s", err, out.String())
	}
	// The transcript's replies, in order: banner, EHLO, MAIL, one per RCPT, DATA's 354, the
	// reply to the final dot, QUIT's.
	var codes []int
	for _, m := range replyLine.FindAllStringSubmatch(d.transcript, -1) {
		n, _ := strconv.Atoi(m[2])
		if len(codes) > 0 && strings.HasSuffix(m[0], "-") {
			continue // a continuation line of a multi-line reply
		}
		codes = append(codes, n)
	}
	for i, c := range codes {
		if c == 354 && i+1 < len(codes) {
			d.data = codes[i+1]
		}
	}
	if len(codes) > 3 {
		d.rcpt = codes[3]
	}
	return d
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// messagesOn returns the messages stored on a channel, oldest first.
func (e *env) messagesOn(ch channel.Channel) []conversation.Message {
	e.t.Helper()
	ctx := context.Background()
	rows, err := e.app.DB.Query(ctx, `SELECT id FROM messages WHERE channel_id = ? ORDER BY id`, ch.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []conversation.Message
	for _, id := range ids {
		m, err := e.app.Conversations.Message(ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// conversationOf returns the customer with the email address and their only open
// conversation, with its messages.
func (e *env) conversationOf(addr string) (customer.Customer, conversation.Conversation) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.app.Customers.FindByIdentity(ctx, customer.Email, addr)
	if err != nil {
		e.t.Fatalf("customer with email %s: %v", addr, err)
	}
	open, err := e.app.Conversations.List(ctx, conversation.Filter{CustomerID: c.ID, Status: []conversation.Status{conversation.Open}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(open) != 1 {
		e.t.Fatalf("customer %s has %d open conversations, want 1", addr, len(open))
	}
	conv, err := e.app.Conversations.Get(ctx, open[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, conv
}

type answer struct {
	status int
	body   []byte
}

func (e *env) do(req *http.Request) answer {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, b}
}

// media downloads an attachment as an agent does.
func (e *env) media(att conversation.Attachment) []byte {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+att.URL, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	got := e.do(req)
	if got.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", att.URL, got.status, got.body)
	}
	return got.body
}

// reply posts an agent's reply through the API and returns its id.
func (e *env) reply(conversationID, text string) string {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"text": text})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/conversations/"+conversationID+"/messages", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	got := e.do(req)
	var m struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(got.body, &m); err != nil || got.status != http.StatusAccepted || m.Status != conversation.StatusQueued {
		e.t.Fatalf("reply: %d %s; want 202 with a queued message", got.status, got.body)
	}
	return m.ID
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

func (e *env) message(id string) conversation.Message {
	e.t.Helper()
	m, err := e.app.Conversations.Message(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// postHook posts a raw message to the HTTP inbound route, signed unless sig is given.
func (e *env) postHook(raw []byte, contentType string, sig ...string) answer {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/hooks/email/"+e.ch.Name, bytes.NewReader(raw))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	s := api.Sign(hookSecret, raw)
	if len(sig) > 0 {
		s = sig[0]
	}
	if s != "" {
		req.Header.Set(email.SignatureHeader, s)
	}
	return e.do(req)
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sharedEmails finds the workspace's shared messages, walking up from the package directory.
// Not finding them is a failure: they are the acceptance test.
func sharedEmails(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "emails")
		if _, err := os.Stat(filepath.Join(p, "mail")); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("shared/data/emails not found above the package directory")
		}
		dir = parent
	}
}

func (d delivery) String() string {
	return fmt.Sprintf("exit %d, RCPT %d, DATA %d\n%s", d.exit, d.rcpt, d.data, d.transcript)
}
