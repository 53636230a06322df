package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/event"
)

// proactiveOffers: per offer kind (chat, article, callback) and all, the offers shown in the
// range, and how many were accepted, dismissed and completed (the outcome recorded: the chat
// resolved, the article read).
func proactiveOffers(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type tally struct{ made, accepted, dismissed, completed int }
	per := map[string]*tally{"all": {}}
	kinds := []event.Kind{assist.OfferMade, assist.OfferAccepted, assist.OfferDismissed, assist.OfferCompleted}
	err = s.scanUntil(ctx, q.From, q.To, kinds, func(e event.Event) error {
		if v.members != nil && !v.members[e.CustomerID] {
			return nil
		}
		k := dataField(e, "offer")
		for _, l := range []string{"all", k} {
			if per[l] == nil {
				per[l] = &tally{}
			}
			switch e.Kind {
			case assist.OfferMade:
				per[l].made++
			case assist.OfferAccepted:
				per[l].accepted++
			case assist.OfferDismissed:
				per[l].dismissed++
			case assist.OfferCompleted:
				per[l].completed++
			}
		}
		return nil
	})
	out := Result{Rows: []Row{}}
	for k, t := range per {
		out.Rows = append(out.Rows, Row{"offer": k, "shown": t.made, "accepted": t.accepted, "dismissed": t.dismissed, "completed": t.completed, "acceptance": pct(t.accepted, t.made)})
	}
	sortRows(out.Rows, "offer")
	return out, err
}

// botContainment: per channel kind and all, the conversations the bot took part in during the
// range (it answered or ran a flow), those it handed over to the agents, and the contained
// ones — not handed over, and no agent wrote in them.
func botContainment(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type conv struct {
		kind          string
		handed, agent bool
	}
	convs := map[string]*conv{}
	kinds := []event.Kind{bot.Answered, bot.FlowStarted, bot.HandedOver, event.MessageQueued}
	err = s.scanUntil(ctx, q.From, q.To, kinds, func(e event.Event) error {
		if !v.keep(e) && e.Kind != event.MessageQueued {
			return nil
		}
		c := convs[e.ConversationID]
		switch e.Kind {
		case bot.Answered, bot.FlowStarted:
			if c == nil {
				convs[e.ConversationID] = &conv{kind: v.kind(e.ChannelID)}
			}
		case bot.HandedOver:
			if c != nil {
				c.handed = true
			}
		case event.MessageQueued:
			if c != nil && e.Actor.Kind == event.ByUser {
				c.agent = true
			}
		}
		return nil
	})
	type tally struct{ convs, handed, contained int }
	per := map[string]*tally{"all": {}}
	for _, c := range convs {
		for _, k := range []string{"all", c.kind} {
			if per[k] == nil {
				per[k] = &tally{}
			}
			per[k].convs++
			if c.handed {
				per[k].handed++
			}
			if !c.handed && !c.agent {
				per[k].contained++
			}
		}
	}
	out := Result{Rows: []Row{}}
	for k, t := range per {
		out.Rows = append(out.Rows, Row{"channel": k, "conversations": t.convs, "handed_over": t.handed, "contained": t.contained,
			"containment": pct(t.contained, t.convs), "handover_rate": pct(t.handed, t.convs)})
	}
	sortRows(out.Rows, "channel")
	return out, err
}

// coachingStages: customers reaching each digital stage per bucket (coaching.stage-advanced,
// by the stage reached), a series per stage; the agents credited are in agent_credits.
func coachingStages(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	counts := map[string]map[time.Time]float64{}
	err = s.scanUntil(ctx, q.From, q.To, []event.Kind{coaching.StageAdvanced}, func(e event.Event) error {
		if v.members != nil && !v.members[e.CustomerID] {
			return nil
		}
		to := dataField(e, "to")
		if counts[to] == nil {
			counts[to] = map[time.Time]float64{}
		}
		counts[to][bucketStart(e.At, q.Bucket, q.Location)]++
		return nil
	})
	return Result{Series: seriesOf(q, counts)}, err
}

// agentCredits: per agent, the customers whose digital stage moved on with the agent credited
// in the range.
func agentCredits(ctx context.Context, s *Service, q Query) (Result, error) {
	per := map[string]int{}
	err := s.scanUntil(ctx, q.From, q.To, []event.Kind{coaching.StageAdvanced}, func(e event.Event) error {
		if u := dataField(e, "credited_user"); u != "" && (q.AgentID == "" || u == q.AgentID) {
			per[u]++
		}
		return nil
	})
	out := Result{Rows: []Row{}}
	for u, n := range per {
		out.Rows = append(out.Rows, Row{"agent_id": u, "credits": n})
	}
	sortRows(out.Rows, "agent_id")
	return out, err
}

// branchService: per branch and all, tickets taken in the range, served to the end, no-shows
// and left; waiting (taken to called) and service (served to done) times as median and 90th
// percentile; appointments booked and cancelled.
func branchService(ctx context.Context, s *Service, q Query) (Result, error) {
	type tally struct {
		taken, done, noShow, left, booked, cancelled int
		waits, serves                                []time.Duration
	}
	per := map[string]*tally{"all": {}}
	ticketBranch := map[string]string{}
	kinds := []event.Kind{branch.TicketTaken, branch.TicketCalled, branch.TicketDone, branch.TicketNoShow, branch.TicketLeft, branch.AppointmentBooked, branch.AppointmentCancelled}
	err := s.scanUntil(ctx, q.From, q.To, kinds, func(e event.Event) error {
		var d struct {
			TicketID  string `json:"ticket_id"`
			BranchID  string `json:"branch_id"`
			WaitMS    *int64 `json:"wait_ms"`
			ServiceMS *int64 `json:"service_ms"`
		}
		_ = json.Unmarshal(e.Data, &d)
		b := d.BranchID
		if b == "" {
			b = ticketBranch[d.TicketID]
		}
		if e.Kind == branch.TicketTaken {
			ticketBranch[d.TicketID] = b
		}
		if b == "" || (q.BranchID != "" && b != q.BranchID) {
			return nil
		}
		for _, k := range []string{"all", b} {
			if per[k] == nil {
				per[k] = &tally{}
			}
			t := per[k]
			switch e.Kind {
			case branch.TicketTaken:
				t.taken++
			case branch.TicketCalled:
				if d.WaitMS != nil {
					t.waits = append(t.waits, time.Duration(*d.WaitMS)*time.Millisecond)
				}
			case branch.TicketDone:
				t.done++
				if d.ServiceMS != nil {
					t.serves = append(t.serves, time.Duration(*d.ServiceMS)*time.Millisecond)
				}
			case branch.TicketNoShow:
				t.noShow++
			case branch.TicketLeft:
				t.left++
			case branch.AppointmentBooked:
				t.booked++
			case branch.AppointmentCancelled:
				t.cancelled++
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	names, err := s.branchNames(ctx)
	if err != nil {
		return Result{}, err
	}
	out := Result{Rows: []Row{}}
	for k, t := range per {
		w := distribution(t.waits, t.waits, 0)
		sv := distribution(t.serves, t.serves, 0)
		name := names[k]
		if name == "" {
			name = k // "all", or a branch deleted since
		}
		out.Rows = append(out.Rows, Row{"branch_id": k, "branch_name": name, "tickets": t.taken, "done": t.done, "no_show": t.noShow, "left": t.left,
			"wait_p50_sec": w.P50Sec, "wait_p90_sec": w.P90Sec, "service_p50_sec": sv.P50Sec, "service_p90_sec": sv.P90Sec,
			"appointments_booked": t.booked, "appointments_cancelled": t.cancelled})
	}
	sortRows(out.Rows, "branch_id")
	return out, nil
}

// branchNames are the branches' names by id, as staff see them in the console, so a chart
// by branch reads "Haifa" and not an id.
func (s *Service) branchNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Query(ctx, sqlBranchNames)
	if err != nil {
		return nil, fmt.Errorf("metrics: branch names: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("metrics: branch names: %w", err)
		}
		names[id] = name
	}
	return names, rows.Err()
}
