package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// integrator is the far side of the API channel: it receives Gesher's signed callbacks.
type integrator struct {
	mu       sync.Mutex
	got      []api.Callback
	keys     []string
	failNext int // answer this many requests with 503 first
}

func (i *integrator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	i.mu.Lock()
	defer i.mu.Unlock()
	if r.Header.Get(api.SignatureHeader) != api.Sign(hookSecret, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if i.failNext > 0 {
		i.failNext--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var cb api.Callback
	_ = json.Unmarshal(body, &cb)
	i.got = append(i.got, cb)
	i.keys = append(i.keys, r.Header.Get("Idempotency-Key"))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":"ext-` + cb.ID + `"}`))
}

// An agent's reply is stored, queued, and delivered to the channel's far side with a signature
// and an idempotency key; a provider outage delays it and it still arrives exactly once.
func TestReplyIsDeliveredOnceDespiteFailures(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		far := &integrator{failNext: 2}
		srv := httptest.NewServer(far)
		defer srv.Close()
		e.channel.Settings = map[string]string{api.OutboundURLSetting: srv.URL}
		if _, err := e.chans.Ensure(context.Background(), e.channel); err != nil {
			t.Fatal(err)
		}
		_, body := e.hook(msg("m-1", "+972501234567", "my car got hit"))
		convID := items(map[string]any{"items": body["results"]})[0]["conversation_id"].(string)

		status, m := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]string{"text": "Sorry to hear that — I have opened a claim for you."})
		if status != http.StatusAccepted || m["status"] != "queued" {
			t.Fatalf("reply: %d %v", status, m)
		}
		msgID := m["id"].(string)
		ctx := context.Background()
		for range 10 {
			if _, err := e.jobs.Work(ctx); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(10 * 60 * 1e9) // ten minutes: past any back-off
		}
		far.mu.Lock()
		got, keys := far.got, far.keys
		far.mu.Unlock()
		if len(got) != 1 || got[0].ID != msgID || got[0].To.Phone != "+972501234567" || keys[0] != msgID {
			t.Fatalf("far side received %v with keys %v; want the reply once, to +972501234567, keyed %s", got, keys, msgID)
		}
		_, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+convID, nil)
		msgs := conv["messages"].([]any)
		last := msgs[len(msgs)-1].(map[string]any)
		if last["status"] != "sent" || last["external_id"] != "ext-"+msgID {
			t.Errorf("reply status %v, external id %v; want sent, ext-%s", last["status"], last["external_id"], msgID)
		}
	})
}

// A permanent refusal marks the message failed with the provider's reason, visibly, and a
// retry sends it.
func TestRefusedReplyIsFailedWithReasonAndCanBeRetried(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		refuse := true
		far := &integrator{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuse {
				http.Error(w, "recipient has blocked this number", http.StatusBadRequest)
				return
			}
			far.ServeHTTP(w, r)
		}))
		defer srv.Close()
		e.channel.Settings = map[string]string{api.OutboundURLSetting: srv.URL}
		if _, err := e.chans.Ensure(context.Background(), e.channel); err != nil {
			t.Fatal(err)
		}
		_, body := e.hook(msg("m-1", "+972501234567", "hi"))
		convID := items(map[string]any{"items": body["results"]})[0]["conversation_id"].(string)
		_, m := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]string{"text": "hello"})
		msgID := m["id"].(string)
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+convID, nil)
		last := conv["messages"].([]any)[1].(map[string]any)
		if last["status"] != "failed" || !strings.Contains(last["status_reason"].(string), "blocked") {
			t.Fatalf("refused message: status %v reason %v; want failed with the provider's reason", last["status"], last["status_reason"])
		}
		refuse = false
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/messages/"+msgID+"/retry", nil); status != http.StatusAccepted {
			t.Fatalf("retry: %d", status)
		}
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(far.got) != 1 {
			t.Errorf("after retry the far side got %d messages, want 1", len(far.got))
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/messages/"+msgID+"/retry", nil); status != http.StatusConflict {
			t.Errorf("retrying a sent message: %d, want 409", status)
		}
	})
}

// Assign, note, resolve, reopen: each is an event on the customer's timeline.
func TestAgentActionsAreEventsOnTheTimeline(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, body := e.hook(msg("m-1", "+972501234567", "hi"))
		res := items(map[string]any{"items": body["results"]})[0]
		convID, custID := res["conversation_id"].(string), res["customer_id"].(string)
		sup := e.users[auth.RoleSupervisor].ID

		if status, c := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/assign", map[string]string{"assignee_id": sup}); status != 200 || c["assignee_id"] != sup {
			t.Fatalf("transfer: %d %v", status, c)
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/assign", map[string]string{"assignee_id": "nobody"}); status != http.StatusUnprocessableEntity {
			t.Errorf("assign to an unknown user: %d, want 422", status)
		}
		if status, n := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/notes", map[string]any{"text": "called her back", "mentions": []string{sup}}); status != 201 || n["text"] != "called her back" {
			t.Fatalf("note: %d %v", status, n)
		}
		if status, c := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/status", map[string]string{"status": "resolved"}); status != 200 || c["status"] != "resolved" {
			t.Fatalf("resolve: %d %v", status, c)
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+convID+"/status", map[string]string{"status": "closed-forever"}); status != http.StatusUnprocessableEntity {
			t.Errorf("unknown status: %d, want 422", status)
		}
		// A new message reopens the recently resolved conversation rather than starting another.
		e.hook(msg("m-2", "+972501234567", "one more thing"))
		_, c := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+convID, nil)
		if c["status"] != "open" || len(c["notes"].([]any)) != 1 {
			t.Errorf("after a new message: status %v with %d notes; want open with 1", c["status"], len(c["notes"].([]any)))
		}
		_, tl := e.call(auth.RoleAgent, "GET", "/api/v1/customers/"+custID+"/timeline", nil)
		var kinds []string
		for _, ev := range items(tl) {
			kinds = append(kinds, ev["kind"].(string))
		}
		for _, want := range []string{"customer.created", "conversation.opened", "conversation.assigned", "message.received", "note.added", "conversation.status-changed"} {
			if !contains(kinds, want) {
				t.Errorf("timeline lacks %s: %v", want, kinds)
			}
		}
		if kinds[0] != "message.received" {
			t.Errorf("timeline starts with %s; newest first means the last message", kinds[0])
		}
	})
}

// Merging folds one customer into another: identities, conversations and timeline follow, and
// un-merging gives them back.
func TestMergeAndUnmergeThroughTheAPI(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, b1 := e.hook(msg("m-1", "+972501234567", "from my phone"))
		_, b2 := e.hook(`{"id":"m-2","from":{"email":"Rivka.Cohen@Example.com","name":"Rivka"},"text":"from my email"}`)
		a := items(map[string]any{"items": b1["results"]})[0]
		b := items(map[string]any{"items": b2["results"]})[0]
		if a["customer_id"] == b["customer_id"] {
			t.Fatal("two identities became one customer before any merge")
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/customers/"+b["customer_id"].(string)+"/merge", map[string]string{"into": a["customer_id"].(string)}); status != http.StatusForbidden {
			t.Errorf("an agent merged customers: %d, want 403", status)
		}
		status, merged := e.call(auth.RoleSupervisor, "POST", "/api/v1/customers/"+b["customer_id"].(string)+"/merge", map[string]string{"into": a["customer_id"].(string)})
		if status != 200 || len(merged["identities"].([]any)) != 2 {
			t.Fatalf("merge: %d %v", status, merged)
		}
		_, found := e.call(auth.RoleAgent, "GET", "/api/v1/customers?identity=email:rivka.cohen@example.com", nil)
		if got := items(found); len(got) != 1 || got[0]["id"] != a["customer_id"] {
			t.Errorf("email now finds %v, want customer %v", got, a["customer_id"])
		}
		_, open := e.call(auth.RoleAgent, "GET", "/api/v1/conversations?customer="+a["customer_id"].(string)+"&status=open,pending", nil)
		if got := items(open); len(got) != 1 {
			t.Fatalf("merged customer has %d open conversations, want 1", len(got))
		} else {
			_, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+got[0]["id"].(string), nil)
			if n := len(conv["messages"].([]any)); n != 2 {
				t.Errorf("merged conversation shows %d messages, want both customers' 2", n)
			}
		}
		// A message to the folded identity joins the merged customer's conversation.
		e.hook(`{"id":"m-3","from":{"email":"rivka.cohen@example.com"},"text":"still me"}`)
		if n := e.count(`SELECT COUNT(*) FROM conversations WHERE status IN ('open','pending')`); n != 1 {
			t.Errorf("%d open conversations after a message to the merged identity, want 1", n)
		}
		if status, c := e.call(auth.RoleSupervisor, "POST", "/api/v1/customers/"+b["customer_id"].(string)+"/unmerge", nil); status != 200 || c["merged_into"] != nil {
			t.Fatalf("unmerge: %d %v", status, c)
		}
		_, found = e.call(auth.RoleAgent, "GET", "/api/v1/customers?identity=email:rivka.cohen@example.com", nil)
		if got := items(found); len(got) != 1 || got[0]["id"] != b["customer_id"] {
			t.Errorf("after un-merge the email finds %v, want customer %v again", got, b["customer_id"])
		}
		if status, _ := e.call(auth.RoleSupervisor, "POST", "/api/v1/customers/"+a["customer_id"].(string)+"/merge", map[string]string{"into": a["customer_id"].(string)}); status != http.StatusConflict {
			t.Errorf("merging a customer into itself: %d, want 409", status)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
