package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The channel list shows each channel's service level, and a supervisor changes it field by
// field; a bad value is a 422 naming the field.
func TestChannelPolicyThroughTheAPI(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, list := e.mustCall(auth.RoleSupervisor, "GET", "/api/v1/channels", nil)
		chs := items(list)
		if len(chs) != 1 {
			t.Fatalf("%d channels", len(chs))
		}
		pol, _ := chs[0]["policy"].(map[string]any)
		if pol["default"] != true || pol["channel_kind"] != "api" || pol["customer_reminder_minutes"] != 240.0 || pol["calendar_id"] != "default" {
			t.Errorf("policy of the API channel %v, want the defaults: reminders every 4 hours, the default calendar", pol)
		}
		path := "/api/v1/channels/" + e.channel.ID + "/policy"
		_, got := e.mustCall(auth.RoleSupervisor, "PUT", path, map[string]any{
			"first_response_minutes": 30, "topics": []string{"claims"},
			"escalation": map[string]any{"notify_supervisor": true, "raise_priority": 3},
		})
		if got["default"] != false || got["first_response_minutes"] != 30.0 || got["next_response_minutes"] != 60.0 ||
			got["updated_by"] != e.users[auth.RoleSupervisor].ID {
			t.Errorf("stored policy %v: want the new target, the other fields kept, the supervisor named", got)
		}
		_, list = e.mustCall(auth.RoleSupervisor, "GET", "/api/v1/channels", nil)
		if pol := items(list)[0]["policy"].(map[string]any); pol["first_response_minutes"] != 30.0 || pol["escalation"].(map[string]any)["raise_priority"] != 3.0 {
			t.Errorf("the channel list shows %v after the change", pol)
		}
		status, body := e.call(auth.RoleSupervisor, "PUT", path, map[string]any{"weight": 0})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "weight" {
			t.Errorf("a zero weight: %d %v, want 422 on weight", status, body)
		}
		if status, _ := e.call(auth.RoleAgent, "PUT", path, map[string]any{"weight": 1}); status != http.StatusForbidden {
			t.Errorf("an agent changing a policy: %d, want 403", status)
		}
		if status, _ := e.call(auth.RoleSupervisor, "PUT", "/api/v1/channels/nope/policy", map[string]any{}); status != http.StatusNotFound {
			t.Errorf("an unknown channel: %d, want 404", status)
		}
	})
}

// The default calendar is the Israeli one until a supervisor stores another; calendars are
// checked before they are stored.
func TestCalendarsThroughTheAPI(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	_, def := e.mustCall(auth.RoleSupervisor, "GET", "/api/v1/calendars/default", nil)
	days, _ := def["days"].([]any)
	if def["built_in"] != true || def["time_zone"] != "Asia/Jerusalem" || len(days) != 34 {
		t.Fatalf("default calendar: built_in %v, zone %v, %d days; want the built-in Israeli one with 34", def["built_in"], def["time_zone"], len(days))
	}
	week := def["week"].(map[string]any)
	cal := map[string]any{"name": "Haifa branch", "time_zone": "Asia/Jerusalem", "week": week, "days": []any{
		map[string]any{"date": "2026-12-24", "name": "Staff day", "kind": "holiday", "hours": []any{}},
	}}
	_, saved := e.mustCall(auth.RoleSupervisor, "PUT", "/api/v1/calendars/haifa", cal)
	if saved["id"] != "haifa" || saved["built_in"] != nil || len(saved["days"].([]any)) != 1 {
		t.Errorf("saved calendar %v", saved)
	}
	_, list := e.mustCall(auth.RoleSupervisor, "GET", "/api/v1/calendars", nil)
	if n := len(items(list)); n != 2 {
		t.Errorf("%d calendars, want the default and haifa", n)
	}
	cal["time_zone"] = "Haifa/Carmel"
	status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/calendars/haifa", cal)
	if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "time_zone" {
		t.Errorf("a bad zone: %d %v, want 422 on time_zone", status, body)
	}
	if status, _ := e.call(auth.RoleSupervisor, "GET", "/api/v1/calendars/nope", nil); status != http.StatusNotFound {
		t.Errorf("an unknown calendar: %d, want 404", status)
	}
	if status, _ := e.call(auth.RoleAgent, "PUT", "/api/v1/calendars/haifa", cal); status != http.StatusForbidden {
		t.Errorf("an agent storing a calendar: %d, want 403", status)
	}
}

// The inbox shows each conversation's clock, and "breaching" lists the open conversations
// inside their warning window, soonest deadline first; the conversation's clocks are one call.
func TestInboxShowsClocksAndBreachingSoon(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn) // Sunday 22 November 2026, 11:00 in Israel: open hours
		conv := func(id, phone string) string {
			_, body := e.hook(msg(id, phone, "hello"))
			return items(map[string]any{"items": body["results"]})[0]["conversation_id"].(string)
		}
		first := conv("m-1", "+972501000001")
		e.clock.Advance(2 * time.Minute)
		second := conv("m-2", "+972501000002")
		e.clock.Advance(8 * time.Minute)
		calm := conv("m-3", "+972501000003")
		e.clock.Advance(40 * time.Minute) // first: 50 of 60 minutes used; second: 48, just inside the last 20 %; calm: 40

		_, body := e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=open", nil)
		for _, row := range items(body) {
			sla, _ := row["sla"].(map[string]any)
			if sla["kind"] != "first-response" || sla["state"] != "running" || sla["open_now"] != true {
				t.Errorf("row %s: sla %v, want a running first-response clock", row["id"], sla)
			}
			if row["id"] == calm && sla["remaining_ms"] != float64(20*60_000) {
				t.Errorf("calm conversation: %v ms left, want 20 minutes", sla["remaining_ms"])
			}
		}
		_, body = e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=breaching", nil)
		var got []string
		for _, row := range items(body) {
			got = append(got, row["id"].(string))
			if row["sla"].(map[string]any)["warned"] != true {
				t.Errorf("breaching row %v not warned", row["sla"])
			}
		}
		if strings.Join(got, ",") != first+","+second {
			t.Errorf("breaching soon: %v, want %s then %s", got, first, second)
		}
		if body["counts"].(map[string]any)["breaching"] != 2.0 {
			t.Errorf("counts %v, want 2 breaching", body["counts"])
		}
		// An answer takes the conversation out of the view.
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+first+"/messages", map[string]string{"text": "Hello!"})
		_, body = e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=breaching", nil)
		if rows := items(body); len(rows) != 1 || rows[0]["id"] != second {
			t.Errorf("after the answer: %v, want only %s", rows, second)
		}
		_, cl := e.mustCall(auth.RoleAgent, "GET", "/api/v1/conversations/"+first+"/sla", nil)
		kinds := map[string]string{}
		for _, c := range items(cl) {
			outcome, _ := c["outcome"].(string)
			kinds[c["kind"].(string)] = c["state"].(string) + "/" + outcome
		}
		if kinds["first-response"] != "done/met" || kinds["resolution"] != "running/" || kinds["awaiting-customer"] != "running/" {
			t.Errorf("clocks of the answered conversation %v", kinds)
		}
		if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/nope/sla", nil); status != http.StatusNotFound {
			t.Errorf("clocks of an unknown conversation: %d, want 404", status)
		}
	})
}

// Service-level events reach the console live: the start with the message, the breach when
// the clocks run.
func TestSLAEventsReachTheConsoleLive(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := e.live(ctx, "agent@test.example")
	e.hook(msg("m-1", "+972501234567", "are you there?"))
	e.clock.Advance(2 * time.Hour)
	if _, err := e.app.Policy.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for !seen["sla.breached"] {
		var f struct {
			Type  string `json:"type"`
			Event struct {
				Kind string `json:"kind"`
			} `json:"event"`
		}
		if err := wsjson.Read(ctx, c, &f); err != nil {
			t.Fatalf("waiting for sla.breached on the socket (saw %v): %v", seen, err)
		}
		seen[f.Event.Kind] = true
	}
	if !seen["sla.started"] || !seen["sla.warning"] {
		t.Errorf("live events %v, want the start and the warning before the breach", seen)
	}
}
