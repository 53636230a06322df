package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/survey"
)

// week0 is Sunday 8 November 2026, 00:00 UTC: 02:00 in Jerusalem, where the default business
// calendar opens 08:00-17:00 Sunday to Thursday (06:00-15:00 UTC) and 08:00-13:00 on Friday.
var week0 = time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)

// at is day d (0 = Sunday 8 November) at hh:mm UTC.
func at(d, hh, mm int) time.Time {
	return week0.AddDate(0, 0, d).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// known writes the history every figure below is computed by hand from. Channels are whatsapp,
// sms and voice (created before the range) and webchat, launched on day 7. Four customers;
// c1 and c2 are the segment "seniors" (target 50 %); conv1 and conv2 sit in the queue "claims".
//
//	conv1 c1 whatsapp  d0 08:00 opened · 08:30 agent-a replies (sla met) · 10:00 resolved (sla met)
//	                   · CSAT 5 "great" on whatsapp · d2 NPS 10 on whatsapp
//	conv2 c2 sms       d4 (Thu) 14:00 opened · d5 06:00 sla breached · d7 07:00 agent-b replies
//	                   · d7 08:00 resolved · CSAT 2 "slow" on sms
//	conv3 c3 voice     d1 07:00 opened · 07:20 agent-a replies (sla met) · 07:40 resolved
//	                   · CSAT 4 on the keypad · d2 NPS 6 on sms · d2 09:00 agent-a writes again
//	conv4 c4 whatsapp  d1 09:00 opened · d2 08:00 c4 writes again on sms (the same matter, 2 channels)
//	conv5 c1 webchat   d8 08:00 opened; d9 08:00 c2 writes on whatsapp
func known(t *testing.T, dsn string) (*app.App, map[string]string) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(week0.AddDate(0, 0, -1))
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: clk, Argon: auth.CheapArgon()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ids := map[string]string{}
	for _, k := range []string{"whatsapp", "sms", "voice", "webchat"} {
		if k == "webchat" {
			clk.Set(at(7, 0, 0))
		}
		ch, err := a.Channels.Ensure(ctx, channel.Channel{Name: k, Kind: channel.Kind(k), Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = ch.ID
	}
	for i, phone := range []string{"+972500000001", "+972500000002", "+972500000003", "+972500000004"} {
		c, _, err := a.Customers.Resolve(ctx, customer.Phone, phone, "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		ids["c"+string(rune('1'+i))] = c.ID
	}
	if _, err := a.Customers.AddIdentity(ctx, ids["c1"], customer.Visitor, "visitor-1", event.System); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := a.DB.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ms := week0.UnixMilli()
	exec(`INSERT INTO segments (id, name, rule, target_share, created_at, updated_at) VALUES ('seniors', 'Seniors (test)', 'true', 0.5, ?, ?)`, ms, ms)
	exec(`DELETE FROM segment_members WHERE customer_id IN (?, ?, ?, ?)`, ids["c1"], ids["c2"], ids["c3"], ids["c4"])
	exec(`INSERT INTO segment_members (segment_id, customer_id, since) VALUES ('seniors', ?, ?), ('seniors', ?, ?)`, ids["c1"], ms, ids["c2"], ms)
	exec(`INSERT INTO queues (id, name, created_at, updated_at) VALUES ('claims', 'Claims', ?, ?)`, ms, ms)
	for i, c := range []string{"c1", "c2", "c3", "c4", "c1"} {
		conv := "conv" + string(rune('1'+i))
		ids[conv] = conv
		exec(`INSERT INTO conversations (id, customer_id, original_customer_id, status, created_at, updated_at, last_message_at) VALUES (?, ?, ?, 'resolved', ?, ?, ?)`,
			conv, ids[c], ids[c], ms, ms, ms)
	}
	exec(`UPDATE conversations SET queue_id = 'claims' WHERE id IN ('conv1', 'conv2')`)
	exec(`INSERT INTO branches (id, name, created_at) VALUES ('b1', 'Haifa Port (test)', ?)`, ms)

	customerBy := func(c string) event.Actor { return event.Actor{Kind: event.ByCustomer, ID: ids[c]} }
	agent := func(id string) event.Actor { return event.Actor{Kind: event.ByUser, ID: id} }
	add := func(when time.Time, kind event.Kind, c, conv, ch string, actor event.Actor, data any) {
		t.Helper()
		if _, err := a.Events.Append(ctx, event.Event{Kind: kind, CustomerID: ids[c], ConversationID: ids[conv], ChannelID: ids[ch], Actor: actor, At: when}, data); err != nil {
			t.Fatal(err)
		}
	}
	opened := func(when time.Time, c, conv, ch string) {
		add(when, event.ConversationOpened, c, conv, ch, event.System, nil)
		add(when, event.MessageReceived, c, conv, ch, customerBy(c), nil)
	}
	clockData := func(kind string) map[string]any { return map[string]any{"clock": kind} }
	sent := func(when time.Time, kind survey.Kind, c, conv, ch, ag string) {
		add(when, survey.Sent, c, conv, ch, event.System, map[string]any{"survey": kind, "agent_id": ag})
	}
	answered := func(when time.Time, kind survey.Kind, c, conv, ch, ag string, score int, comment, via string) {
		add(when, survey.Answered, c, conv, ch, customerBy(c), map[string]any{"survey": kind, "agent_id": ag, "score": score, "comment": comment, "via": via})
	}
	resolved := func(when time.Time, c, conv, ag string) {
		add(when, event.ConversationStatus, c, conv, "", agent(ag), map[string]string{"from": "open", "to": "resolved"})
	}

	opened(at(0, 8, 0), "c1", "conv1", "whatsapp")
	add(at(0, 8, 30), event.MessageQueued, "c1", "conv1", "whatsapp", agent("agent-a"), nil)
	add(at(0, 8, 30), policy.SLAMet, "c1", "conv1", "whatsapp", event.System, clockData(policy.FirstResponse))
	resolved(at(0, 10, 0), "c1", "conv1", "agent-a")
	add(at(0, 10, 0), policy.SLAMet, "c1", "conv1", "whatsapp", event.System, clockData(policy.Resolution))
	sent(at(0, 10, 5), survey.CSAT, "c1", "conv1", "whatsapp", "agent-a")
	answered(at(0, 10, 10), survey.CSAT, "c1", "conv1", "whatsapp", "agent-a", 5, "great", "text")

	opened(at(1, 7, 0), "c3", "conv3", "voice")
	add(at(1, 7, 20), event.MessageQueued, "c3", "conv3", "voice", agent("agent-a"), nil)
	add(at(1, 7, 20), policy.SLAMet, "c3", "conv3", "voice", event.System, clockData(policy.FirstResponse))
	resolved(at(1, 7, 40), "c3", "conv3", "agent-a")
	sent(at(1, 7, 41), survey.CSAT, "c3", "conv3", "voice", "agent-a")
	answered(at(1, 7, 41), survey.CSAT, "c3", "conv3", "voice", "agent-a", 4, "", "keypad")

	opened(at(1, 9, 0), "c4", "conv4", "whatsapp")
	add(at(2, 8, 0), event.MessageReceived, "c4", "conv4", "sms", customerBy("c4"), nil)
	add(at(2, 9, 0), event.MessageQueued, "c3", "conv3", "voice", agent("agent-a"), nil)
	sent(at(2, 10, 0), survey.NPS, "c1", "conv1", "whatsapp", "agent-a")
	answered(at(2, 10, 5), survey.NPS, "c1", "conv1", "whatsapp", "agent-a", 10, "", "text")
	sent(at(2, 11, 0), survey.NPS, "c3", "conv3", "sms", "agent-a")
	answered(at(2, 11, 5), survey.NPS, "c3", "conv3", "sms", "agent-a", 6, "", "text")

	opened(at(4, 14, 0), "c2", "conv2", "sms")
	add(at(5, 6, 0), policy.SLABreached, "c2", "conv2", "sms", event.System, clockData(policy.FirstResponse))
	add(at(7, 7, 0), event.MessageQueued, "c2", "conv2", "sms", agent("agent-b"), nil)
	resolved(at(7, 8, 0), "c2", "conv2", "agent-b")
	sent(at(7, 8, 5), survey.CSAT, "c2", "conv2", "sms", "agent-b")
	answered(at(7, 9, 0), survey.CSAT, "c2", "conv2", "sms", "agent-b", 2, "slow", "text")

	opened(at(8, 8, 0), "c1", "conv5", "webchat")
	add(at(9, 8, 0), event.MessageReceived, "c2", "conv2", "whatsapp", customerBy("c2"), nil)

	// Self-service: c1's claim on the web is contained (their next message, on day 8, is more
	// than 7 days later); c3 (whose case opened after their call)
	// hears from an agent the next day; c2's request hit a limit; an agent's case does not count.
	add(at(0, 12, 0), selfservice.CaseOpened, "c1", "", "", customerBy("c1"), map[string]any{"service_id": "car-claim", "via": "web"})
	add(at(1, 12, 0), selfservice.CaseOpened, "c3", "", "", customerBy("c3"), map[string]any{"service_id": "car-claim", "via": "whatsapp"})
	add(at(3, 10, 0), selfservice.CaseOpened, "c2", "", "", customerBy("c2"), map[string]any{"service_id": "address-change", "via": "web", "finish_on": "branch"})
	add(at(3, 11, 0), selfservice.CaseOpened, "c4", "", "", agent("agent-a"), map[string]any{"service_id": "car-claim", "via": "phone"})

	// Searches: c4 opened a result and still wrote within the hour; the visitor who is c1 opened
	// one and did not write; an anonymous search found nothing.
	add(at(1, 8, 0), helpcenter.SearchPerformed, "c4", "", "", customerBy("c4"), map[string]any{"search_id": "s1", "query": "Claim status", "lang": "he", "results": 3})
	add(at(1, 8, 1), helpcenter.SearchClicked, "", "", "", customerBy(""), map[string]any{"search_id": "s1", "article_id": "a1"})
	add(at(2, 12, 0), helpcenter.SearchPerformed, "", "", "", customerBy(""), map[string]any{"search_id": "s2", "query": "claim  status", "lang": "he", "results": 3, "visitor": "visitor-1"})
	add(at(2, 12, 1), helpcenter.SearchClicked, "", "", "", customerBy(""), map[string]any{"search_id": "s2", "article_id": "a1"})
	add(at(2, 13, 0), helpcenter.SearchPerformed, "", "", "", customerBy(""), map[string]any{"search_id": "s3", "query": "towing", "lang": "he", "results": 0})

	// Other helpers' events: offers, the bot, coaching, a branch.
	add(at(1, 9, 0), assist.OfferMade, "", "", "", event.System, map[string]any{"offer": "chat"})
	add(at(1, 9, 1), assist.OfferAccepted, "", "", "", event.System, map[string]any{"offer": "chat"})
	add(at(1, 9, 30), assist.OfferCompleted, "", "", "", event.System, map[string]any{"offer": "chat", "outcome": "resolved"})
	add(at(2, 9, 0), assist.OfferMade, "", "", "", event.System, map[string]any{"offer": "chat"})
	add(at(2, 9, 5), assist.OfferMade, "", "", "", event.System, map[string]any{"offer": "article"})
	add(at(2, 9, 6), assist.OfferDismissed, "", "", "", event.System, map[string]any{"offer": "article"})
	add(at(1, 9, 0), bot.Answered, "c4", "conv4", "whatsapp", event.System, nil)
	add(at(1, 9, 2), bot.HandedOver, "c4", "conv4", "whatsapp", event.System, map[string]any{"reason": "asked"})
	add(at(8, 8, 1), bot.Answered, "c1", "conv5", "webchat", event.System, nil)
	add(at(1, 11, 0), coaching.StageAdvanced, "c1", "", "", event.System, map[string]string{"to": "digital", "credited_user": "agent-a"})
	add(at(8, 11, 0), coaching.StageAdvanced, "c2", "", "", event.System, map[string]string{"to": "assisted", "credited_user": "agent-b"})
	add(at(1, 8, 0), branch.TicketTaken, "c3", "", "", event.System, map[string]any{"ticket_id": "t1", "branch_id": "b1"})
	add(at(1, 8, 10), branch.TicketCalled, "c3", "", "", event.System, map[string]any{"ticket_id": "t1", "branch_id": "b1", "wait_ms": 600000})
	add(at(1, 8, 15), branch.TicketDone, "c3", "", "", event.System, map[string]any{"ticket_id": "t1", "branch_id": "b1", "service_ms": 300000})
	add(at(1, 9, 0), branch.TicketTaken, "c4", "", "", event.System, map[string]any{"ticket_id": "t2", "branch_id": "b1"})
	add(at(1, 9, 30), branch.TicketNoShow, "c4", "", "", event.System, map[string]any{"ticket_id": "t2", "branch_id": "b1"})
	add(at(2, 8, 0), branch.AppointmentBooked, "c1", "", "", event.System, map[string]any{"appointment_id": "ap1", "branch_id": "b1"})
	add(at(3, 8, 0), branch.AppointmentCancelled, "c1", "", "", event.System, map[string]any{"appointment_id": "ap1", "branch_id": "b1"})
	return a, ids
}

// TestEveryMetricAgainstAHandComputedHistory is acceptance 1: each figure of a known history,
// computed by hand (the arithmetic is in the comments), on SQLite and PostgreSQL.
func TestEveryMetricAgainstAHandComputedHistory(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		a, ids := known(t, dsn)
		ctx := context.Background()
		q := metrics.Query{From: week0, To: week0.AddDate(0, 0, 14), Bucket: "week"}
		get := func(name string, q metrics.Query) metrics.Result {
			t.Helper()
			r, err := a.Metrics.Compute(ctx, name, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return r
		}
		check := func(name string, got, want any) {
			t.Helper()
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", name, d)
			}
		}
		series := func(r metrics.Result) map[string][]float64 {
			out := map[string][]float64{}
			for _, s := range r.Series {
				for _, p := range s.Points {
					out[s.Label] = append(out[s.Label], p.V)
				}
			}
			return out
		}
		only := func(rows []metrics.Row, key string, keep ...string) []metrics.Row {
			var out []metrics.Row
			for _, r := range rows {
				for _, k := range keep {
					if r[key] == k {
						out = append(out, r)
					}
				}
			}
			return out
		}

		// Volume per week: before the launch whatsapp 2 (c1, c4), sms 2 (c4, c2), voice 1;
		// after it whatsapp 1 (c2), webchat 1 (c1).
		check("volume", series(get("volume", q)), map[string][]float64{"whatsapp": {2, 1}, "sms": {2, 0}, "voice": {1, 0}, "webchat": {0, 1}})
		seniors := q
		seniors.SegmentID = "seniors"
		check("volume of seniors", series(get("volume", seniors)), map[string][]float64{"whatsapp": {1, 1}, "sms": {1, 0}, "webchat": {0, 1}})

		// First response, business time: conv1 30 min = 1800 s; conv3 20 min = 1200 s; conv2
		// from Thursday 16:00 in Jerusalem to Sunday 09:00 = 1 h Thursday + 5 h Friday + 1 h
		// Sunday = 25200 s (wall clock 65 h = 234000 s). conv4 and conv5 are unanswered.
		frt := get("first_response_time", q).Distribution
		check("first_response_time all", frt["all"], metrics.Distribution{Count: 3, Unanswered: 2, MeanSec: 9400, P50Sec: 1800, P90Sec: 25200, P99Sec: 25200, WallP50Sec: 1800, WallP90Sec: 234000})
		check("first_response_time sms", frt["sms"], metrics.Distribution{Count: 1, MeanSec: 25200, P50Sec: 25200, P90Sec: 25200, P99Sec: 25200, WallP50Sec: 234000, WallP90Sec: 234000})
		claims := q
		claims.QueueID = "claims"
		check("first_response_time in claims", get("first_response_time", claims).Distribution["all"].Count, 2)
		// Resolution: conv1 2 h = 7200 s; conv3 2400 s; conv2 1 + 5 + 2 h = 28800 s (66 h wall).
		check("resolution_time all", get("resolution_time", q).Distribution["all"],
			metrics.Distribution{Count: 3, Unanswered: 2, MeanSec: 12800, P50Sec: 7200, P90Sec: 28800, P99Sec: 28800, WallP50Sec: 7200, WallP90Sec: 237600})

		check("sla_compliance", get("sla_compliance", q).Rows, []metrics.Row{
			{"channel": "all", "queue": "", "clock": "first-response", "met": 2, "breached": 1, "compliance": 66.67},
			{"channel": "all", "queue": "", "clock": "resolution", "met": 1, "breached": 0, "compliance": 100.0},
			{"channel": "sms", "queue": "claims", "clock": "first-response", "met": 0, "breached": 1, "compliance": 0.0},
			{"channel": "voice", "queue": "", "clock": "first-response", "met": 1, "breached": 0, "compliance": 100.0},
			{"channel": "whatsapp", "queue": "claims", "clock": "first-response", "met": 1, "breached": 0, "compliance": 100.0},
			{"channel": "whatsapp", "queue": "claims", "clock": "resolution", "met": 1, "breached": 0, "compliance": 100.0},
		})

		// CSAT: 5 (agent-a, whatsapp, c1), 4 (agent-a, keypad, c3), 2 (agent-b, sms, c2).
		cs := get("csat", q).Rows
		check("csat", only(cs, "by", "all", "agent", "channel"), []metrics.Row{
			{"by": "agent", "key": "agent-a", "sent": 2, "responses": 2, "mean": 4.5, "csat": 100.0},
			{"by": "agent", "key": "agent-b", "sent": 1, "responses": 1, "mean": 2.0, "csat": 0.0},
			{"by": "all", "key": "", "sent": 3, "responses": 3, "mean": 3.67, "csat": 66.67},
			{"by": "channel", "key": "sms", "sent": 1, "responses": 1, "mean": 2.0, "csat": 0.0},
			{"by": "channel", "key": "voice", "sent": 1, "responses": 1, "mean": 4.0, "csat": 100.0},
			{"by": "channel", "key": "whatsapp", "sent": 1, "responses": 1, "mean": 5.0, "csat": 100.0},
		})
		check("csat of seniors", only(cs, "key", "seniors"), []metrics.Row{{"by": "segment", "key": "seniors", "sent": 2, "responses": 2, "mean": 3.5, "csat": 50.0}})
		byA := q
		byA.AgentID = "agent-a"
		check("csat of agent-a", only(get("csat", byA).Rows, "by", "all"), []metrics.Row{{"by": "all", "key": "", "sent": 2, "responses": 2, "mean": 4.5, "csat": 100.0}})
		// NPS: 10 (a promoter, whatsapp, c1) and 6 (a detractor, sms, c3): 50 % - 50 % = 0.
		ns := get("nps", q).Rows
		check("nps", only(ns, "by", "all", "channel"), []metrics.Row{
			{"by": "all", "key": "", "sent": 2, "responses": 2, "promoters": 1, "passives": 0, "detractors": 1, "nps": 0.0},
			{"by": "channel", "key": "sms", "sent": 1, "responses": 1, "promoters": 0, "passives": 0, "detractors": 1, "nps": -100.0},
			{"by": "channel", "key": "whatsapp", "sent": 1, "responses": 1, "promoters": 1, "passives": 0, "detractors": 0, "nps": 100.0},
		})
		check("survey_comments", get("survey_comments", q).Rows, []metrics.Row{
			{"at": "2026-11-15T09:00:00Z", "survey": "csat", "score": 2, "channel": "sms", "agent_id": "agent-b", "comment": "slow"},
			{"at": "2026-11-08T10:10:00Z", "survey": "csat", "score": 5, "channel": "whatsapp", "agent_id": "agent-a", "comment": "great"},
		})

		check("containment", get("containment", q).Rows, []metrics.Row{
			{"service": "address-change", "via": "web", "opened": 1, "contained": 0, "containment": 0.0},
			{"service": "all", "via": "all", "opened": 3, "contained": 1, "containment": 33.33},
			{"service": "car-claim", "via": "web", "opened": 1, "contained": 1, "containment": 100.0},
			{"service": "car-claim", "via": "whatsapp", "opened": 1, "contained": 0, "containment": 0.0},
		})
		check("search_success", get("search_success", q).Rows, []metrics.Row{
			{"lang": "all", "searches": 3, "clicked": 2, "contacted": 1, "successful": 1, "success": 33.33},
			{"lang": "he", "searches": 3, "clicked": 2, "contacted": 1, "successful": 1, "success": 33.33},
		})
		check("top_failed_searches", get("top_failed_searches", q).Rows, []metrics.Row{
			{"query": "claim status", "searches": 2, "failed": 1, "no_results": 0},
			{"query": "towing", "searches": 1, "failed": 1, "no_results": 1},
		})

		// Portfolio at 100 an hour: whatsapp 1 reply × 2 min over 2 conversations = 1.67 a
		// contact; sms 1 × 2 min over 1 = 3.33; voice 2 × 6 min over 1 = 20; all 16 min over 5
		// = 5.33. c4 wrote on whatsapp and sms within 48 h.
		check("channel_portfolio", get("channel_portfolio", q).Rows, []metrics.Row{
			{"channel": "sms", "volume": 2, "conversations": 1, "agent_replies": 1, "agent_hours": 0.03, "cost_per_contact": 3.33, "sla_compliance": 0.0, "csat": 0.0, "csat_responses": 1, "customers": 2, "multi_channel": 50.0},
			{"channel": "voice", "volume": 1, "conversations": 1, "agent_replies": 2, "agent_hours": 0.2, "cost_per_contact": 20.0, "sla_compliance": 100.0, "csat": 100.0, "csat_responses": 1, "customers": 1, "multi_channel": 0.0},
			{"channel": "webchat", "volume": 1, "conversations": 1, "agent_replies": 0, "agent_hours": 0.0, "cost_per_contact": 0.0, "sla_compliance": 0.0, "csat": 0.0, "csat_responses": 0, "customers": 1, "multi_channel": 0.0},
			{"channel": "whatsapp", "volume": 3, "conversations": 2, "agent_replies": 1, "agent_hours": 0.03, "cost_per_contact": 1.67, "sla_compliance": 100.0, "csat": 100.0, "csat_responses": 1, "customers": 3, "multi_channel": 33.33},
			{"channel": "all", "volume": 7, "conversations": 5, "agent_replies": 4, "agent_hours": 0.27, "cost_per_contact": 5.33, "sla_compliance": 75.0, "csat": 66.67, "csat_responses": 3, "customers": 4, "multi_channel": 25.0},
		})
		dear := q
		dear.HourCost = 200
		check("cost per contact at 200 an hour", only(get("channel_portfolio", dear).Rows, "channel", "voice")[0]["cost_per_contact"], 40.0)

		// The launch of webchat on day 7: 5 messages in the 7 days before, 2 after (1 on it).
		check("channel_launch", get("channel_launch", q).Rows, []metrics.Row{
			{"channel_id": ids["webchat"], "kind": "webchat", "launched_at": "2026-11-15T00:00:00Z", "window_days": 7.0, "before": 5, "after": 2, "after_on_channel": 1, "growth": -60.0},
		})
		check("digital_share_segments", get("digital_share_segments", seniors).Rows, []metrics.Row{
			{"segment_id": "seniors", "segment": "Seniors (test)", "messages": 4, "digital": 4, "digital_share": 100.0, "target": "50"},
		})

		check("proactive_offers", get("proactive_offers", q).Rows, []metrics.Row{
			{"offer": "all", "shown": 3, "accepted": 1, "dismissed": 1, "completed": 1, "acceptance": 33.33},
			{"offer": "article", "shown": 1, "accepted": 0, "dismissed": 1, "completed": 0, "acceptance": 0.0},
			{"offer": "chat", "shown": 2, "accepted": 1, "dismissed": 0, "completed": 1, "acceptance": 50.0},
		})
		check("bot_containment", get("bot_containment", q).Rows, []metrics.Row{
			{"channel": "all", "conversations": 2, "handed_over": 1, "contained": 1, "containment": 50.0, "handover_rate": 50.0},
			{"channel": "webchat", "conversations": 1, "handed_over": 0, "contained": 1, "containment": 100.0, "handover_rate": 0.0},
			{"channel": "whatsapp", "conversations": 1, "handed_over": 1, "contained": 0, "containment": 0.0, "handover_rate": 100.0},
		})
		// The coaching service advances stages of its own from the history too; the two
		// written here are the ones checked.
		stages := series(get("coaching_stages", q))
		check("coaching_stages", map[string][]float64{"digital": stages["digital"], "assisted": stages["assisted"]}, map[string][]float64{"digital": {1, 0}, "assisted": {0, 1}})
		check("agent_credits", get("agent_credits", q).Rows, []metrics.Row{{"agent_id": "agent-a", "credits": 1}, {"agent_id": "agent-b", "credits": 1}})
		check("branch_service", get("branch_service", q).Rows, []metrics.Row{
			{"branch_id": "all", "branch_name": "all", "tickets": 2, "done": 1, "no_show": 1, "left": 0, "wait_p50_sec": 600.0, "wait_p90_sec": 600.0, "service_p50_sec": 300.0, "service_p90_sec": 300.0, "appointments_booked": 1, "appointments_cancelled": 1},
			{"branch_id": "b1", "branch_name": "Haifa Port (test)", "tickets": 2, "done": 1, "no_show": 1, "left": 0, "wait_p50_sec": 600.0, "wait_p90_sec": 600.0, "service_p50_sec": 300.0, "service_p90_sec": 300.0, "appointments_booked": 1, "appointments_cancelled": 1},
		})

		// A figure asked again is the cached one only while the log has not grown: one more
		// message, and the same query counts it.
		before := series(get("volume", q))["webchat"][1]
		if _, err := a.Events.Append(ctx, event.Event{Kind: event.MessageReceived, CustomerID: ids["c1"], ConversationID: "conv5", ChannelID: ids["webchat"],
			Actor: event.Actor{Kind: event.ByCustomer, ID: ids["c1"]}, At: at(10, 8, 0)}, nil); err != nil {
			t.Fatal(err)
		}
		check("volume after one more message", series(get("volume", q))["webchat"][1], before+1)

		// Every defined metric is covered above or by TestMetricsAgainstHandComputedHistory.
		covered := map[string]bool{"volume": true, "conversations_opened": true, "digital_share": true, "first_response_time": true, "resolution_time": true,
			"deflection_flows": true, "agent_activity": true}
		for _, n := range []string{"sla_compliance", "csat", "nps", "survey_comments", "containment", "search_success", "top_failed_searches", "channel_portfolio",
			"channel_launch", "digital_share_segments", "proactive_offers", "bot_containment", "coaching_stages", "agent_credits", "branch_service"} {
			covered[n] = true
		}
		for _, d := range a.Metrics.List() {
			if !covered[d.Name] {
				t.Errorf("metric %s has no hand-computed check", d.Name)
			}
		}
	})
}
