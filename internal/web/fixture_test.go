package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/web"
)

// env is a whole Gesher server over a real database, wired as cmd/gesher wires it, with a
// manual clock and a real HTTP listener on loopback.
type env struct {
	t       *testing.T
	db      *store.DB
	clock   *clock.Manual
	bus     *bus.Bus
	events  *event.Log
	auth    *auth.Service
	convs   *conversation.Service
	custs   *customer.Service
	chans   *channel.Channels
	jobs    *jobs.Queue
	srv     *web.Server
	deps    web.Deps
	http    *httptest.Server
	channel channel.Channel
	tokens  map[auth.Role]string
	users   map[auth.Role]auth.User
}

const hookSecret = "test-channel-secret"

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: db, clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), tokens: map[auth.Role]string{}, users: map[auth.Role]auth.User{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.bus = bus.NewLocal(log)
	t.Cleanup(func() { e.bus.Close() })
	e.events = event.NewLog(db, e.clock, e.bus)
	e.auth = auth.NewService(db, e.clock, e.events, auth.Options{Argon: auth.CheapArgon()})
	e.custs = customer.NewService(db, e.clock, e.events)
	e.convs = conversation.NewService(db, e.clock, e.events, routing.New(db, e.clock), nil, conversation.Options{})
	e.custs.SetMergeHook(e.convs)
	e.chans = channel.NewChannels(db, e.clock)
	reg := channel.NewRegistry(api.New(nil))
	e.jobs = jobs.New(db, e.clock, log, jobs.Options{NodeID: "test"})
	outbox := channel.NewOutbox(e.jobs, reg, e.chans, e.convs, e.custs, log)
	e.convs.SetOutbox(outbox)
	limits := web.DefaultLimits()
	limits.HookRatePerIP = 0
	limits.LoginRatePerIP = 0
	e.deps = web.Deps{
		DB: db, Clock: e.clock, Log: log, Events: e.events, Auth: e.auth, Customers: e.custs, Conversations: e.convs,
		Channels: e.chans, Registry: reg, Ingester: channel.NewIngester(db, e.clock, e.custs, e.convs, log),
		Outbox: outbox, Jobs: e.jobs, Bus: e.bus, Version: "test", Limits: limits,
	}
	e.srv = web.New(e.deps)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	var err error
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
	d := e.deps
	d.Limits = l
	s := httptest.NewServer(web.New(d))
	e.t.Cleanup(s.Close)
	return s.URL
}
