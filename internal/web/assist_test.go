package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

var dataPage = regexp.MustCompile(`<script src="/widget.js" data-channel="demo-webchat" data-lang="(\w+)" data-page="([^"]+)" async></script>`)

// assistEnv is a server with the demo's web chat channel, a visitor of it, and the rule "two
// searches without a click → offer a chat".
func assistEnv(t *testing.T, dsn string) (*env, channel.Channel, string, string) {
	e := newEnv(t, dsn)
	ctx := context.Background()
	ch, err := e.chans.Ensure(ctx, channel.Channel{Name: web.DemoSiteChannel, Kind: webchat.Kind, Secret: "s", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Assist.PutRule(ctx, "stuck", assist.RuleInput{Name: "Stuck", When: "searches_without_click >= 2", Offer: assist.OfferChat}, event.System); err != nil {
		t.Fatal(err)
	}
	id, tok, err := webchat.New().NewVisitor(ch)
	if err != nil {
		t.Fatal(err)
	}
	return e, ch, id, tok
}

// pageToken is the widget's page token on a help page.
func pageToken(t *testing.T, b *browser, path string) string {
	t.Helper()
	status, body, _ := b.get(path)
	m := dataPage.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("%s: %d, no widget tag with a page token", path, status)
	}
	return html.UnescapeString(m[2])
}

func postJSON(t *testing.T, u string, body []byte, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

func signalBody(visitor, token, page string) []byte {
	b, _ := json.Marshal(map[string]string{"visitor_id": visitor, "token": token, "kind": "page", "page": page, "lang": "en"})
	return b
}

// The whole path through HTTP: two searches in the help centre, each page's widget reporting
// it, one offer; accepting it opens the conversation an agent sees, with the searches in it.
func TestHelpCentreSearchesEarnOneOfferOverHTTP(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, _, visitor, token := assistEnv(t, dsn)
		b := newBrowser(t, e.http.URL)
		signals := e.http.URL + "/widget/" + web.DemoSiteChannel + "/signals"
		// Pages without a recorded search carry the widget too, with a plain page token.
		if code, ans := postJSON(t, signals, signalBody(visitor, token, pageToken(t, b, "/help?lang=en")), nil); code != http.StatusOK || ans["offer"] != nil {
			t.Fatalf("home page: %d %v", code, ans)
		}
		p1 := pageToken(t, b, "/help/search?lang=en&q="+url.QueryEscape("lost my card abroad"))
		if code, ans := postJSON(t, signals, signalBody(visitor, token, p1), nil); code != http.StatusOK || ans["offer"] != nil {
			t.Fatalf("first search: %d %v", code, ans)
		}
		p2 := pageToken(t, b, "/help/search?lang=en&q="+url.QueryEscape("card stolen what now"))
		code, ans := postJSON(t, signals, signalBody(visitor, token, p2), nil)
		offer, _ := ans["offer"].(map[string]any)
		if code != http.StatusOK || offer == nil || offer["kind"] != "chat" || ans["new"] != true {
			t.Fatalf("second search: %d %v", code, ans)
		}
		id, _ := offer["id"].(string)
		decide := e.http.URL + "/widget/" + web.DemoSiteChannel + "/offers/" + url.PathEscape(id)
		accept, _ := json.Marshal(map[string]string{"visitor_id": visitor, "token": token, "action": "accept", "lang": "en"})
		code, ans = postJSON(t, decide, accept, nil)
		if code != http.StatusOK || ans["chat"] != true || ans["status"] != "accepted" {
			t.Fatalf("accept: %d %v", code, ans)
		}
		// Another tab, too late.
		if code, ans := postJSON(t, decide, accept, nil); code != http.StatusConflict {
			t.Errorf("second accept: %d %v, want 409", code, ans)
		}
		// The agent's view: the conversation, its first line, and the customer's timeline.
		code, list := e.call(auth.RoleAgent, "GET", "/api/v1/conversations?status=pending,open", nil)
		convs := items(list)
		if code != http.StatusOK || len(convs) != 1 {
			t.Fatalf("conversations: %d %v", code, list)
		}
		code, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+convs[0]["id"].(string), nil)
		raw, _ := json.Marshal(conv)
		if code != http.StatusOK || !strings.Contains(string(raw), "lost my card abroad") || !strings.Contains(string(raw), "card stolen what now") {
			t.Fatalf("conversation: %d %s", code, raw)
		}
		code, tl := e.call(auth.RoleAgent, "GET", "/api/v1/customers/"+convs[0]["customer_id"].(string)+"/timeline", nil)
		raw, _ = json.Marshal(tl)
		if code != http.StatusOK || !strings.Contains(string(raw), `"kind":"assist.visit-linked"`) || !strings.Contains(string(raw), `"query":"lost my card abroad"`) {
			t.Errorf("timeline: %d %s", code, raw)
		}
	})
}

// The signal endpoint's attacks: each refused with a clear 4xx, and nothing stored.
func TestWidgetSignalRefusesBadInput(t *testing.T) {
	e, _, visitor, token := assistEnv(t, storetest.SQLitePath(t))
	b := newBrowser(t, e.http.URL)
	page := pageToken(t, b, "/help/search?lang=en&q=lost")
	signals := e.http.URL + "/widget/" + web.DemoSiteChannel + "/signals"
	body, mac, _ := strings.Cut(page, ".")
	for _, c := range []struct {
		name    string
		url     string
		body    []byte
		headers map[string]string
		want    int
	}{
		{"no token", signals, []byte(`{"visitor_id":"` + visitor + `","token":"","kind":"page","page":"` + page + `"}`), nil, http.StatusBadRequest},
		{"wrong token", signals, signalBody(visitor, strings.Repeat("0", 64), page), nil, http.StatusUnauthorized},
		{"another visitor's token", signals, signalBody("v"+visitor[1:], token, page), nil, http.StatusUnauthorized},
		{"garbled", signals, []byte(`{"visitor_id":`), nil, http.StatusBadRequest},
		{"not JSON", signals, []byte(`kind=page`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusBadRequest},
		{"two objects", signals, append(signalBody(visitor, token, page), signalBody(visitor, token, page)...), nil, http.StatusBadRequest},
		{"unknown field", signals, []byte(`{"visitor_id":"` + visitor + `","token":"` + token + `","kind":"page","page":"` + page + `","admin":true}`), nil, http.StatusBadRequest},
		{"unknown kind", signals, []byte(`{"visitor_id":"` + visitor + `","token":"` + token + `","kind":"click","page":"` + page + `"}`), nil, http.StatusBadRequest},
		{"dwell out of bounds", signals, []byte(`{"visitor_id":"` + visitor + `","token":"` + token + `","kind":"dwell","seconds":999999,"page":"` + page + `"}`), nil, http.StatusBadRequest},
		{"forged page", signals, signalBody(visitor, token, body+"x."+mac), nil, http.StatusBadRequest},
		{"page of no server", signals, signalBody(visitor, token, "eyJrIjoic2VhcmNoIn0.AAAAAAAAAAAAAAAAAAAAAA"), nil, http.StatusBadRequest},
		{"oversized", signals, append([]byte(`{"visitor_id":"`+visitor+`","token":"`+token+`","kind":"page","page":"`), bytes.Repeat([]byte("a"), 8<<10)...), nil, http.StatusRequestEntityTooLarge},
		{"unknown channel", e.http.URL + "/widget/nope/signals", signalBody(visitor, token, page), nil, http.StatusNotFound},
		{"a site not allowed", signals, signalBody(visitor, token, page), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		if code, ans := postJSON(t, c.url, c.body, c.headers); code != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, code, ans, c.want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM assist_signals`) + e.count(`SELECT COUNT(*) FROM assist_visits`); n != 0 {
		t.Errorf("%d rows stored by refused signals", n)
	}
	// The answer endpoint: no offer of this id, bad bodies.
	decide := e.http.URL + "/widget/" + web.DemoSiteChannel + "/offers/nope"
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"visitor_id":"` + visitor + `","token":"` + token + `","action":"accept"}`, http.StatusNotFound},
		{`{"visitor_id":"` + visitor + `","token":"` + token + `","action":"maybe"}`, http.StatusBadRequest},
		{`{"visitor_id":"` + visitor + `","token":"bad","action":"accept"}`, http.StatusUnauthorized},
		{`[]`, http.StatusBadRequest},
	} {
		if code, ans := postJSON(t, decide, []byte(c.body), nil); code != c.want {
			t.Errorf("decide %s: %d %v, want %d", c.body, code, ans, c.want)
		}
	}
}

// Supervisors write the rules; agents read them; a rule that does not parse says why.
func TestAssistRulesAPI(t *testing.T) {
	e, _, _, _ := assistEnv(t, storetest.SQLitePath(t))
	rule := map[string]any{"name": "Long claims read", "when": "dwell:claims > 90", "offer": "callback", "priority": 3}
	if code, _ := e.call(auth.RoleAgent, "PUT", "/api/v1/assist/rules/claims", rule); code != http.StatusForbidden {
		t.Errorf("agent PUT: %d, want 403", code)
	}
	if code, got := e.call(auth.RoleSupervisor, "PUT", "/api/v1/assist/rules/claims", rule); code != http.StatusOK || got["when"] != "dwell:claims > 90" || got["enabled"] != true {
		t.Errorf("supervisor PUT: %d %v", code, got)
	}
	if code, got := e.call(auth.RoleSupervisor, "PUT", "/api/v1/assist/rules/bad", map[string]any{"name": "x", "when": "clicks > 1", "offer": "chat"}); code != http.StatusUnprocessableEntity || !strings.Contains(got["error"].(map[string]any)["message"].(string), "unknown fact") {
		t.Errorf("bad rule: %d %v", code, got)
	}
	if code, got := e.call(auth.RoleAgent, "GET", "/api/v1/assist/rules", nil); code != http.StatusOK || len(items(got)) != 2 || items(got)[0]["id"] != "claims" {
		t.Errorf("list: %d %v", code, got)
	}
	if code, _ := e.call(auth.RoleSupervisor, "DELETE", "/api/v1/assist/rules/claims", nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _ := e.call(auth.RoleAgent, "GET", "/api/v1/assist/rules/claims", nil); code != http.StatusNotFound {
		t.Errorf("deleted rule: %d", code)
	}
}

// The flow's pages carry the widget: an answer refused is a form error the server saw itself,
// so two of them earn the callback offer without the browser saying anything but "I am here".
func TestFlowPagesCarryTheWidget(t *testing.T) {
	e, ch, visitor, token := assistEnv(t, storetest.SQLitePath(t))
	ctx := context.Background()
	if _, err := e.app.Assist.PutRule(ctx, "trouble", assist.RuleInput{Name: "Trouble", When: "form_errors >= 2", Offer: assist.OfferCallback, Priority: 5}, event.System); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"en": "Claim", "he": "תביעה", "ar": "مطالبة", "ru": "Заявление"}
	if _, err := e.app.SelfService.PutService(ctx, "claim", selfservice.Input{Category: "car", Name: texts, Channels: []selfservice.Way{selfservice.Web, selfservice.Phone},
		Flow: []selfservice.Step{{ID: "plate", Kind: selfservice.Question, Label: texts}, {ID: "confirm", Kind: selfservice.Confirm, Label: texts}}}, event.System); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.http.URL)
	pageToken(t, b, "/f/claim?lang=en")
	if code, _ := b.post("/f/claim?lang=en", url.Values{"action": {"start"}}, nil); code != http.StatusSeeOther {
		t.Fatalf("start: %d", code)
	}
	signals := e.http.URL + "/widget/" + web.DemoSiteChannel + "/signals"
	var last map[string]any
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest("POST", e.http.URL+"/f/claim?lang=en", strings.NewReader(url.Values{"action": {"next"}, "a": {"not a contact"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := dataPage.FindStringSubmatch(string(raw))
		if resp.StatusCode != http.StatusUnprocessableEntity || m == nil {
			t.Fatalf("refused answer: %d, widget tag %v", resp.StatusCode, m != nil)
		}
		_, last = postJSON(t, signals, signalBody(visitor, token, html.UnescapeString(m[2])), nil)
	}
	offer, _ := last["offer"].(map[string]any)
	if offer == nil || offer["kind"] != "callback" {
		t.Fatalf("after two refused answers: %v", last)
	}
	if n := e.count(`SELECT COUNT(*) FROM assist_signals s JOIN assist_visits v ON v.id = s.visit_id WHERE v.channel_id = ? AND s.kind = 'flow-step' AND s.value = 1 AND s.detail = 'contact'`, ch.ID); n != 2 {
		t.Errorf("%d form errors stored, want 2", n)
	}
	// The tracker and a 404 carry no widget.
	if _, body, _ := b.get("/help/articles/none?lang=en"); dataPage.MatchString(body) {
		t.Error("a 404 page carries the widget")
	}
}
