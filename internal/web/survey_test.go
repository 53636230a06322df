package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

const metaSecret = "test-meta-app-secret"

// fakeMeta is the far side of a WhatsApp channel: the Graph API's messages endpoint, as far as
// Gesher uses it for text messages.
type fakeMeta struct {
	mu   sync.Mutex
	sent []map[string]any
	srv  *httptest.Server
}

func newFakeMeta(t *testing.T) *fakeMeta {
	f := &fakeMeta{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer meta-token" || !strings.HasSuffix(r.URL.Path, "/messages") {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.sent = append(f.sent, body)
		n := len(f.sent)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"%v","wa_id":"%v"}],"messages":[{"id":"wamid.out%d"}]}`, body["to"], body["to"], n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// texts are the bodies of the text and interactive messages sent: what the customer reads.
func (f *fakeMeta) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		if t, ok := m["text"].(map[string]any); ok {
			out = append(out, fmt.Sprint(t["body"]))
		}
		if i, ok := m["interactive"].(map[string]any); ok {
			if b, ok := i["body"].(map[string]any); ok {
				out = append(out, fmt.Sprint(b["text"]))
			}
		}
	}
	return out
}

// interactives are the interactive parts of the messages sent (buttons, lists).
func (f *fakeMeta) interactives() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, m := range f.sent {
		if i, ok := m["interactive"].(map[string]any); ok {
			out = append(out, i)
		}
	}
	return out
}

// callTwiML is what the survey's TwiML holds, as Twilio reads it.
type callTwiML struct {
	Say      string `xml:"Say"`
	Redirect string `xml:"Redirect"`
	Gather   *struct {
		Action string `xml:"action,attr"`
		Input  string `xml:"input,attr"`
		Say    string `xml:"Say"`
	} `xml:"Gather"`
	Hangup *struct{} `xml:"Hangup"`
	raw    string
}

// waText is a WhatsApp Cloud API webhook carrying one text message, as Meta sends it.
func waText(waID, id, text string, at time.Time) string {
	b, _ := json.Marshal(text)
	return fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",
"metadata":{"display_phone_number":"97235550100","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Dana"},"wa_id":%q}],
"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%s}}]},"field":"messages"}]}]}`, waID, waID, id, at.Unix(), b)
}

// TestSurveysAnsweredOnWhatsAppSMSAndTheKeypadLandInTheRightAgentsCSAT is acceptance 4: a
// resolution asks the customer on their own channel; their answer, posted through the real
// webhook, is a survey answer (not a message reopening the conversation) and counts in the
// CSAT of the agent who had the conversation. "stop surveys" is respected afterwards.
func TestSurveysAnsweredOnWhatsAppSMSAndTheKeypadLandInTheRightAgentsCSAT(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		meta, tw := newFakeMeta(t), newFakeTwilio(t)
		wa, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-wa", Kind: whatsapp.Kind, Secret: metaSecret, Enabled: true, Settings: map[string]string{
			whatsapp.SettingAccessToken: "meta-token", whatsapp.SettingPhoneNumberID: "106540352242922", whatsapp.SettingAPIBase: meta.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		sms, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-sms", Kind: twilio.Kind, Secret: voiceToken, Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: "AC" + strings.Repeat("0", 32), twilio.SettingAPIBase: tw.srv.URL, twilio.SettingFrom: "+97235550199"}})
		if err != nil {
			t.Fatal(err)
		}
		postWA := func(id, text string) (int, map[string]any) {
			body := waText("972501110001", id, text, e.clock.Now())
			req, _ := http.NewRequest("POST", e.http.URL+"/hooks/whatsapp/"+wa.Name, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(whatsapp.SignatureHeader, whatsapp.Signature(metaSecret, []byte(body)))
			return e.do(req)
		}
		smsN := 0
		postSMS := func(text string) int {
			smsN++
			u := e.http.URL + "/hooks/sms/" + sms.Name
			form := url.Values{"MessageSid": {fmt.Sprintf("SM%032x", smsN)}, "AccountSid": {"AC" + strings.Repeat("0", 32)}, "From": {"+972502220002"},
				"To": {"+97235550199"}, "Body": {text}, "NumMedia": {"0"}, "SmsStatus": {"received"}}
			req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilio.SignatureHeader, twilio.Signature(voiceToken, u, form))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		runJobs := e.runJobs
		agentA := e.users[auth.RoleAgent]
		agentB, _ := e.agent("b@test.example", "Agent B")
		conversationOf := func(customerID string) conversation.Conversation {
			t.Helper()
			var id string
			if err := e.db.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ?`, customerID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			c, err := e.convs.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		serve := func(c conversation.Conversation, agent auth.User) {
			t.Helper()
			if c.AssigneeID != agent.ID {
				if _, err := e.convs.Assign(ctx, c.ID, agent.ID, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.convs.Reply(ctx, conversation.ReplyInput{ConversationID: c.ID, AuthorID: agent.ID, Text: "Done: your claim is filed."}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.convs.SetStatus(ctx, c.ID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
				t.Fatal(err)
			}
		}

		// Dana writes on WhatsApp and agent A serves her; Yossi texts and agent B serves him.
		if status, body := postWA("wamid.in1", "שלום, צריכה עזרה עם התביעה"); status != 200 {
			t.Fatalf("whatsapp message: %d %v", status, body)
		}
		if status := postSMS("Hi, my claim?"); status != 200 {
			t.Fatalf("sms message: %d", status)
		}
		var dana, yossi string
		_ = e.db.QueryRow(ctx, `SELECT customer_id FROM identities WHERE kind = 'whatsapp' AND value = '972501110001'`).Scan(&dana)
		_ = e.db.QueryRow(ctx, `SELECT customer_id FROM identities WHERE kind = 'phone' AND value = '+972502220002'`).Scan(&yossi)
		serve(conversationOf(dana), agentA)
		serve(conversationOf(yossi), agentB)
		runJobs()
		if n := e.count(`SELECT COUNT(*) FROM surveys`); n != 0 {
			t.Fatalf("%d surveys sent at once; want them after the delay an agent may reopen in", n)
		}
		e.clock.Advance(6 * time.Minute)
		runJobs()

		asked := func(texts []string, want string) bool {
			for _, s := range texts {
				if strings.Contains(s, want) {
					return true
				}
			}
			return false
		}
		if !asked(meta.texts(), "1") || !asked(meta.texts(), "5") {
			t.Errorf("WhatsApp got %q; want a question to answer 1 to 5", meta.texts())
		}
		var smsTexts []string
		for _, m := range tw.texts() {
			smsTexts = append(smsTexts, m.Get("Body"))
		}
		if !asked(smsTexts, "1") || !asked(smsTexts, "הפסק סקרים") { // in Hebrew, the default language
			t.Errorf("SMS got %q; want the question with its opt-out phrase", smsTexts)
		}

		// The answers, through the webhooks.
		if status, body := postWA("wamid.in2", "5 ממש עזרתם, תודה"); status != 200 {
			t.Fatalf("whatsapp answer: %d %v", status, body)
		}
		if status := postSMS("2"); status != 200 {
			t.Fatalf("sms answer: %d", status)
		}
		// A replay of the same delivery is not a second answer.
		if status, _ := postWA("wamid.in2", "5 ממש עזרתם, תודה"); status != 200 {
			t.Fatalf("replayed answer: %d", status)
		}
		if n := e.count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered'`); n != 2 {
			t.Errorf("%d survey answers; want 2", n)
		}
		for _, who := range []string{dana, yossi} {
			if c := conversationOf(who); c.Status != conversation.Resolved {
				t.Errorf("an answer reopened the conversation: status %s", c.Status)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM messages WHERE direction = 'in'`); n != 2 {
			t.Errorf("%d inbound messages; want only the 2 first ones, the answers being no messages", n)
		}

		// The keypad: a caller answers at the end of a call agent B took, through the voice
		// webhook: the call's answer goes on to the survey once the agent hangs up.
		voice, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-voice", Kind: twilio.VoiceKind, Secret: voiceToken, Enabled: true, Settings: map[string]string{
			twilio.SettingAccountSID: "AC" + strings.Repeat("0", 32), twilio.SettingAPIBase: tw.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		postCall := func(u string, form url.Values) callTwiML {
			t.Helper()
			req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(twilio.SignatureHeader, twilio.Signature(voiceToken, u, form))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var x callTwiML
			if resp.StatusCode != http.StatusOK || xml.Unmarshal(raw, &x) != nil {
				t.Fatalf("%s: %d %s", u, resp.StatusCode, raw)
			}
			x.raw = string(raw)
			return x
		}
		sid := "CA" + strings.Repeat("7", 32)
		hookURL := e.http.URL + "/hooks/voice/" + voice.Name
		answer := postCall(hookURL, callForm(sid, "+972503330003", "ringing"))
		if !strings.Contains(answer.raw, "<Enqueue>") || answer.Redirect != hookURL+"?survey=ask" {
			t.Fatalf("call answer %s; want the line, then the survey", answer.raw)
		}
		var caller string
		_ = e.db.QueryRow(ctx, `SELECT customer_id FROM identities WHERE kind = 'phone' AND value = '+972503330003'`).Scan(&caller)
		if _, err := e.convs.Assign(ctx, conversationOf(caller).ID, agentB.ID, event.System); err != nil {
			t.Fatal(err)
		}
		ask := postCall(answer.Redirect, callForm(sid, "+972503330003", "in-progress"))
		if ask.Gather == nil || ask.Gather.Input != "dtmf" || !strings.Contains(ask.Gather.Say, "1") || !strings.Contains(ask.Gather.Say, "5") {
			t.Fatalf("survey question %s; want a keypad gather from 1 to 5", ask.raw)
		}
		thanks := postCall(ask.Gather.Action, callForm(sid, "+972503330003", "in-progress", "Digits", "4"))
		if thanks.Hangup == nil || thanks.Say == "" {
			t.Errorf("after the digit %s; want thanks, then the end of the call", thanks.raw)
		}

		// The CSAT figures, per agent, over the API.
		from := e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
		to := e.clock.Now().Add(time.Hour).Format(time.RFC3339)
		status, res := e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics/csat?from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to), nil)
		if status != 200 {
			t.Fatalf("csat: %d %v", status, res)
		}
		got := map[string]string{}
		for _, r := range res["rows"].([]any) {
			row := r.(map[string]any)
			if row["by"] == "agent" {
				got[row["key"].(string)] = fmt.Sprintf("%v answers, mean %v, csat %v", row["responses"], row["mean"], row["csat"])
			}
		}
		want := map[string]string{agentA.ID: "1 answers, mean 5, csat 100", agentB.ID: "2 answers, mean 3, csat 50"}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("CSAT of %s = %q; want %q (all: %v)", id, got[id], w, got)
			}
		}
		status, res = e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics/survey_comments?from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to), nil)
		if status != 200 || !strings.Contains(fmt.Sprint(res["rows"]), "ממש עזרתם, תודה") {
			t.Errorf("comments: %d %v; want Dana's words verbatim", status, res)
		}

		// Dana opts out; her next resolution asks nothing.
		e.clock.Advance(48 * time.Hour)
		if status, _ := postWA("wamid.in3", "עוד שאלה"); status != 200 {
			t.Fatal("whatsapp message")
		}
		serve(conversationOf(dana), agentA)
		e.clock.Advance(6 * time.Minute)
		runJobs()
		if status, _ := postWA("wamid.in4", "הפסק סקרים"); status != 200 {
			t.Fatal("opt out")
		}
		if n := e.count(`SELECT COUNT(*) FROM survey_optouts WHERE customer_id = ?`, dana); n != 1 {
			t.Fatalf("opt-out not recorded")
		}
		e.clock.Advance(time.Hour)
		if status, _ := postWA("wamid.in5", "ושוב שאלה"); status != 200 {
			t.Fatal("whatsapp message")
		}
		serve(conversationOf(dana), agentA)
		e.clock.Advance(6 * time.Minute)
		runJobs()
		if n := e.count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.skipped' AND customer_id = ? AND data LIKE '%opted-out%'`, dana); n != 1 {
			t.Errorf("%d skipped surveys for the opted-out customer; want 1", n)
		}
	})
}
