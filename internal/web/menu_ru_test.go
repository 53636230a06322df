package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// An unknown caller picks Russian on the keypad, asks for the menu on their screen, looks up
// a claim there while holding, and is then answered by an agent: the profile learns Russian,
// the link comes by SMS, the page and the hold speak Russian with the place in line, and the
// agent's context (before answering) has the caller, why they called, the path and what they
// tried on the screen.
func TestARussianCallWalksTheMenuKeepsItsPlaceAndIsHandedOver(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newMenuEnv(t, dsn)
		const sid, from = "CA5555555555555555555555555555aaaa", "+972534445566"

		_, x := e.post(e.hookURL(), callForm(sid, from, "ringing"))
		if x.Gather == nil || len(x.Gather.Says) != 4 {
			t.Fatalf("ringing: %s; want the language question", x.raw)
		}
		_, x = e.gather(x, sid, from, "Digits", "3")
		if x.Gather == nil || x.Gather.Language != "ru-RU" || !strings.Contains(x.said(), "Меню на экране телефона — 4") {
			t.Fatalf("after choosing Russian: %s; want the main menu in Russian", x.raw)
		}
		cust, err := e.app.Customers.FindByIdentity(context.Background(), customer.Phone, from)
		if err != nil || len(cust.Languages) != 1 || cust.Languages[0] != "ru" {
			t.Fatalf("caller %+v, %v; want Russian in their profile now", cust, err)
		}
		status, made := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": cust.ID, "service_id": "car-claim", "answers": map[string]any{}})
		if status != http.StatusCreated {
			t.Fatalf("open case: %d %v", status, made)
		}
		ref, _ := made["ref"].(string)

		_, x = e.gather(x, sid, from, "Digits", "4")
		if x.Enqueue == nil || x.Enqueue.Queue != e.voice.Name {
			t.Fatalf("visual menu: %s; want the caller enqueued", x.raw)
		}
		e.runJobs()
		var link string
		for _, m := range e.twilio.texts() {
			if m.Get("To") == from && menuLink.MatchString(m.Get("Body")) {
				link = menuLink.FindString(m.Get("Body"))
			}
		}
		if link == "" {
			t.Fatalf("no visual-menu link texted to %s: %v", from, e.twilio.texts())
		}
		_, hold := e.post(x.Enqueue.WaitURL, callForm(sid, from, "in-progress", "QueuePosition", "3", "QueueSid", "QU"+strings.Repeat("3", 32)))
		if hold.Play == "" || !strings.Contains(hold.raw, "3") || !strings.Contains(hold.raw, `language="ru-RU"`) {
			t.Errorf("hold: %s; want the position in Russian, then music", hold.raw)
		}
		status, body := e.page(link)
		if status != http.StatusOK || !strings.Contains(body, `lang="ru"`) || !strings.Contains(body, "3-й в очереди") {
			t.Fatalf("visual menu: %d; want Russian and place 3 kept\n%s", status, body)
		}
		if status, body := e.page(link + "?node=status"); status != http.StatusOK || !strings.Contains(body, ref) {
			t.Fatalf("claim status on screen: %d; want %s\n%s", status, ref, body)
		}

		status, ctxv := e.call(auth.RoleAgent, "GET", "/api/v1/calls/"+sid+"/context", nil)
		if status != http.StatusOK {
			t.Fatalf("context: %d %v", status, ctxv)
		}
		caller := ctxv["caller"].(map[string]any)
		if caller["phone"] != from || ctxv["position"] != float64(3) || !strings.Contains(ctxv["reason"].(string), "Меню на экране") {
			t.Errorf("context caller %v, reason %v, position %v; want the number, the Russian choice and place 3", caller, ctxv["reason"], ctxv["position"])
		}
		var path []string
		for _, s := range ctxv["path"].([]any) {
			path = append(path, s.(map[string]any)["kind"].(string))
		}
		if got := strings.Join(path, " "); got != "menu.call-started menu.language-chosen menu.option-chosen menu.action menu.queued" {
			t.Errorf("menu path %s", got)
		}
		if !strings.Contains(string(mustJSON(ctxv["visual"])), `"case-status"`) {
			t.Errorf("visual menu steps %s; want the case-status look-up", mustJSON(ctxv["visual"]))
		}
		if conv, _ := ctxv["conversation"].(map[string]any); conv == nil || conv["customer_id"] != cust.ID {
			t.Fatalf("context conversation %v; want the caller's open conversation", conv)
		}

		if _, left := e.post(x.Enqueue.Action, callForm(sid, from, "in-progress", "QueueResult", "bridged", "QueueTime", "40")); left.raw == "" {
			t.Fatal("no answer after the bridge")
		}
		if e.menuEvents("menu.handed-over") != 1 {
			t.Error("hand-over not recorded")
		}
		if e.menuEvents("menu.contained") != 0 {
			t.Error("a call an agent answered is not contained")
		}
		if _, waiting := e.call(auth.RoleAgent, "GET", "/api/v1/calls", nil); len(items(waiting)) != 0 {
			t.Errorf("waiting after the hand-over: %v", waiting)
		}
	})
}
