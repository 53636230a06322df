package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// open starts a conversation from a customer's message and returns its id.
func (e *env) open(id, phone, text string) string {
	e.t.Helper()
	_, body := e.hook(msg(id, phone, text))
	return items(map[string]any{"items": body["results"]})[0]["conversation_id"].(string)
}

// inboxIDs returns the ids an inbox request shows, in order, and its counts.
func (e *env) inboxIDs(role auth.Role, query string) ([]string, map[string]any) {
	e.t.Helper()
	_, body := e.mustCall(role, "GET", "/api/v1/inbox?"+query, nil)
	var ids []string
	for _, it := range items(body) {
		ids = append(ids, it["id"].(string))
	}
	counts, _ := body["counts"].(map[string]any)
	return ids, counts
}

// kinds returns the kinds of the events of a conversation, oldest first.
func (e *env) kinds(conversationID string) []event.Kind {
	e.t.Helper()
	evs, err := e.app.Events.List(context.Background(), event.Filter{ConversationID: conversationID, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []event.Kind
	for _, ev := range evs {
		out = append(out, ev.Kind)
	}
	return out
}

// agent creates another online agent and returns the user and a token for them.
func (e *env) agent(email, name string) (auth.User, string) {
	e.t.Helper()
	ctx := context.Background()
	online := "online"
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Role: auth.RoleAgent, Password: "correct horse battery"})
	if err != nil {
		e.t.Fatal(err)
	}
	if u, err = e.auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.auth.CreateToken(ctx, u.ID, "test", event.System)
	if err != nil {
		e.t.Fatal(err)
	}
	return u, tok
}

// Supervisors keep the label list; agents put its labels on conversations and take them off,
// each change an event; the inbox shows a conversation's labels and filters by them, and a
// label not on the list cannot be put on a conversation.
func TestLabelsOnConversationsAndTheInboxFilter(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		claim := e.open("l-1", "+972501111111", "my car was hit")
		other := e.open("l-2", "+972502222222", "a question about my policy")

		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/labels", map[string]string{"name": "VIP"}); status != http.StatusForbidden {
			t.Errorf("an agent adding to the label list: %d, want 403", status)
		}
		_, vip := e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/labels", map[string]string{"name": "  VIP   Customer "})
		if vip["name"] != "vip customer" {
			t.Errorf("label stored as %q, want it trimmed, collapsed and in lower case", vip["name"])
		}
		if status, _ := e.call(auth.RoleSupervisor, "POST", "/api/v1/labels", map[string]string{"name": "vip customer"}); status != http.StatusConflict {
			t.Errorf("the same label again: %d, want 409", status)
		}
		_, car := e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/labels", map[string]string{"name": "car claim"})
		if status, _ := e.call(auth.RoleSupervisor, "POST", "/api/v1/labels", map[string]string{"name": "   "}); status != http.StatusUnprocessableEntity {
			t.Errorf("an empty label: %d, want 422", status)
		}

		_, c := e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+claim+"/labels", map[string]string{"label_id": car["id"].(string)})
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+claim+"/labels", map[string]string{"label_id": vip["id"].(string)})
		// Adding it twice changes nothing and records nothing.
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+claim+"/labels", map[string]string{"label_id": car["id"].(string)})
		if labels, _ := c["labels"].([]any); len(labels) != 1 {
			t.Errorf("conversation after the first label: %v", c["labels"])
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+other+"/labels", map[string]string{"label_id": "01nosuchlabel"}); status != http.StatusNotFound {
			t.Errorf("a label not on the list: %d, want 404", status)
		}

		_, body := e.mustCall(auth.RoleAgent, "GET", "/api/v1/conversations/"+claim, nil)
		var names []string
		for _, l := range body["labels"].([]any) {
			names = append(names, l.(map[string]any)["name"].(string))
		}
		if !slices.Equal(names, []string{"car claim", "vip customer"}) {
			t.Errorf("conversation labels %v, want car claim and vip customer", names)
		}

		ids, counts := e.inboxIDs(auth.RoleAgent, "view=open&label=car+claim")
		if !slices.Equal(ids, []string{claim}) || counts["open"] != float64(1) {
			t.Errorf("open view filtered by car claim: %v (count %v), want only %s", ids, counts["open"], claim)
		}
		ids, _ = e.inboxIDs(auth.RoleAgent, "view=open")
		if len(ids) != 2 {
			t.Errorf("unfiltered open view: %v", ids)
		}
		_, inbox := e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=open&label=CAR%20claim", nil)
		rows := items(inbox)
		if len(rows) != 1 || len(rows[0]["labels"].([]any)) != 2 {
			t.Errorf("inbox row labels: %v", rows)
		}

		e.mustCall(auth.RoleAgent, "DELETE", "/api/v1/conversations/"+claim+"/labels/"+car["id"].(string), nil)
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open&label=car+claim"); len(ids) != 0 {
			t.Errorf("after removing the label the filter still finds %v", ids)
		}
		got := e.kinds(claim)
		var labelled, unlabelled int
		for _, k := range got {
			switch k {
			case "conversation.labelled":
				labelled++
			case "conversation.unlabelled":
				unlabelled++
			}
		}
		if labelled != 2 || unlabelled != 1 {
			t.Errorf("events %v: %d labelled, %d unlabelled; want 2 and 1", got, labelled, unlabelled)
		}

		// Deleting a label from the list takes it off every conversation.
		e.mustCall(auth.RoleSupervisor, "DELETE", "/api/v1/labels/"+vip["id"].(string), nil)
		_, body = e.mustCall(auth.RoleAgent, "GET", "/api/v1/conversations/"+claim, nil)
		if l, _ := body["labels"].([]any); len(l) != 0 {
			t.Errorf("labels after the label was deleted: %v", l)
		}
		_, list := e.mustCall(auth.RoleAgent, "GET", "/api/v1/labels", nil)
		if l := items(list); len(l) != 1 || l[0]["name"] != "car claim" {
			t.Errorf("label list %v", l)
		}
	})
}

// A conversation transferred to a queue leaves its agent and goes to a member of the queue
// (never back to the agent who sent it), and it appears in the members' "my queues" view; a
// queue with nobody online keeps it unassigned, still in the view.
func TestTransferToQueueRoutesToItsMembers(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		first := e.users[auth.RoleAgent]
		omar, omarToken := e.agent("omar@test.example", "Omar Haddad")
		e.tokens["omar"] = omarToken
		claims, err := e.app.Router.EnsureQueue(ctx, routing.Queue{Name: "claims", Topics: []string{"claims"}, Members: []string{first.ID, omar.ID}})
		if err != nil {
			t.Fatal(err)
		}
		empty, err := e.app.Router.EnsureQueue(ctx, routing.Queue{Name: "night", Topics: []string{"night"}})
		if err != nil {
			t.Fatal(err)
		}

		conv := e.open("q-1", "+972501111111", "my car was hit")
		e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/conversations/"+conv+"/assign", map[string]string{"assignee_id": first.ID})

		_, c := e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/transfer", map[string]string{"queue_id": claims.ID})
		if c["queue_id"] != claims.ID || c["assignee_id"] != omar.ID {
			t.Errorf("after transfer: queue %v, assignee %v; want %s and Omar (%s), not the agent who sent it", c["queue_id"], c["assignee_id"], claims.ID, omar.ID)
		}
		ids, counts := e.inboxIDs("omar", "view=queues")
		if !slices.Equal(ids, []string{conv}) || counts["queues"] != float64(1) {
			t.Errorf("Omar's my-queues view: %v (count %v), want %s", ids, counts["queues"], conv)
		}
		if ids, _ := e.inboxIDs("omar", "view=mine"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("Omar's own view: %v", ids)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=mine"); len(ids) != 0 {
			t.Errorf("the first agent still has %v", ids)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open&queue="+claims.ID); !slices.Equal(ids, []string{conv}) {
			t.Errorf("queue filter: %v", ids)
		}
		k := e.kinds(conv)
		if !slices.Contains(k, "conversation.transferred") {
			t.Errorf("events %v lack conversation.transferred", k)
		}

		// Nobody answers the night queue: the conversation waits there, unassigned.
		_, c = e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/transfer", map[string]string{"queue_id": empty.ID})
		if c["queue_id"] != empty.ID || c["assignee_id"] != nil {
			t.Errorf("transfer to an empty queue: queue %v, assignee %v; want it waiting unassigned", c["queue_id"], c["assignee_id"])
		}
		if ids, _ := e.inboxIDs("omar", "view=queues"); len(ids) != 0 {
			t.Errorf("Omar's queues after the move: %v", ids)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=unassigned"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("unassigned view: %v", ids)
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/transfer", map[string]string{"queue_id": "01nosuchqueue"}); status != http.StatusUnprocessableEntity {
			t.Errorf("transfer to an unknown queue: %d, want 422", status)
		}
		_, opts := e.mustCall("omar", "GET", "/api/v1/inbox/filters", nil)
		var member []string
		for _, q := range opts["queues"].([]any) {
			if q.(map[string]any)["member"] == true {
				member = append(member, q.(map[string]any)["name"].(string))
			}
		}
		if !slices.Equal(member, []string{"claims"}) {
			t.Errorf("Omar's queues in the filter options: %v", member)
		}
	})
}

// A snoozed conversation leaves the open views for the snoozed one and comes back by the
// durable job at its time, or at once when the customer writes; each is an event.
func TestSnoozeLeavesTheViewsAndWakesByJobOrCustomer(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		conv := e.open("s-1", "+972501111111", "I will send the photos later")
		until := e.clock.Now().Add(2 * time.Hour)
		_, c := e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"until": until.Format(time.RFC3339)})
		if c["snoozed_until"] != until.UTC().Format(time.RFC3339) {
			t.Errorf("snoozed_until %v, want %v", c["snoozed_until"], until.UTC().Format(time.RFC3339))
		}
		if ids, counts := e.inboxIDs(auth.RoleAgent, "view=open"); len(ids) != 0 || counts["open"] != float64(0) || counts["snoozed"] != float64(1) {
			t.Errorf("open view while snoozed: %v, counts %v", ids, counts)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=snoozed"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("snoozed view: %v", ids)
		}

		// Not yet: the job is not due.
		e.clock.Advance(time.Hour)
		if _, err := e.jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=snoozed"); len(ids) != 1 {
			t.Errorf("woke an hour early: snoozed view %v", ids)
		}
		e.clock.Advance(time.Hour + time.Second)
		if _, err := e.jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("open view after the snooze ended: %v", ids)
		}
		_, c = e.mustCall(auth.RoleAgent, "GET", "/api/v1/conversations/"+conv, nil)
		if c["snoozed_until"] != nil {
			t.Errorf("snoozed_until after waking: %v", c["snoozed_until"])
		}

		// Snoozed for a week, the customer writes the next morning: it wakes at once, and the
		// week's job later finds nothing to do.
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"preset": "next-week"})
		e.clock.Advance(12 * time.Hour)
		e.hook(msg("s-2", "+972501111111", "here are the photos"))
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("open view after the customer wrote: %v", ids)
		}
		e.clock.Advance(8 * 24 * time.Hour)
		if _, err := e.jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		var snoozed, woken int
		for _, k := range e.kinds(conv) {
			switch k {
			case "conversation.snoozed":
				snoozed++
			case "conversation.woken":
				woken++
			}
		}
		if snoozed != 2 || woken != 2 {
			t.Errorf("%d snoozed and %d woken events, want 2 and 2 (the stale job adds none)", snoozed, woken)
		}

		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"until": e.clock.Now().Add(-time.Minute).Format(time.RFC3339)}); status != http.StatusUnprocessableEntity {
			t.Errorf("a snooze in the past: %d, want 422", status)
		}
		if status, _ := e.call(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"preset": "someday"}); status != http.StatusBadRequest {
			t.Errorf("an unknown preset: %d, want 400", status)
		}
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"preset": "1h"})
		_, c = e.mustCall(auth.RoleAgent, "DELETE", "/api/v1/conversations/"+conv+"/snooze", nil)
		if c["snoozed_until"] != nil {
			t.Errorf("after waking by hand: %v", c["snoozed_until"])
		}

		// Resolving ends a snooze: reopened, the conversation is in the open view at once.
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/snooze", map[string]string{"preset": "tomorrow"})
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/status", map[string]string{"status": "resolved"})
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/status", map[string]string{"status": "open"})
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open"); !slices.Equal(ids, []string{conv}) {
			t.Errorf("open view after resolving a snoozed conversation and reopening it: %v", ids)
		}
	})
}

// The presets count in the business calendar: "tomorrow" from a Thursday evening is Friday
// 09:00 (open till 13:00), from a Friday it is Sunday 09:00 (the Israeli weekend); "next
// week" is Sunday 09:00.
func TestSnoozePresetsFollowTheBusinessCalendar(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	jerusalem, _ := time.LoadLocation("Asia/Jerusalem")
	for _, tc := range []struct {
		now                time.Time
		tomorrow, nextWeek time.Time
	}{
		{time.Date(2026, 11, 26, 20, 0, 0, 0, jerusalem), time.Date(2026, 11, 27, 9, 0, 0, 0, jerusalem), time.Date(2026, 11, 29, 9, 0, 0, 0, jerusalem)},
		{time.Date(2026, 11, 27, 10, 0, 0, 0, jerusalem), time.Date(2026, 11, 29, 9, 0, 0, 0, jerusalem), time.Date(2026, 11, 29, 9, 0, 0, 0, jerusalem)},
		{time.Date(2026, 11, 29, 10, 0, 0, 0, jerusalem), time.Date(2026, 11, 30, 9, 0, 0, 0, jerusalem), time.Date(2026, 12, 6, 9, 0, 0, 0, jerusalem)},
	} {
		e.clock.Set(tc.now)
		_, p := e.mustCall(auth.RoleAgent, "GET", "/api/v1/snooze-presets", nil)
		for k, want := range map[string]time.Time{"tomorrow": tc.tomorrow, "next-week": tc.nextWeek, "1h": tc.now.Add(time.Hour)} {
			if p[k] != want.UTC().Format(time.RFC3339) {
				t.Errorf("at %s: %s = %v, want %s", tc.now.Format(time.RFC1123), k, p[k], want.UTC().Format(time.RFC3339))
			}
		}
	}
}

// The filters combine: the customer's language with the channel, and a segment the customer
// is in; counts follow the filters.
func TestInboxFiltersByLanguageAndSegment(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		he := e.open("f-1", "+972501111111", "שלום")
		ar := e.open("f-2", "+972502222222", "مرحبا")
		var heCustomer, arCustomer string
		for conv, dst := range map[string]*string{he: &heCustomer, ar: &arCustomer} {
			_, c := e.mustCall(auth.RoleAgent, "GET", "/api/v1/conversations/"+conv, nil)
			*dst = c["customer_id"].(string)
		}
		e.mustCall(auth.RoleAgent, "PATCH", "/api/v1/customers/"+heCustomer, map[string]any{"languages": []string{"he", "en"}})
		e.mustCall(auth.RoleAgent, "PATCH", "/api/v1/customers/"+arCustomer, map[string]any{"languages": []string{"ar"}})

		if ids, counts := e.inboxIDs(auth.RoleAgent, "view=open&lang=en"); !slices.Equal(ids, []string{he}) || counts["open"] != float64(1) {
			t.Errorf("lang=en: %v (count %v), want %s", ids, counts["open"], he)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open&lang=ar&channel="+e.channel.ID); !slices.Equal(ids, []string{ar}) {
			t.Errorf("lang=ar on the channel: %v, want %s", ids, ar)
		}
		if ids, _ := e.inboxIDs(auth.RoleAgent, "view=open&lang=ru"); len(ids) != 0 {
			t.Errorf("lang=ru: %v, want none", ids)
		}
		if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/inbox?lang=%25", nil); status != http.StatusBadRequest {
			t.Errorf("a wildcard as language: %d, want 400", status)
		}

		// The segment package keeps these tables; the inbox only reads them.
		now := e.clock.Now().UnixMilli()
		if err := e.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO segments (id, name, rule, created_at, updated_at) VALUES ('01segseniors', 'seniors', 'age >= 67', ?, ?)`, now, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO segment_members (segment_id, customer_id, since) VALUES ('01segseniors', ?, ?)`, arCustomer, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ids, counts := e.inboxIDs(auth.RoleAgent, "view=open&segment=01segseniors"); !slices.Equal(ids, []string{ar}) || counts["open"] != float64(1) {
			t.Errorf("segment filter: %v (count %v), want %s", ids, counts["open"], ar)
		}
		_, opts := e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox/filters", nil)
		if fmt.Sprint(opts["languages"]) != "[ar en he]" {
			t.Errorf("languages offered: %v", opts["languages"])
		}
		var segments []string
		for _, sg := range opts["segments"].([]any) {
			segments = append(segments, sg.(map[string]any)["name"].(string))
		}
		if !slices.Contains(segments, "seniors") {
			t.Errorf("segments offered: %v, want seniors among them", segments)
		}
	})
}
