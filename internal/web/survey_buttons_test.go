package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// waListReply is a WhatsApp webhook carrying the row a customer tapped in a list, as Meta
// sends it (internal/channel/whatsapp/testdata/interactive-list-reply.json).
func waListReply(waID, id, rowID, title string, at time.Time) string {
	t, _ := json.Marshal(title)
	return fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",
"metadata":{"display_phone_number":"97235550100","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Dana"},"wa_id":%q}],
"messages":[{"context":{"from":"97235550100","id":"wamid.out2"},"from":%q,"id":%q,"timestamp":"%d","type":"interactive",
"interactive":{"type":"list_reply","list_reply":{"id":%q,"title":%s}}}]},"field":"messages"}]}]}`, waID, waID, id, at.Unix(), rowID, t)
}

// On WhatsApp the CSAT question offers its five scores as a list to tap (more than Meta's
// three reply buttons), labelled in the customer's language; the tapped row, posted through
// the real webhook, is the answer — its label is no comment — and reopens nothing.
func TestSurveysOnWhatsAppOfferTheScoresAsAListAndTakeTheTap(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		meta := newFakeMeta(t)
		wa, err := e.chans.Ensure(ctx, channel.Channel{Name: "test-wa", Kind: whatsapp.Kind, Secret: metaSecret, Enabled: true, Settings: map[string]string{
			whatsapp.SettingAccessToken: "meta-token", whatsapp.SettingPhoneNumberID: "106540352242922", whatsapp.SettingAPIBase: meta.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		post := func(body string) {
			t.Helper()
			req, _ := http.NewRequest("POST", e.http.URL+"/hooks/whatsapp/"+wa.Name, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(whatsapp.SignatureHeader, whatsapp.Signature(metaSecret, []byte(body)))
			if status, res := e.do(req); status != 200 {
				t.Fatalf("webhook: %d %v", status, res)
			}
		}
		runJobs := e.runJobs
		post(waText("972501110009", "wamid.in1", "שלום, איך מעדכנים כתובת?", e.clock.Now()))
		var cust, convID string
		if err := e.db.QueryRow(ctx, `SELECT customer_id FROM identities WHERE kind = 'whatsapp' AND value = '972501110009'`).Scan(&cust); err != nil {
			t.Fatal(err)
		}
		if err := e.db.QueryRow(ctx, `SELECT id FROM conversations WHERE customer_id = ?`, cust).Scan(&convID); err != nil {
			t.Fatal(err)
		}
		agent := e.users[auth.RoleAgent]
		if _, err := e.convs.Assign(ctx, convID, agent.ID, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.convs.SetStatus(ctx, convID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(6 * time.Minute)
		runJobs()

		list := meta.interactives()
		if len(list) != 1 || list[0]["type"] != "list" {
			t.Fatalf("interactive messages %v; want the question as one list", list)
		}
		action := list[0]["action"].(map[string]any)
		rows := action["sections"].([]any)[0].(map[string]any)["rows"].([]any)
		var titles []string
		for _, r := range rows {
			titles = append(titles, fmt.Sprint(r.(map[string]any)["title"]))
		}
		if got := strings.Join(titles, " | "); got != "1. גרוע מאוד | 2. גרוע | 3. סביר | 4. טוב | 5. מצוין" {
			t.Errorf("rows %s; want the five scores labelled in Hebrew", got)
		}
		if body := list[0]["body"].(map[string]any)["text"]; !strings.Contains(fmt.Sprint(body), "הפסק סקרים") {
			t.Errorf("body %v; want the question with its opt-out phrase", body)
		}

		e.clock.Advance(3 * time.Minute)
		post(waListReply("972501110009", "wamid.in2", "4", "4. טוב", e.clock.Now()))
		var state, comment string
		var score int
		if err := e.db.QueryRow(ctx, `SELECT state, score, comment FROM surveys WHERE customer_id = ?`, cust).Scan(&state, &score, &comment); err != nil {
			t.Fatal(err)
		}
		if state != "answered" || score != 4 || comment != "" {
			t.Errorf("survey %s, score %d, comment %q; want answered 4 with no comment", state, score, comment)
		}
		if n := e.count(`SELECT COUNT(*) FROM messages WHERE direction = 'in' AND conversation_id = ?`, convID); n != 1 {
			t.Errorf("%d inbound messages; want only the first, the tap being no message", n)
		}
		if c, err := e.convs.Get(ctx, convID); err != nil || c.Status != conversation.Resolved {
			t.Errorf("conversation %s (%v); want it still resolved", c.Status, err)
		}
	})
}
