package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

const voiceToken = "test-twilio-token"

// fakeTwilio is the far side of the voice and SMS channels: Twilio's REST API, as far as Gesher
// uses it — Messages.json for texts, Calls/{sid}.json for releasing a waiting call.
type fakeTwilio struct {
	mu       sync.Mutex
	messages []url.Values
	calls    map[string][]url.Values // by CallSid: the modifications asked for
	srv      *httptest.Server
}

func newFakeTwilio(t *testing.T) *fakeTwilio {
	f := &fakeTwilio{calls: map[string][]url.Values{}}
	callPath := regexp.MustCompile(`^/2010-04-01/Accounts/AC[0-9a-z]+/Calls/(CA[0-9a-f]{32})\.json$`)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != voiceToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code": 20003, "message": "Authenticate", "status": 401}`)
			return
		}
		_ = r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch m := callPath.FindStringSubmatch(r.URL.Path); {
		case strings.HasSuffix(r.URL.Path, "/Messages.json"):
			f.messages = append(f.messages, r.PostForm)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"sid": "SM`+strings.Repeat("0", 31)+string(rune('a'+len(f.messages)))+`", "status": "queued"}`)
		case m != nil:
			f.calls[m[1]] = append(f.calls[m[1]], r.PostForm)
			_, _ = io.WriteString(w, `{"sid": "`+m[1]+`", "status": "in-progress"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTwilio) texts() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.messages...)
}

func (f *fakeTwilio) releases(sid string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.calls[sid]...)
}

// twiml is the part of a TwiML answer the tests follow, as Twilio reads it.
type twiml struct {
	Says   []twimlSay `xml:"Say"`
	Gather *struct {
		Action   string     `xml:"action,attr"`
		Input    string     `xml:"input,attr"`
		Language string     `xml:"language,attr"`
		Says     []twimlSay `xml:"Say"`
	} `xml:"Gather"`
	Enqueue *struct {
		Queue   string `xml:",chardata"`
		WaitURL string `xml:"waitUrl,attr"`
		Action  string `xml:"action,attr"`
	} `xml:"Enqueue"`
	Play     string    `xml:"Play"`
	Redirect string    `xml:"Redirect"`
	Hangup   *struct{} `xml:"Hangup"`
	raw      string
}

type twimlSay struct {
	Language string `xml:"language,attr"`
	Text     string `xml:",chardata"`
}

func (x twiml) said() string {
	var all []string
	for _, s := range x.Says {
		all = append(all, s.Text)
	}
	if x.Gather != nil {
		for _, s := range x.Gather.Says {
			all = append(all, s.Text)
		}
	}
	return strings.Join(all, " | ")
}

// menuEnv is a server with a voice channel answered by the demo's menu, an SMS channel for its
// links, both pointing at a fake Twilio.
type menuEnv struct {
	*env
	twilio     *fakeTwilio
	voice, sms channel.Channel
}

func newMenuEnv(t *testing.T, dsn string) *menuEnv {
	e := &menuEnv{env: newEnv(t, dsn), twilio: newFakeTwilio(t)}
	ctx := context.Background()
	var err error
	common := map[string]string{twilio.SettingAccountSID: "AC" + strings.Repeat("0", 32), twilio.SettingAPIBase: e.twilio.srv.URL}
	smsSettings := map[string]string{twilio.SettingFrom: "+97235550199"}
	voiceSettings := map[string]string{"menu": demo.MenuID, "sms_channel": "test-sms"}
	for k, v := range common {
		smsSettings[k], voiceSettings[k] = v, v
	}
	if e.sms, err = e.chans.Ensure(ctx, channel.Channel{Name: "test-sms", Kind: twilio.Kind, Secret: voiceToken, Enabled: true, Settings: smsSettings}); err != nil {
		t.Fatal(err)
	}
	if e.voice, err = e.chans.Ensure(ctx, channel.Channel{Name: "test-voice", Kind: twilio.VoiceKind, Secret: voiceToken, Enabled: true, Settings: voiceSettings}); err != nil {
		t.Fatal(err)
	}
	// Supervisors write menus over the API; an agent may not.
	if status, _ := e.call(auth.RoleAgent, "PUT", "/api/v1/menus/"+demo.MenuID, demo.Menu()); status != http.StatusForbidden {
		t.Fatalf("an agent writing a menu: %d; want 403", status)
	}
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/menus/"+demo.MenuID, demo.Menu()); status != http.StatusOK {
		t.Fatalf("put menu: %d %v", status, body)
	}
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/car-claim", carClaim); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	// Branches are the branch package's; the menu reads them.
	for i, b := range [][3]string{{"Tel Aviv — Azrieli", "Tel Aviv", "Derech Menachem Begin 132, Tel Aviv"}, {"Haifa — Hadar", "Haifa", "Herzl 20, Haifa"}} {
		if _, err := e.db.Writer().ExecContext(ctx, e.db.Rebind(`INSERT INTO branches (id, name, city, address, phone, created_at) VALUES (?, ?, ?, ?, '', 0)`),
			"branch-"+string(rune('a'+i)), b[0], b[1], b[2]); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// post sends one of Twilio's voice webhooks to u, signed as Twilio signs it, and returns the
// TwiML.
func (e *menuEnv) post(u string, form url.Values) (int, twiml) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Signature(voiceToken, u, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var x twiml
	if resp.StatusCode == http.StatusOK {
		if err := xml.Unmarshal(raw, &x); err != nil {
			e.t.Fatalf("%s: not TwiML: %v\n%s", u, err, raw)
		}
	}
	x.raw = string(raw)
	return resp.StatusCode, x
}

func (e *menuEnv) hookURL() string { return e.http.URL + "/hooks/voice/" + e.voice.Name }

func callForm(sid, from, status string, extra ...string) url.Values {
	f := url.Values{"CallSid": {sid}, "AccountSid": {"AC" + strings.Repeat("0", 32)}, "From": {from}, "To": {"+97235550100"},
		"CallStatus": {status}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// gather answers the prompt of x, as Twilio does when the caller pressed or said something.
func (e *menuEnv) gather(x twiml, sid, from string, input ...string) (int, twiml) {
	e.t.Helper()
	if x.Gather == nil {
		e.t.Fatalf("no <Gather> to answer in %s", x.raw)
	}
	if x.Gather.Input != "dtmf speech" {
		e.t.Errorf("Gather input = %q; want keypad and speech", x.Gather.Input)
	}
	return e.post(x.Gather.Action, callForm(sid, from, "in-progress", input...))
}

func (e *menuEnv) menuEvents(kind event.Kind) int {
	return e.count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(kind))
}

var menuLink = regexp.MustCompile(`/m/[0-9a-z]{26}\.[0-9a-z]+\.[A-Za-z0-9_-]+`)

func (e *menuEnv) page(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.http.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A Hebrew caller the service does not know yet: asked for a language, walks the menu by key
// and by voice, hears the status of their claim, asks for the visual menu by SMS, keeps their
// place in the queue while using it, and is handed over to an agent who reads the whole way
// there before answering.
func TestAHebrewCallWalksTheMenuUsesTheVisualMenuAndIsHandedOver(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		const sid, from = "CA0123456789abcdef0123456789abcdef", "+972501112233"

		status, x := e.post(e.hookURL(), callForm(sid, from, "ringing"))
		if status != http.StatusOK || x.Gather == nil || len(x.Gather.Says) != 4 {
			t.Fatalf("ringing: %d %s; want the language question in four languages", status, x.raw)
		}
		if s := x.Gather.Says[0]; s.Language != "he-IL" || s.Text != "לעברית, הקישו 1." {
			t.Errorf("first offer %+v; want Hebrew, press 1", s)
		}
		if s := x.Gather.Says[2]; s.Language != "ru-RU" || s.Text != "Для русского языка нажмите 3." {
			t.Errorf("third offer %+v; want Russian, press 3", s)
		}
		// Twilio retrying the ringing webhook gets the same answer; nothing starts twice.
		if _, again := e.post(e.hookURL(), callForm(sid, from, "ringing")); again.raw != x.raw {
			t.Errorf("retried ringing answered\n%s\nwant\n%s", again.raw, x.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM menu_calls`); n != 1 {
			t.Errorf("%d calls stored; want 1", n)
		}
		// Silence: asked again.
		_, x = e.gather(x, sid, from)
		if x.Gather == nil || len(x.Gather.Says) != 4 || e.menuEvents("menu.input-missed") != 1 {
			t.Fatalf("after silence: %s; want the question again, and the miss recorded", x.raw)
		}
		_, x = e.gather(x, sid, from, "Digits", "1")
		if x.Gather == nil || x.Gather.Language != "he-IL" || !strings.Contains(x.said(), "למצב תביעה הקישו 1") {
			t.Fatalf("after choosing Hebrew: %s; want the main menu in Hebrew", x.raw)
		}
		cust, err := e.app.Customers.FindByIdentity(context.Background(), customer.Phone, from)
		if err != nil || len(cust.Languages) != 1 || cust.Languages[0] != "he" {
			t.Fatalf("caller %+v, %v; want Hebrew in their profile now", cust, err)
		}
		// A claim of theirs, to ask about.
		status, made := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": cust.ID, "service_id": "car-claim", "answers": map[string]any{}})
		if status != http.StatusCreated {
			t.Fatalf("open case: %d %v", status, made)
		}
		ref, _ := made["ref"].(string)

		// Said, not pressed: "I want to know the state of my claim".
		before := x
		_, x = e.gather(before, sid, from, "SpeechResult", "אני רוצה לדעת מה מַצָּב התביעה", "Confidence", "0.82")
		if !strings.Contains(x.said(), "מספר "+ref) || !strings.Contains(x.said(), "התקבלה") || x.Gather == nil {
			t.Fatalf("claim status: %s; want reference %s and its stage, then the menu again", x.raw, ref)
		}
		// The provider retrying that step: the same answer, and the caller is not moved twice.
		if _, again := e.gather(before, sid, from, "SpeechResult", "אני רוצה לדעת מה מַצָּב התביעה"); again.raw != x.raw {
			t.Errorf("retried step answered\n%s\nwant\n%s", again.raw, x.raw)
		}
		if n := e.menuEvents("menu.option-chosen"); n != 1 {
			t.Errorf("%d choices recorded; want 1", n)
		}
		// 4: the visual menu by SMS, and into the line.
		_, x = e.gather(x, sid, from, "Digits", "4")
		if x.Enqueue == nil || x.Enqueue.Queue != e.voice.Name || !strings.Contains(x.said(), "המקום שלכם בתור נשמר") {
			t.Fatalf("visual menu: %s; want the SMS announced and the caller enqueued", x.raw)
		}
		e.runJobs()
		var link string
		for _, m := range e.twilio.texts() {
			if m.Get("To") == from && menuLink.MatchString(m.Get("Body")) {
				link = menuLink.FindString(m.Get("Body"))
			}
		}
		if link == "" {
			t.Fatalf("no visual-menu link texted to %s: %v", from, e.twilio.texts())
		}
		// Holding: Twilio asks what the caller hears, telling the position.
		_, hold := e.post(x.Enqueue.WaitURL, callForm(sid, from, "in-progress", "QueuePosition", "2", "QueueSid", "QU"+strings.Repeat("1", 32)))
		if !strings.Contains(hold.said(), "אתם במקום 2 בתור") || hold.Play == "" {
			t.Errorf("hold: %s; want the position, then music", hold.raw)
		}
		// The visual menu on the phone's screen: Hebrew, right to left, the place in line kept.
		status, body := e.page(link)
		if status != http.StatusOK || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "אתם במקום 2 בתור") || !strings.Contains(body, "חזרו אליי במקום להמתין") {
			t.Fatalf("visual menu: %d; want Hebrew, the position and the callback button\n%s", status, body)
		}
		status, body = e.page(link + "?node=status")
		if status != http.StatusOK || !strings.Contains(body, ref) || !strings.Contains(body, "/s/") {
			t.Fatalf("claim status on screen: %d; want %s with its tracker link\n%s", status, ref, body)
		}
		// By reference and the last four digits of the number it was made from: both must match.
		if _, body := e.page(link + "?node=status&ref=" + url.QueryEscape(strings.ToLower(ref)) + "&check=0000"); !strings.Contains(body, "לא מצאנו פנייה עם מספר הפנייה והטלפון האלה") {
			t.Errorf("a wrong check found something")
		}
		if _, body := e.page(link + "?node=status&ref=" + url.QueryEscape(ref) + "&check=" + from[len(from)-4:]); !strings.Contains(body, `<p role="status"><strong>תביעת רכב</strong>`) {
			t.Errorf("the case was not found by its reference and check")
		}
		// A tampered link opens nothing.
		if status, _ := e.page(link[:len(link)-2] + "xx"); status != http.StatusNotFound {
			t.Errorf("tampered link: %d; want 404", status)
		}
		// The agent, before answering: the call waits, and its context says it all.
		status, waiting := e.call(auth.RoleAgent, "GET", "/api/v1/calls", nil)
		if status != http.StatusOK || len(items(waiting)) != 1 {
			t.Fatalf("waiting calls: %d %v", status, waiting)
		}
		status, ctxv := e.call(auth.RoleAgent, "GET", "/api/v1/calls/"+sid+"/context", nil)
		if status != http.StatusOK {
			t.Fatalf("context: %d %v", status, ctxv)
		}
		caller := ctxv["caller"].(map[string]any)
		if caller["phone"] != from || ctxv["reason"] != "התפריט על מסך הטלפון" || ctxv["position"] != float64(2) {
			t.Errorf("context caller %v, reason %v, position %v; want the number, the last choice and place 2", caller, ctxv["reason"], ctxv["position"])
		}
		kinds := func(list any) []string {
			var out []string
			for _, s := range list.([]any) {
				out = append(out, s.(map[string]any)["kind"].(string))
			}
			return out
		}
		path, visual := strings.Join(kinds(ctxv["path"]), " "), strings.Join(kinds(ctxv["visual"]), " ")
		if path != "menu.call-started menu.input-missed menu.language-chosen menu.option-chosen menu.action menu.option-chosen menu.action menu.queued" {
			t.Errorf("menu path %s", path)
		}
		if !strings.HasPrefix(visual, "menu.visual-opened menu.visual-step") || !strings.Contains(string(mustJSON(ctxv["visual"])), `"case-status"`) {
			t.Errorf("visual menu %s; want the opening and the case-status look-up", visual)
		}
		conv, _ := ctxv["conversation"].(map[string]any)
		if conv == nil || conv["customer_id"] != cust.ID {
			t.Fatalf("context conversation %v; want the caller's open conversation", conv)
		}
		// The same, from the conversation the console has open.
		if status, byConv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+conv["id"].(string)+"/call", nil); status != http.StatusOK || byConv["reason"] != ctxv["reason"] {
			t.Errorf("context by conversation: %d %v", status, byConv)
		}
		// An agent takes the call: the hand-over is recorded, and the line is empty.
		// Once the agent hangs up, the caller, still on the line, is asked the keypad survey.
		_, left := e.post(x.Enqueue.Action, callForm(sid, from, "in-progress", "QueueResult", "bridged", "QueueTime", "95"))
		if left.Redirect != e.hookURL()+"?survey=ask" {
			t.Fatalf("after the agent: %s; want the survey", left.raw)
		}
		if _, ask := e.post(left.Redirect, callForm(sid, from, "in-progress")); ask.Gather == nil || ask.Gather.Input != "dtmf" || !strings.Contains(ask.raw, "הקישו") {
			t.Errorf("survey question %s; want a keypad gather, in Hebrew", ask.raw)
		} else if _, thanks := e.post(ask.Gather.Action, callForm(sid, from, "in-progress", "Digits", "5")); thanks.Hangup == nil || !strings.Contains(thanks.raw, "תודה") {
			t.Errorf("after the digit %s; want thanks, then the end of the call", thanks.raw)
		} else if n := e.count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered' AND customer_id = ?`, cust.ID); n != 1 {
			t.Errorf("%d survey answers from the caller; want the 5 pressed", n)
		}
		if e.menuEvents("menu.handed-over") != 1 {
			t.Error("hand-over not recorded")
		}
		if _, waiting := e.call(auth.RoleAgent, "GET", "/api/v1/calls", nil); len(items(waiting)) != 0 {
			t.Errorf("waiting after the hand-over: %v", waiting)
		}
		// The end of the call.
		if status, _ := e.post(e.hookURL(), callForm(sid, from, "completed", "CallDuration", "300")); status != http.StatusNoContent {
			t.Errorf("end of call: %d; want 204", status)
		}
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// A Russian caller known by their profile hears the menu in Russian at once, asks by voice for
// the menu on their screen, serves themself there and says "done": the call is released with
// a goodbye through the provider and recorded as contained. A kosher-phone caller asking for
// the same is never texted a link.
func TestARussianCallerFinishesOnTheVisualMenuAndAKosherPhoneGetsNoLink(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		ctx := context.Background()
		const sid, from = "CAfedcba9876543210fedcba9876543210", "+972521234567"
		cust, _, err := e.app.Customers.Resolve(ctx, customer.Phone, from, "Ольга", event.System)
		if err != nil {
			t.Fatal(err)
		}
		ru := []string{"ru", "he"}
		if _, err := e.app.Customers.Update(ctx, cust.ID, customer.Patch{Languages: &ru}, event.System); err != nil {
			t.Fatal(err)
		}
		_, x := e.post(e.hookURL(), callForm(sid, from, "ringing"))
		if x.Gather == nil || x.Gather.Language != "ru-RU" || !strings.Contains(x.said(), "Меню на экране телефона — 4") {
			t.Fatalf("known caller: %s; want the main menu in Russian at once", x.raw)
		}
		// Not an option, then the right words.
		_, x = e.gather(x, sid, from, "SpeechResult", "погода в Хайфе")
		if !strings.Contains(x.said(), "такого варианта нет") {
			t.Errorf("unmatched speech: %s", x.raw)
		}
		_, x = e.gather(x, sid, from, "SpeechResult", "Пришлите мне ССЫЛКУ, пожалуйста")
		if x.Enqueue == nil {
			t.Fatalf("visual menu by voice: %s", x.raw)
		}
		e.runJobs()
		var link string
		for _, m := range e.twilio.texts() {
			if m.Get("To") == from {
				link = menuLink.FindString(m.Get("Body"))
			}
		}
		if link == "" {
			t.Fatalf("no link texted: %v", e.twilio.texts())
		}
		status, body := e.page(link)
		if status != http.StatusOK || !strings.Contains(body, `lang="ru"`) || !strings.Contains(body, "Вы 1-й в очереди") {
			t.Fatalf("visual menu: %d\n%s", status, body)
		}
		// French, which the phone does not speak, is on the screen: the switch offers it and
		// the menu's own words are French. A language the menu lacks keeps Russian.
		if _, body := e.page(link + "?lang=fr"); !strings.Contains(body, `lang="fr"`) || !strings.Contains(body, "Parler à un conseiller") || !strings.Contains(body, `hreflang="am"`) {
			t.Errorf("?lang=fr: want the menu in French, with Amharic in the switch\n%s", body)
		}
		if _, body := e.page(link + "?lang=de"); !strings.Contains(body, `lang="ru"`) || strings.Contains(body, `hreflang="de"`) {
			t.Errorf("?lang=de: want the page in the call's Russian")
		}
		// Nearest branch by city, and by location.
		if _, body := e.page(link + "?city=Haifa"); !strings.Contains(body, "Herzl 20, Haifa") {
			t.Errorf("branches of Haifa not shown")
		}
		if _, body := e.page(link + "?near=32.80,34.99"); !strings.Contains(body, "Herzl 20, Haifa") {
			t.Errorf("the branch nearest 32.80,34.99 is Haifa's")
		}
		// "Done, thanks": a cross-site post is refused; the page's own form releases the call.
		form := url.Values{"action": {"done"}}
		req, _ := http.NewRequest("POST", e.http.URL+link, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post: %v %v; want 403", resp, err)
		}
		req, _ = http.NewRequest("POST", e.http.URL+link, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirect.Do(req)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("done: %v %v", resp, err)
		}
		rel := e.twilio.releases(sid)
		if len(rel) != 1 || !strings.Contains(rel[0].Get("Twiml"), "До свидания") || !strings.Contains(rel[0].Get("Twiml"), "<Hangup/>") {
			t.Fatalf("release asked of Twilio: %v; want one goodbye in Russian, then hang up", rel)
		}
		if e.menuEvents("menu.contained") != 1 {
			t.Error("the call is not recorded as contained")
		}
		_, body = e.page(resp.Header.Get("Location"))
		if !strings.Contains(body, "Спасибо! Мы завершили звонок.") {
			t.Errorf("after done: %s", body)
		}

		// A kosher phone: no SMS link, and the caller still reaches an agent.
		const ksid, kfrom = "CA00000000000000000000000000000077", "+972527654321"
		kc, _, err := e.app.Customers.Resolve(ctx, customer.Phone, kfrom, "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		he := []string{"he"}
		if _, err := e.app.Customers.Update(ctx, kc.ID, customer.Patch{Languages: &he, Profile: &customer.Profile{Device: customer.Kosher}}, event.System); err != nil {
			t.Fatal(err)
		}
		_, x = e.post(e.hookURL(), callForm(ksid, kfrom, "ringing"))
		texts := len(e.twilio.texts())
		_, x = e.gather(x, ksid, kfrom, "Digits", "4")
		e.runJobs()
		if x.Enqueue == nil || !strings.Contains(x.said(), "הטלפון שלכם לא יכול לקבל את הקישורים שלנו") || len(e.twilio.texts()) != texts {
			t.Errorf("kosher phone: %s, %d texts (was %d); want no link and the caller in line", x.raw, len(e.twilio.texts()), texts)
		}
	})
}

// A callback booked on the phone ends the call and turns the caller's conversation into a
// callback agents see; a bad menu step is a 400 that stores nothing.
func TestACallbackIsBookedAndBadStepsAreRefused(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		ctx := context.Background()
		const sid, from = "CA11111111111111111111111111111199", "+972541111111"
		c, _, _ := e.app.Customers.Resolve(ctx, customer.Phone, from, "Sam", event.System)
		en := []string{"en"}
		if _, err := e.app.Customers.Update(ctx, c.ID, customer.Patch{Languages: &en}, event.System); err != nil {
			t.Fatal(err)
		}
		_, x := e.post(e.hookURL(), callForm(sid, from, "ringing"))
		events := e.count(`SELECT COUNT(*) FROM events`)
		for _, bad := range []string{"?menu=gather&step=x", "?menu=gather&step=-1", "?menu=nonsense"} {
			if status, _ := e.post(e.hookURL()+bad, callForm(sid, from, "in-progress", "Digits", "5")); status != http.StatusBadRequest {
				t.Errorf("%s: %d; want 400", bad, status)
			}
		}
		if status, _ := e.post(x.Gather.Action, callForm(sid, from, "in-progress", "Digits", "5<script>")); status != http.StatusBadRequest {
			t.Errorf("digits that are not keys: %d; want 400", status)
		}
		if n := e.count(`SELECT COUNT(*) FROM events`); n != events {
			t.Errorf("bad steps wrote %d events", n-events)
		}
		_, x = e.gather(x, sid, from, "Digits", "5")
		if x.Hangup == nil || !strings.Contains(x.said(), "We will call you back") {
			t.Fatalf("callback: %s", x.raw)
		}
		if e.menuEvents("menu.callback-booked") != 1 || e.count(`SELECT COUNT(*) FROM events WHERE kind = 'conversation.moved' AND data LIKE '%callback%'`) != 1 {
			t.Error("the callback is not on the caller's conversation")
		}
	})
}

// "Carry on in WhatsApp" sends the template where WhatsApp fits the caller, and never to a
// kosher phone.
func TestWhatsAppIsOfferedOnlyWhereItFits(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		ctx := context.Background()
		wa, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-whatsapp", Kind: "whatsapp", Secret: "s", Enabled: true, Settings: map[string]string{"phone_number_id": "1", "access_token": "t", "api_base": e.twilio.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		both := func(s string) map[string]string { return map[string]string{"he": s, "en": s} }
		tree := map[string]any{"name": "WhatsApp test", "languages": []string{"he", "en"}, "start": "main", "nodes": []map[string]any{
			{"id": "main", "title": both("Main"), "prompt": both("Press 1 for WhatsApp, 2 for an agent"), "options": []map[string]any{
				{"digit": "1", "label": both("WhatsApp"), "next": "wa"}, {"digit": "2", "label": both("Agent"), "next": "agent"}}},
			{"id": "wa", "title": both("WhatsApp"), "prompt": both("WhatsApp"), "action": map[string]any{"kind": "whatsapp", "text": both("Hello {{1}}, continue here.")}},
			{"id": "agent", "title": both("Agent"), "prompt": both("Hold"), "action": map[string]any{"kind": "queue"}},
		}}
		if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/menus/wa-test", tree); status != http.StatusOK {
			t.Fatalf("put menu: %d %v", status, body)
		}
		// A tree whose option leads nowhere is refused whole, naming the field.
		tree["nodes"].([]map[string]any)[0]["options"].([]map[string]any)[1]["next"] = "gone"
		if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/menus/wa-test", tree); status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "nodes[0].options[1].next" {
			t.Errorf("dangling option: %d %v; want 422 naming it", status, body)
		}
		settings := map[string]string{"menu": "wa-test"}
		for k, v := range e.voice.Settings {
			if k != "menu" {
				settings[k] = v
			}
		}
		if _, err := e.chans.Update(ctx, e.voice.ID, channel.Patch{Settings: settings}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sid, from, device string
			sent              bool
		}{
			{"CA22222222222222222222222222222201", "+972502222201", customer.Smartphone, true},
			{"CA22222222222222222222222222222202", "+972502222202", customer.Kosher, false},
		} {
			cust, _, _ := e.app.Customers.Resolve(ctx, customer.Phone, c.from, "", event.System)
			en := []string{"en"}
			if _, err := e.app.Customers.Update(ctx, cust.ID, customer.Patch{Languages: &en, Profile: &customer.Profile{Device: c.device}}, event.System); err != nil {
				t.Fatal(err)
			}
			_, x := e.post(e.hookURL(), callForm(c.sid, c.from, "ringing"))
			_, x = e.gather(x, c.sid, c.from, "Digits", "1")
			n := e.count(`SELECT COUNT(*) FROM messages WHERE channel_id = ? AND customer_id = ?`, wa.ID, cust.ID)
			if c.sent && (n != 1 || !strings.Contains(x.said(), "We have sent you a WhatsApp message")) {
				t.Errorf("%s: %d WhatsApp messages, heard %q; want the template sent", c.device, n, x.said())
			}
			if !c.sent && (n != 0 || !strings.Contains(x.said(), "WhatsApp is not available for you")) {
				t.Errorf("%s: %d WhatsApp messages, heard %q; want none, and told so", c.device, n, x.said())
			}
			if x.Gather == nil {
				t.Errorf("%s: the menu does not go on: %s", c.device, x.raw)
			}
		}
	})
}

// A call goes on where it is on another node, or after a restart: the session is in the
// database, not in the process that answered the last step.
func TestACallCarriesOnOnAFreshNode(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		const sid, from = "CA33333333333333333333333333333301", "+972503333301"
		_, x := e.post(e.hookURL(), callForm(sid, from, "ringing"))
		_, x = e.gather(x, sid, from, "Digits", "3") // Russian
		if !strings.Contains(x.said(), "Статус заявления — нажмите 1") {
			t.Fatalf("after choosing Russian: %s", x.raw)
		}
		other, err := app.Open(context.Background(), app.Options{DSN: dsn, Clock: e.clock, Argon: auth.CheapArgon(), NodeID: "other", Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(other.Close)
		limits := web.DefaultLimits()
		limits.HookRatePerIP = 0
		srv := httptest.NewServer(other.Web("", limits))
		t.Cleanup(srv.Close)
		action, _ := url.Parse(x.Gather.Action)
		_, x = e.post(srv.URL+action.RequestURI(), callForm(sid, from, "in-progress", "SpeechResult", "соедините с оператором"))
		if x.Enqueue == nil || !strings.Contains(x.said(), "оставайтесь на линии") {
			t.Fatalf("on the fresh node: %s; want the caller put through in Russian", x.raw)
		}
		if n := e.count(`SELECT COUNT(*) FROM menu_calls WHERE call_sid = ? AND state = 'queued' AND lang = 'ru'`, sid); n != 1 {
			t.Errorf("%d calls queued in Russian; want 1", n)
		}
	})
}
