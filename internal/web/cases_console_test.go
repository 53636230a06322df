package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// What the console's case panel reads: where the customer would be told of a move before the
// agent confirms it, and each notification of the history with its delivery status, which
// follows the message as the channel delivers it.
func TestCaseViewSaysWhereAndWhetherTheCustomerWasTold(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, custID := newCaseEnv(t, dsn, "en")
		crm := e.fakeCRM()
		status, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		id := body["id"].(string)
		way := body["notify_on"].(map[string]any)
		if way["kind"] != "api" || way["channel_id"] == "" || way["link"] != true || way["skipped"] != nil {
			t.Errorf("notify_on: %v; want the API channel the customer wrote on, with the link", way)
		}
		history := body["history"].([]any)
		msgID := history[0].(map[string]any)["notice"].(map[string]any)["message_id"].(string)
		sent := body["sent"].(map[string]any)[msgID].(map[string]any)
		if sent["status"] != "queued" || !strings.HasPrefix(sent["text"].(string), "We have received your request: Car claim") || sent["conversation_id"] == "" {
			t.Errorf("sent before delivery: %v", sent)
		}
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(crm.texts()) != 1 {
			t.Fatalf("the provider got %q", crm.texts())
		}
		status, body = e.call(auth.RoleAgent, "GET", "/api/v1/cases/"+id, nil)
		sent = body["sent"].(map[string]any)[msgID].(map[string]any)
		if status != http.StatusOK || sent["status"] != "sent" {
			t.Errorf("after the provider took it: %d %v", status, sent)
		}
	})
}
