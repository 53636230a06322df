package branch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var (
	jerusalem, _ = time.LoadLocation("Asia/Jerusalem")
	clerk        = event.Actor{Kind: event.ByUser, ID: "clerk-1"}
	visitor      = event.Actor{Kind: event.ByCustomer}
)

// fixture is the whole app over a real database, on a manual clock set to Sunday 6 December
// 2026, 08:30 in Jerusalem, with an SMS channel and one branch: two appointment desks for
// claims, a documents desk and a fast pick-up desk, open on the test calendar — the Israeli
// week with Monday 7 December a holiday and Tuesday 8 December an eve open 08:00–10:00.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	a      *app.App
	clock  *clock.Manual
	svc    *branch.Service
	branch branch.Branch
	dsn    string
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewManual(time.Date(2026, 12, 6, 8, 30, 0, 0, jerusalem)), dsn: dsn}
	f.a = f.open()
	f.svc = f.a.Branches
	if _, err := f.a.Channels.Ensure(f.ctx, channel.Channel{Name: "sms", Kind: "sms", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"claim", "docs"} {
		if _, err := f.a.SelfService.PutService(f.ctx, id, selfservice.Input{Category: "test", Name: map[string]string{"en": "Service " + id, "he": "שירות " + id},
			Channels: []selfservice.Way{selfservice.Branch}}, clerk); err != nil {
			t.Fatal(err)
		}
	}
	cal := policy.Calendar{Name: "test branch", TimeZone: "Asia/Jerusalem", Week: policy.IsraeliWeek(), Days: []policy.Day{
		{Date: "2026-12-07", Name: "a holiday", Kind: policy.Holiday},
		{Date: "2026-12-08", Name: "an eve", Kind: policy.Eve, Hours: []policy.Interval{{From: "08:00", To: "10:00"}}},
	}}
	if _, err := f.a.Policy.SetCalendar(f.ctx, "branch-test", cal); err != nil {
		t.Fatal(err)
	}
	id := store.NewID(f.clock.Now())
	if _, err := f.a.DB.Writer().ExecContext(f.ctx, f.a.DB.Rebind(`INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`), id, "Test branch", 1); err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Put(f.ctx, id, branch.Input{Name: "Test branch", Slug: "test", Address: "Herzl 1", CalendarID: "branch-test", NotifyAhead: 2,
		Services: []branch.Offer{{ServiceID: "claim", Minutes: 20}, {ServiceID: "docs", Minutes: 10}},
		Desks: []branch.DeskInput{
			{Name: "1", Services: []string{"claim"}, SlotMinutes: 30, Appointments: true},
			{Name: "2", Services: []string{"claim"}, SlotMinutes: 30, Appointments: true},
			{Name: "3", Services: []string{"docs"}, SlotMinutes: 15},
			{Name: "Pick-up", Fast: true, SlotMinutes: 15},
		}}, clerk)
	if err != nil {
		t.Fatal(err)
	}
	f.branch = b
	return f
}

// open opens another node over the same database, on the same clock.
func (f *fixture) open() *app.App {
	a, err := app.Open(f.ctx, app.Options{DSN: f.dsn, Clock: f.clock, Argon: auth.CheapArgon(), NodeID: "node-" + store.NewID(time.Now())[20:]})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(a.Close)
	return a
}

func (f *fixture) desk(name string) branch.Desk {
	for _, d := range f.branch.Desks {
		if d.Name == name {
			return d
		}
	}
	f.t.Fatalf("no desk %s", name)
	return branch.Desk{}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.a.DB.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, jerusalem)
}

func TestSlotsFollowHoursHolidaysAndDesks(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	slots, err := f.svc.Slots(f.ctx, f.branch, "claim", f.clock.Now(), 7)
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[int]int{}
	for _, s := range slots {
		perDay[s.Start.In(jerusalem).Day()]++
		if s.Free != 2 {
			t.Errorf("slot %v: %d free, want both desks", s.Start, s.Free)
		}
	}
	// Sunday from 09:00 (08:30 has begun), the holiday none, the eve 08:00–10:00, a full
	// Wednesday and Thursday, a short Friday, no Saturday.
	want := map[int]int{6: 16, 8: 4, 9: 18, 10: 18, 11: 10}
	for d := 6; d <= 12; d++ {
		if perDay[d] != want[d] {
			t.Errorf("December %d: %d slots, want %d", d, perDay[d], want[d])
		}
	}
	if first := slots[0].Start; !first.Equal(at(6, 9, 0)) {
		t.Errorf("first slot %v, want Sunday 09:00", first.In(jerusalem))
	}
	// Desk capacity: two desks, so the slot takes two bookings and refuses the third.
	for i := 0; i < 2; i++ {
		if _, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(6, 10, 0), Name: "Visitor"}, visitor); err != nil {
			t.Fatalf("booking %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(6, 10, 0)}, visitor); !errors.Is(err, branch.ErrSlotTaken) {
		t.Errorf("third booking of a two-desk slot: %v, want ErrSlotTaken", err)
	}
	slots, _ = f.svc.Slots(f.ctx, f.branch, "claim", f.clock.Now(), 1)
	for _, s := range slots {
		if s.Start.Equal(at(6, 10, 0)) {
			t.Errorf("the fully booked 10:00 slot is still listed")
		}
	}
	for _, bad := range []time.Time{at(7, 10, 0), at(8, 10, 0), at(6, 10, 10), at(12, 10, 0), at(6, 8, 0)} {
		_, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: bad}, visitor)
		var ve *branch.ValidationError
		if !errors.Is(err, branch.ErrClosed) && !errors.As(err, &ve) {
			t.Errorf("booking %v: %v, want it refused", bad.In(jerusalem), err)
		}
	}
	// The documents desk takes no appointments: docs has no slots at all.
	if s, _ := f.svc.Slots(f.ctx, f.branch, "docs", f.clock.Now(), 7); len(s) != 0 {
		t.Errorf("docs: %d slots, want none", len(s))
	}
}

// However many visitors book one slot at once, each desk is booked once: the database's
// unique index decides, on both databases.
func TestConcurrentBookingNeverDoubleBooks(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ok, taken int
		var other []error
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(9, 11, 30)}, visitor)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, branch.ErrSlotTaken):
					taken++
				default:
					other = append(other, err)
				}
			}()
		}
		wg.Wait()
		if ok != 2 || taken != n-2 || len(other) > 0 {
			t.Fatalf("%d booked, %d refused, errors %v; want 2 booked (two desks) and %d refused", ok, taken, other, n-2)
		}
		if got := f.count(`SELECT COUNT(DISTINCT desk_id) FROM appointments WHERE starts_at = ? AND cancelled_at IS NULL`, at(9, 11, 30).UnixMilli()); got != 2 {
			t.Errorf("%d desks booked, want 2", got)
		}
		// Cancelling frees the desk for the next visitor.
		appts, _ := f.svc.Appointments(f.ctx, f.branch.ID, at(9, 0, 0), at(10, 0, 0))
		if _, err := f.svc.Cancel(f.ctx, appts[0].ID, visitor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(f.ctx, appts[0].ID, visitor); !errors.Is(err, branch.ErrState) {
			t.Errorf("second cancel: %v, want ErrState", err)
		}
		if _, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(9, 11, 30)}, visitor); err != nil {
			t.Errorf("booking the freed slot: %v", err)
		}
	})
}

// The reminder goes the day before at 17:00, on SMS, once, even when its job runs again; a
// cancelled appointment gets none.
func TestReminderTheDayBeforeExactlyOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		a, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(9, 9, 0), Phone: "0521234567", Name: "Rivka", Lang: "he", Via: "web"}, visitor)
		if err != nil {
			t.Fatal(err)
		}
		gone, err := f.svc.Book(f.ctx, branch.BookInput{BranchID: f.branch.ID, ServiceID: "claim", Start: at(9, 9, 30), Phone: "0527654321", Lang: "en"}, visitor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(f.ctx, gone.ID, visitor); err != nil {
			t.Fatal(err)
		}
		if got := f.svc.ReminderAt(f.ctx, a); !got.Equal(at(8, 17, 0)) {
			t.Errorf("reminder at %v, want Tuesday 17:00", got.In(jerusalem))
		}
		out := func(id string) int {
			return f.count(`SELECT COUNT(*) FROM messages WHERE customer_id = ? AND direction = 'out'`, id)
		}
		f.clock.Set(at(8, 16, 59))
		f.a.Jobs.Work(f.ctx)
		if n := out(a.CustomerID); n != 0 {
			t.Fatalf("%d messages before the reminder's time", n)
		}
		f.clock.Set(at(8, 17, 1))
		f.a.Jobs.Work(f.ctx)
		if n := out(a.CustomerID); n != 1 {
			t.Fatalf("%d reminders, want 1", n)
		}
		// A node that died after the work but before recording it: the job runs again.
		if _, err := f.a.DB.Writer().ExecContext(f.ctx, f.a.DB.Rebind(`UPDATE jobs SET state = 'ready', run_at = 0 WHERE kind = ?`), branch.ReminderJob); err != nil {
			t.Fatal(err)
		}
		f.a.Jobs.Work(f.ctx)
		if n := out(a.CustomerID); n != 1 {
			t.Errorf("%d reminders after the job ran again, want still 1", n)
		}
		if n := out(gone.CustomerID); n != 0 {
			t.Errorf("the cancelled appointment was reminded %d times", n)
		}
		var text string
		if err := f.a.DB.QueryRow(f.ctx, `SELECT text FROM messages WHERE customer_id = ? AND direction = 'out'`, a.CustomerID).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if want := "09:00"; !contains(text, want) || !contains(text, "/a/") {
			t.Errorf("reminder %q: want the time and the appointment's link", text)
		}
	})
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func (f *fixture) take(service, phone string) branch.Ticket {
	f.t.Helper()
	t, err := f.svc.Take(f.ctx, branch.TicketInput{BranchID: f.branch.ID, ServiceID: service, Phone: phone, Lang: "he", Via: "web"}, visitor)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) place(t branch.Ticket) branch.Place {
	f.t.Helper()
	t, err := f.svc.Ticket(f.ctx, t.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := f.svc.Where(f.ctx, t)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestTicketPositionAndEstimate(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	var ts []branch.Ticket
	for i := 0; i < 4; i++ {
		ts = append(ts, f.take("claim", ""))
	}
	docs := f.take("docs", "")
	for i, tk := range ts {
		if tk.Number != i+1 {
			t.Errorf("ticket %d has number %d", i+1, tk.Number)
		}
		p := f.place(tk)
		// Two claim desks, no history yet: 20 minutes each, shared by two desks.
		if p.Ahead != i || p.Wait != time.Duration(i)*10*time.Minute {
			t.Errorf("ticket %d: %d ahead, wait %v; want %d ahead, %v", tk.Number, p.Ahead, p.Wait, i, time.Duration(i)*10*time.Minute)
		}
	}
	if p := f.place(docs); p.Ahead != 0 {
		t.Errorf("the documents line has its own order: %d ahead", p.Ahead)
	}
	// The clerk calls: the position moves; the called ticket knows its desk.
	called, err := f.svc.CallNext(f.ctx, f.desk("1").ID, clerk)
	if err != nil || called.ID != ts[0].ID {
		t.Fatalf("call next: %v %v, want ticket 1", called.Number, err)
	}
	if p := f.place(ts[3]); p.Ahead != 2 {
		t.Errorf("after a call, ticket 4 has %d ahead, want 2", p.Ahead)
	}
	if p := f.place(ts[0]); p.Ticket.Status != branch.Called || p.DeskName != "1" {
		t.Errorf("ticket 1: %s at %q", p.Ticket.Status, p.DeskName)
	}
	// The service times learnt from served tickets replace the usual length: five served in
	// 6 minutes each, then ticket 4 (0 ahead after three more calls) and a new one behind it.
	for i := 0; i < 5; i++ {
		f.take("claim", "")
	}
	f.clock.Advance(6 * time.Minute)
	for i := 0; i < 6; i++ {
		if _, err := f.svc.CallNext(f.ctx, f.desk("1").ID, clerk); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(6 * time.Minute)
	}
	if _, err := f.svc.CallNext(f.ctx, f.desk("1").ID, clerk); err != nil {
		t.Fatal(err)
	}
	last := f.take("claim", "")
	p := f.place(last)
	// Waiting: the last of the later five, then this one. Seven served in 6 minutes each:
	// the median, 6 minutes, shared by two desks — not the usual 20.
	if p.Ahead != 1 || p.Wait != 3*time.Minute {
		t.Errorf("learnt estimate: %d ahead, wait %v; want 1 ahead, 3m", p.Ahead, p.Wait)
	}
}

func TestEstimateWait(t *testing.T) {
	m := time.Minute
	cases := []struct {
		name     string
		samples  []time.Duration
		ahead    int
		desks    int
		want     time.Duration
		fallback time.Duration
	}{
		{"nobody ahead", []time.Duration{m, m, m, m, m}, 0, 1, 0, 10 * m},
		{"too few samples take the usual length", []time.Duration{m, m}, 3, 1, 30 * m, 10 * m},
		{"median, not mean: one long visit does not count", []time.Duration{4 * m, 5 * m, 6 * m, 5 * m, 60 * m}, 2, 1, 10 * m, 10 * m},
		{"even count: the middle two", []time.Duration{4 * m, 4 * m, 6 * m, 6 * m, 8 * m, 8 * m}, 1, 1, 6 * m, 10 * m},
		{"shared by the desks", []time.Duration{6 * m, 6 * m, 6 * m, 6 * m, 6 * m}, 4, 2, 12 * m, 10 * m},
		{"no desk counts as one", nil, 2, 0, 20 * m, 10 * m},
	}
	for _, c := range cases {
		if got := branch.EstimateWait(c.samples, c.fallback, c.ahead, c.desks); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// "Close to your turn" goes once per ticket, when NotifyAhead (2) or fewer are ahead, even
// with two nodes calling at once and a third node started afterwards.
func TestNearTurnMessageExactlyOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		phones := []string{"0521000001", "0521000002", "0521000003", "0521000004", "0521000005", "0521000006"}
		var ts []branch.Ticket
		for _, ph := range phones {
			ts = append(ts, f.take("claim", ph))
		}
		out := func(tk branch.Ticket) int {
			return f.count(`SELECT COUNT(*) FROM messages WHERE customer_id = ? AND direction = 'out'`, tk.CustomerID)
		}
		for i, tk := range ts {
			if n := out(tk); n != 0 {
				t.Errorf("ticket %d got %d messages on taking it", i+1, n)
			}
		}
		other := f.open()
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for i, svc := range []*branch.Service{f.svc, other.Branches} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.CallNext(f.ctx, f.desk([]string{"1", "2"}[i]).ID, clerk)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// 1 and 2 called; 3 was told at taking (2 ahead then); 4 and 5 now have 1 and 2 ahead.
		want := []int{0, 0, 0, 1, 1, 0}
		for i, tk := range ts {
			if n := out(tk); n != want[i] {
				t.Errorf("after two calls, ticket %d: %d messages, want %d", i+1, n, want[i])
			}
		}
		// A node started later calls again: only ticket 6 is newly close.
		third := f.open()
		if _, err := third.Branches.CallNext(f.ctx, f.desk("1").ID, clerk); err != nil {
			t.Fatal(err)
		}
		want = []int{0, 0, 0, 1, 1, 1}
		for i, tk := range ts {
			if n := out(tk); n != want[i] {
				t.Errorf("after a third call, ticket %d: %d messages, want %d", i+1, n, want[i])
			}
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(branch.TicketNearNotified)); n != 3 {
			t.Errorf("%d near-notified events, want 3", n)
		}
	})
}

func TestCheckInServeAndFigures(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	tk := f.take("docs", "")
	if _, err := f.svc.CheckIn(f.ctx, f.branch.ID, "00000", visitor); !errors.Is(err, branch.ErrNotFound) {
		t.Errorf("a wrong code: %v, want ErrNotFound", err)
	}
	got, err := f.svc.CheckIn(f.ctx, f.branch.Slug, tk.Code, visitor)
	if err != nil || got.CheckedInAt == nil {
		t.Fatalf("check in: %v %v", got.CheckedInAt, err)
	}
	if _, err := f.svc.CheckIn(f.ctx, f.branch.ID, tk.Code, visitor); err != nil {
		t.Errorf("second check-in: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(branch.TicketCheckedIn)); n != 1 {
		t.Errorf("%d check-in events, want 1", n)
	}
	f.clock.Advance(4 * time.Minute)
	if _, err := f.svc.CallNext(f.ctx, f.desk("3").ID, clerk); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.svc.Serve(f.ctx, tk.ID, clerk); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(7 * time.Minute)
	if _, err := f.svc.Finish(f.ctx, tk.ID, branch.Done, clerk); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Finish(f.ctx, tk.ID, branch.NoShow, clerk); !errors.Is(err, branch.ErrState) {
		t.Errorf("ending a finished ticket: %v, want ErrState", err)
	}
	gone := f.take("docs", "")
	if _, err := f.svc.CallNext(f.ctx, f.desk("3").ID, clerk); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Finish(f.ctx, gone.ID, branch.NoShow, clerk); err != nil {
		t.Fatal(err)
	}
	// An order placed online waits for the pick-up desk, not the documents desk.
	pick, err := f.svc.Take(f.ctx, branch.TicketInput{BranchID: f.branch.ID, ServiceID: "docs", Pickup: true, Via: "order"}, visitor)
	if err != nil || pick.Label() != "P"+itoa(pick.Number) {
		t.Fatalf("pick-up ticket %q: %v", pick.Label(), err)
	}
	if _, err := f.svc.CallNext(f.ctx, f.desk("3").ID, clerk); !errors.Is(err, branch.ErrNotFound) {
		t.Errorf("the documents desk called a pick-up: %v", err)
	}
	if c, err := f.svc.CallNext(f.ctx, f.desk("Pick-up").ID, clerk); err != nil || c.ID != pick.ID {
		t.Errorf("the pick-up desk: %v %v", c.ID, err)
	}
	figs, err := f.svc.Figures(f.ctx, f.branch.ID, at(6, 0, 0), at(7, 0, 0))
	if err != nil || len(figs) != 1 {
		t.Fatalf("figures %+v %v", figs, err)
	}
	g := figs[0]
	if g.Tickets != 3 || g.Served != 1 || g.NoShows != 1 || g.ServiceMedianSeconds != 7*60 || g.WaitP90Seconds != 4*60 {
		t.Errorf("figures %+v: want 3 tickets, 1 served in 7 min, 1 no-show, the longest wait 4 min", g)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestClosedBranchGivesNoTickets(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	f.clock.Set(at(7, 10, 0)) // the holiday
	if _, err := f.svc.Take(f.ctx, branch.TicketInput{BranchID: f.branch.ID, ServiceID: "claim"}, visitor); !errors.Is(err, branch.ErrClosed) {
		t.Errorf("a ticket on a holiday: %v, want ErrClosed", err)
	}
}

func TestLinksOpenOnlyTheirOwnKind(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	tk := f.take("claim", "")
	link, err := f.svc.TicketLink(f.ctx, tk)
	if err != nil {
		t.Fatal(err)
	}
	tok := link[len("/q/"):]
	if got, err := f.svc.OpenTicket(f.ctx, tok); err != nil || got.ID != tk.ID {
		t.Fatalf("open ticket: %v", err)
	}
	if _, err := f.svc.OpenAppointment(f.ctx, tok); !errors.Is(err, branch.ErrNotFound) {
		t.Errorf("a ticket's token opened an appointment: %v", err)
	}
	if _, _, err := f.a.SelfService.Track(f.ctx, tok); !errors.Is(err, selfservice.ErrNotFound) {
		t.Errorf("a ticket's token opened a case tracker: %v", err)
	}
	f.clock.Advance(49 * time.Hour)
	if _, err := f.svc.OpenTicket(f.ctx, tok); !errors.Is(err, branch.ErrNotFound) {
		t.Errorf("an expired ticket link: %v", err)
	}
}

// Numbers taken at once, on one node or two, are all different and have no gaps.
func TestConcurrentTicketsGetDistinctNumbers(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		other := f.open()
		const n = 12
		var wg sync.WaitGroup
		numbers := make(chan int, n)
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			svc := []*branch.Service{f.svc, other.Branches}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := svc.Take(f.ctx, branch.TicketInput{BranchID: f.branch.ID, ServiceID: "claim"}, visitor)
				if err != nil {
					errs <- err
					return
				}
				numbers <- tk.Number
			}()
		}
		wg.Wait()
		close(numbers)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for num := range numbers {
			if seen[num] || num < 1 || num > n {
				t.Errorf("number %d given twice or out of 1..%d", num, n)
			}
			seen[num] = true
		}
		if len(seen) != n {
			t.Errorf("%d distinct numbers, want %d", len(seen), n)
		}
	})
}
