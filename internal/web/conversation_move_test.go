package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// moveEnv has a customer with a phone and an email who wrote on the API channel, and
// WhatsApp, SMS, email and voice channels to move to.
type moveEnv struct {
	*env
	conv, cust string
	ch         map[string]channel.Channel
}

func newMoveEnv(t *testing.T, dsn string, profile customer.Profile) moveEnv {
	e := newEnv(t, dsn)
	m := moveEnv{env: e, ch: map[string]channel.Channel{}}
	for _, kind := range []string{"whatsapp", "sms", "email", "voice"} {
		ch, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "test-" + kind, Kind: channel.Kind(kind), Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		m.ch[kind] = ch
	}
	_, body := e.hook(`{"id":"m-1","from":{"phone":"+972501234567","email":"c@example.com"},"text":"hello"}`)
	res := items(map[string]any{"items": body["results"]})[0]
	m.conv, m.cust = res["conversation_id"].(string), res["customer_id"].(string)
	if _, err := e.app.Customers.Update(context.Background(), m.cust, customer.Patch{Profile: &profile}, event.System); err != nil {
		t.Fatal(err)
	}
	return m
}

func (m moveEnv) move(kind, action string, template bool) (int, map[string]any) {
	return m.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+m.conv+"/move",
		map[string]any{"channel_id": m.ch[kind].ID, "action": action, "text": "Continue here: https://example.com/m/abc", "template": template})
}

func reasonOf(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	r, _ := e["reason"].(string)
	return r
}

// A kosher-phone customer is never offered WhatsApp or a web link, in the move action, in the
// composer's channel list, or in a reply; SMS and a callback fit.
func TestKosherPhoneIsNeverOfferedWhatsAppOrWebLinks(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{Device: customer.Kosher})
		for _, c := range []struct{ kind, action string }{{"whatsapp", "continue"}, {"whatsapp", "offer"}, {"sms", "visual-menu"}} {
			status, body := m.move(c.kind, c.action, true)
			if status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitKosherPhone {
				t.Errorf("%s on %s: %d %v; want 422 kosher-phone", c.action, c.kind, status, body)
			}
		}
		_, list := m.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+m.conv+"/channels", nil)
		fits := map[string]bool{}
		for _, it := range items(list) {
			ch := it["channel"].(map[string]any)
			fits[ch["kind"].(string)] = it["fits"].(bool)
			if _, shown := ch["settings"]; shown {
				t.Errorf("an agent's channel list shows %s's settings, which hold providers' tokens", ch["name"])
			}
		}
		if fits["whatsapp"] || !fits["sms"] || !fits["voice"] {
			t.Errorf("composer offers %v; want SMS and voice, never WhatsApp", fits)
		}
		status, _ := m.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+m.conv+"/messages", map[string]any{"text": "hi", "channel_id": m.ch["whatsapp"].ID, "template": true})
		if status != http.StatusUnprocessableEntity {
			t.Errorf("a reply on WhatsApp to a kosher phone: %d, want 422", status)
		}
		if status, body := m.move("sms", "offer", false); status != 200 {
			t.Errorf("offering SMS: %d %v", status, body)
		}
		if n := m.count(`SELECT COUNT(*) FROM messages WHERE channel_id = ?`, m.ch["whatsapp"].ID); n != 0 {
			t.Errorf("%d messages reached WhatsApp", n)
		}
	})
}

func TestBlindCustomerGetsNoPictureMenuAndConsentIsRespected(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{Device: customer.Smartphone, Accessibility: []string{customer.ScreenReader}, Consent: map[string]bool{"email": false}})
		if status, body := m.move("sms", "visual-menu", false); status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitScreenReader {
			t.Errorf("visual menu to a screen-reader user: %d %v; want 422 screen-reader", status, body)
		}
		if status, body := m.move("email", "continue", false); status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitNoConsent {
			t.Errorf("email without consent: %d %v; want 422 no-consent", status, body)
		}
		if status, body := m.move("voice", "callback", false); status != 200 {
			t.Errorf("callback: %d %v", status, body)
		}
	})
}

// WhatsApp accepts free-form messages for 24 hours after the customer wrote; after that only a
// template. An accepted move is on the timeline and in the agent's credit.
func TestWhatsAppWindowAndCreditedMoves(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		m := newMoveEnv(t, dsn, customer.Profile{Device: customer.Smartphone})
		ctx := context.Background()
		// The customer writes on WhatsApp, joining the same conversation.
		if _, err := m.app.Ingester.Ingest(ctx, m.ch["whatsapp"], []channel.Inbound{{ExternalID: "wamid.1", Text: "on WhatsApp now",
			From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: "+972501234567"}}}}}); err != nil {
			t.Fatal(err)
		}
		if status, body := m.move("email", "continue", false); status != 200 {
			t.Fatalf("move to email: %d %v", status, body)
		}
		m.clock.Advance(23 * time.Hour)
		if status, body := m.move("whatsapp", "continue", false); status != 200 {
			t.Errorf("free-form WhatsApp 23 h after the customer wrote: %d %v; want 200", status, body)
		}
		m.clock.Advance(2 * time.Hour)
		if status, body := m.move("whatsapp", "continue", false); status != http.StatusUnprocessableEntity || reasonOf(body) != channel.UnfitWindowClosed {
			t.Errorf("free-form WhatsApp 25 h after: %d %v; want 422 window-closed", status, body)
		}
		if status, body := m.move("whatsapp", "continue", true); status != 200 {
			t.Errorf("a template 25 h after: %d %v; want 200", status, body)
		}
		_, conv := m.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+m.conv, nil)
		if conv["channel_id"] != m.ch["whatsapp"].ID {
			t.Errorf("conversation channel %v, want WhatsApp after the move", conv["channel_id"])
		}
		_, tl := m.call(auth.RoleAgent, "GET", "/api/v1/customers/"+m.cust+"/timeline", nil)
		moves := 0
		for _, ev := range items(tl) {
			if ev["kind"] == "conversation.moved" {
				moves++
				if ev["actor"].(map[string]any)["id"] != m.users[auth.RoleAgent].ID {
					t.Errorf("move credited to %v", ev["actor"])
				}
			}
		}
		if moves != 3 {
			t.Errorf("%d moves on the timeline, want the 3 accepted ones", moves)
		}
		status, cr := m.call(auth.RoleAgent, "GET", "/api/v1/me/credits", nil)
		if status != 200 || cr["total"] != float64(3) {
			t.Errorf("agent's credits: %d %v; want total 3", status, cr)
		}
		if status, _ := m.call(auth.RoleAgent, "GET", "/api/v1/users/"+m.users[auth.RoleSupervisor].ID+"/credits", nil); status != http.StatusForbidden {
			t.Errorf("an agent reading a colleague's credits: %d, want 403", status)
		}
		if status, _ := m.call(auth.RoleSupervisor, "GET", "/api/v1/users/"+m.users[auth.RoleAgent].ID+"/credits", nil); status != 200 {
			t.Errorf("a supervisor reading an agent's credits: %d, want 200", status)
		}
	})
}
