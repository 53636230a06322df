package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// HaifaCalendar is the demo's one branch calendar of its own: Haifa opens half an hour later
// and closes earlier, with the Israeli holidays.
const HaifaCalendar = "branch-haifa"

// The branches' visits: hours, services and desks by branch name (the branches of demo.go).
var demoBranchSetups = []struct {
	name string
	in   branch.Input
}{
	{"Tel Aviv — Azrieli", branch.Input{Slug: "tel-aviv", NotifyAhead: 3,
		Names:    texts{"he": "תל אביב — עזריאלי", "en": "Tel Aviv — Azrieli", "ar": "تل أبيب — عزرئيلي", "ru": "Тель-Авив — Азриэли"},
		Services: []branch.Offer{{ServiceID: "car-claim", Minutes: 20}, {ServiceID: "funds-transfer", Minutes: 30}, {ServiceID: "address-change", Minutes: 10}, {ServiceID: "minor-policy", Minutes: 20}},
		Desks: []branch.DeskInput{
			{Name: "1", Services: []string{"car-claim", "funds-transfer"}, SlotMinutes: 30, Appointments: true},
			{Name: "2", Services: []string{"car-claim", "minor-policy"}, SlotMinutes: 30, Appointments: true},
			{Name: "3", Services: []string{"address-change", "minor-policy"}, SlotMinutes: 15},
			{Name: "4", Fast: true, SlotMinutes: 15},
		}}},
	{"Haifa — Hadar", branch.Input{Slug: "haifa", CalendarID: HaifaCalendar, NotifyAhead: 2,
		Names:    texts{"he": "חיפה — הדר", "en": "Haifa — Hadar", "ar": "حيفا — الهدار", "ru": "Хайфа — Адар"},
		Services: []branch.Offer{{ServiceID: "car-claim", Minutes: 20}, {ServiceID: "address-change", Minutes: 10}},
		Desks: []branch.DeskInput{
			{Name: "1", Services: []string{"car-claim"}, SlotMinutes: 20, Appointments: true},
			{Name: "2", Services: []string{"car-claim", "address-change"}, SlotMinutes: 20},
			{Name: "3", Fast: true, SlotMinutes: 15},
		}}},
	{"Beersheba — Old City", branch.Input{Slug: "beersheba", NotifyAhead: 2,
		Names:    texts{"he": "באר שבע — העיר העתיקה", "en": "Beersheba — Old City", "ar": "بئر السبع — البلدة القديمة", "ru": "Беэр-Шева — Старый город"},
		Services: []branch.Offer{{ServiceID: "car-claim", Minutes: 20}, {ServiceID: "funds-transfer", Minutes: 30}, {ServiceID: "address-change", Minutes: 10}},
		Desks: []branch.DeskInput{
			{Name: "1", Services: []string{"car-claim", "funds-transfer"}, SlotMinutes: 30, Appointments: true},
			{Name: "2", Services: []string{"address-change", "car-claim"}, SlotMinutes: 15},
		}}},
}

// branchService builds the branch service over the demo's database, as seedSelfService
// builds the desk: the jobs it enqueues (reminders) are run by the server's own queue.
func branchService(s Services, clk clock.Clock) (*branch.Service, *policy.Service, error) {
	events := event.NewLog(s.DB, clk, nil)
	customers := customer.NewService(s.DB, clk, events)
	convs := conversation.NewService(s.DB, clk, events, routing.New(s.DB, clk), nil, conversation.Options{})
	fitter := channel.NewFitter(s.DB, customers, s.Channels, clk.Now)
	desk, err := selfservice.NewDesk(s.DB, clk, events, customers, convs, fitter, selfservice.Options{})
	if err != nil {
		return nil, nil, err
	}
	q := jobs.New(s.DB, clk, slog.New(slog.DiscardHandler), jobs.Options{})
	pol, err := policy.NewService(s.DB, clk, events, q, convs, policy.Options{})
	if err != nil {
		return nil, nil, err
	}
	return branch.NewService(s.DB, clk, events, q, customers, convs, fitter, desk, pol, branch.Options{}), pol, nil
}

// seedBranchVisits gives the three branches their hours, services and desks; yesterday's
// served tickets (so waiting times and the estimate have history); a few appointments in the
// coming days; and, while Tel Aviv is open, three people waiting there now. It changes nothing
// in a branch already set up.
func seedBranchVisits(ctx context.Context, s Services) error {
	now := s.Clock.Now()
	svc, pol, err := branchService(s, s.Clock)
	if err != nil {
		return err
	}
	if _, err := pol.Calendar(ctx, HaifaCalendar); err != nil {
		cal := policy.IsraeliCalendar(HaifaCalendar, "Haifa branch: Sunday to Thursday 08:30–16:00, Friday 08:30–12:30")
		day, short := []policy.Interval{{From: "08:30", To: "16:00"}}, []policy.Interval{{From: "08:30", To: "12:30"}}
		cal.Week = policy.Week{Sunday: day, Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: short, Saturday: []policy.Interval{}}
		if _, err := pol.SetCalendar(ctx, HaifaCalendar, cal); err != nil {
			return fmt.Errorf("demo branch calendar: %w", err)
		}
	}
	all, err := svc.Branches(ctx)
	if err != nil {
		return err
	}
	actor := event.Actor{Kind: event.BySystem, ID: "demo"}
	for _, setup := range demoBranchSetups {
		for _, b := range all {
			if b.Name != setup.name || b.Slug != "" {
				continue
			}
			in := setup.in
			in.Name, in.City, in.Address, in.Phone = b.Name, b.City, b.Address, b.Phone
			b, err := svc.Put(ctx, b.ID, in, actor)
			if err != nil {
				return fmt.Errorf("demo branch %s: %w", setup.name, err)
			}
			if err := seedBranchDay(ctx, s, b, now); err != nil {
				return fmt.Errorf("demo branch %s: %w", setup.name, err)
			}
		}
	}
	return nil
}

// seedBranchDay fills one branch's history, appointments and queue.
func seedBranchDay(ctx context.Context, s Services, b branch.Branch, now time.Time) error {
	past := clock.NewManual(now)
	svc, _, err := branchService(s, past)
	if err != nil {
		return err
	}
	loc := svc.Location(ctx, b)
	// The last open weekday morning before today: eight visitors, served in turn.
	local := now.In(loc)
	for back := 1; back <= 10; back++ {
		day := time.Date(local.Year(), local.Month(), local.Day()-back, 9, 0, 0, 0, loc)
		past.Set(day)
		t, err := svc.Take(ctx, branch.TicketInput{BranchID: b.ID, ServiceID: b.Services[0].ServiceID, Via: "kiosk", Lang: "he"}, event.System)
		if err != nil {
			continue // closed that day: try the one before
		}
		tickets := []branch.Ticket{t}
		for i := 1; i < 8; i++ {
			past.Advance(4 * time.Minute)
			o := b.Services[i%len(b.Services)]
			t, err := svc.Take(ctx, branch.TicketInput{BranchID: b.ID, ServiceID: o.ServiceID, Via: []string{"web", "kiosk"}[i%2], Lang: []string{"he", "ar", "ru", "en"}[i%4]}, event.System)
			if err != nil {
				return err
			}
			tickets = append(tickets, t)
		}
		for i := range tickets {
			past.Advance(time.Duration(6+i%4*2) * time.Minute)
			for _, d := range b.Desks {
				if _, err := svc.CallNext(ctx, d.ID, event.System); err == nil {
					break
				}
			}
		}
		past.Advance(10 * time.Minute)
		for _, d := range b.Desks {
			_, _ = svc.CallNext(ctx, d.ID, event.System) // finishes the last ones; nobody is left waiting
		}
		break
	}
	// A few appointments in the coming days, on the first free slots from tomorrow.
	past.Set(now)
	tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	booked := ""
	for _, d := range b.Desks {
		if d.Appointments && booked == "" {
			booked = d.Services[0]
		}
	}
	slots, err := svc.Slots(ctx, b, booked, tomorrow, 7)
	if err != nil {
		return err
	}
	for i, name := range []string{"Yael Cohen", "Ahmad Nasser", "Irina Kaplan"} {
		if i*3 >= len(slots) {
			break
		}
		if _, err := svc.Book(ctx, branch.BookInput{BranchID: b.ID, ServiceID: booked, Start: slots[i*3].Start, Name: name,
			Lang: []string{"he", "ar", "ru"}[i], Via: []string{"web", "agent", "phone"}[i]}, event.System); err != nil {
			return err
		}
	}
	// People waiting now, where the branch is open.
	if b.Slug == "tel-aviv" {
		for i := 0; i < 3; i++ {
			if _, err := svc.Take(ctx, branch.TicketInput{BranchID: b.ID, ServiceID: b.Services[i%len(b.Services)].ServiceID, Via: "web", Lang: "he"}, event.System); err != nil {
				break // closed now: the queue starts empty
			}
		}
	}
	return nil
}
