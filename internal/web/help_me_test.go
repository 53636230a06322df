package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// carDamage is a service of the catalogue the claim articles relate to, with a limit the
// answer page must tell before the customer starts.
var carDamage = map[string]any{
	"category":    "car",
	"name":        map[string]string{"he": "תביעת רכוש לרכב", "en": "Car damage claim", "ar": "مطالبة أضرار سيارة", "ru": "Заявление об ущербе авто", "am": "የመኪና ጉዳት ጥያቄ", "fr": "Déclaration de sinistre auto"},
	"description": map[string]string{"he": "הגשת תביעה אחרי תאונה", "en": "File a claim after an accident"},
	"channels":    []string{"web", "phone", "branch"},
	"limits": []map[string]any{{"rule": "damage > 20000 -> branch",
		"message": map[string]string{"en": "Damage above ₪20,000 is assessed at a branch.", "he": "נזק של יותר מ־20,000 ₪ נבדק בסניף."}}},
	"flow": []map[string]any{
		{"id": "damage", "kind": "question", "number": true, "label": map[string]string{"en": "The damage, in shekels", "he": "סכום הנזק"}},
		{"id": "confirm", "kind": "confirm", "label": map[string]string{"en": "Send", "he": "שליחה"}},
	},
}

// guest is a browser without JavaScript that keeps the help centre's cookies by hand (a cookie
// jar would not send Secure cookies over the test's plain http).
type guest struct {
	t       *testing.T
	base    string
	cookies map[string]string
}

func newGuest(t *testing.T, base string) *guest {
	return &guest{t: t, base: base, cookies: map[string]string{}}
}

func (g *guest) do(method, path string, form url.Values, header ...string) (int, string, http.Header) {
	g.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, g.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for k, v := range g.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(g.cookies, c.Name)
		} else {
			g.cookies[c.Name] = c.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// signIn asks for a code for identity and returns the code-step page.
func (g *guest) askCode(identity string) string {
	g.t.Helper()
	status, _, h := g.do("POST", "/help/sign-in?lang=en", url.Values{"identity": {identity}})
	if status != http.StatusSeeOther {
		g.t.Fatalf("ask for a code: %d", status)
	}
	_, page, _ := g.do("GET", h.Get("Location"), nil)
	return page
}

func (g *guest) typeCode(code string) (int, string) {
	g.t.Helper()
	status, page, h := g.do("POST", "/help/sign-in/code?lang=en", url.Values{"code": {code}, "back": {"/help/search?lang=en&q=claim"}})
	if status == http.StatusSeeOther {
		if h.Get("Location") != "/help/search?lang=en&q=claim" {
			g.t.Fatalf("signed in, back to %q", h.Get("Location"))
		}
		status, page, _ = g.do("GET", h.Get("Location"), nil)
	}
	return status, page
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// codeOf reads the last code sent to a customer, as the SMS provider would deliver it.
func codeOf(t *testing.T, e *env, customerID string) string {
	t.Helper()
	var text string
	if err := e.db.QueryRow(context.Background(), `SELECT text FROM messages WHERE customer_id = ? AND direction = 'out' ORDER BY created_at DESC, id DESC LIMIT 1`, customerID).Scan(&text); err != nil {
		t.Fatalf("no message was sent: %v", err)
	}
	m := sixDigits.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no code in %q", text)
	}
	return m[1]
}

type meEnv struct {
	*env
	dana, omer customer.Customer
	danaCase   selfservice.Case
	omerCase   selfservice.Case
}

// newMeEnv is the help centre with the claim articles, the car-claim service they relate to,
// an SMS channel for codes, and two customers with a case each.
func newMeEnv(t *testing.T, dsn string) *meEnv {
	t.Helper()
	ctx := context.Background()
	e := &meEnv{env: newEnv(t, dsn)}
	for _, in := range helpArticles {
		if strings.HasPrefix(in.ID, "claim-") {
			in.Services = []string{"car-damage"}
		}
		if _, err := e.app.Help.Create(ctx, event.Actor{Kind: event.ByUser, ID: "editor"}, in); err != nil {
			t.Fatal(err)
		}
	}
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/car-damage", carDamage); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	for _, ch := range []channel.Channel{
		{Name: "sms", Kind: "sms", Secret: "x", Enabled: true, Settings: map[string]string{"account_sid": "AC1", "from": "+972 3-555-0100", "api_base": "http://127.0.0.1:1"}},
		{Name: "phone", Kind: "voice", Secret: "x", Enabled: true, Settings: map[string]string{"account_sid": "AC1", "from": "+972 3-555-0199", "api_base": "http://127.0.0.1:1"}},
		{Name: "wa", Kind: "whatsapp", Secret: "x", Enabled: true, Settings: map[string]string{"verify_token": "v", "access_token": "a", "phone_number_id": "1", "display_phone_number": "+972 50-555-0111", "api_base": "http://127.0.0.1:1"}},
		{Name: "chat", Kind: "webchat", Secret: "x", Enabled: true},
	} {
		if _, err := e.chans.Ensure(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if e.dana, _, err = e.app.Customers.Resolve(ctx, customer.Phone, "050-123-4567", "Dana", event.System); err != nil {
		t.Fatal(err)
	}
	if e.omer, _, err = e.app.Customers.Resolve(ctx, customer.Phone, "052-765-4321", "Omer", event.System); err != nil {
		t.Fatal(err)
	}
	open := func(c customer.Customer) selfservice.Case {
		cs, err := e.app.SelfService.OpenCase(ctx, selfservice.CaseInput{CustomerID: c.ID, ServiceID: "car-damage", Answers: map[string]any{"damage": 5000.0}}, event.System)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	e.danaCase, e.omerCase = open(e.dana), open(e.omer)
	return e
}

// A Hebrew question with a prefix ("לתביעה") finds the service written with the bare word,
// and the answer page tells its channels and limits before the customer starts, with a link
// to start its flow; an English one finds it through the related articles.
func TestAnswerPageShowsFittingServices(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMeEnv(t, dsn)
		g := newGuest(t, e.http.URL)
		_, page, _ := g.do("GET", "/help/search?lang=he&q="+url.QueryEscape("איך מגישים לתביעה"), nil)
		for _, want := range []string{"שירותים שיכולים לעזור", "תביעת רכוש לרכב", "נזק של יותר מ־20,000 ₪ נבדק בסניף.", `href="/f/car-damage?lang=he"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the Hebrew answer page lacks %q", want)
			}
		}
		_, page, _ = g.do("GET", "/help/search?lang=en&q=collision", nil)
		for _, want := range []string{"Services that may help", "Car damage claim", "Damage above ₪20,000 is assessed at a branch.", "at a branch", `href="/f/car-damage?lang=en"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the English answer page lacks %q", want)
			}
		}
		if len(page) > 30<<10 {
			t.Errorf("the answer page is %d bytes", len(page))
		}
		_, page, _ = g.do("GET", "/help/search?lang=en&q=pension+statement", nil)
		if strings.Contains(page, "Car damage claim") {
			t.Errorf("an unrelated question shows the car claim")
		}
	})
}

// Signing in by code: a wrong code is refused and a right one then passes; the answer page
// then lists the customer's own open case with its stage and tracker link, and never another
// customer's; sign-out forgets them.
func TestSignInByCodeListsOwnCases(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMeEnv(t, dsn)
		g := newGuest(t, e.http.URL)
		_, page, _ := g.do("GET", "/help/search?lang=en&q=claim", nil)
		if !strings.Contains(page, "/help/sign-in?lang=en&amp;back=") || strings.Contains(page, e.danaCase.Ref) {
			t.Fatalf("anonymous answer page: no sign-in link, or a case shown")
		}
		page = g.askCode("050 123 4567")
		if !strings.Contains(page, "we have sent it a 6-digit code") || !strings.Contains(page, `autocomplete="one-time-code"`) {
			t.Fatalf("the code step:\n%s", page)
		}
		code := codeOf(t, e.env, e.dana.ID)
		if status, page := g.typeCode(wrongCode(code)); status != http.StatusUnprocessableEntity || !strings.Contains(page, "That code is not right") {
			t.Fatalf("a wrong code: %d\n%s", status, page)
		}
		if _, ok := g.cookies[web.CustomerCookie]; ok {
			t.Fatal("a wrong code signed the customer in")
		}
		status, page := g.typeCode(code)
		if status != http.StatusOK {
			t.Fatalf("the right code: %d", status)
		}
		for _, want := range []string{"Your requests", "Car damage claim", e.danaCase.Ref, "Received", "/s/", "Sign out"} {
			if !strings.Contains(page, want) {
				t.Errorf("signed in, the answer page lacks %q", want)
			}
		}
		if strings.Contains(page, e.omerCase.Ref) {
			t.Errorf("another customer's case is shown")
		}
		_, home, _ := g.do("GET", "/help?lang=en", nil)
		if !strings.Contains(home, e.danaCase.Ref) {
			t.Errorf("the home does not list the customer's case")
		}
		// The code opens nothing twice.
		g2 := newGuest(t, e.http.URL)
		g2.cookies[web.SignInCookie] = g.cookies[web.SignInCookie]
		g2.askCode("050 123 4567")
		if status, _ := g2.typeCode(code); status != http.StatusUnprocessableEntity {
			t.Errorf("the used code again: %d", status)
		}
		if status, _, _ := g.do("POST", "/help/sign-out", url.Values{"back": {"/help?lang=en"}}); status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", status)
		}
		_, home, _ = g.do("GET", "/help?lang=en", nil)
		if strings.Contains(home, e.danaCase.Ref) || !strings.Contains(home, "Sign in") {
			t.Errorf("signed out, the case is still shown")
		}
	})
}

func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// The answer is the same for a phone that is a customer's and one that is nobody's; a code
// for nobody never signs in, and is refused in the same words.
func TestSignInDoesNotTellWhoIsACustomer(t *testing.T) {
	e := newMeEnv(t, storetest.SQLitePath(t))
	known, unknown := newGuest(t, e.http.URL), newGuest(t, e.http.URL)
	a, b := known.askCode("050-123-4567"), unknown.askCode("050-000-0000")
	if a != b {
		t.Errorf("the code step differs between a customer's phone and nobody's")
	}
	if len(known.cookies[web.SignInCookie]) != len(unknown.cookies[web.SignInCookie]) {
		t.Errorf("the pending sign-in's shape differs")
	}
	_, wrongKnown := known.typeCode("123456")
	for range selfservice.CodeAttempts {
		status, page := unknown.typeCode("123456")
		if status != http.StatusUnprocessableEntity || page != wrongKnown {
			t.Fatalf("nobody's code: %d, or another answer than a customer's wrong code", status)
		}
	}
	if status, page, _ := unknown.do("POST", "/help/sign-in?lang=en", url.Values{"identity": {"not a phone"}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "not a phone number or an email address") {
		t.Errorf("an unreadable identity: %d", status)
	}
}

// Codes run out: after five wrong tries even the right code is refused; and a code is good
// for ten minutes only.
func TestSignInCodeAttemptsAndExpiry(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMeEnv(t, dsn)
		g := newGuest(t, e.http.URL)
		g.askCode("050-123-4567")
		code := codeOf(t, e.env, e.dana.ID)
		for range selfservice.CodeAttempts {
			g.typeCode(wrongCode(code))
		}
		if status, _ := g.typeCode(code); status != http.StatusUnprocessableEntity {
			t.Errorf("the right code after %d wrong ones: %d", selfservice.CodeAttempts, status)
		}
		e.clock.Advance(2 * time.Minute) // past the per-identity burst of codes
		g.askCode("050-123-4567")
		code = codeOf(t, e.env, e.dana.ID)
		e.clock.Advance(selfservice.CodeTTL + time.Second)
		if status, _ := g.typeCode(code); status != http.StatusUnprocessableEntity {
			t.Errorf("an expired code: %d", status)
		}
		if _, ok := g.cookies[web.CustomerCookie]; ok {
			t.Error("signed in with a spent code")
		}
	})
}

// A customer cookie that was tampered with, or has expired, signs nobody in; the tracker link
// signs its customer in.
func TestCustomerCookieIsVerified(t *testing.T) {
	e := newMeEnv(t, storetest.SQLitePath(t))
	ctx := context.Background()
	tok, _, err := e.app.SelfService.SessionToken(ctx, e.dana.ID)
	if err != nil {
		t.Fatal(err)
	}
	g := newGuest(t, e.http.URL)
	shown := func(cookie string) bool {
		g.cookies = map[string]string{web.CustomerCookie: cookie}
		_, page, _ := g.do("GET", "/help?lang=en", nil)
		return strings.Contains(page, e.danaCase.Ref)
	}
	if !shown(tok) {
		t.Fatal("a good cookie shows nothing")
	}
	// Another customer's id under Dana's signature; a flipped MAC; a tracker token as a cookie.
	other := e.omer.ID + tok[len(e.omer.ID):]
	flipped := tok[:len(tok)-2] + map[bool]string{true: "AA", false: "AB"}[!strings.HasSuffix(tok, "AA")]
	track, err := e.app.SelfService.Token(ctx, e.danaCase.ID, e.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]string{"another id": other, "a flipped MAC": flipped, "a tracker token": track, "garbage": "x.y.z"} {
		if shown(c) {
			t.Errorf("%s signs in", name)
		}
	}
	e.clock.Advance(selfservice.SessionTTL + time.Minute)
	if shown(tok) {
		t.Error("an expired cookie signs in")
	}
	// The tracker link: whoever opens it is signed in as its customer.
	g.cookies = map[string]string{}
	if status, _, _ := g.do("GET", "/s/"+track2(t, e), nil); status != http.StatusOK {
		t.Fatalf("tracker: %d", status)
	}
	if _, ok := g.cookies[web.CustomerCookie]; !ok {
		t.Fatal("the tracker set no customer cookie")
	}
	_, page, _ := g.do("GET", "/help?lang=en", nil)
	if !strings.Contains(page, e.danaCase.Ref) || strings.Contains(page, e.omerCase.Ref) {
		t.Error("after the tracker link, the help centre does not show the customer's own case")
	}
}

func track2(t *testing.T, e *meEnv) string {
	tok, err := e.app.SelfService.Token(context.Background(), e.danaCase.ID, e.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Nothing found: a visitor gets every enabled channel as a way to reach us, with the number
// to call; a signed-in customer with a kosher phone gets the phone and SMS, never WhatsApp or
// the chat.
func TestNothingFoundOffersFittingChannels(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMeEnv(t, dsn)
		ctx := context.Background()
		g := newGuest(t, e.http.URL)
		q := "/help/search?lang=en&q=" + url.QueryEscape("zebra xylophone")
		_, page, _ := g.do("GET", q, nil)
		for _, want := range []string{"Call us", `href="tel:&#43;97235550199"`, "Send us a text message", "Write to us on WhatsApp", "Chat with us now"} {
			if !strings.Contains(page, want) {
				t.Errorf("the visitor's ways lack %q", want)
			}
		}
		if strings.Contains(page, ">wa<") || strings.Contains(page, "test-api") {
			t.Errorf("raw channel names shown")
		}
		kosher := customer.Profile{Device: customer.Kosher}
		if _, err := e.app.Customers.Update(ctx, e.dana.ID, customer.Patch{Profile: &kosher}, event.System); err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.app.SelfService.SessionToken(ctx, e.dana.ID)
		if err != nil {
			t.Fatal(err)
		}
		g.cookies[web.CustomerCookie] = tok
		_, page, _ = g.do("GET", q, nil)
		for _, want := range []string{"Call us", "Send us a text message"} {
			if !strings.Contains(page, want) {
				t.Errorf("the kosher phone's ways lack %q", want)
			}
		}
		for _, not := range []string{"WhatsApp", "Chat with us now"} {
			if strings.Contains(page, not) {
				t.Errorf("the kosher phone is offered %q", not)
			}
		}
	})
}

// One phone is sent a few codes, then no more for a while, whoever asks; the answer stays the
// same, so the limit tells nothing either.
func TestSignInCodesPerIdentityAreLimited(t *testing.T) {
	e := newMeEnv(t, storetest.SQLitePath(t))
	first := newGuest(t, e.http.URL).askCode("050-123-4567")
	for range 5 {
		if page := newGuest(t, e.http.URL).askCode("+972501234567"); page != first {
			t.Fatal("over the limit, the answer changed")
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM flow_codes WHERE customer_id = ?`, e.dana.ID); n != 3 {
		t.Errorf("%d codes sent to one phone in a burst, want 3", n)
	}
	e.clock.Advance(time.Minute + time.Second)
	newGuest(t, e.http.URL).askCode("050-123-4567")
	if n := e.count(`SELECT COUNT(*) FROM flow_codes WHERE customer_id = ?`, e.dana.ID); n != 4 {
		t.Errorf("a minute later: %d codes, want 4", n)
	}
}

// Sign-in posts from another site are refused.
func TestSignInRefusesCrossOriginForms(t *testing.T) {
	e := newMeEnv(t, storetest.SQLitePath(t))
	g := newGuest(t, e.http.URL)
	status, _, _ := g.do("POST", "/help/sign-in", url.Values{"identity": {"050-123-4567"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if status != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d, want 403", status)
	}
	if n := e.count(`SELECT COUNT(*) FROM flow_codes`); n != 0 {
		t.Errorf("%d codes sent for a cross-site form", n)
	}
}
