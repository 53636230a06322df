package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// An agent's live socket carries the cases of customers as they open and move, whoever moved
// them, so the customer panel updates by itself; it carries what the case list shows (the
// case, its service and stage) and never the customer's answers, and the tracker's own
// bookkeeping stays off it.
func TestCaseEventsReachTheConsoleLive(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, custID := newCaseEnv(t, dsn, "en")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c := e.live(ctx, "agent@test.example")

		// A colleague (here a supervisor through the API) opens a case; the customer opens the
		// tracker; the colleague moves the case.
		status, body := e.call(auth.RoleSupervisor, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{"plate": "12-345-67"}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		id := body["id"].(string)
		if status, page, _ := e.get(body["tracker_url"].(string)); status != http.StatusOK {
			t.Fatalf("tracker: %d %s", status, page)
		}
		if status, body := e.call(auth.RoleSupervisor, "POST", "/api/v1/cases/"+id+"/stage", map[string]any{"stage": "waiting-for-you"}); status != http.StatusOK || body["changed"] != true {
			t.Fatalf("stage: %d %v", status, body)
		}

		type frame struct {
			Type  string `json:"type"`
			Event struct {
				Kind       string          `json:"kind"`
				CustomerID string          `json:"customer_id"`
				Data       json.RawMessage `json:"data"`
			} `json:"event"`
		}
		var cases []frame
		for len(cases) == 0 || cases[len(cases)-1].Event.Kind != "case.stage-changed" {
			var f frame
			if err := wsjson.Read(ctx, c, &f); err != nil {
				t.Fatalf("waiting for case.stage-changed on the socket (case events so far %v): %v", cases, err)
			}
			if strings.HasPrefix(f.Event.Kind, "case.") {
				cases = append(cases, f)
			}
		}
		var kinds []string
		for _, f := range cases {
			kinds = append(kinds, f.Event.Kind)
			if f.Event.CustomerID != custID {
				t.Errorf("%s names customer %q, want %q", f.Event.Kind, f.Event.CustomerID, custID)
			}
			var d map[string]any
			_ = json.Unmarshal(f.Event.Data, &d)
			if d["case_id"] != id {
				t.Errorf("%s data %v does not name the case %s", f.Event.Kind, d, id)
			}
			if _, ok := d["answers"]; ok || strings.Contains(string(f.Event.Data), "12-345-67") {
				t.Errorf("%s carries the customer's answers on the socket: %s", f.Event.Kind, f.Event.Data)
			}
			if f.Event.Kind == "case.stage-changed" && (d["from"] != "received" || d["to"] != "waiting-for-you") {
				t.Errorf("the move reads %v, want received → waiting-for-you", d)
			}
		}
		if strings.Join(kinds, " ") != "case.opened case.stage-changed" {
			t.Errorf("case events on the socket %v, want the opening and the move only (no tracker or notification bookkeeping)", kinds)
		}
	})
}
