package web_test

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A supervisor writes a canned response once; an agent finds it for the conversation's
// language and channel and gets it filled in with the customer's and their own first name.
func TestCannedResponseWrittenOnceFilledPerConversation(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		status, created := e.call(auth.RoleSupervisor, "POST", "/api/v1/canned-responses", map[string]any{
			"shortcut": "claim-received", "title": "Claim received", "language": "en", "channels": []string{"api", "email"},
			"body": "Hello {{customer.first_name}}, this is {{agent.first_name}}: we received your claim.",
		})
		if status != 201 {
			t.Fatalf("create: %d %v", status, created)
		}
		if status, body := e.call(auth.RoleSupervisor, "POST", "/api/v1/canned-responses", map[string]any{
			"shortcut": "broken", "title": "Broken", "body": "Hello {{customer.password}}",
		}); status != 422 || body["error"].(map[string]any)["field"] != "body" {
			t.Errorf("a body with an unknown variable: %d %v; want 422 naming the body", status, body)
		}
		status, hooked := e.hook(`{"id":"c-1","from":{"phone":"050-123-4567","name":"Haim Peretz"},"text":"I sent the claim form yesterday"}`)
		if status != 200 {
			t.Fatalf("hook: %d %v", status, hooked)
		}
		conv := hooked["results"].([]any)[0].(map[string]any)["conversation_id"].(string)

		_, list := e.call(auth.RoleAgent, "GET", "/api/v1/canned-responses?q=claim&lang=en&channel_kind=api", nil)
		if got := items(list); len(got) != 1 || got[0]["shortcut"] != "claim-received" {
			t.Fatalf("agent's search: %v; want the one response", list)
		}
		if _, list := e.call(auth.RoleAgent, "GET", "/api/v1/canned-responses?channel_kind=sms", nil); len(items(list)) != 0 {
			t.Errorf("on SMS the agent is offered %v; want nothing (the response is for api and email)", list)
		}
		id := created["id"].(string)
		status, filled := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/canned-responses/"+id+"/render", nil)
		want := "Hello Haim, this is Test: we received your claim."
		if status != 200 || filled["text"] != want {
			t.Errorf("render: %d %v; want %q", status, filled, want)
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/canned-responses/nope/render", nil); status != 404 {
			t.Errorf("render of an unknown response: %d; want 404", status)
		}
	})
}
