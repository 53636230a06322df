package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func msg(id, phone, text string) string {
	return fmt.Sprintf(`{"id":%q,"from":{"phone":%q,"name":"Rivka Cohen"},"text":%q}`, id, phone, text)
}

// A signed message creates one customer and one open conversation, visible through the API;
// the same delivery again changes nothing; a second message from the same number, written in
// local form, joins the same conversation and keeps its owner.
func TestSignedMessageCreatesOneCustomerAndConversation(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		status, body := e.hook(msg("m-1", "+972501234567", "שלום, אני צריכה עזרה עם התביעה"))
		if status != http.StatusOK || body["accepted"] != float64(1) {
			t.Fatalf("first delivery: %d %v", status, body)
		}
		first := items(map[string]any{"items": body["results"]})[0]

		status, found := e.call(auth.RoleAgent, "GET", "/api/v1/customers?identity="+url.QueryEscape("phone:+972501234567"), nil)
		custs := items(found)
		if status != 200 || len(custs) != 1 {
			t.Fatalf("customer by identity: %d %v", status, found)
		}
		custID := custs[0]["id"].(string)
		if custID != first["customer_id"] || custs[0]["name"] != "Rivka Cohen" {
			t.Errorf("customer = %v, want id %v named Rivka Cohen", custs[0], first["customer_id"])
		}

		_, list := e.call(auth.RoleAgent, "GET", "/api/v1/conversations?customer="+custID+"&status=open", nil)
		convs := items(list)
		if len(convs) != 1 {
			t.Fatalf("open conversations = %d, want 1: %v", len(convs), list)
		}
		convID := convs[0]["id"].(string)
		owner := convs[0]["assignee_id"]
		if owner != e.users[auth.RoleAgent].ID {
			t.Errorf("owner = %v, want the online agent %s", owner, e.users[auth.RoleAgent].ID)
		}

		// The provider retries the same delivery.
		status, body = e.hook(msg("m-1", "+972501234567", "שלום, אני צריכה עזרה עם התביעה"))
		if status != http.StatusOK || body["duplicates"] != float64(1) || body["accepted"] != float64(0) {
			t.Fatalf("replay: %d %v", status, body)
		}
		again := items(map[string]any{"items": body["results"]})[0]
		if again["event_id"] != first["event_id"] {
			t.Errorf("replay names event %v, want the first delivery's %v", again["event_id"], first["event_id"])
		}
		if n := e.count(`SELECT COUNT(*) FROM messages`); n != 1 {
			t.Errorf("%d messages after a replay, want 1", n)
		}

		// Same number, local format, new message.
		status, _ = e.hook(msg("m-2", "050-123-4567", "עוד שאלה"))
		if status != http.StatusOK {
			t.Fatalf("second message: %d", status)
		}
		status, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+convID, nil)
		if status != 200 {
			t.Fatalf("get conversation: %d %v", status, conv)
		}
		msgs := conv["messages"].([]any)
		if len(msgs) != 2 || conv["assignee_id"] != owner {
			t.Errorf("conversation has %d messages and owner %v; want 2 and %v", len(msgs), conv["assignee_id"], owner)
		}
		if n := e.count(`SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM conversations`); n != 1 {
			t.Errorf("%d conversations, want 1", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM events WHERE kind = 'message.received'`); n != 2 {
			t.Errorf("%d message.received events, want 2", n)
		}
	})
}

// Rejected deliveries are answered with a clear 4xx and store nothing at all.
func TestRejectedDeliveriesStoreNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		good := msg("m-1", "+972501234567", "hello")
		cases := []struct {
			name   string
			body   string
			sig    []string
			status int
		}{
			{"unsigned", good, []string{""}, http.StatusUnauthorized},
			{"wrong secret", good, []string{"sha256=" + strings.Repeat("ab", 32)}, http.StatusUnauthorized},
			{"signature of another body", good, []string{apiSign(msg("m-2", "+972501234567", "hello"))}, http.StatusUnauthorized},
			{"malformed JSON", `{"id":"m-1","from":{"phone":`, nil, http.StatusBadRequest},
			{"not an object", `[1,2,3]`, nil, http.StatusBadRequest},
			{"no sender", `{"id":"m-1","from":{},"text":"hi"}`, nil, http.StatusBadRequest},
			{"no id", `{"from":{"phone":"+972501234567"},"text":"hi"}`, nil, http.StatusBadRequest},
			{"invalid phone", `{"id":"m-1","from":{"phone":"not a number"},"text":"hi"}`, nil, http.StatusBadRequest},
			{"unknown field", `{"id":"m-1","from":{"phone":"+972501234567"},"text":"hi","admin":true}`, nil, http.StatusBadRequest},
			{"too large", `{"id":"m-1","from":{"phone":"+972501234567"},"text":"` + strings.Repeat("x", 2<<20) + `"}`, nil, http.StatusRequestEntityTooLarge},
		}
		before := e.count(`SELECT COUNT(*) FROM events`)
		for _, c := range cases {
			status, body := e.hook(c.body, c.sig...)
			if status != c.status {
				t.Errorf("%s: status %d, want %d (%v)", c.name, status, c.status, body)
			}
			errObj, _ := body["error"].(map[string]any)
			if errObj == nil || errObj["message"] == "" {
				t.Errorf("%s: no JSON error in %v", c.name, body)
			}
		}
		for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts"} {
			if n := e.count(`SELECT COUNT(*) FROM ` + table); n != 0 {
				t.Errorf("%d rows in %s after rejected deliveries, want 0", n, table)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM events`); n != before {
			t.Errorf("events grew from %d to %d", before, n)
		}
		// Unknown channel, or the right name under the wrong kind: 404.
		for _, path := range []string{"/hooks/api/no-such-channel", "/hooks/whatsapp/" + e.channel.Name} {
			req, _ := http.NewRequest("POST", e.http.URL+path, strings.NewReader(good))
			if status, _ := e.do(req); status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, status)
			}
		}
	})
}
