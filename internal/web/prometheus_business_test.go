package web_test

import (
	"context"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/bench/history"
	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/survey"
	"github.com/gesher-cs/gesher/internal/web"
)

// scrapeMetrics GETs /metrics without credentials, as Prometheus does, and parses it.
func (e *env) scrapeMetrics() (map[string]float64, string) {
	e.t.Helper()
	resp, err := http.Get(e.http.URL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("/metrics: %d\n%s", resp.StatusCode, body)
	}
	got, err := web.PromText(string(body))
	if err != nil {
		e.t.Fatal(err)
	}
	return got, string(body)
}

// seeder appends events at given times on channels of given kinds.
type seeder struct {
	e     *env
	chans map[string]string // kind → channel id
}

func (e *env) seeder(kinds ...string) *seeder {
	e.t.Helper()
	s := &seeder{e: e, chans: map[string]string{}}
	for _, k := range kinds {
		ch, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "prom-" + k, Kind: channel.Kind(k), Secret: "s", Enabled: true})
		if err != nil {
			e.t.Fatal(err)
		}
		s.chans[k] = ch.ID
	}
	return s
}

func (s *seeder) add(at time.Time, kind event.Kind, customer, conv, chanKind string, actor event.Actor, data any) {
	s.e.t.Helper()
	if _, err := s.e.app.Events.Append(context.Background(), event.Event{Kind: kind, CustomerID: customer, ConversationID: conv,
		ChannelID: s.chans[chanKind], Actor: actor, At: at}, data); err != nil {
		s.e.t.Fatal(err)
	}
}

func (s *seeder) opened(at time.Time, customer, conv, chanKind string) {
	s.add(at, event.ConversationOpened, customer, conv, chanKind, event.System, nil)
	s.add(at, event.MessageReceived, customer, conv, chanKind, event.Actor{Kind: event.ByCustomer, ID: customer}, nil)
}

func (s *seeder) sla(at time.Time, kind event.Kind, chanKind, clock string) {
	s.add(at, kind, "", "", chanKind, event.System, map[string]string{"clock": clock})
}

// secretAgent is the agent every survey answer below is about: the name must not appear on
// the public /metrics.
const secretAgent = "agent-secret-7"

func (s *seeder) answer(at time.Time, kind survey.Kind, chanKind string, score int) {
	s.add(at, survey.Answered, "c-survey", "", chanKind, event.Actor{Kind: event.ByCustomer, ID: "c-survey"},
		map[string]any{"survey": kind, "agent_id": secretAgent, "score": score, "via": "text"})
}

// The business figures on /metrics, against a small history computed by hand, with each
// window's edge proved by an event just outside it. The clock is Sunday 22 November 2026,
// 09:00 UTC (11:00 in Jerusalem, inside the default calendar's 08:00-17:00).
func TestPrometheusBusinessGauges(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		now := e.clock.Now()
		ago := func(d time.Duration) time.Time { return now.Add(-d) }
		s := e.seeder("whatsapp", "sms", "voice")
		const day = 24 * time.Hour
		agent := event.Actor{Kind: event.ByUser, ID: secretAgent}

		// SLA, last 24 h: whatsapp first response met twice and breached once (2/3); sms
		// resolution met once. A breach 30 hours ago is outside.
		s.sla(ago(5*time.Hour), policy.SLAMet, "whatsapp", policy.FirstResponse)
		s.sla(ago(4*time.Hour), policy.SLAMet, "whatsapp", policy.FirstResponse)
		s.sla(ago(3*time.Hour), policy.SLABreached, "whatsapp", policy.FirstResponse)
		s.sla(ago(2*time.Hour), policy.SLAMet, "sms", policy.Resolution)
		s.sla(ago(30*time.Hour), policy.SLABreached, "whatsapp", policy.FirstResponse)

		// First response, last 24 h, business time: two whatsapp conversations answered in
		// 600 s and 1800 s; one on sms not answered. One opened 30 hours ago is outside.
		s.opened(ago(2*time.Hour), "c-f1", "f1", "whatsapp")
		s.add(ago(2*time.Hour-10*time.Minute), event.MessageQueued, "c-f1", "f1", "whatsapp", agent, nil)
		s.opened(ago(time.Hour), "c-f2", "f2", "whatsapp")
		s.add(ago(30*time.Minute), event.MessageQueued, "c-f2", "f2", "whatsapp", agent, nil)
		s.opened(ago(30*time.Minute), "c-f3", "f3", "sms")
		s.opened(ago(30*time.Hour), "c-f0", "f0", "voice")
		// Digital share, last 24 h: those three messages and one on voice = 3/4 (with the
		// old voice message it would be 3/5).
		s.add(ago(time.Hour), event.MessageReceived, "c-v", "", "voice", event.Actor{Kind: event.ByCustomer, ID: "c-v"}, nil)

		// CSAT, last 7 days: sms 5 and 2 = one happy of two; an sms 1 eight days ago is outside.
		s.answer(ago(2*day), survey.CSAT, "sms", 5)
		s.answer(ago(day), survey.CSAT, "sms", 2)
		s.answer(ago(8*day), survey.CSAT, "sms", 1)
		// NPS, last 30 days: whatsapp 10, 9 (promoters), 7 (passive), 2 (detractor) =
		// 50 % - 25 % = 25; a 0 forty days ago is outside.
		for i, score := range []int{10, 9, 7, 2} {
			s.answer(ago(time.Duration(10+i)*day), survey.NPS, "whatsapp", score)
		}
		s.answer(ago(40*day), survey.NPS, "whatsapp", 0)

		// Bot, last 7 days: two whatsapp conversations, one handed over = 1/2.
		s.add(ago(2*day), bot.Answered, "c-b1", "b1", "whatsapp", event.System, nil)
		s.add(ago(2*day), bot.Answered, "c-b2", "b2", "whatsapp", event.System, nil)
		s.add(ago(2*day-time.Minute), bot.HandedOver, "c-b2", "b2", "whatsapp", event.System, map[string]string{"reason": "asked"})

		// Search, last 7 days: two in Hebrew, one result opened = 1/2.
		anon := event.Actor{Kind: event.ByCustomer}
		s.add(ago(3*day), helpcenter.SearchPerformed, "", "", "", anon, map[string]any{"search_id": "s1", "query": "claim", "lang": "he", "results": 2})
		s.add(ago(3*day-time.Minute), helpcenter.SearchClicked, "", "", "", anon, map[string]any{"search_id": "s1", "article_id": "a1"})
		s.add(ago(3*day), helpcenter.SearchPerformed, "", "", "", anon, map[string]any{"search_id": "s2", "query": "towing", "lang": "he", "results": 0})

		// Self-service, cases opened 7 to 14 days ago: two on the web, one hit a limit = 1/2.
		// A case two days ago (not settled yet) is outside, though it would count as contained.
		for _, c := range []struct {
			at       time.Time
			customer string
			data     map[string]any
		}{
			{ago(10 * day), "c-s1", map[string]any{"service_id": "car-claim", "via": "web"}},
			{ago(9 * day), "c-s2", map[string]any{"service_id": "address-change", "via": "web", "finish_on": "branch"}},
			{ago(2 * day), "c-s3", map[string]any{"service_id": "car-claim", "via": "web"}},
		} {
			s.add(c.at, selfservice.CaseOpened, c.customer, "", "", event.Actor{Kind: event.ByCustomer, ID: c.customer}, c.data)
		}

		// Branches, last 24 h: two tickets in Haifa called after 600 s and 1200 s; one in Tel
		// Aviv not called yet, so no waiting time there (not a wait of 0).
		if err := e.db.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO branches (id, name, created_at) VALUES ('b1', 'Haifa Port (test)', ?), ('b2', 'Tel Aviv (test)', ?)`, now.UnixMilli(), now.UnixMilli())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s.add(ago(time.Hour), branch.TicketTaken, "c-t", "", "", event.System, map[string]any{"ticket_id": "tv", "branch_id": "b2"})
		for i, wait := range []time.Duration{10 * time.Minute, 20 * time.Minute} {
			id := "t" + strconv.Itoa(i)
			taken := ago(3*time.Hour - time.Duration(i)*time.Hour)
			s.add(taken, branch.TicketTaken, "c-t", "", "", event.System, map[string]any{"ticket_id": id, "branch_id": "b1"})
			s.add(taken.Add(wait), branch.TicketCalled, "c-t", "", "", event.System, map[string]any{"ticket_id": id, "branch_id": "b1", "wait_ms": wait.Milliseconds()})
		}

		got, body := e.scrapeMetrics()
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
		for _, c := range []struct {
			series string
			want   float64
		}{
			{web.PromSeries("gesher_sla_compliance_ratio", "channel", "whatsapp", "clock", "first-response"), 2.0 / 3},
			{web.PromSeries("gesher_sla_compliance_ratio", "channel", "all", "clock", "first-response"), 2.0 / 3},
			{web.PromSeries("gesher_sla_met", "channel", "whatsapp", "clock", "first-response"), 2},
			{web.PromSeries("gesher_sla_breached", "channel", "whatsapp", "clock", "first-response"), 1},
			{web.PromSeries("gesher_sla_compliance_ratio", "channel", "sms", "clock", "resolution"), 1},
			{web.PromSeries("gesher_sla_breached", "channel", "sms", "clock", "resolution"), 0},
			{web.PromSeries("gesher_first_response_seconds", "channel", "whatsapp", "quantile", "0.5"), 600},
			{web.PromSeries("gesher_first_response_seconds", "channel", "whatsapp", "quantile", "0.9"), 1800},
			{web.PromSeries("gesher_first_response_seconds", "channel", "all", "quantile", "0.9"), 1800},
			{web.PromSeries("gesher_first_response_unanswered", "channel", "sms"), 1},
			{web.PromSeries("gesher_first_response_unanswered", "channel", "all"), 1},
			{web.PromSeries("gesher_first_response_unanswered", "channel", "whatsapp"), 0},
			{web.PromSeries("gesher_digital_share_ratio"), 0.75},
			{web.PromSeries("gesher_csat_ratio", "channel", "sms"), 0.5},
			{web.PromSeries("gesher_csat_ratio", "channel", "all"), 0.5},
			{web.PromSeries("gesher_csat_responses", "channel", "sms"), 2},
			{web.PromSeries("gesher_nps_score", "channel", "whatsapp"), 25},
			{web.PromSeries("gesher_nps_responses", "channel", "all"), 4},
			{web.PromSeries("gesher_bot_containment_ratio", "channel", "whatsapp"), 0.5},
			{web.PromSeries("gesher_bot_conversations", "channel", "all"), 2},
			{web.PromSeries("gesher_search_success_ratio", "lang", "he"), 0.5},
			{web.PromSeries("gesher_searches", "lang", "all"), 2},
			{web.PromSeries("gesher_selfservice_containment_ratio", "way", "web"), 0.5},
			{web.PromSeries("gesher_selfservice_containment_ratio", "way", "all"), 0.5},
			{web.PromSeries("gesher_selfservice_cases", "way", "web"), 2},
			{web.PromSeries("gesher_branch_wait_seconds", "branch", "Haifa Port (test)", "quantile", "0.5"), 600},
			{web.PromSeries("gesher_branch_wait_seconds", "branch", "Haifa Port (test)", "quantile", "0.9"), 1200},
			{web.PromSeries("gesher_branch_tickets", "branch", "Haifa Port (test)"), 2},
			{web.PromSeries("gesher_branch_tickets", "branch", "Tel Aviv (test)"), 1},
			{web.PromSeries("gesher_branch_tickets", "branch", "all"), 3},
		} {
			if v, ok := got[c.series]; !ok || !near(v, c.want) {
				t.Errorf("%s = %v (present %v), want %v", c.series, v, ok, c.want)
			}
		}
		// No ratio of nothing, and no quantiles of no answer.
		for _, absent := range []string{
			web.PromSeries("gesher_first_response_seconds", "channel", "sms", "quantile", "0.5"),
			web.PromSeries("gesher_csat_ratio", "channel", "whatsapp"),
			web.PromSeries("gesher_branch_wait_seconds", "branch", "Tel Aviv (test)", "quantile", "0.5"),
		} {
			if v, ok := got[absent]; ok {
				t.Errorf("%s = %v, want no sample", absent, v)
			}
		}
		// The public page names no agent, customer or segment.
		if strings.Contains(body, secretAgent) || strings.Contains(body, "c-survey") {
			t.Errorf("/metrics shows an agent's or a customer's id:\n%s", body)
		}
		for series := range got {
			if strings.HasPrefix(series, "gesher_") && (strings.Contains(series, "agent=") || strings.Contains(series, "segment=") || strings.Contains(series, "customer=")) {
				t.Errorf("a per-person series on the public /metrics: %s", series)
			}
		}
	})
}

// A scrape within 15 seconds of the clock shows what the last computation found; past 15
// seconds, the log as it is.
func TestPrometheusBusinessGaugesAreCachedFor15Seconds(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		s := e.seeder("whatsapp")
		now := e.clock.Now()
		s.sla(now.Add(-3*time.Hour), policy.SLAMet, "whatsapp", policy.FirstResponse)
		s.sla(now.Add(-2*time.Hour), policy.SLAMet, "whatsapp", policy.FirstResponse)
		s.sla(now.Add(-time.Hour), policy.SLABreached, "whatsapp", policy.FirstResponse)
		ratio := web.PromSeries("gesher_sla_compliance_ratio", "channel", "whatsapp", "clock", "first-response")
		check := func(when string, want float64) {
			t.Helper()
			got, _ := e.scrapeMetrics()
			if math.Abs(got[ratio]-want) > 1e-9 {
				t.Errorf("%s: %s = %v, want %v", when, ratio, got[ratio], want)
			}
		}
		check("first scrape", 2.0/3)

		s.sla(now.Add(-time.Minute), policy.SLABreached, "whatsapp", policy.FirstResponse)
		e.clock.Advance(10 * time.Second)
		check("10 s later, after a new breach", 2.0/3)
		e.clock.Advance(6 * time.Second)
		check("16 s later", 0.5)
	})
}

// BenchmarkPrometheusScrape measures one uncached scrape of /metrics (every business gauge
// computed) on SQLite over a generated history: GESHER_BENCH_DAYS days (default 35, so the
// 30-day NPS window is full) of GESHER_BENCH_PER_DAY conversations a day (default 1,000, the
// generator's "about 3 million events a year").
func BenchmarkPrometheusScrape(b *testing.B) {
	days, perDay := benchInt("GESHER_BENCH_DAYS", 35), benchInt("GESHER_BENCH_PER_DAY", 1000)
	e := newEnv(b, storetest.SQLitePath(b))
	end := e.clock.Now().Truncate(24 * time.Hour)
	st, err := history.Generate(context.Background(), e.db, e.chans, history.Options{Days: days, PerDay: perDay, End: end, Seed: 42})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("history: %d days, %d conversations, %d events", days, st.Conversations, st.Events)
	e.clock.Set(end)
	b.ResetTimer()
	for b.Loop() {
		// Past the 15-second cache, and with the window moved, so no figure is served from
		// the gauges' cache or the metrics service's.
		e.clock.Advance(16 * time.Second)
		e.scrapeMetrics()
	}
	b.ReportMetric(float64(st.Events), "events")
}

func benchInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
