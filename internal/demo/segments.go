package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/segment"
)

// The demo's three personas (seeds 000 and 001), each a segment with a journey. docs/demo.md
// lists them.
var demoPersonas = []segment.Input{
	{
		Name:        "elderly-appointment",
		Description: "75 and over: books an appointment, mostly by phone.",
		Rule:        json.RawMessage(`{"field": "age", "op": "gte", "number": 75}`),
		Matrix:      segment.Matrix{"voice": segment.OfferFirst, "sms": segment.Fits},
		TargetShare: ptr(0.3),
		Journey: &segment.Journey{Persona: "Rivka, 85, books an appointment at her branch", Stages: []segment.Stage{
			{ID: "searched", Name: "Looked for the answer", Kinds: []string{"search.performed"}},
			{ID: "called", Name: "Called the centre", Kinds: []string{"message.received"}, ChannelKinds: []string{"voice"}},
			{ID: "booked", Name: "Booked an appointment", Kinds: []string{"appointment.booked"}, MomentOfTruth: true, Question: "How easy was it to book your appointment?"},
			{ID: "served", Name: "Was served at the branch", Kinds: []string{"ticket.served"}},
		}},
	},
	{
		Name:        "new-immigrant-branch",
		Description: "New immigrants: ask on WhatsApp in their language, then deposit at a branch.",
		Rule:        json.RawMessage(`{"field": "tag", "op": "has", "values": ["new immigrant"]}`),
		Matrix:      segment.Matrix{"whatsapp": segment.OfferFirst},
		TargetShare: ptr(0.5),
		Journey: &segment.Journey{Persona: "Sergei, new in Israel, deposits a cheque at a branch", Stages: []segment.Stage{
			{ID: "searched", Name: "Looked for how to deposit", Kinds: []string{"search.performed"}},
			{ID: "asked", Name: "Asked on WhatsApp", Kinds: []string{"message.received"}, ChannelKinds: []string{"whatsapp"}},
			{ID: "ticket", Name: "Took a queue ticket from home", Kinds: []string{"ticket.taken"}},
			{ID: "deposited", Name: "Deposited at the desk", Kinds: []string{"ticket.served"}, MomentOfTruth: true, Question: "Did your branch visit get it done?"},
		}},
	},
	{
		Name:        "business-self-service",
		Description: "Business customers who run their requests themselves on the web.",
		Rule:        json.RawMessage(`{"field": "tag", "op": "has", "values": ["business"]}`),
		Matrix:      segment.Matrix{"email": segment.OfferFirst},
		TargetShare: ptr(0.8),
		Journey: &segment.Journey{Persona: "Gesher Logistics files a fleet claim online", Stages: []segment.Stage{
			{ID: "searched", Name: "Searched the help centre", Kinds: []string{"search.performed"}},
			{ID: "requested", Name: "Filed the request online", Kinds: []string{"case.opened"}, Data: map[string]string{"via": "web"}, MomentOfTruth: true, Question: "How easy was the online form?"},
			{ID: "tracked", Name: "Followed it on the tracker", Kinds: []string{"case.tracker-viewed"}},
			{ID: "done", Name: "Got the outcome", Kinds: []string{"case.stage-changed"}, Data: map[string]string{"to": "done"}},
		}},
	},
}

func ptr(f float64) *float64 { return &f }

// journeyActor marks the journey history, so seeding can tell it has run.
const journeyActor = "demo-journeys"

// step is one thing a persona's customer did, days and hours before now.
type step struct {
	phone      string
	daysAgo    int
	hour       int
	kind       string
	channel    channel.Kind // a message on this channel, through the real ingest
	data       map[string]any
	text       string
	surveyFrom string // the survey's stage, for survey.answered
}

// journeySteps are the events the personas' journeys are computed from, written on a clock in
// the past. Messages go through the real ingest pipeline (so timelines show them); the rest are
// the events the help centre, the branches, the desk and the surveys write.
var journeySteps = []step{
	// Rivka (85, kosher phone): searched by her grandson, called twice, booked, was served.
	{phone: "+972500000101", daysAgo: 20, hour: 10, kind: "search.performed", data: map[string]any{"query": "תור לסניף", "lang": "he", "results": 3}},
	{phone: "+972500000101", daysAgo: 20, hour: 11, channel: "voice", text: "(call) I want to come to the branch"},
	{phone: "+972500000101", daysAgo: 19, hour: 9, kind: "appointment.booked", data: map[string]any{"via": "phone", "service_id": "transfer"}},
	{phone: "+972500000101", daysAgo: 19, hour: 10, kind: "survey.answered", surveyFrom: "booked", data: map[string]any{"score": 4}},
	{phone: "+972500000101", daysAgo: 15, hour: 10, kind: "ticket.served", data: map[string]any{"via": "branch"}},
	// Moshe (79): searched, called, booked on the phone, did not come.
	{phone: "+972500000106", daysAgo: 12, hour: 9, kind: "search.performed", data: map[string]any{"query": "פגישה", "lang": "he", "results": 1}},
	{phone: "+972500000106", daysAgo: 12, hour: 13, channel: "voice", text: "(call) appointment please"},
	{phone: "+972500000106", daysAgo: 11, hour: 9, kind: "appointment.booked", data: map[string]any{"via": "phone", "service_id": "transfer"}},
	{phone: "+972500000106", daysAgo: 11, hour: 12, kind: "survey.answered", surveyFrom: "booked", data: map[string]any{"score": 2}},
	// Nadia (82, screen reader): searched, called, and stopped there.
	{phone: "+972500000108", daysAgo: 8, hour: 10, kind: "search.performed", data: map[string]any{"query": "موعد", "lang": "ar", "results": 0}},
	{phone: "+972500000108", daysAgo: 8, hour: 16, channel: "voice", text: "(call) موعد في الفرع"},
	// Sergei and Oksana (new immigrants).
	{phone: "+972500000102", daysAgo: 14, hour: 18, kind: "search.performed", data: map[string]any{"query": "депозит чека", "lang": "ru", "results": 2}},
	{phone: "+972500000102", daysAgo: 14, hour: 19, channel: "whatsapp", text: "Как внести чек в отделении?"},
	{phone: "+972500000102", daysAgo: 13, hour: 8, kind: "ticket.taken", data: map[string]any{"via": "web"}},
	{phone: "+972500000102", daysAgo: 13, hour: 9, kind: "ticket.served", data: map[string]any{"via": "branch"}},
	{phone: "+972500000102", daysAgo: 13, hour: 11, kind: "survey.answered", surveyFrom: "deposited", data: map[string]any{"score": 5}},
	{phone: "+972500000114", daysAgo: 6, hour: 20, kind: "search.performed", data: map[string]any{"query": "чек", "lang": "ru", "results": 2}},
	{phone: "+972500000114", daysAgo: 6, hour: 21, channel: "whatsapp", text: "Можно внести чек без записи?"},
	// The business customers.
	{phone: "+97235550999", daysAgo: 10, hour: 9, kind: "search.performed", data: map[string]any{"query": "fleet claim", "lang": "en", "results": 4}},
	{phone: "+97235550999", daysAgo: 10, hour: 9, kind: "case.opened", data: map[string]any{"via": "web", "service_id": "car-claim"}},
	{phone: "+97235550999", daysAgo: 10, hour: 10, kind: "survey.answered", surveyFrom: "requested", data: map[string]any{"score": 5}},
	{phone: "+97235550999", daysAgo: 8, hour: 15, kind: "case.tracker-viewed", data: map[string]any{"via": "web"}},
	{phone: "+97235550999", daysAgo: 5, hour: 11, kind: "case.stage-changed", data: map[string]any{"to": "done"}},
	{phone: "+972500000109", daysAgo: 9, hour: 22, kind: "search.performed", data: map[string]any{"query": "invoice", "lang": "en", "results": 1}},
	{phone: "+972500000109", daysAgo: 9, hour: 22, kind: "case.opened", data: map[string]any{"via": "web", "service_id": "car-claim"}},
	{phone: "+972500000109", daysAgo: 9, hour: 23, kind: "survey.answered", surveyFrom: "requested", data: map[string]any{"score": 3}},
}

// seedSegments creates the demo personas and writes the history their journeys are computed
// from, once. Membership is found by the sweep job each new segment enqueues.
func seedSegments(ctx context.Context, s Services) error {
	q := jobs.New(s.DB, s.Clock, nil, jobs.Options{})
	segs := segment.NewService(s.DB, s.Clock, event.NewLog(s.DB, s.Clock, nil), s.Customers, q, segment.Options{})
	if err := segs.EnsureBuiltins(ctx); err != nil {
		return err
	}
	actor := event.Actor{Kind: event.BySystem, ID: "demo"}
	for _, in := range demoPersonas {
		if _, err := segs.GetByName(ctx, in.Name); !errors.Is(err, segment.ErrNotFound) {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := segs.Create(ctx, in, actor); err != nil {
			return fmt.Errorf("demo segment %s: %w", in.Name, err)
		}
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE actor_id = ?`, journeyActor).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		if err := seedJourneys(ctx, s); err != nil {
			return err
		}
	}
	// Settle what the events imply before returning, so a seeded demo is complete when Seed
	// returns (the bus and the sweeps would get there too, a moment later): coaching stages
	// first, since segments may test them, then every segment's members.
	co, err := coaching.NewService(coaching.Deps{DB: s.DB, Clock: s.Clock, Events: event.NewLog(s.DB, s.Clock, nil), Customers: s.Customers, Jobs: q})
	if err != nil {
		return err
	}
	rows, err := s.DB.Query(ctx, `SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id`)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := co.Refresh(ctx, id); err != nil {
			return err
		}
	}
	_, err = segs.Sweep(ctx)
	return err
}

// seedJourneys writes journeySteps on a clock in the past.
func seedJourneys(ctx context.Context, s Services) error {
	chans, err := s.Channels.List(ctx)
	if err != nil {
		return err
	}
	byKind := map[channel.Kind]channel.Channel{}
	for _, c := range chans {
		if _, ok := byKind[c.Kind]; !ok && c.Enabled {
			byKind[c.Kind] = c
		}
	}
	now := s.Clock.Now()
	past := clock.NewManual(now)
	events := event.NewLog(s.DB, past, nil)
	customers := customer.NewService(s.DB, past, events)
	conversations := conversation.NewService(s.DB, past, events, routing.New(s.DB, past), nil, conversation.Options{})
	customers.SetMergeHook(conversations)
	ingester := channel.NewIngester(s.DB, past, customers, conversations, media.NewStore(s.DB, past), nil)
	for i, st := range journeySteps {
		day := now.Add(-time.Duration(st.daysAgo) * 24 * time.Hour)
		past.Set(time.Date(day.Year(), day.Month(), day.Day(), st.hour, i%50, 0, 0, time.UTC))
		c, err := customers.FindByIdentity(ctx, customer.Phone, st.phone)
		if err != nil {
			return fmt.Errorf("demo journey: customer %s: %w", st.phone, err)
		}
		if st.channel != "" {
			ch, ok := byKind[st.channel]
			if !ok {
				return fmt.Errorf("demo journey: no %s channel", st.channel)
			}
			if _, err := ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: fmt.Sprintf("demo-journey-%d", i), Text: st.text,
				From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: st.phone}}}}}); err != nil {
				return fmt.Errorf("demo journey: %w", err)
			}
			continue
		}
		data := map[string]any{"demo": true}
		for k, v := range st.data {
			data[k] = v
		}
		if st.surveyFrom != "" {
			data["stage"] = st.surveyFrom
		}
		if _, err := events.Append(ctx, event.Event{Kind: event.Kind(st.kind), CustomerID: c.ID, Actor: event.Actor{Kind: event.ByCustomer, ID: c.ID}}, data); err != nil {
			return err
		}
	}
	// The marker: one event the next seeding finds.
	_, err = events.Append(ctx, event.Event{Kind: "demo.journeys-seeded", Actor: event.Actor{Kind: event.BySystem, ID: journeyActor}}, map[string]any{"steps": len(journeySteps)})
	return err
}
