package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var helpArticles = []helpcenter.Input{
	{ID: "claim-he", Group: "claim", Lang: "he", Category: "רכב", Title: "איך מגישים תביעת רכוש אחרי תאונה",
		Body: "אחרי תאונת דרכים מגישים **תביעה** לביטוח הרכב.\n\nיש לצרף דו\"ח משטרה, תמונות של הנזק ופרטי הנהג השני.", Status: helpcenter.Published},
	{ID: "claim-ar", Group: "claim", Lang: "ar", Category: "سيارة", Title: "كيف أقدم مطالبة بعد حادث سيارة",
		Body: "بعد حادث السيارة قدِّم المطالبة مع صور الأضرار وتقرير الشرطة.", Status: helpcenter.Published},
	{ID: "claim-ru", Group: "claim", Lang: "ru", Category: "Авто", Title: "Как подать заявление после ДТП",
		Body: "После аварии подайте заявление о выплате, приложите фотографии повреждений.", Status: helpcenter.Published},
	{ID: "claim-en", Group: "claim", Lang: "en", Category: "Car", Title: "How to file a collision claim",
		Body: "After an accident, file a **collision claim** with photos of the damage and the police report.\n\n- Photos\n- Police report", Status: helpcenter.Published},
	{ID: "xss-en", Lang: "en", Title: "Tricky <b>article</b>", Body: "<script>alert(1)</script> [click](javascript:alert(1)) [ok](https://example.com)", Status: helpcenter.Published},
	{ID: "draft-en", Lang: "en", Title: "Unreleased cover", Body: "Not yet.", Status: helpcenter.Draft},
	{ID: "internal-en", Lang: "en", Title: "Internal claim procedure", Body: "Claims above the limit need a manager.", Visibility: helpcenter.Internal, Status: helpcenter.Published},
}

func newHelpEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, storetest.SQLitePath(t))
	for _, in := range helpArticles {
		if _, err := e.app.Help.Create(context.Background(), event.Actor{Kind: event.ByUser, ID: "editor"}, in); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// page fetches a help page as a browser would (cookies kept, redirects not followed).
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) post(path string, form url.Values, headers map[string]string) (int, http.Header) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

var hrefRe = regexp.MustCompile(`href="([^"]+)"`)

// Each page, in each language: the right lang and dir, the landmarks and labels a screen
// reader needs, no inline script, and under 30 KB with its style sheet and script.
func TestHelpPagesInEveryLanguage(t *testing.T) {
	e := newHelpEnv(t)
	b := newBrowser(t, e.http.URL)
	_, css, _ := b.get("/help/static/help.css")
	_, js, _ := b.get("/help/static/help.js")
	for _, c := range []struct{ lang, dir, query string }{{"he", "rtl", "בתביעה"}, {"ar", "rtl", "مطالبه"}, {"ru", "ltr", "заявления"}, {"en", "ltr", "claims"}} {
		for _, path := range []string{"/help?lang=" + c.lang, "/help/search?lang=" + c.lang + "&q=" + url.QueryEscape(c.query), "/help/articles/claim-" + c.lang + "?lang=" + c.lang} {
			status, body, h := b.get(path)
			if status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
				continue
			}
			if !strings.Contains(body, `<html lang="`+c.lang+`" dir="`+c.dir+`">`) {
				t.Errorf("%s: no <html lang=%s dir=%s>", path, c.lang, c.dir)
			}
			for _, want := range []string{"<header", "<nav aria-label=", `<main id="main">`, "<footer", `<label for="q">`, `<a class="skip" href="#main">`, "<h1>"} {
				if !strings.Contains(body, want) && !(want == `<label for="q">` && strings.Contains(path, "/articles/")) {
					t.Errorf("%s: missing %s", path, want)
				}
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
				t.Errorf("%s: inline script or style (the CSP forbids them)", path)
			}
			if size := len(body) + len(css) + len(js); size > 30<<10 {
				t.Errorf("%s: %d bytes with CSS and script, want under 30 KB", path, size)
			}
			if h.Get("Content-Language") != c.lang {
				t.Errorf("%s: Content-Language %q", path, h.Get("Content-Language"))
			}
		}
	}
	// Without ?lang, the browser's language decides.
	req, _ := http.NewRequest("GET", e.http.URL+"/help", nil)
	req.Header.Set("Accept-Language", "ar-IL,ar;q=0.9,en;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `<html lang="ar" dir="rtl">`) {
		t.Error("Accept-Language ar did not pick the Arabic page")
	}
}

// The journey without JavaScript: search in one's own words, read the answer inline, open
// the article, say whether it helped. Every step is an event.
func TestHelpSearchClickAndFeedbackWithoutJavaScript(t *testing.T) {
	e := newHelpEnv(t)
	b := newBrowser(t, e.http.URL)
	status, body, _ := b.get("/help/search?lang=he&q=" + url.QueryEscape("וכשהתאונה קרתה איך מגישים את התביעות"))
	if status != http.StatusOK || !strings.Contains(body, "איך מגישים תביעת רכוש אחרי תאונה") {
		t.Fatalf("answer page: %d\n%s", status, body)
	}
	// The passage that answers is on the page itself, not only a link.
	if !strings.Contains(body, "<blockquote><p>אחרי תאונת דרכים מגישים תביעה") {
		t.Errorf("no passage inline:\n%s", body)
	}
	var articleURL string
	for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
		if strings.HasPrefix(m[1], "/help/articles/claim-he?") {
			articleURL = strings.ReplaceAll(m[1], "&amp;", "&")
			break
		}
	}
	if !strings.Contains(articleURL, "s=") {
		t.Fatalf("the answer's link carries no search id: %q", articleURL)
	}
	status, body, _ = b.get(articleURL)
	if status != http.StatusOK || !strings.Contains(body, "<strong>תביעה</strong>") || !strings.Contains(body, `id="read-aloud"`) {
		t.Fatalf("article page: %d\n%s", status, body)
	}
	// The other language variants are offered.
	for _, v := range []string{"/help/articles/claim-ar?", "/help/articles/claim-ru?", "/help/articles/claim-en?"} {
		if !strings.Contains(body, v) {
			t.Errorf("article page does not link its variant %s", v)
		}
	}
	u, _ := url.Parse(articleURL)
	form := url.Values{"helpful": {"yes"}, "s": {u.Query().Get("s")}, "lang": {"he"}}
	status, h := b.post("/help/articles/claim-he/feedback", form, map[string]string{"Origin": e.http.URL, "Sec-Fetch-Site": "same-origin"})
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "thanks=yes") {
		t.Fatalf("feedback: %d, Location %q", status, h.Get("Location"))
	}
	_, body, _ = b.get(h.Get("Location"))
	if !strings.Contains(body, "תודה על התשובה") {
		t.Error("no thanks after feedback")
	}
	// A form posted from another site is refused.
	if status, _ := b.post("/help/articles/claim-he/feedback", form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); status != http.StatusForbidden {
		t.Errorf("cross-site feedback: %d, want 403", status)
	}
	if status, _ := b.post("/help/articles/claim-he/feedback", url.Values{"helpful": {"maybe"}}, nil); status != http.StatusBadRequest {
		t.Errorf("feedback maybe: %d, want 400", status)
	}
	kinds := map[event.Kind]int{}
	evs, _ := e.app.Events.List(context.Background(), event.Filter{Kinds: []event.Kind{helpcenter.SearchPerformed, helpcenter.SearchClicked, helpcenter.ArticleFeedback}})
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds[helpcenter.SearchPerformed] != 1 || kinds[helpcenter.SearchClicked] != 1 || kinds[helpcenter.ArticleFeedback] != 1 {
		t.Errorf("events: %v, want one search, one click, one feedback", kinds)
	}
	if n := e.count(`SELECT COUNT(*) FROM help_signals WHERE kind IN ('click', 'helpful')`); n != 2 {
		t.Errorf("%d signals stored, want the click and the helpful answer", n)
	}
}

func TestHelpNothingFoundOffersChannels(t *testing.T) {
	e := newHelpEnv(t)
	// The ways to reach us are told as ways (a number to text), never as channel names; the
	// API channel is no way for a customer.
	if _, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "sms-il", Kind: "sms", Secret: "x", Enabled: true, Settings: map[string]string{"from": "+972 3-555-0100"}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.http.URL)
	_, body, _ := b.get("/help/search?lang=en&q=" + url.QueryEscape("zebra crossing parking fine"))
	if !strings.Contains(body, "We did not find an answer") || !strings.Contains(body, "Send us a text message") || strings.Contains(body, "test-api") || strings.Contains(body, "sms-il") {
		t.Errorf("no-result page without the channels:\n%s", body)
	}
	// Answered "no": sorry, and the ways to reach a person.
	status, h := b.post("/help/articles/claim-en/feedback", url.Values{"helpful": {"no"}, "lang": {"en"}}, nil)
	if status != http.StatusSeeOther {
		t.Fatalf("feedback without a search: %d", status)
	}
	_, body, _ = b.get(h.Get("Location"))
	if !strings.Contains(body, "Contact us") || !strings.Contains(body, "+972 3-555-0100") && !strings.Contains(body, "&#43;972 3-555-0100") {
		t.Errorf("after 'no', no way to reach a person:\n%s", body)
	}
	// The empty query goes back home; an unknown, draft or internal article is a 404 page.
	if status, _, _ := b.get("/help/search?q=+&lang=en"); status != http.StatusSeeOther {
		t.Errorf("empty search: %d", status)
	}
	for _, id := range []string{"nope", "draft-en", "internal-en"} {
		if status, body, _ := b.get("/help/articles/" + id + "?lang=en"); status != http.StatusNotFound || !strings.Contains(body, "does not exist") {
			t.Errorf("%s: %d", id, status)
		}
	}
	// Public search never shows internal articles.
	if _, body, _ := b.get("/help/search?lang=en&q=manager+limit+procedure"); strings.Contains(body, "Internal claim procedure") {
		t.Error("the public answer page shows an internal article")
	}
}

// Article text is escaped: markup in an article is shown, never run, and links go only
// where a reader may follow.
func TestHelpArticleMarkupIsSafe(t *testing.T) {
	e := newHelpEnv(t)
	_, body, _ := newBrowser(t, e.http.URL).get("/help/articles/xss-en?lang=en")
	for _, bad := range []string{"<script>alert", `href="javascript:`, "<b>article</b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("article page contains %q", bad)
		}
	}
	if !strings.Contains(body, `&lt;script&gt;`) || !strings.Contains(body, `<a href="https://example.com" rel="nofollow noopener">ok</a>`) {
		t.Errorf("article page:\n%s", body)
	}
}

func TestHelpWritesAreRateLimited(t *testing.T) {
	e := newHelpEnv(t)
	b := newBrowser(t, e.http.URL)
	form := url.Values{"helpful": {"yes"}}
	var limited bool
	for range 40 {
		status, h := b.post("/help/articles/claim-en/feedback", form, nil)
		if status == http.StatusTooManyRequests {
			limited = h.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Error("40 feedback posts in a row were all accepted")
	}
	// Searches past the limit are answered, and not recorded.
	before := e.count(`SELECT COUNT(*) FROM help_searches`)
	status, body, _ := b.get("/help/search?lang=en&q=collision")
	if status != http.StatusOK || !strings.Contains(body, "How to file a collision claim") {
		t.Errorf("search past the limit: %d", status)
	}
	if after := e.count(`SELECT COUNT(*) FROM help_searches`); after != before {
		t.Errorf("a search past the limit was recorded (%d → %d)", before, after)
	}
}

func TestHelpStaticAssetsAreFingerprinted(t *testing.T) {
	e := newHelpEnv(t)
	b := newBrowser(t, e.http.URL)
	_, body, _ := b.get("/help?lang=en")
	m := regexp.MustCompile(`href="(/help/static/help\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no fingerprinted style sheet link:\n%s", body)
	}
	status, css, h := b.get(m[1])
	if status != http.StatusOK || !strings.Contains(h.Get("Cache-Control"), "immutable") || !strings.HasPrefix(h.Get("Content-Type"), "text/css") || !strings.Contains(css, "margin-inline") {
		t.Errorf("%s: %d %v", m[1], status, h)
	}
	if status, _, _ := b.get("/help/static/nope.js"); status != http.StatusNotFound {
		t.Errorf("unknown asset: %d", status)
	}
}

// The console's API: agents read and search (internal articles too), admins edit, supervisors
// read the failed-search report.
func TestHelpArticlesAPI(t *testing.T) {
	e := newHelpEnv(t)
	status, body := e.call(auth.RoleAdmin, "POST", "/api/v1/articles", map[string]any{"lang": "en", "title": "Windscreen", "body": "Chips repaired free.", "status": "published", "tags": []string{"glass"}})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, body)
	}
	id := body["id"].(string)
	if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/articles", map[string]any{"lang": "en", "title": "x"}); status != http.StatusForbidden {
		t.Errorf("an agent created an article: %d", status)
	}
	status, body = e.call(auth.RoleAgent, "GET", "/api/v1/articles/search?q=windscreen+chips", nil)
	hits, _ := body["hits"].([]any)
	if status != http.StatusOK || len(hits) == 0 || hits[0].(map[string]any)["article"].(map[string]any)["id"] != id {
		t.Errorf("agent search: %d %v", status, body)
	}
	_, body = e.call(auth.RoleAgent, "GET", "/api/v1/articles/search?q=manager+procedure", nil)
	if hits, _ := body["hits"].([]any); len(hits) == 0 {
		t.Error("the agents' search does not find internal articles")
	}
	if status, body := e.call(auth.RoleAdmin, "PUT", "/api/v1/articles/"+id, map[string]any{"lang": "en", "title": "Windscreen", "body": "x", "revision": 7}); status != http.StatusConflict || body["error"].(map[string]any)["code"] != "stale_revision" {
		t.Errorf("stale update: %d %v", status, body)
	}
	if status, body := e.call(auth.RoleAdmin, "PUT", "/api/v1/articles/"+id, map[string]any{"lang": "en", "title": "", "body": ""}); status != http.StatusUnprocessableEntity {
		t.Errorf("empty article: %d %v", status, body)
	}
	if status, body := e.call(auth.RoleAdmin, "PUT", "/api/v1/articles/"+id, map[string]any{"lang": "en", "title": "Glass", "body": "Chips and cracks.", "status": "published", "revision": 1}); status != http.StatusOK || body["revision"] != float64(2) {
		t.Errorf("update: %d %v", status, body)
	}
	if status, body := e.call(auth.RoleAgent, "GET", "/api/v1/articles/"+id+"/revisions", nil); status != http.StatusOK || len(items(body)) != 2 {
		t.Errorf("revisions: %d %v", status, body)
	}
	// Import and export as JSON lines.
	req, _ := http.NewRequest("POST", e.http.URL+"/api/v1/articles/import", strings.NewReader(`{"id":"imp-1","lang":"en","body":"imported answer about towing"}`+"\n"))
	req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleAdmin])
	if status, body := e.do(req); status != http.StatusOK || body["created"] != float64(1) {
		t.Errorf("import: %d %v", status, body)
	}
	req, _ = http.NewRequest("POST", e.http.URL+"/api/v1/articles/import", strings.NewReader("{\"lang\":\n"))
	req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleAdmin])
	if status, body := e.do(req); status != http.StatusBadRequest || body["error"].(map[string]any)["code"] != "bad_line" {
		t.Errorf("bad import: %d %v", status, body)
	}
	req, _ = http.NewRequest("GET", e.http.URL+"/api/v1/articles/export?status=published", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleSupervisor])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := bytes.Count(raw, []byte("\n"))
	if resp.StatusCode != http.StatusOK || lines != 8 {
		t.Errorf("export: %d, %d lines, want 8 published articles", resp.StatusCode, lines)
	}
	// The lay map through the API changes what a customer's words find.
	if status, body := e.call(auth.RoleAdmin, "PUT", "/api/v1/help/lay-phrases", map[string]any{"lang": "en", "phrase": "busted windshield", "terms": "glass chips cracks", "weight": 1}); status != http.StatusOK {
		t.Errorf("lay phrase: %d %v", status, body)
	}
	b := newBrowser(t, e.http.URL)
	if _, page, _ := b.get("/help/search?lang=en&q=busted+windshield"); !strings.Contains(page, ">Glass</a>") {
		t.Errorf("lay phrase did not reach the answer page:\n%s", page)
	}
	// The failed-search report.
	b.get("/help/search?lang=en&q=" + url.QueryEscape("pet insurance for parrots"))
	status, body = e.call(auth.RoleSupervisor, "GET", "/api/v1/help/failed-searches", nil)
	var found bool
	for _, it := range items(body) {
		if it["key"] == helpcenter.NormalizeQuery("pet insurance for parrots") && it["no_results"] == float64(1) {
			found = true
		}
	}
	if status != http.StatusOK || !found {
		t.Errorf("report: %d %v", status, body)
	}
	if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/help/failed-searches", nil); status != http.StatusForbidden {
		t.Errorf("an agent read the report: %d", status)
	}
	if status, _ := e.call(auth.RoleAdmin, "DELETE", "/api/v1/articles/"+id, nil); status != http.StatusNoContent {
		t.Errorf("delete: %d", status)
	}
}

// The help centre's catalogs agree key by key in all six customer languages, and declare
// their direction.
func TestHelpCatalogs(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, l := range []string{"en", "he", "ar", "ru", "am", "fr"} {
		raw := readLocale(t, l)
		fsys["locales/"+l+".json"] = &fstest.MapFile{Data: raw}
	}
	b, err := i18n.LoadFS(fsys, "locales")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Check() {
		t.Error(p)
	}
	en, _ := b.Catalog("en")
	for _, l := range b.Languages() {
		c, _ := b.Catalog(l)
		if (l == "he" || l == "ar") != (c.Dir == i18n.RTL) {
			t.Errorf("%s declares %s", l, c.Dir)
		}
		if len(c.Keys()) != len(en.Keys()) {
			t.Errorf("%s has %d keys, en %d", l, len(c.Keys()), len(en.Keys()))
		}
		for _, k := range en.Keys() {
			m, ok := c.Message(k)
			want, _ := en.Message(k)
			if !ok || m.Text == "" {
				t.Errorf("%s: %s missing or empty", l, k)
				continue
			}
			if strings.Join(i18n.Placeholders(m.Text), ",") != strings.Join(i18n.Placeholders(want.Text), ",") {
				t.Errorf("%s: %s placeholders %v, en %v", l, k, i18n.Placeholders(m.Text), i18n.Placeholders(want.Text))
			}
		}
	}
}

func readLocale(t *testing.T, lang string) []byte {
	t.Helper()
	raw, err := os.ReadFile("templates/help/locales/" + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var probe map[string]any
	if err := json.Unmarshal(raw, &probe); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return raw
}

// FuzzHelpInputs: arbitrary bodies to the help centre's writing routes are answered with a
// 4xx or success, never a 5xx.
func FuzzHelpInputs(f *testing.F) {
	for _, s := range []string{`{"lang":"he","title":"x","body":"y"}`, `{"id":"a b","lang":"en"}`, `{"lang":"en","phrase":"car","terms":"auto","weight":1}`,
		"{\"id\":\"i1\",\"lang\":\"en\",\"body\":\"z\"}\n{", "helpful=yes&s=x", `{"lang":"zz-ZZZZ-1","title":"` + strings.Repeat("ב", 400) + `"}`} {
		f.Add([]byte(s))
	}
	e := newEnv(f, storetest.SQLitePath(f))
	targets := []struct{ method, path, ctype string }{
		{"POST", "/api/v1/articles", "application/json"},
		{"PUT", "/api/v1/articles/nope", "application/json"},
		{"POST", "/api/v1/articles/import", "application/x-ndjson"},
		{"PUT", "/api/v1/help/lay-phrases", "application/json"},
		{"POST", "/help/articles/nope/feedback", "application/x-www-form-urlencoded"},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tg := range targets {
			req, _ := http.NewRequest(tg.method, e.http.URL+tg.path, bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleAdmin])
			req.Header.Set("Content-Type", tg.ctype)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s with %q: %d", tg.method, tg.path, b, resp.StatusCode)
			}
		}
		resp, err := http.Get(e.http.URL + "/help/search?lang=he&q=" + url.QueryEscape(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("search %q: %d", b, resp.StatusCode)
		}
	})
}
