package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/web"
)

// env is a whole Gesher server over a real database, wired as cmd/gesher wires it, with a
// manual clock and a real HTTP listener on loopback.
type env struct {
	t       testing.TB
	app     *app.App
	db      *store.DB
	clock   *clock.Manual
	auth    *auth.Service
	convs   *conversation.Service
	chans   *channel.Channels
	jobs    *jobs.Queue
	srv     *web.Server
	http    *httptest.Server
	channel channel.Channel
	tokens  map[auth.Role]string
	users   map[auth.Role]auth.User
}

const hookSecret = "test-channel-secret"

func newEnv(t testing.TB, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), tokens: map[auth.Role]string{}, users: map[auth.Role]auth.User{}}
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: e.clock, Argon: auth.CheapArgon(), NodeID: "test", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e.app, e.db, e.auth, e.convs, e.chans, e.jobs = a, a.DB, a.Auth, a.Conversations, a.Channels, a.Jobs
	limits := web.DefaultLimits()
	limits.HookRatePerIP = 0
	limits.LoginRatePerIP = 0
	e.srv = a.Web("", limits)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	e.channel, err = e.chans.Ensure(ctx, channel.Channel{Name: "test-api", Kind: api.Kind, Secret: hookSecret, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	online := "online"
	for _, role := range auth.Roles() {
		u, err := e.auth.CreateUser(ctx, auth.NewUser{Email: string(role) + "@test.example", Name: "Test " + string(role), Role: role, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if role == auth.RoleAgent {
			if u, err = e.auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
				t.Fatal(err)
			}
		}
		tok, _, err := e.auth.CreateToken(ctx, u.ID, "test", event.System)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[role], e.users[role] = tok, u
	}
	return e
}

// hook posts a body to the test channel's webhook, signed unless sig says otherwise.
func (e *env) hook(body string, sig ...string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.http.URL+"/hooks/api/"+e.channel.Name, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if len(sig) == 0 {
		req.Header.Set(api.SignatureHeader, api.Sign(hookSecret, []byte(body)))
	} else if sig[0] != "" {
		req.Header.Set(api.SignatureHeader, sig[0])
	}
	return e.do(req)
}

// call sends an API request as role ("" for no credentials).
func (e *env) call(role auth.Role, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.http.URL+path, r)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %v\n%s", req.Method, req.URL.Path, err, raw)
		}
	}
	return resp.StatusCode, out
}

// count returns a row count.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// items returns the "items" of a list answer.
func items(m map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := m["items"].([]any)
	for _, v := range list {
		out = append(out, v.(map[string]any))
	}
	return out
}

func apiSign(body string) string { return api.Sign(hookSecret, []byte(body)) }

// serverWith starts a second server over the same services with other limits and returns its
// URL.
func (e *env) serverWith(l web.Limits) string {
	s := httptest.NewServer(e.app.Web("", l))
	e.t.Cleanup(s.Close)
	return s.URL
}

// runJobs runs every job that is due (a survey's offer, the sends it queues) until none is left.
func (e *env) runJobs() {
	e.t.Helper()
	for {
		n, err := e.jobs.Work(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// live signs in as email (password "correct horse battery") and opens the live socket, as the
// console does, past its hello; the socket closes with the test.
func (e *env) live(ctx context.Context, email string) *websocket.Conn {
	e.t.Helper()
	b := e.browser()
	if e.login(b, email, "correct horse battery") != 200 {
		e.t.Fatal("sign in failed")
	}
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/api/v1/live", &websocket.DialOptions{HTTPClient: b})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.CloseNow() })
	var hello map[string]any
	if err := wsjson.Read(ctx, c, &hello); err != nil || hello["type"] != "hello" {
		e.t.Fatalf("hello %v: %v", hello, err)
	}
	return c
}
