package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

var transferService = map[string]any{
	"category": "savings",
	"name":     map[string]string{"he": "העברת כספים", "en": "Transfer of funds", "ar": "تحويل أموال", "ru": "Перевод средств"},
	"channels": []string{"web", "phone", "branch"},
	"limits": []map[string]any{{"rule": "transfer_amount > 50000 -> branch",
		"message": map[string]string{"en": "A transfer above ₪50,000 is done at a branch, with your ID card.", "he": "העברה של יותר מ־50,000 ₪ נעשית בסניף."}}},
	"flow": []map[string]any{
		{"id": "fund", "kind": "choice", "label": map[string]string{"en": "From which fund?", "he": "מאיזו קופה?"},
			"options": []map[string]any{{"value": "savings", "label": map[string]string{"en": "Provident fund"}}, {"value": "study", "label": map[string]string{"en": "Study fund"}}}},
		{"id": "transfer_amount", "kind": "question", "number": true, "label": map[string]string{"en": "Amount to transfer, in shekels", "he": "סכום ההעברה"}},
		{"id": "bank_account", "kind": "question", "label": map[string]string{"en": "Bank, branch and account number", "he": "פרטי חשבון"}},
		{"id": "confirm", "kind": "confirm", "label": map[string]string{"en": "Send the request", "he": "שליחה"}},
	},
}

// visitor is a browser without JavaScript: it follows no redirects by itself and keeps the
// flow's cookie, as a browser keeps it on a loopback address.
type visitor struct {
	e      *env
	base   string
	cookie string
}

func (v *visitor) do(method, path string, form url.Values, header ...string) (int, string, http.Header) {
	v.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, v.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if v.cookie != "" {
		req.Header.Set("Cookie", web.FlowCookie+"="+v.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		v.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.FlowCookie {
			v.cookie = c.Value
			if c.MaxAge < 0 {
				v.cookie = ""
			}
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// step posts an answer and follows the redirect to the next page, as a browser does.
func (v *visitor) step(action, answer string) (int, string) {
	v.e.t.Helper()
	status, page, h := v.do("POST", "/f/transfer?lang=en", url.Values{"action": {action}, "a": {answer}, "lang": {"en"}})
	if status == http.StatusSeeOther {
		status, page, _ = v.do("GET", h.Get("Location"), nil)
	}
	return status, page
}

func newFlowEnv(t *testing.T, dsn string) (*env, *visitor) {
	t.Helper()
	e := newEnv(t, dsn)
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/transfer", transferService); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	return e, &visitor{e: e, base: e.http.URL}
}

var h1 = regexp.MustCompile(`<h1>([^<]*)</h1>`)

func heading(page string) string {
	if m := h1.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// The first page tells the truth before the visitor starts: where the service can be done and
// its limits.
func TestFlowStartsWithChannelsAndLimits(t *testing.T) {
	e, v := newFlowEnv(t, storetest.SQLitePath(t))
	status, page, _ := v.do("GET", "/f/transfer?lang=en", nil)
	if status != http.StatusOK {
		t.Fatalf("start: %d", status)
	}
	for _, want := range []string{"<h1>Transfer of funds</h1>", "<li>on our website</li>", "<li>by phone with an agent</li>", "<li>at a branch</li>",
		"A transfer above ₪50,000 is done at a branch, with your ID card.", `name="action" value="start"`} {
		if !strings.Contains(page, want) {
			t.Errorf("start page lacks %s", want)
		}
	}
	status, page, _ = v.do("GET", "/f/transfer?lang=he", nil)
	if status != http.StatusOK || !strings.Contains(page, `<html lang="he" dir="rtl">`) || !strings.Contains(page, "<li>בסניף</li>") {
		t.Errorf("in Hebrew: %d", status)
	}
	if status, _, _ := v.do("GET", "/f/nope", nil); status != http.StatusNotFound {
		t.Errorf("unknown service: %d", status)
	}
	// A form from another site is refused before anything is kept.
	if status, _, _ := v.do("POST", "/f/transfer", url.Values{"action": {"start"}}, "Sec-Fetch-Site", "cross-site"); status != http.StatusForbidden || v.cookie != "" {
		t.Errorf("cross-site form: %d", status)
	}
	_ = e
}

// The whole flow without JavaScript: each answer checked as it is given, back keeps what was
// answered, the last step opens the case and shows its tracker link, which opens.
func TestFlowRunsToACase(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, v := newFlowEnv(t, dsn)
		if status, page := v.step("start", ""); status != http.StatusOK || !strings.Contains(unbdi(page), "Step 1 of 5") || !strings.Contains(page, "Your mobile number or email") {
			t.Fatalf("first step: %d %s", status, page)
		}
		status, page := v.step("next", "not a number")
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, `aria-invalid="true"`) || !strings.Contains(page, `value="not a number"`) {
			t.Errorf("a bad contact: %d", status)
		}
		if status, page = v.step("next", "050-765-4321"); !strings.Contains(unbdi(page), "Step 2 of 5") || !strings.Contains(page, "<legend>From which fund?</legend>") {
			t.Fatalf("second step: %d %s", status, page)
		}
		if status, _ = v.step("next", "gold"); status != http.StatusUnprocessableEntity {
			t.Errorf("an option that is not offered: %d", status)
		}
		v.step("next", "study")
		if status, page = v.step("next", "twelve hundred"); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Please enter a number") {
			t.Errorf("words for an amount: %d", status)
		}
		v.step("next", "1,200")
		// Back, and the answer given is there.
		if _, page = v.step("back", ""); !strings.Contains(unbdi(page), "Step 3 of 5") || !strings.Contains(page, `value="1200"`) {
			t.Errorf("back: %s", page)
		}
		v.step("next", "1200")
		if _, page = v.step("next", "Leumi 802 / 123456"); !strings.Contains(page, "Check your answers") || !strings.Contains(page, "<dd>Study fund</dd>") || !strings.Contains(page, "<dd>050-765-4321</dd>") {
			t.Errorf("review: %s", page)
		}
		status, page = v.step("next", "")
		if status != http.StatusOK || heading(page) != "Your request was sent" || v.cookie != "" {
			t.Fatalf("done: %d %q (cookie %q)", status, heading(page), v.cookie)
		}
		link := regexp.MustCompile(`href="(/s/[^"]+)"`).FindStringSubmatch(page)
		if link == nil {
			t.Fatalf("no tracker link on %s", page)
		}
		if status, tracker, _ := v.do("GET", strings.ReplaceAll(link[1], "&amp;", "&"), nil); status != http.StatusOK || !strings.Contains(tracker, "Transfer of funds") {
			t.Errorf("tracker: %d", status)
		}
		_, body := e.call(auth.RoleAgent, "GET", "/api/v1/customers?identity=phone:0507654321", nil)
		cust := items(body)
		if len(cust) != 1 {
			t.Fatalf("customer by the contact: %v", body)
		}
		_, body = e.call(auth.RoleAgent, "GET", "/api/v1/cases?customer="+cust[0]["id"].(string), nil)
		cases := items(body)
		if len(cases) != 1 || cases[0]["via"] != "web" || cases[0]["finish_on"] != nil || cases[0]["answers"].(map[string]any)["transfer_amount"] != 1200.0 ||
			cases[0]["answers"].(map[string]any)["bank_account"] != "Leumi 802 / 123456" {
			t.Errorf("case: %v", cases)
		}
		if n := e.count(`SELECT COUNT(*) FROM messages WHERE customer_id = ? AND direction = 'out'`, cust[0]["id"]); n != 1 {
			t.Errorf("%d notifications, want the one of the opening", n)
		}
		// Sending the last step again finds no flow: nothing is opened twice.
		if status, page := v.step("next", ""); status != http.StatusOK || !strings.Contains(page, "This form has expired") {
			t.Errorf("a resent last step: %d", status)
		}
	})
}

// Over the limit, the flow stops at the step that told it: the visitor learns that a branch
// can finish it, the case keeps the answers so far, and the rest is never asked.
func TestFlowStopsAtTheLimitAndKeepsTheAnswers(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, v := newFlowEnv(t, dsn)
		v.step("start", "")
		v.step("next", "dana@example.com")
		v.step("next", "savings")
		status, page := v.step("next", "60000")
		if status != http.StatusOK || heading(page) != "This request cannot be finished here" {
			t.Fatalf("over the limit: %d %q", status, heading(page))
		}
		for _, want := range []string{"This request can be finished only at a branch.", "A transfer above ₪50,000 is done at a branch, with your ID card.", "Your answers are kept"} {
			if !strings.Contains(page, want) {
				t.Errorf("stop page lacks %q", want)
			}
		}
		_, body := e.call(auth.RoleAgent, "GET", "/api/v1/customers?identity=email:dana@example.com", nil)
		custID := items(body)[0]["id"].(string)
		_, body = e.call(auth.RoleAgent, "GET", "/api/v1/cases?customer="+custID, nil)
		c := items(body)[0]
		answers := c["answers"].(map[string]any)
		if c["finish_on"] != "branch" || answers["fund"] != "savings" || answers["transfer_amount"] != 60000.0 || answers["bank_account"] != nil {
			t.Errorf("case: %v", c)
		}
		var step string
		if err := e.db.QueryRow(context.Background(), `SELECT data FROM events WHERE kind = 'case.flow-stopped' AND customer_id = ?`, custID).Scan(&step); err != nil || !strings.Contains(step, `"step":"transfer_amount"`) {
			t.Errorf("flow-stopped event: %s, %v", step, err)
		}
	})
}

// A draft altered in the browser is not trusted: the flow starts again.
func TestFlowRefusesAnAlteredDraft(t *testing.T) {
	_, v := newFlowEnv(t, storetest.SQLitePath(t))
	v.step("start", "")
	v.step("next", "050-765-4321")
	b := []byte(v.cookie)
	if b[10] == 'x' {
		b[10] = 'y'
	} else {
		b[10] = 'x'
	}
	v.cookie = string(b)
	if status, page := v.step("next", "savings"); status != http.StatusOK || !strings.Contains(page, "This form has expired or was changed") {
		t.Errorf("altered draft: %d", status)
	}
}
