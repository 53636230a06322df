// Package history generates a year of contact-centre history straight into the event log, for
// measuring the dashboards over the volume a real installation accumulates (issue 10's
// acceptance 2: "with one year of demo history, millions of events"). It writes the events the
// metrics read — messages, conversations, replies, resolutions, SLA outcomes, surveys,
// searches, self-service cases, moves between channels — in time order, as the log would
// hold them, in large batched transactions. It is a benchmark fixture: it bypasses the
// services (which would take hours for millions of events) and writes no views.
package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/store"
)

// Options size the history.
type Options struct {
	Days           int       // how many days, ending at End (default 365)
	PerDay         int       // conversations opened per day on average (default 1,000: about 3 million events a year)
	End            time.Time // the end of the history (default: today's midnight, UTC)
	Agents         int       // agents who answer (default 40)
	Seed           uint64
	ChannelsByKind map[string]string // filled in: channel kind → id
}

// Stats says what was written.
type Stats struct {
	Events        int
	Conversations int
	Took          time.Duration
}

// kinds are the channels the history uses, with the share of conversations each opens; the
// portfolio shifts towards WhatsApp and web chat over the year, as a digital shift would.
var kinds = []string{"voice", "whatsapp", "sms", "email", "webchat"}

type ev struct {
	at                            int64
	kind, customer, conv, channel string
	actorKind, actorID, data      string
}

// Generate writes the history into db, whose channels table gets one channel per kind.
func Generate(ctx context.Context, db *store.DB, chans *channel.Channels, opt Options) (Stats, error) {
	if opt.Days == 0 {
		opt.Days = 365
	}
	if opt.PerDay == 0 {
		opt.PerDay = 1000
	}
	if opt.Agents == 0 {
		opt.Agents = 40
	}
	if opt.End.IsZero() {
		opt.End = time.Now().UTC().Truncate(24 * time.Hour)
	}
	started := time.Now()
	opt.ChannelsByKind = map[string]string{}
	for _, k := range kinds {
		ch, err := chans.Ensure(ctx, channel.Channel{Name: "history-" + k, Kind: channel.Kind(k), Secret: "history", Enabled: true})
		if err != nil {
			return Stats{}, err
		}
		opt.ChannelsByKind[k] = ch.ID
	}
	r := rand.New(rand.NewPCG(opt.Seed, 7))
	customers := opt.PerDay * 30 // a customer comes back about once a month
	queries := []string{"claim status", "towing", "windshield", "policy renewal", "address change", "refund", "branch hours", "car accident", "doctor", "travel insurance"}
	var st Stats
	start := opt.End.AddDate(0, 0, -opt.Days)
	for d := 0; d < opt.Days; d++ {
		day := start.AddDate(0, 0, d)
		// Digital channels grow over the year: voice from 45 % of conversations to 25 %.
		progress := float64(d) / float64(opt.Days)
		weights := []float64{0.45 - 0.2*progress, 0.25 + 0.1*progress, 0.12, 0.1, 0.08 + 0.1*progress}
		n := opt.PerDay/2 + r.IntN(opt.PerDay+1)
		if wd := day.Weekday(); wd == time.Saturday {
			n /= 5
		}
		var evs []ev
		for i := 0; i < n; i++ {
			kind := pick(r, kinds, weights)
			chID := opt.ChannelsByKind[kind]
			cust := fmt.Sprintf("hc%07d", r.IntN(customers))
			conv := fmt.Sprintf("hv%d-%05d", d, i)
			agent := fmt.Sprintf("ha%03d", r.IntN(opt.Agents))
			at := day.Add(time.Duration(6*3600+r.IntN(10*3600)) * time.Second).UnixMilli()
			add := func(dt time.Duration, kind, ch, actorKind, actorID, data string) int64 {
				t := at + dt.Milliseconds()
				evs = append(evs, ev{at: t, kind: kind, customer: cust, conv: conv, channel: ch, actorKind: actorKind, actorID: actorID, data: data})
				return t
			}
			// Before contacting, some search the help centre.
			if r.IntN(4) == 0 {
				q := queries[r.IntN(len(queries))]
				sid := fmt.Sprintf("hs%d-%05d", d, i)
				add(-30*time.Minute, "search.performed", "", "customer", cust, fmt.Sprintf(`{"search_id":%q,"query":%q,"lang":"he","results":%d}`, sid, q, r.IntN(6)))
				if r.IntN(2) == 0 {
					add(-29*time.Minute, "search.clicked", "", "customer", "", fmt.Sprintf(`{"search_id":%q,"article_id":"a%d"}`, sid, r.IntN(50)))
				}
			}
			add(0, "conversation.opened", chID, "system", "", `{}`)
			for m := 0; m < 1+r.IntN(3); m++ {
				add(time.Duration(m)*7*time.Minute, "message.received", chID, "customer", cust, `{}`)
			}
			reply := time.Duration(1+r.IntN(180)) * time.Minute
			add(reply, "message.queued", chID, "user", agent, `{}`)
			outcome := "sla.met"
			if reply > time.Hour {
				outcome = "sla.breached"
			}
			add(min(reply, time.Hour), outcome, chID, "system", "", `{"clock":"first-response"}`)
			if r.IntN(10) < 8 {
				done := reply + time.Duration(r.IntN(240))*time.Minute
				add(done, "conversation.status-changed", "", "user", agent, `{"from":"open","to":"resolved"}`)
				add(done, "sla.met", chID, "system", "", `{"clock":"resolution"}`)
				if r.IntN(2) == 0 {
					add(done+5*time.Minute, "survey.sent", chID, "system", "", fmt.Sprintf(`{"survey":"csat","agent_id":%q}`, agent))
					if r.IntN(3) > 0 {
						score := 1 + r.IntN(5)
						comment := ""
						if r.IntN(5) == 0 {
							comment = "thank you"
						}
						add(done+20*time.Minute, "survey.answered", chID, "customer", cust, fmt.Sprintf(`{"survey":"csat","agent_id":%q,"score":%d,"comment":%q,"via":"text"}`, agent, score, comment))
					}
				}
			}
			if kind == "voice" && r.IntN(5) == 0 {
				add(reply+time.Minute, "conversation.moved", "", "user", agent, fmt.Sprintf(`{"from_channel":%q,"to_channel":%q,"action":"offer"}`, chID, opt.ChannelsByKind["whatsapp"]))
			}
			if r.IntN(8) == 0 {
				add(-10*time.Minute, "case.opened", "", "customer", cust, `{"service_id":"car-claim","via":"web"}`)
			}
		}
		sort.Slice(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
		if err := insert(ctx, db, evs); err != nil {
			return st, err
		}
		st.Events += len(evs)
		st.Conversations += n
	}
	st.Took = time.Since(started)
	return st, nil
}

func pick(r *rand.Rand, items []string, weights []float64) string {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return items[i]
		}
		x -= w
	}
	return items[len(items)-1]
}

// insert writes one day's events in one transaction, 400 rows a statement (under SQLite's and
// PostgreSQL's bound on parameters).
func insert(ctx context.Context, db *store.DB, evs []ev) error {
	return db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for len(evs) > 0 {
			batch := evs[:min(len(evs), 400)]
			evs = evs[len(batch):]
			var b strings.Builder
			b.WriteString(`INSERT INTO events (id, kind, customer_id, conversation_id, channel_id, actor_kind, actor_id, data, created_at) VALUES `)
			args := make([]any, 0, len(batch)*9)
			for i, e := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, store.NewID(time.UnixMilli(e.at)), e.kind, nullable(e.customer), nullable(e.conv), nullable(e.channel), e.actorKind, e.actorID, e.data, e.at)
			}
			if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("history: insert: %w", err)
			}
		}
		return nil
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
