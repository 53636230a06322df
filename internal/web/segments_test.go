package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// tagKosher records the customer's kosher phone as a segment tag, not as the profile's device,
// so that only the kosher-phone segment's channel-fit matrix can keep WhatsApp and web links
// away from them: the device rules in channel.Fitter do not see a tag.
func tagKosher(t *testing.T, m moveEnv) {
	t.Helper()
	ctx := context.Background()
	prof := customer.Profile{Device: customer.Smartphone, Segments: []string{segment.KosherPhone}}
	if _, err := m.app.Customers.Update(ctx, m.cust, customer.Patch{Profile: &prof}, event.System); err != nil {
		t.Fatal(err)
	}
	if _, err := m.app.Segments.Refresh(ctx, m.cust); err != nil {
		t.Fatal(err)
	}
}

// Acceptance 2, the composer: the picker never offers WhatsApp to a kosher-phone customer, and
// lists SMS, which their segment offers first, first.
func TestKosherSegmentInTheComposer(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{})
		tagKosher(t, m)
		_, list := m.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+m.conv+"/channels", nil)
		its := items(list)
		if len(its) == 0 || its[0]["channel"].(map[string]any)["kind"] != "sms" || its[0]["offer_first"] != true {
			t.Errorf("the picker does not start with SMS: %v", its)
		}
		for _, it := range its {
			if it["channel"].(map[string]any)["kind"] == "whatsapp" && (it["fits"] != false || it["reason"] != channel.UnfitKosherPhone) {
				t.Errorf("WhatsApp in the picker: %v", it)
			}
		}
		status, body := m.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+m.conv+"/messages", map[string]any{"text": "hi", "channel_id": m.ch["whatsapp"].ID, "template": true})
		if status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitKosherPhone {
			t.Errorf("a reply on WhatsApp: %d %v", status, body)
		}
	})
}

// Acceptance 2, deflection: no move to WhatsApp, no visual-menu link; SMS words are fine.
func TestKosherSegmentInDeflection(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{})
		tagKosher(t, m)
		for _, c := range []struct{ kind, action string }{{"whatsapp", "continue"}, {"whatsapp", "offer"}, {"sms", "visual-menu"}} {
			if status, body := m.move(c.kind, c.action, true); status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitKosherPhone {
				t.Errorf("%s on %s: %d %v; want 422 kosher-phone", c.action, c.kind, status, body)
			}
		}
		if n := m.count(`SELECT COUNT(*) FROM messages WHERE channel_id = ?`, m.ch["whatsapp"].ID); n != 0 {
			t.Errorf("%d messages reached WhatsApp", n)
		}
		if status, body := m.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+m.conv+"/move", map[string]any{"channel_id": m.ch["sms"].ID, "action": "offer", "text": "We can continue by SMS."}); status != 200 {
			t.Errorf("offering SMS: %d %v", status, body)
		}
	})
}

// Acceptance 2, notifications: a case's notification goes by SMS, which the segment offers
// first, rather than on the API channel the customer last wrote on — and without the tracker
// link.
func TestKosherSegmentInNotifications(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{})
		tagKosher(t, m)
		ctx := context.Background()
		m.app.SelfService.SetPublicURL("https://help.example.com")
		sup := event.Actor{Kind: event.ByUser, ID: m.users[auth.RoleSupervisor].ID}
		if _, err := m.app.SelfService.PutService(ctx, "claim", selfservice.Input{Category: "claims", Name: map[string]string{"en": "Claim", "he": "תביעה"},
			Channels: []selfservice.Way{selfservice.Web, selfservice.Phone}}, sup); err != nil {
			t.Fatal(err)
		}
		if _, err := m.app.SelfService.OpenCase(ctx, selfservice.CaseInput{CustomerID: m.cust, ServiceID: "claim", Via: selfservice.Phone}, sup); err != nil {
			t.Fatal(err)
		}
		rows, err := m.db.Query(ctx, `SELECT channel_id, text FROM messages WHERE customer_id = ? AND direction = 'out'`, m.cust)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var ch, text string
			if err := rows.Scan(&ch, &text); err != nil {
				t.Fatal(err)
			}
			n++
			if ch != m.ch["sms"].ID || strings.Contains(text, "https://") {
				t.Errorf("notification on %s: %q; want SMS without a link", ch, text)
			}
		}
		if n != 1 {
			t.Errorf("%d notifications, want 1", n)
		}
	})
}

// Acceptance 2, routing: a kosher-phone customer's conversation goes to the queue of the
// kosher-phone segment — matched from segment_members, since their profile carries no tag —
// whose agents serve by phone and SMS; and a move onto WhatsApp from there is refused.
func TestKosherSegmentInRouting(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		m := newMoveEnv(t, dsn, customer.Profile{})
		// A second customer, known before they write: their kosher phone is on file.
		c, _, err := m.app.Customers.Resolve(ctx, customer.Phone, "+972527654321", "Rivka", event.System)
		if err != nil {
			t.Fatal(err)
		}
		prof := customer.Profile{Device: customer.Kosher}
		if _, err := m.app.Customers.Update(ctx, c.ID, customer.Patch{Profile: &prof}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := m.app.Segments.Refresh(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		agent := m.users[auth.RoleAgent].ID
		kosher, err := m.app.Router.EnsureQueue(ctx, routing.Queue{Name: "kosher-line", Segments: []string{segment.KosherPhone}, Members: []string{agent}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.app.Router.EnsureQueue(ctx, routing.Queue{Name: "general", Members: []string{agent}}); err != nil {
			t.Fatal(err)
		}
		_, body := m.hook(`{"id":"m-2","from":{"phone":"+972527654321"},"text":"שלום"}`)
		res := items(map[string]any{"items": body["results"]})[0]
		conv := res["conversation_id"].(string)
		if conv == m.conv {
			t.Fatal("no new conversation opened")
		}
		var queue string
		if err := m.db.QueryRow(ctx, `SELECT COALESCE(queue_id, '') FROM conversations WHERE id = ?`, conv).Scan(&queue); err != nil {
			t.Fatal(err)
		}
		if queue != kosher.ID {
			t.Errorf("routed to queue %q, want kosher-line %s", queue, kosher.ID)
		}
		status, moved := m.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/move", map[string]any{"channel_id": m.ch["whatsapp"].ID, "action": "offer", "text": "x", "template": true})
		if status != http.StatusUnprocessableEntity || reasonOf(moved) != channel.UnfitKosherPhone {
			t.Errorf("offer WhatsApp from the kosher line: %d %v", status, moved)
		}
	})
}

// The hybrid phase: while a segment is below its digital target, a caller may be offered
// WhatsApp but not moved onto it; the customer's segments and their phase are on the customer.
func TestHybridPhaseOffersButNeverMoves(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		m := newMoveEnv(t, dsn, customer.Profile{Device: customer.Smartphone, Segments: []string{"pilot"}})
		status, body := m.call(auth.RoleSupervisor, "POST", "/api/v1/segments", map[string]any{
			"name": "pilot-callers", "rule": map[string]any{"field": "tag", "op": "has", "values": []string{"pilot"}}, "target_share": 0.9,
		})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		if status, _ := m.call(auth.RoleAgent, "POST", "/api/v1/segments", map[string]any{"name": "x", "rule": map[string]any{"field": "tag", "op": "has", "values": []string{"x"}}}); status != http.StatusForbidden {
			t.Errorf("an agent creating a segment: %d", status)
		}
		// Two calls and one API message: a third digital, below the 90 % aimed for.
		for i, id := range []string{"call-1", "call-2"} {
			if _, err := m.app.Ingester.Ingest(ctx, m.ch["voice"], []channel.Inbound{{ExternalID: id, Text: "(call)",
				From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: "+972501234567"}}}}}); err != nil {
				t.Fatal(i, err)
			}
		}
		if _, err := m.app.Segments.Refresh(ctx, m.cust); err != nil {
			t.Fatal(err)
		}
		// The conversation is on the phone now.
		if status, body := m.move("voice", "callback", false); status != 200 {
			t.Fatalf("callback: %d %v", status, body)
		}
		if status, body := m.move("whatsapp", "continue", true); status != http.StatusUnprocessableEntity {
			t.Errorf("moving a hybrid-phase caller onto WhatsApp: %d %v; want 422", status, body)
		}
		if status, body := m.move("whatsapp", "offer", true); status != 200 {
			t.Errorf("offering WhatsApp: %d %v", status, body)
		}
		_, cust := m.call(auth.RoleAgent, "GET", "/api/v1/customers/"+m.cust, nil)
		segs, _ := cust["segments"].([]any)
		var phases []string
		for _, s := range segs {
			sm := s.(map[string]any)
			phases = append(phases, sm["name"].(string)+":"+stringOf(sm["phase"]))
		}
		if !slices.Equal(phases, []string{"pilot-callers:hybrid"}) {
			t.Errorf("customer's segments %v", cust["segments"])
		}
		id := segs[0].(map[string]any)["segment_id"].(string)
		_, adoption := m.call(auth.RoleSupervisor, "GET", "/api/v1/segments/"+id+"/adoption", nil)
		if adoption["phase"] != "hybrid" || adoption["digital"] != float64(1) || adoption["traditional"] != float64(2) {
			t.Errorf("adoption %v; want hybrid: the API message digital, the two calls traditional", adoption)
		}
		_, members := m.call(auth.RoleAgent, "GET", "/api/v1/segments/"+id+"/members", nil)
		if its := items(members); len(its) != 1 || its[0]["customer_id"] != m.cust {
			t.Errorf("members %v", members)
		}
	})
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// Over the API: an agent starts a guided session for a caller, the customer finishes the flow
// on their own a few days later, and both the agent's own ledger and a supervisor's view of it
// show the session and the advance the completion caused; the customer's stage is on their
// record.
func TestGuidedSessionAndCreditsOverTheAPI(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		m := newMoveEnv(t, dsn, customer.Profile{Device: customer.Smartphone})
		sup := event.Actor{Kind: event.ByUser, ID: m.users[auth.RoleSupervisor].ID}
		svc, err := m.app.SelfService.PutService(ctx, "claim", selfservice.Input{Category: "claims", Name: map[string]string{"en": "Claim", "he": "תביעה"},
			Channels: []selfservice.Way{selfservice.Web, selfservice.Phone}}, sup)
		if err != nil {
			t.Fatal(err)
		}
		status, ss := m.call(auth.RoleAgent, "POST", "/api/v1/customers/"+m.cust+"/guided-sessions", map[string]any{"service_id": "claim"})
		if status != http.StatusCreated || ss["channel_id"] != m.ch["sms"].ID || !strings.Contains(stringOf(ss["link"]), "/f/claim?guided=") {
			t.Fatalf("start: %d %v", status, ss)
		}
		if status, body := m.call(auth.RoleAgent, "POST", "/api/v1/customers/"+m.cust+"/guided-sessions", map[string]any{"service_id": "nope"}); status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown service: %d %v", status, body)
		}
		m.clock.Advance(4 * 24 * time.Hour)
		if _, err := m.app.SelfService.FinishFlowFor(ctx, svc, m.cust, nil, selfservice.Web, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := m.app.Coaching.Refresh(ctx, m.cust); err != nil {
			t.Fatal(err)
		}
		_, cust := m.call(auth.RoleAgent, "GET", "/api/v1/customers/"+m.cust, nil)
		if prof, _ := cust["profile"].(map[string]any); prof["coaching_stage"] != customer.Supported {
			t.Errorf("stage on the record: %v", cust["profile"])
		}
		for _, c := range []struct {
			role auth.Role
			path string
		}{{auth.RoleAgent, "/api/v1/me/credits"}, {auth.RoleSupervisor, "/api/v1/users/" + m.users[auth.RoleAgent].ID + "/credits"}} {
			status, cr := m.call(c.role, "GET", c.path, nil)
			co, _ := cr["coaching"].(map[string]any)
			if status != 200 || co["coaching-session"] != float64(1) || co["stage-advance"] != float64(2) || cr["total"] != float64(3) {
				t.Errorf("%s: %d %v", c.path, status, cr)
			}
		}
	})
}
