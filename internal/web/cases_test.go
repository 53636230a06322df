package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

var carClaim = map[string]any{
	"category":    "car",
	"name":        map[string]string{"he": "תביעת רכב", "en": "Car claim", "ar": "مطالبة سيارة", "ru": "Страховой случай с автомобилем"},
	"description": map[string]string{"en": "After an accident: photos, the police report, the other driver's details."},
	"channels":    []string{"web", "whatsapp", "phone", "branch"},
	"limits": []map[string]any{{"rule": "claim_amount > 100000 -> branch",
		"message": map[string]string{"en": "A claim above ₪100,000 is examined at a branch.", "he": "תביעה מעל 100,000 ₪ נבדקת בסניף."}}},
	"stages": []map[string]any{
		{"id": "received", "who": "us", "expected_hours": 24},
		{"id": "in-review", "who": "us", "expected_hours": 72},
		{"id": "waiting-for-you", "who": "customer", "owes": map[string]string{"en": "the police report", "he": "דו\"ח המשטרה"}},
		{"id": "approved", "who": "us", "expected_hours": 48},
		{"id": "done", "who": "us"},
	},
}

// crm is the far side of the test's API channel: it keeps each signed reply it receives.
type crm struct {
	mu   sync.Mutex
	got  []api.Callback
	keys []string
}

func (e *env) fakeCRM() *crm {
	e.t.Helper()
	c := &crm{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(api.SignatureHeader) != api.Sign(hookSecret, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var cb api.Callback
		_ = json.Unmarshal(body, &cb)
		c.mu.Lock()
		c.got, c.keys = append(c.got, cb), append(c.keys, r.Header.Get("Idempotency-Key"))
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"crm-` + cb.ID + `"}`))
	}))
	e.t.Cleanup(srv.Close)
	if _, err := e.chans.Update(context.Background(), e.channel.ID, channel.Patch{Settings: map[string]string{api.OutboundURLSetting: srv.URL}}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (c *crm) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, cb := range c.got {
		out = append(out, cb.Text)
	}
	return out
}

// get fetches a page without credentials, as the customer's phone would.
func (e *env) get(url string, header ...string) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (e *env) eventKinds(customerID string) []string {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), `SELECT kind FROM events WHERE customer_id = ? AND kind LIKE 'case.%' ORDER BY seq`, customerID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		out = append(out, k)
	}
	return out
}

// newCaseEnv is a server with the car claim in its catalogue and a customer who wrote in on
// the API channel, in lang.
func newCaseEnv(t testing.TB, dsn, lang string) (*env, string) {
	t.Helper()
	e := newEnv(t, dsn)
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/car-claim", carClaim); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	_, body := e.hook(msg("m-1", "+972501234567", "my car got hit"))
	custID := body["results"].([]any)[0].(map[string]any)["customer_id"].(string)
	if status, body := e.call(auth.RoleAgent, "PATCH", "/api/v1/customers/"+custID, map[string]any{"languages": []string{lang}}); status != http.StatusOK {
		t.Fatalf("patch customer: %d %v", status, body)
	}
	return e, custID
}

func TestServiceCatalogueAPI(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, _ := newCaseEnv(t, dsn, "en")
		status, body := e.call(auth.RoleAgent, "GET", "/api/v1/services", nil)
		list := items(body)
		if status != http.StatusOK || len(list) != 1 {
			t.Fatalf("list: %d %v", status, body)
		}
		svc := list[0]
		if svc["id"] != "car-claim" || len(svc["channels"].([]any)) != 4 {
			t.Errorf("service: %v", svc)
		}
		limit := svc["limits"].([]any)[0].(map[string]any)
		if limit["field"] != "claim_amount" || limit["op"] != ">" || limit["value"] != 100000.0 || limit["then"] != "branch" || limit["message"].(map[string]any)["en"] == "" {
			t.Errorf("limit: %v", limit)
		}
		stage := svc["stages"].([]any)[2].(map[string]any)
		if stage["name"].(map[string]any)["ar"] != "بانتظارك" || stage["who"] != "customer" {
			t.Errorf("stage: %v", stage)
		}
		if status, _ := e.call(auth.RoleAgent, "PUT", "/api/v1/services/car-claim", carClaim); status != http.StatusForbidden {
			t.Errorf("an agent wrote the catalogue: %d", status)
		}
		bad := map[string]any{"name": map[string]string{"en": "X"}, "channels": []string{"web"}, "limits": []map[string]any{{"rule": "amount >> 5 -> web", "message": map[string]string{"en": "no"}}}}
		status, body = e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/x", bad)
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["code"] != "invalid_rule" {
			t.Errorf("a rule that does not parse: %d %v", status, body)
		}
		bad["limits"] = []map[string]any{{"rule": "amount > 5 -> branch", "message": map[string]string{"en": "no"}}}
		status, body = e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/x", bad)
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "limits[0].rule" {
			t.Errorf("a limit to a channel the service lacks: %d %v", status, body)
		}
		if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/services/x", nil); status != http.StatusNotFound {
			t.Errorf("a refused service was stored: %d", status)
		}
	})
}

var ariaCurrent = regexp.MustCompile(`<li aria-current="step"><strong>([^<]+)</strong>`)

// A case opened through the API answers with a tracker link that opens; a stage change is an
// event and exactly one message to the customer, delivered once; the tracker then shows it.
func TestCaseAPIAndTracker(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, custID := newCaseEnv(t, dsn, "en")
		crm := e.fakeCRM()
		status, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{"plate": "12-345-67", "claim_amount": 8000}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		id, link, ref := body["id"].(string), body["tracker_url"].(string), body["ref"].(string)
		if !strings.HasPrefix(link, e.http.URL+"/s/"+id+".") || body["stage"] != "received" {
			t.Fatalf("tracker link %q (case %v)", link, body)
		}
		status, page, h := e.get(link)
		if status != http.StatusOK || !strings.Contains(page, `<html lang="en" dir="ltr">`) || h.Get("X-Robots-Tag") == "" {
			t.Fatalf("tracker: %d %s", status, page)
		}
		if m := ariaCurrent.FindAllStringSubmatch(page, -1); len(m) != 1 || m[0][1] != "Received" {
			t.Errorf("current stage marked: %v", m)
		}
		for _, want := range []string{"Your request: Car claim", "Reference " + ref, "We are working on it", "The next stage is expected by 23 November 2026."} {
			if !strings.Contains(unbdi(page), want) {
				t.Errorf("tracker lacks %q", want)
			}
		}

		e.clock.Advance(2 * time.Hour)
		status, body = e.call(auth.RoleAgent, "POST", "/api/v1/cases/"+id+"/stage", map[string]any{"stage": "waiting-for-you"})
		if status != http.StatusOK || body["changed"] != true || body["stage"] != "waiting-for-you" {
			t.Fatalf("stage: %d %v", status, body)
		}
		status, body = e.call(auth.RoleAgent, "POST", "/api/v1/cases/"+id+"/stage", map[string]any{"stage": "waiting-for-you"})
		if status != http.StatusOK || body["changed"] != false {
			t.Errorf("replayed stage: %d %v", status, body)
		}
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Jobs run in parallel, so the two may arrive in either order.
		got := crm.texts()
		slices.Sort(got)
		if len(got) != 2 || !strings.HasPrefix(got[0], "We have received your request: Car claim (reference "+ref+"). Follow it here: /s/"+id+".") ||
			!strings.HasPrefix(got[1], "Your request (Car claim, reference "+ref+") is waiting for you. What we need from you: the police report Follow it here: /s/"+id+".") {
			t.Errorf("the customer was told %q; want the opening and the one stage change", got)
		}
		status, page, _ = e.get(link)
		if m := ariaCurrent.FindAllStringSubmatch(page, -1); status != http.StatusOK || len(m) != 1 || m[0][1] != "Waiting for you" {
			t.Errorf("tracker after the change: %d, current %v", status, m)
		}
		for _, want := range []string{"We are waiting for you.", "What we need from you: the police report", "Received <span class=\"count\">(Done, on 22 November 2026)"} {
			if !strings.Contains(unbdi(page), want) {
				t.Errorf("tracker lacks %q", want)
			}
		}
		if kinds := strings.Join(e.eventKinds(custID), " "); kinds != "case.opened case.tracker-viewed case.stage-changed case.tracker-viewed" {
			t.Errorf("events: %s", kinds)
		}
		status, body = e.call(auth.RoleAgent, "GET", "/api/v1/cases?customer="+custID, nil)
		if list := items(body); status != http.StatusOK || len(list) != 1 || len(list[0]["history"].([]any)) != 2 || list[0]["answers"].(map[string]any)["plate"] != "12-345-67" {
			t.Errorf("list: %d %v", status, body)
		}
		if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/cases/nope", nil); status != http.StatusNotFound {
			t.Errorf("unknown case: %d", status)
		}
		status, body = e.call(auth.RoleAgent, "POST", "/api/v1/cases/"+id+"/stage", map[string]any{"stage": "paid"})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "stage" {
			t.Errorf("unknown stage: %d %v", status, body)
		}
	})
}

// A tampered or expired link is the same 404 as one that never existed: the body says nothing
// about whether the case exists.
func TestTrackerRefusesAlikeWithoutSayingWhy(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, custID := newCaseEnv(t, dsn, "he")
		_, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{}})
		link := body["tracker_url"].(string)
		mac := link[strings.LastIndex(link, ".")+1:]
		flipped := []byte(mac)
		flipped[5] ^= 1
		tampered := strings.TrimSuffix(link, mac) + string(flipped)
		_, unknown, _ := e.get(e.http.URL + "/s/0123456789abcdefghjkmnpqrs.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA")
		_, garbage, _ := e.get(e.http.URL + "/s/not-a-token")
		status, tamperedBody, _ := e.get(tampered)
		if status != http.StatusNotFound || tamperedBody != unknown || garbage != unknown {
			t.Errorf("tampered: %d; same body as unknown: %v, as garbage: %v", status, tamperedBody == unknown, garbage == unknown)
		}
		if !strings.Contains(unknown, "This link does not open a request") {
			t.Errorf("not-found page: %s", unknown)
		}
		// Until it expires the link opens (in the customer's Hebrew); after, it is the same 404.
		status, page, _ := e.get(link)
		if status != http.StatusOK || !strings.Contains(page, `<html lang="he" dir="rtl">`) {
			t.Errorf("before expiry: %d", status)
		}
		exp, _ := time.Parse(time.RFC3339, body["tracker_expires_at"].(string))
		e.clock.Set(exp.Add(time.Second))
		status, expired, _ := e.get(link)
		if status != http.StatusNotFound || expired != unknown {
			t.Errorf("expired: %d; same body as unknown: %v", status, expired == unknown)
		}
		if kinds := e.eventKinds(custID); len(kinds) != 2 {
			t.Errorf("events %v: only the opening and the one view that opened", kinds)
		}
	})
}

// The tracker in each language: lang and dir from the catalog, a visible switch to the
// others, landmarks and one h1, aria-current on the current stage, and nothing inline the CSP
// would refuse.
func TestTrackerInEveryLanguage(t *testing.T) {
	e, custID := newCaseEnv(t, storetest.SQLitePath(t), "ar")
	_, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{}})
	link := body["tracker_url"].(string)
	_, page, _ := e.get(link)
	if !strings.Contains(page, `<html lang="ar" dir="rtl">`) || !strings.Contains(page, "مطالبة سيارة") {
		t.Errorf("without ?lang the customer's Arabic: %.300s", page)
	}
	for _, c := range []struct{ lang, dir, current string }{{"he", "rtl", "התקבלה"}, {"en", "ltr", "Received"}, {"ar", "rtl", "تم الاستلام"}, {"ru", "ltr", "Получена"}} {
		status, page, h := e.get(link + "?lang=" + c.lang)
		if status != http.StatusOK || h.Get("Content-Language") != c.lang {
			t.Errorf("%s: %d %s", c.lang, status, h.Get("Content-Language"))
		}
		if !strings.Contains(page, `<html lang="`+c.lang+`" dir="`+c.dir+`">`) {
			t.Errorf("%s: no lang/dir", c.lang)
		}
		if m := ariaCurrent.FindAllStringSubmatch(page, -1); len(m) != 1 || m[0][1] != c.current {
			t.Errorf("%s: current stage %v, want %s", c.lang, m, c.current)
		}
		for _, want := range []string{"<header", `<nav aria-label=`, `<main id="main">`, "<footer", `<a class="skip" href="#main">`, "<ol class=\"list\">"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: missing %s", c.lang, want)
			}
		}
		if strings.Count(page, "<h1>") != 1 || strings.Contains(page, "<script>") || strings.Contains(page, " style=") || strings.Contains(page, "<style") {
			t.Errorf("%s: one h1 and no inline script or style", c.lang)
		}
		for _, l := range []string{"he", "ar", "en", "ru"} {
			if !strings.Contains(page, `href="/s/`+link[strings.Index(link, "/s/")+3:]+`?lang=`+l+`"`) {
				t.Errorf("%s: no switch to %s", c.lang, l)
			}
		}
	}
}

// The tracker is rate-limited per address like the help centre's pages: past the burst, 429
// with Retry-After, before any lookup.
func TestTrackerIsRateLimited(t *testing.T) {
	e, custID := newCaseEnv(t, storetest.SQLitePath(t), "en")
	_, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{}})
	path := body["tracker_url"].(string)[len(e.http.URL):]
	l := web.DefaultLimits()
	l.HelpWritesPerIP, l.HelpWritesBurst = 0.01, 2
	base := e.serverWith(l)
	for i, want := range []int{200, 200, 429} {
		status, _, h := e.get(base + path)
		if status != want {
			t.Errorf("request %d: %d, want %d", i+1, status, want)
		}
		if want == 429 && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if kinds := e.eventKinds(custID); len(kinds) != 3 {
		t.Errorf("events %v: the opening and two views", kinds)
	}
}

// FuzzSelfServiceBodies sends arbitrary bodies to the self-service routes that read JSON:
// bad input is a 4xx, never a 5xx, never a panic.
func FuzzSelfServiceBodies(f *testing.F) {
	seed, _ := json.Marshal(carClaim)
	f.Add(seed)
	f.Add([]byte(`{"stage":"approved"}`))
	f.Add([]byte(`{"customer_id":"x","service_id":"car-claim","answers":{"claim_amount":"1e999","a":{"b":1}}}`))
	f.Add([]byte(`{"name":{"en":"x"},"channels":["web"],"limits":[{"rule":"a < \"b\" -> web","message":{"en":"m"}}]}`))
	f.Add([]byte(`{"name":{"en":"x"},"channels":["web"],"flow":[{"id":"a","kind":"choice","label":{"en":"?"},"options":[{"value":"1","label":{"en":"1"}}]}]}`))
	f.Add([]byte(`null`))
	e, custID := newCaseEnv(f, storetest.SQLitePath(f), "en")
	_, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{}})
	id := body["id"].(string)
	f.Add([]byte(`{"customer_id":"` + custID + `","service_id":"car-claim","answers":{"claim_amount":"7"}}`))
	targets := []struct{ method, path string }{
		{"PUT", "/api/v1/services/fuzzed"},
		{"POST", "/api/v1/cases"},
		{"POST", "/api/v1/cases/" + id + "/stage"},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tg := range targets {
			req, _ := http.NewRequest(tg.method, e.http.URL+tg.path, strings.NewReader(string(b)))
			req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleAdmin])
			resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
			if err != nil {
				t.Fatalf("%s %s %q: %v", tg.method, tg.path, b, err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s with %q: %d", tg.method, tg.path, b, resp.StatusCode)
			}
		}
	})
}
