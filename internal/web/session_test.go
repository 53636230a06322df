package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// browser is an HTTP client with a cookie jar, as the console uses the API.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (e *env) login(c *http.Client, email, password string) int {
	e.t.Helper()
	resp, err := c.Post(e.http.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestSessionCookieSignInAndOut(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	b := e.browser()
	if status := e.login(b, "agent@test.example", "wrong password!"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", status)
	}
	resp, err := b.Post(e.http.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"AGENT@test.example","password":"correct horse battery"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "gesher_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax", cookie)
	}
	me, _ := b.Get(e.http.URL + "/api/v1/me")
	me.Body.Close()
	if me.StatusCode != 200 {
		t.Errorf("me with the session: %d", me.StatusCode)
	}
	// A state-changing request from another site carrying the cookie is refused.
	req, _ := http.NewRequest("PUT", e.http.URL+"/api/v1/me/availability", strings.NewReader(`{"availability":"away"}`))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = b.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site PUT with the session cookie: %d, want 403", resp.StatusCode)
	}
	u, _ := e.auth.UserByEmail(context.Background(), "agent@test.example")
	if u.Availability != "online" {
		t.Errorf("the refused request changed availability to %s", u.Availability)
	}
	out, _ := http.NewRequest("POST", e.http.URL+"/api/v1/auth/logout", nil)
	resp, _ = b.Do(out)
	resp.Body.Close()
	me, _ = b.Get(e.http.URL + "/api/v1/me")
	me.Body.Close()
	if me.StatusCode != http.StatusUnauthorized {
		t.Errorf("me after sign-out: %d, want 401", me.StatusCode)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	limited := e.serverWith(web.DefaultLimits())
	b := e.browser()
	var last *http.Response
	for range 15 {
		resp, err := b.Post(limited+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"agent@test.example","password":"guessing guessing"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("15 rapid sign-in attempts: last answered %d (Retry-After %q); want 429 with Retry-After", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

// A message that arrives reaches a signed-in agent's WebSocket.
func TestLiveUpdatesReachTheConsole(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	b := e.browser()
	if e.login(b, "agent@test.example", "correct horse battery") != 200 {
		t.Fatal("sign in failed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/api/v1/live"
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: b})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var hello map[string]any
	if err := wsjson.Read(ctx, c, &hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first frame %v, %v; want hello", hello, err)
	}
	e.hook(msg("m-1", "+972501234567", "are you there?"))
	for {
		var f struct {
			Type  string `json:"type"`
			Event struct {
				Kind string         `json:"kind"`
				Data map[string]any `json:"data"`
			} `json:"event"`
		}
		if err := wsjson.Read(ctx, c, &f); err != nil {
			t.Fatalf("waiting for the message on the socket: %v", err)
		}
		if f.Type == "event" && f.Event.Kind == "message.received" {
			if f.Event.Data["text"] != "are you there?" {
				t.Errorf("live message text %v", f.Event.Data["text"])
			}
			return
		}
	}
}

// Two-step sign-in: set up with a code from the authenticator, then every sign-in asks for
// a fresh code after the password, and a code works once.
func TestTwoStepSignIn(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	b := e.browser()
	if status := e.login(b, "agent@test.example", "correct horse battery"); status != 200 {
		t.Fatalf("sign in: %d", status)
	}
	resp, err := b.Post(e.http.URL+"/api/v1/me/totp", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var setup auth.TOTPSetup
	_ = json.NewDecoder(resp.Body).Decode(&setup)
	resp.Body.Close()
	if resp.StatusCode != 200 || setup.Secret == "" || !strings.HasPrefix(setup.URL, "otpauth://totp/") {
		t.Fatalf("setup: %d %+v", resp.StatusCode, setup)
	}
	code, _ := auth.TOTPCode(setup.Secret, e.clock.Now())
	resp, _ = b.Post(e.http.URL+"/api/v1/me/totp/confirm", "application/json", strings.NewReader(`{"code":"`+code+`"}`))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}

	signIn := func(extra string) (int, string) {
		c := e.browser()
		resp, err := c.Post(e.http.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"agent@test.example","password":"correct horse battery"`+extra+`}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		for _, ck := range resp.Cookies() {
			if ck.Name == web.SessionCookie && ck.Value != "" && resp.StatusCode != 200 {
				t.Errorf("a refused sign-in (%d) set a session cookie", resp.StatusCode)
			}
		}
		return resp.StatusCode, body.Error.Code
	}
	if status, code := signIn(""); status != 401 || code != "totp_required" {
		t.Errorf("password only: %d %s; want 401 totp_required", status, code)
	}
	if status, code := signIn(`,"code":"000000"`); status != 401 || code != "bad_totp" {
		t.Errorf("a wrong code: %d %s; want 401 bad_totp", status, code)
	}
	e.clock.Advance(30 * time.Second)
	next, _ := auth.TOTPCode(setup.Secret, e.clock.Now())
	if status, _ := signIn(`,"code":"` + next + `"`); status != 200 {
		t.Errorf("password and code: %d; want 200", status)
	}
	if status, code := signIn(`,"code":"` + next + `"`); status != 401 || code != "bad_totp" {
		t.Errorf("the same code again: %d %s; want it refused", status, code)
	}
}
