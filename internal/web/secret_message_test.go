package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A one-time code reaches the customer as written, but no agent can read it — not in the
// conversation, not in the inbox preview — or an agent holding it could pass the customer's
// identity check on their behalf.
func TestAOneTimeCodeIsDeliveredButHiddenFromAgents(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		far := &integrator{}
		srv := httptest.NewServer(far)
		defer srv.Close()
		e.channel.Settings = map[string]string{api.OutboundURLSetting: srv.URL}
		ctx := context.Background()
		if _, err := e.chans.Ensure(ctx, e.channel); err != nil {
			t.Fatal(err)
		}
		_, body := e.hook(msg("m-1", "+972501234567", "I want to file a claim"))
		res := items(map[string]any{"items": body["results"]})[0]
		convID, custID := res["conversation_id"].(string), res["customer_id"].(string)

		const code = "Your code is 482913"
		if _, err := e.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: custID, ChannelID: e.channel.ID, Text: code, Secret: true}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := e.jobs.Work(ctx); err != nil {
				t.Fatal(err)
			}
		}
		far.mu.Lock()
		got := far.got
		far.mu.Unlock()
		if len(got) != 1 || got[0].Text != code {
			t.Fatalf("the customer's side received %+v; want the code once, as written", got)
		}

		status, conv := e.call(auth.RoleAdmin, "GET", "/api/v1/conversations/"+convID, nil)
		if status != http.StatusOK {
			t.Fatalf("get conversation: %d", status)
		}
		msgs := conv["messages"].([]any)
		last := msgs[len(msgs)-1].(map[string]any)
		if last["secret"] != true || last["text"] != "" {
			t.Errorf("the agent sees %v; want the message marked secret with no text", last)
		}
		_, inbox := e.call(auth.RoleAdmin, "GET", "/api/v1/inbox?view=open", nil)
		for _, row := range items(inbox) {
			if lm, ok := row["last_message"].(map[string]any); ok && strings.Contains(lm["text"].(string), "482913") {
				t.Errorf("the inbox preview shows the code: %v", lm)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM events WHERE data LIKE '%482913%'`); n != 0 {
			t.Errorf("%d events repeat the code", n)
		}
	})
}
