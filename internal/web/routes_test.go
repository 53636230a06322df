package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// Every route × every role: a role without the route's permission gets 403, one with it gets
// past the check, and nobody without credentials gets past a protected route. The table is the
// route table itself, so a new route is covered the day it is added.
func TestRoleMatrixCoversEveryRoute(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	routes := e.srv.Routes()
	var api int
	for _, rt := range routes {
		if strings.HasPrefix(rt.Pattern, "/api/v1/") {
			api++
		}
		path := pathParam.ReplaceAllString(rt.Pattern, "does-not-exist")
		if rt.Public {
			continue
		}
		if status, _ := e.call("", rt.Method, path, nil); status != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials: %d, want 401", rt.Method, rt.Pattern, status)
		}
		for _, role := range auth.Roles() {
			status, body := e.call(role, rt.Method, path, nil)
			allowed := role.Can(rt.Perm)
			switch {
			case allowed && (status == http.StatusUnauthorized || status == http.StatusForbidden):
				t.Errorf("%s %s as %s: %d, but the role has %s (%v)", rt.Method, rt.Pattern, role, status, rt.Perm, body)
			case !allowed && status != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403 (the role lacks %s)", rt.Method, rt.Pattern, role, status, rt.Perm)
			}
		}
	}
	if api < 20 {
		t.Errorf("only %d /api/v1 routes in the table; the matrix would prove little", api)
	}
	// The public routes are exactly these; anything else must name a permission.
	public := map[string]bool{}
	for _, rt := range routes {
		if rt.Public {
			public[rt.Method+" "+rt.Pattern] = true
		} else if rt.Perm == "" {
			t.Errorf("%s %s is neither public nor protected by a permission", rt.Method, rt.Pattern)
		}
	}
	for _, want := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json", "POST /hooks/{kind}/{channel}", "GET /hooks/{kind}/{channel}", "POST /api/v1/auth/login", "POST /api/v1/auth/logout", "GET /app/{path...}",
		"GET /help", "GET /help/search", "GET /help/articles/{id}", "POST /help/articles/{id}/feedback", "POST /help/articles/{id}/read", "GET /help/static/{name}",
		// The customer's sign-in: a code sent to the customer is the credential.
		"GET /help/sign-in", "POST /help/sign-in", "POST /help/sign-in/code", "POST /help/sign-out",
		// The chat widget: a visitor's token, checked by the web chat adapter, is the credential.
		"GET /widget.js", "POST /widget/{channel}/session", "OPTIONS /widget/{channel}/session", "GET /widget/{channel}/config", "GET /widget/{channel}/live",
		"POST /hooks/webchat/{channel}", "OPTIONS /hooks/webchat/{channel}", "GET /demo/site",
		// Proactive help: the visitor's token, and the server's signed page token, are the credentials.
		"POST /widget/{channel}/signals", "OPTIONS /widget/{channel}/signals", "POST /widget/{channel}/offers/{id}", "OPTIONS /widget/{channel}/offers/{id}",
		// The status tracker: the signed, expiring token in the link is the credential.
		"GET /s/{token}", "POST /s/{token}/display",
		// The display switches: a same-origin, rate-limited form setting the visitor's cookie.
		"POST /display",
		// Guided flows: anyone may ask for a service; the case goes to the contact they give.
		"GET /f/{service}", "POST /f/{service}",
		// The visual menu: the signed, expiring token sent to the caller is the credential.
		"GET /m/{token}", "POST /m/{token}",
		// An emailed survey's page: the signed token, expiring with the survey, is the credential.
		"GET /r/{token}", "POST /r/{token}",
		// Branch visits: tickets and appointments open by their signed, expiring link; the
		// forms are same-origin and rate-limited; display and kiosk show what the branch hall
		// shows anyone.
		"GET /q/{token}", "POST /q/{token}/leave", "GET /b/{branch}/ticket", "POST /b/{branch}/ticket", "GET /b/{branch}/book", "POST /b/{branch}/book",
		"GET /a/{token}", "POST /a/{token}/cancel", "GET /b/{branch}/display", "GET /kiosk/{branch}", "GET /kiosk/{branch}/services", "GET /kiosk/{branch}/help",
		"POST /kiosk/{branch}/ticket", "GET /kiosk/{branch}/t/{token}", "POST /kiosk/{branch}/t/{token}/text", "GET /kiosk/{branch}/checkin", "POST /kiosk/{branch}/checkin"} {
		if !public[want] {
			t.Errorf("%s should be public", want)
		}
		delete(public, want)
	}
	for extra := range public {
		t.Errorf("%s is public; add it to this test's list only if anyone may call it", extra)
	}
}

// The OpenAPI document describes every route, and every reference in it resolves.
func TestOpenAPIDocumentIsCompleteAndConsistent(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	resp, err := http.Get(e.http.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	ids := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		item, ok := paths[rt.Pattern].(map[string]any)
		if !ok {
			t.Errorf("%s missing from paths", rt.Pattern)
			continue
		}
		op, ok := item[strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("%s %s missing from the document", rt.Method, rt.Pattern)
			continue
		}
		id := op["operationId"].(string)
		if ids[id] {
			t.Errorf("operationId %s used twice", id)
		}
		ids[id] = true
		if !rt.Public && op["x-permission"] != string(rt.Perm) {
			t.Errorf("%s %s: x-permission %v, want %s", rt.Method, rt.Pattern, op["x-permission"], rt.Perm)
		}
		for _, m := range pathParam.FindAllString(rt.Pattern, -1) {
			if !hasParam(op, strings.Trim(m, "{}")) {
				t.Errorf("%s %s: path parameter %s undocumented", rt.Method, rt.Pattern, m)
			}
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	raw, _ := json.Marshal(doc)
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z0-9]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := schemas[m[1]]; !ok {
			t.Errorf("reference to undefined schema %s", m[1])
		}
	}
	// A user as the API shows it never carries a password hash.
	if strings.Contains(strings.ToLower(string(raw)), "password_hash") {
		t.Error("the document exposes a password hash field")
	}
	if _, ok := schemas["Conversation"]; !ok {
		t.Errorf("no Conversation schema; have %v", keys(schemas))
	}
}

func hasParam(op map[string]any, name string) bool {
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if p.(map[string]any)["name"] == name {
			return true
		}
	}
	return false
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
