package bot_test

// These tests run the bot and guided flows through the whole server, as Meta meets it: the
// real WhatsApp webhook route with signed, recorded-payload-shaped bodies, the ingest
// transaction, and — for the web form — the real /f/{service} pages, on SQLite and on
// PostgreSQL.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

const (
	appSecret = "bot-test-whatsapp-secret"
	phoneID   = "106540352242922" // the business number of Meta's example
)

// carClaim is one flow definition, run below as a web form and as a WhatsApp conversation.
var carClaim = selfservice.Input{
	Category: "car",
	Name:     map[string]string{"en": "Car claim", "he": "תביעת רכב", "ar": "مطالبة سيارة", "ru": "Страховой случай с автомобилем"},
	Channels: []selfservice.Way{selfservice.Web, selfservice.WhatsApp, selfservice.Phone, selfservice.Branch},
	Limits: []selfservice.LimitInput{{Rule: "damage_amount > 20000 -> branch",
		Message: map[string]string{"en": "Damage above ₪20,000 is assessed at a branch.", "he": "נזק של יותר מ־20,000 ₪ נבדק בסניף."}}},
	Flow: []selfservice.Step{
		{ID: "claim_kind", Kind: selfservice.Choice, Label: map[string]string{"en": "What happened?", "he": "מה קרה?"}, Options: []selfservice.Option{
			{Value: "accident", Label: map[string]string{"en": "An accident", "he": "תאונה"}},
			{Value: "theft", Label: map[string]string{"en": "Theft", "he": "גניבה"}},
		}},
		{ID: "damage_amount", Kind: selfservice.Question, Number: true, Label: map[string]string{"en": "The damage, in shekels", "he": "סכום הנזק"}},
		{ID: "where", Kind: selfservice.Question, Label: map[string]string{"en": "Where did it happen?", "he": "איפה זה קרה?"}},
		{ID: "confirm", Kind: selfservice.Confirm, Label: map[string]string{"en": "Send the claim", "he": "שליחת התביעה"}},
	},
}

type env struct {
	*channeltest.Env
	wa      channel.Channel
	payload string
	n       int
	media   map[string][]byte // the files the fake Graph API hands out, by media id
	mu      sync.Mutex
	sent    []string // the Messages API requests the fake Graph API took, in order
}

func newEnv(t *testing.T, dsn string, botOn bool) *env {
	t.Helper()
	e := &env{media: map[string][]byte{}}
	// The Graph API's media endpoints, as the adapter downloads a photo: GET /{media-id} says
	// where the bytes are, GET there hands them over.
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
			b, _ := io.ReadAll(r.Body)
			e.mu.Lock()
			e.sent = append(e.sent, string(b))
			n := len(e.sent)
			e.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []map[string]string{{"id": fmt.Sprintf("wamid.out-%d", n)}}})
			return
		}
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] // after the API version
		if bytes, ok := e.media[id]; ok && strings.Contains(r.URL.Path, "/file/") {
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(bytes)
			return
		}
		if bytes, ok := e.media[id]; ok {
			sum := sha256.Sum256(bytes)
			_ = json.NewEncoder(w).Encode(map[string]any{"url": "http://" + r.Host + "/file/" + id, "mime_type": "image/jpeg",
				"sha256": base64.StdEncoding.EncodeToString(sum[:]), "file_size": len(bytes), "id": id})
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(graph.Close)
	settings := map[string]string{whatsapp.SettingVerifyToken: "v", whatsapp.SettingAccessToken: "a", whatsapp.SettingPhoneNumberID: phoneID,
		whatsapp.SettingAPIBase: graph.URL}
	if botOn {
		settings[bot.SettingBot] = "on"
	}
	ce := channeltest.New(t, dsn, channeltest.Options{Channels: []channel.Channel{
		{Name: "wa", Kind: whatsapp.Kind, Secret: appSecret, Enabled: true, Settings: settings},
		// Codes for customers of the web form go by SMS to the number they gave.
		{Name: "sms", Kind: twilio.Kind, Secret: "sms-token", Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: "AC5ef872f6da5a21de157d80997a64bd33", twilio.SettingFrom: "+12015550123", twilio.SettingAPIBase: graph.URL}},
	}})
	for _, svc := range []struct {
		id string
		in selfservice.Input
	}{{"car-claim", carClaim}, {"theft-photo", theftPhoto}} {
		if _, err := ce.App.SelfService.PutService(context.Background(), svc.id, svc.in, event.System); err != nil {
			t.Fatal(err)
		}
	}
	e.Env, e.wa, e.payload = ce, ce.Channels[0], string(channeltest.Fixture(t, "whatsapp-text.json"))
	return e
}

// message is Meta's text-message payload with another sender, id and text.
func (e *env) message(from, wamid, text string) string {
	body := strings.Replace(e.payload, `"16505551234"`, `"`+from+`"`, 2)
	body = strings.Replace(body, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", wamid, 1)
	t, _ := json.Marshal(text)
	return strings.Replace(body, `"Does it come in another color?"`, string(t), 1)
}

// send delivers one customer message, signed with the app secret; the answer must be 200.
func (e *env) send(from, wamid, text string) {
	e.T().Helper()
	body := e.message(from, wamid, text)
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/whatsapp/"+e.wa.Name, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.SignatureHeader, signature(body))
	if a := e.Do(req); a.Status != http.StatusOK {
		e.T().Fatalf("webhook %q: %d %s", text, a.Status, a.Body)
	}
}

// signature signs a body as Meta does, with the app secret.
func signature(body string) string { return whatsapp.Signature(appSecret, []byte(body)) }

// say sends the customer's next message, with a fresh id.
func (e *env) say(from, text string) {
	e.T().Helper()
	e.n++
	e.send(from, fmt.Sprintf("wamid.bot-test-%s-%d", from, e.n), text)
}

// botSaid is the text of every message the bot wrote to the customer, in order.
func (e *env) botSaid(phone string) []string {
	e.T().Helper()
	_, conv := e.ConversationOf(customer.Phone, phone)
	var out []string
	for _, m := range conv.Messages {
		if m.Bot {
			out = append(out, m.Text)
		}
	}
	return out
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// caseOf is the one case of the customer with the identity.
func (e *env) caseOf(kind customer.IdentityKind, value string) selfservice.Case {
	e.T().Helper()
	ctx := context.Background()
	c, err := e.App.Customers.FindByIdentity(ctx, kind, value)
	if err != nil {
		e.T().Fatal(err)
	}
	cases, err := e.App.SelfService.Cases(ctx, c.ID, 10)
	if err != nil || len(cases) != 1 {
		e.T().Fatalf("cases of %s: %v, %v; want one", value, cases, err)
	}
	return cases[0]
}

// form is a browser without JavaScript on the web form, keeping the flow's cookie.
type form struct {
	e       *env
	cookie  string
	service string // car-claim when empty
}

func (f *form) post(action, answer string) string {
	f.e.T().Helper()
	vals := url.Values{"action": {action}, "a": {answer}}
	req, _ := http.NewRequest(http.MethodPost, f.e.URL+"/f/"+f.svc()+"?lang=en", strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(req)
}

func (f *form) svc() string {
	if f.service == "" {
		return "car-claim"
	}
	return f.service
}

// do sends a form the way a browser does, keeping the flow's cookie, and returns the page.
func (f *form) do(req *http.Request) string {
	f.e.T().Helper()
	if f.cookie != "" {
		req.Header.Set("Cookie", web.FlowCookie+"="+f.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.e.T().Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.FlowCookie {
			f.cookie = c.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnprocessableEntity {
		f.e.T().Fatalf("form %s: %d %s", req.URL, resp.StatusCode, b)
	}
	return string(b)
}

// Acceptance 1 of issue 7: one flow definition runs to completion as a web form and as a
// WhatsApp conversation, and both make the same case.
func TestOneFlowAsWebFormAndWhatsAppMakesTheSameCase(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, true)

		f := &form{e: e}
		f.post("start", "")
		f.post("next", "+972502222222")
		f.post("next", "theft")
		f.post("next", "12500")
		f.post("next", "Tel Aviv")
		if page := f.post("next", ""); !strings.Contains(page, "/s/") {
			t.Fatalf("the web form's last step shows no tracker link:\n%s", page)
		}
		onWeb := e.caseOf(customer.Phone, "+972502222222")

		const phone = "972501111111"
		e.say(phone, "Car claim") // the service's name starts its flow
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "Step 1 of 4") || !strings.Contains(got, "What happened?") || !strings.Contains(got, "2. Theft") {
			t.Fatalf("first step on WhatsApp:\n%s", got)
		}
		e.say(phone, "a cat") // refused as the web form refuses it, and asked again
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "What happened?") || !strings.Contains(got, "Step 1 of 4") {
			t.Errorf("a wrong choice is not asked again:\n%s", got)
		}
		// The step went out as WhatsApp reply buttons; the customer taps "2. Theft", which Meta
		// delivers as a button reply.
		e.Work(1)
		e.mu.Lock()
		sent := strings.Join(e.sent, "\n")
		e.mu.Unlock()
		if !strings.Contains(sent, `"type":"interactive"`) || !strings.Contains(sent, `"title":"2. Theft"`) {
			t.Errorf("the choice did not go as buttons:\n%s", sent)
		}
		// Each button's id names the step it answers ("step-…:2"), which Meta hands back.
		theft := regexp.MustCompile(`"id":"(step-[0-9a-f]{12}:2)","title":"2. Theft"`).FindStringSubmatch(sent)
		if theft == nil {
			t.Fatalf("the step's buttons carry no key of their step:\n%s", sent)
		}
		taps := 0
		tap := func(id, title string) {
			t.Helper()
			taps++
			b := string(channeltest.Fixture(t, "whatsapp-button-reply.json"))
			b = strings.Replace(b, `"16505551234"`, `"`+phone+`"`, 2)
			b = strings.Replace(b, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=", fmt.Sprintf("wamid.tap-%d", taps), 1)
			b = strings.Replace(b, `"id": "cancel-button"`, `"id": "`+id+`"`, 1)
			b = strings.Replace(b, `"title": "Cancel"`, `"title": "`+title+`"`, 1)
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/whatsapp/"+e.wa.Name, strings.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(whatsapp.SignatureHeader, signature(b))
			if a := e.Do(req); a.Status != http.StatusOK {
				t.Fatalf("button reply: %d %s", a.Status, a.Body)
			}
		}
		tap(theft[1], "2. Theft")
		e.say(phone, "lots") // not a number
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "The damage, in shekels") || !strings.Contains(got, "Step 2 of 4") {
			t.Errorf("a wrong number is not asked again:\n%s", got)
		}
		e.say(phone, "12,500")
		// Meta delivers the same message again: it is recognised, and the flow does not move.
		before := len(e.botSaid("+" + phone))
		e.send(phone, fmt.Sprintf("wamid.bot-test-%s-%d", phone, e.n), "12,500")
		if after := len(e.botSaid("+" + phone)); after != before {
			t.Errorf("a provider retry made the bot say %d more messages", after-before)
		}
		e.say(phone, "back") // back to the amount, then on again
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "Step 2 of 4") {
			t.Errorf("back:\n%s", got)
		}
		e.say(phone, "12500")
		// At the third step, "2. Theft" tapped again on the first step's message (WhatsApp
		// keeps its buttons): no answer to "where", the third step is asked again.
		tap(theft[1], "2. Theft")
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "Step 3 of 4") {
			t.Errorf("after a stale tap at the third step the bot said:\n%s\nwant the third step again", got)
		}
		e.say(phone, "Tel Aviv")
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "Theft") || !strings.Contains(got, "12500") || !strings.Contains(got, "1. Confirm and send") {
			t.Errorf("the confirmation does not show the answers:\n%s", got)
		}
		e.say(phone, "1")
		onWhatsApp := e.caseOf(customer.Phone, "+"+phone)

		if onWhatsApp.ServiceID != onWeb.ServiceID || onWhatsApp.Stage != onWeb.Stage || !reflect.DeepEqual(onWhatsApp.Answers, onWeb.Answers) {
			t.Errorf("the cases differ:\nWhatsApp %s %s %v\nweb      %s %s %v", onWhatsApp.ServiceID, onWhatsApp.Stage, onWhatsApp.Answers, onWeb.ServiceID, onWeb.Stage, onWeb.Answers)
		}
		if onWhatsApp.Via != selfservice.WhatsApp || onWeb.Via != selfservice.Web || onWhatsApp.Limit != nil {
			t.Errorf("via: %s and %s; limit %v", onWhatsApp.Via, onWeb.Via, onWhatsApp.Limit)
		}
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, onWhatsApp.Ref) {
			t.Errorf("the last message does not name the case %s:\n%s", onWhatsApp.Ref, got)
		}
		if n := e.Count(`SELECT COUNT(*) FROM chat_flows`); n != 0 {
			t.Errorf("%d flows still in progress", n)
		}
		for kind, want := range map[string]int{"bot.flow-started": 1, "bot.flow-refused": 2, "bot.flow-finished": 1} {
			if n := e.Count(`SELECT COUNT(*) FROM events WHERE kind = ?`, kind); n != want {
				t.Errorf("%d %s events, want %d", n, kind, want)
			}
		}
	})
}

// Acceptance 2 on WhatsApp: over the limit, the flow stops at the step where the limit becomes
// known, tells the customer which way can finish it, and keeps the answers on the case.
func TestWhatsAppFlowStopsAtTheLimit(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, false) // the bot is off: an agent starts the flow
		const phone = "972503333333"
		e.say(phone, "Hi, my car was stolen")
		if said := e.botSaid("+" + phone); len(said) != 0 {
			t.Fatalf("the bot answered on a channel where it is off: %q", said)
		}
		_, conv := e.ConversationOf(customer.Phone, "+"+phone)
		if a := e.AsAgent(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/flows", map[string]string{"service_id": "car-claim"}); a.Status != http.StatusNoContent {
			t.Fatalf("start flow: %d %s", a.Status, a.Body)
		}
		if a := e.AsAgent(http.MethodPost, "/api/v1/conversations/"+conv.ID+"/flows", map[string]string{"service_id": "nope"}); a.Status != http.StatusUnprocessableEntity && a.Status != http.StatusBadRequest {
			t.Errorf("unknown service: %d %s", a.Status, a.Body)
		}
		e.say(phone, "גניבה") // a label in another language picks the option too
		e.say(phone, "30000")
		c := e.caseOf(customer.Phone, "+"+phone)
		if c.Limit == nil || c.FinishOn != selfservice.Branch {
			t.Fatalf("case %+v: want stopped, to be finished at a branch", c)
		}
		if want := map[string]any{"claim_kind": "theft", "damage_amount": 30000.0}; !reflect.DeepEqual(c.Answers, want) {
			t.Errorf("answers kept: %v, want %v", c.Answers, want)
		}
		got := last(e.botSaid("+" + phone))
		if !strings.Contains(got, "Damage above ₪20,000 is assessed at a branch.") || !strings.Contains(got, "at a branch") || !strings.Contains(got, c.Ref) {
			t.Errorf("the stop does not say which way finishes it:\n%s", got)
		}
		var step string
		if err := e.App.DB.QueryRow(context.Background(), `SELECT data FROM events WHERE kind = 'case.flow-stopped' AND customer_id = ?`, c.CustomerID).Scan(&step); err != nil || !strings.Contains(step, `"step":"damage_amount"`) {
			t.Errorf("flow-stopped event: %s, %v", step, err)
		}
		// The flow is over: the next message is the agents', and the bot stays quiet.
		before := len(e.botSaid("+" + phone))
		e.say(phone, "thanks")
		if n := len(e.botSaid("+" + phone)); n != before {
			t.Errorf("the bot spoke after the flow on a channel where it is off")
		}
	})
}

// Cancel ends a flow and files nothing.
func TestWhatsAppFlowCancel(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), true)
	const phone = "972504444444"
	e.say(phone, "תביעת רכב")
	if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "שלב 1 מתוך 4") || !strings.Contains(got, "מה קרה?") {
		t.Fatalf("the flow is not asked in Hebrew:\n%s", got)
	}
	e.say(phone, "ביטול")
	if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "שום דבר לא הוגש") {
		t.Errorf("cancel:\n%s", got)
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases`) + e.Count(`SELECT COUNT(*) FROM chat_flows`); n != 0 {
		t.Errorf("after cancel: %d cases and flows", n)
	}
	_ = conversation.Open
}
