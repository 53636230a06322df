package branch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
)

// Slot is a time an appointment for a service can start, and how many desks are free then.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Free  int       `json:"free"`
}

// maxSlotDays bounds how far ahead slots are listed and booked.
const maxSlotDays = 60

// Slots lists the free slots for a service at a branch over days local days from the one
// holding from: each desk that takes appointments for the service offers its grid of slots
// (slot_minutes long, from local midnight) that lie wholly inside the branch's hours — so a
// holiday offers none and an eve only its short hours — and start after now. A slot is listed
// while at least one of those desks is free then.
func (s *Service) Slots(ctx context.Context, b Branch, serviceID string, from time.Time, days int) ([]Slot, error) {
	if _, ok := b.Offers(serviceID); !ok {
		return nil, ErrNotFound
	}
	days = min(max(days, 1), maxSlotDays)
	cal, err := s.calendar(ctx, b)
	if err != nil {
		return nil, err
	}
	loc := cal.Location()
	lf := from.In(loc)
	start := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, loc)
	end := time.Date(lf.Year(), lf.Month(), lf.Day()+days, 0, 0, 0, 0, loc)
	booked, err := s.booked(ctx, b.ID, start, end)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	// Slots of desks with different lengths may start at the same instant; they are merged by
	// start, each desk adding to the count that is free then.
	free := map[int64]*Slot{}
	for _, d := range b.Desks {
		if !d.Appointments || !d.Serves(serviceID) {
			continue
		}
		step := time.Duration(d.SlotMinutes) * time.Minute
		for day := 0; day < days; day++ {
			midnight := time.Date(lf.Year(), lf.Month(), lf.Day()+day, 0, 0, 0, 0, loc)
			next := time.Date(lf.Year(), lf.Month(), lf.Day()+day+1, 0, 0, 0, 0, loc)
			if cal.Between(midnight, next) == 0 {
				continue // closed all day: a holiday, a Saturday
			}
			// The grid starts at local midnight, not at opening time, so a slot's start is
			// the same whatever the day's hours: a booking form and Book agree on it, and a
			// change of hours moves no existing appointment off the grid.
			for t := midnight; t.Before(next); t = t.Add(step) {
				if !t.After(now) || cal.Between(t, t.Add(step)) != step || booked[deskSlot{d.ID, t.UnixMilli()}] {
					continue
				}
				sl := free[t.UnixMilli()]
				if sl == nil {
					sl = &Slot{Start: t, End: t.Add(step)}
					free[t.UnixMilli()] = sl
				}
				sl.Free++
			}
		}
	}
	out := make([]Slot, 0, len(free))
	for _, sl := range free {
		out = append(out, *sl)
	}
	slices.SortFunc(out, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return out, nil
}

type deskSlot struct {
	desk  string
	start int64
}

func (s *Service) booked(ctx context.Context, branchID string, from, to time.Time) (map[deskSlot]bool, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlBookedIn, branchID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("branch: booked slots: %w", err)
	}
	defer rows.Close()
	out := map[deskSlot]bool{}
	for rows.Next() {
		var k deskSlot
		if err := rows.Scan(&k.desk, &k.start); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// Appointment is a booked visit to a desk.
type Appointment struct {
	ID          string     `json:"id"`
	BranchID    string     `json:"branch_id"`
	ServiceID   string     `json:"service_id"`
	DeskID      string     `json:"desk_id"`
	CustomerID  string     `json:"customer_id,omitempty"`
	Name        string     `json:"name"`
	Phone       string     `json:"phone,omitempty"`
	Lang        string     `json:"lang"`
	Via         string     `json:"via"` // web, agent, whatsapp, phone …
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
	CreatedBy   string     `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
}

// BookInput is a booking request from any channel.
type BookInput struct {
	BranchID  string    `json:"branch_id"`
	ServiceID string    `json:"service_id"`
	Start     time.Time `json:"start"`
	// CustomerID, or Phone (the customer is found or created by it), receives the reminder.
	CustomerID string `json:"customer_id,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Name       string `json:"name,omitempty"`
	Lang       string `json:"lang,omitempty"`
	Via        string `json:"via,omitempty"`
}

// Book books the slot at in.Start on the first free desk that serves the service there. Under
// any number of concurrent bookings of one slot, at most one per desk succeeds (the database's
// unique index decides); the others get ErrSlotTaken. The reminder the day before is a job
// written in the same transaction.
func (s *Service) Book(ctx context.Context, in BookInput, actor event.Actor) (Appointment, error) {
	b, err := s.Branch(ctx, in.BranchID)
	if err != nil {
		return Appointment{}, err
	}
	if _, ok := b.Offers(in.ServiceID); !ok {
		return Appointment{}, &ValidationError{Field: "service_id", Reason: "the branch does not offer " + in.ServiceID}
	}
	cal, err := s.calendar(ctx, b)
	if err != nil {
		return Appointment{}, err
	}
	if !in.Start.After(s.clock.Now()) {
		return Appointment{}, &ValidationError{Field: "start", Reason: "the slot has passed"}
	}
	if in.Start.After(s.clock.Now().AddDate(0, 0, maxSlotDays)) {
		return Appointment{}, &ValidationError{Field: "start", Reason: fmt.Sprintf("appointments are booked at most %d days ahead", maxSlotDays)}
	}
	// The desks that could take it: those serving the service, with the start on their grid
	// and the whole slot inside the hours. Checked before the transaction, as it reads only
	// configuration; the transaction then decides between the racing bookings.
	loc := cal.Location()
	ls := in.Start.In(loc)
	midnight := time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, loc)
	var desks []Desk
	for _, d := range b.Desks {
		step := time.Duration(d.SlotMinutes) * time.Minute
		if d.Appointments && d.Serves(in.ServiceID) && in.Start.Sub(midnight)%step == 0 && cal.Between(in.Start, in.Start.Add(step)) == step {
			desks = append(desks, d)
		}
	}
	if len(desks) == 0 {
		return Appointment{}, ErrClosed
	}
	in.Lang = s.catalog(in.Lang).Lang
	var a Appointment
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		custID := in.CustomerID
		if custID == "" && in.Phone != "" {
			c, _, err := s.customers.Resolve(ctx, customer.Phone, in.Phone, in.Name, actor)
			if err != nil {
				return err
			}
			custID = c.ID
		} else if custID != "" {
			if _, err := s.customers.Get(ctx, custID); err != nil {
				return err
			}
		}
		a = Appointment{ID: store.NewID(now), BranchID: b.ID, ServiceID: in.ServiceID, CustomerID: custID, Name: cleanName(in.Name), Phone: in.Phone,
			Lang: in.Lang, Via: in.Via, Start: in.Start.UTC(), CreatedBy: actor.ID, CreatedAt: now}
		// Desks in their configured order: the first desks fill first, so the last desk of
		// a branch stays free for walk-ins as long as possible.
		for _, d := range desks {
			a.DeskID, a.End = d.ID, a.Start.Add(time.Duration(d.SlotMinutes)*time.Minute)
			res, err := tx.Exec(ctx, sqlInsertAppt, a.ID, a.BranchID, a.ServiceID, a.DeskID, nullStr(a.CustomerID), a.Name, a.Phone, a.Lang, a.Via,
				a.Start.UnixMilli(), a.End.UnixMilli(), a.CreatedBy, now.UnixMilli())
			if err != nil {
				return fmt.Errorf("branch: book: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return s.booked1(ctx, a, actor)
			}
		}
		return ErrSlotTaken
	})
	return a, err
}

// booked1 records a booking and schedules its reminder, in the booking's transaction.
func (s *Service) booked1(ctx context.Context, a Appointment, actor event.Actor) error {
	if _, err := s.events.Append(ctx, event.Event{Kind: AppointmentBooked, CustomerID: a.CustomerID, Actor: actor}, map[string]any{
		"appointment_id": a.ID, "branch_id": a.BranchID, "service_id": a.ServiceID, "desk_id": a.DeskID, "start": a.Start, "via": a.Via,
	}); err != nil {
		return err
	}
	if a.CustomerID == "" {
		return nil
	}
	at := s.ReminderAt(ctx, a)
	if at.IsZero() {
		return nil
	}
	_, err := s.jobs.Enqueue(ctx, ReminderJob, map[string]string{"appointment_id": a.ID}, jobs.RunAt(at), jobs.UniqueKey("appointment-reminder:"+a.ID))
	return err
}

// ReminderAt is when an appointment's reminder goes: 17:00 local time the day before; zero
// when that has passed at booking (the customer has just booked, and the confirmation is
// their reminder).
func (s *Service) ReminderAt(ctx context.Context, a Appointment) time.Time {
	loc := time.UTC
	if b, err := s.Branch(ctx, a.BranchID); err == nil {
		loc = s.Location(ctx, b)
	}
	ls := a.Start.In(loc)
	at := time.Date(ls.Year(), ls.Month(), ls.Day()-1, 17, 0, 0, 0, loc)
	if !at.After(s.clock.Now()) {
		return time.Time{}
	}
	return at
}

// Appointment returns an appointment by id.
func (s *Service) Appointment(ctx context.Context, id string) (Appointment, error) {
	a, err := scanAppt(s.db.Q(ctx).QueryRow(ctx, sqlSelectAppt+` WHERE id = ?`, id))
	if store.IsNoRows(err) {
		return a, ErrNotFound
	}
	return a, err
}

// Appointments lists a branch's appointments starting in [from, to), cancelled ones included.
func (s *Service) Appointments(ctx context.Context, branchID string, from, to time.Time) ([]Appointment, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectAppt+` WHERE branch_id = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, desk_id`,
		branchID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("branch: appointments: %w", err)
	}
	defer rows.Close()
	out := []Appointment{}
	for rows.Next() {
		a, err := scanAppt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Cancel cancels an appointment, freeing its slot. Cancelling one already cancelled is ErrState.
func (s *Service) Cancel(ctx context.Context, id string, actor event.Actor) (Appointment, error) {
	var a Appointment
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if a, err = s.Appointment(ctx, id); err != nil {
			return err
		}
		now := s.clock.Now()
		res, err := tx.Exec(ctx, sqlCancelAppt, now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("branch: cancel %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrState
		}
		a.CancelledAt = &now
		_, err = s.events.Append(ctx, event.Event{Kind: AppointmentCancelled, CustomerID: a.CustomerID, Actor: actor}, map[string]any{
			"appointment_id": a.ID, "branch_id": a.BranchID, "start": a.Start})
		return err
	})
	return a, err
}

// AppointmentLink is the signed path of an appointment's page (/a/{token}), good until a
// day after it.
func (s *Service) AppointmentLink(ctx context.Context, a Appointment) (string, error) {
	tok, err := s.desk.SignLink(ctx, "appointment", a.ID, a.End.Add(24*time.Hour))
	return "/a/" + tok, err
}

// OpenAppointment opens the appointment a link token leads to.
func (s *Service) OpenAppointment(ctx context.Context, tok string) (Appointment, error) {
	id, err := s.desk.OpenLink(ctx, "appointment", tok)
	if err != nil {
		return Appointment{}, ErrNotFound
	}
	return s.Appointment(ctx, id)
}

// remind is the reminder job: one message on the customer's fitting channel, written in the
// same transaction as reminded_at, which the update sets only once; so a job run twice (a
// node died after the work) or a cancelled appointment sends nothing more.
func (s *Service) remind(ctx context.Context, j jobs.Job) error {
	var p struct {
		AppointmentID string `json:"appointment_id"`
	}
	if err := decodePayload(j, &p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		a, err := s.Appointment(ctx, p.AppointmentID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || a.CustomerID == "" {
			return err
		}
		now := s.clock.Now()
		res, err := tx.Exec(ctx, sqlRemindAppt, now.UnixMilli(), a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // cancelled, or reminded already
		}
		b, err := s.Branch(ctx, a.BranchID)
		if err != nil {
			return err
		}
		cat := s.catalog(a.Lang)
		link, err := s.AppointmentLink(ctx, a)
		if err != nil {
			return err
		}
		when := s.When(ctx, cat, b, a.Start)
		text := cat.T("branch.sms.reminder", "service", s.serviceName(ctx, a.ServiceID, cat.Lang), "branch", b.DisplayName(cat.Lang), "when", when, "address", b.Address)
		sent, err := s.tell(ctx, a.CustomerID, text, cat.T("branch.sms.link", "link", s.desk.PublicURL()+link))
		if err != nil {
			return err
		}
		_, err = s.events.Append(ctx, event.Event{Kind: AppointmentReminded, CustomerID: a.CustomerID, Actor: event.System}, map[string]any{
			"appointment_id": a.ID, "message_id": sent.MessageID, "channel_id": sent.ChannelID, "skipped": sent.Skipped})
		return err
	})
}

func scanAppt(r interface{ Scan(...any) error }) (Appointment, error) {
	var a Appointment
	var cust sql.NullString
	var start, end, created int64
	var cancelled, reminded sql.NullInt64
	if err := r.Scan(&a.ID, &a.BranchID, &a.ServiceID, &a.DeskID, &cust, &a.Name, &a.Phone, &a.Lang, &a.Via, &start, &end, &a.CreatedBy, &created, &cancelled, &reminded); err != nil {
		return a, err
	}
	a.CustomerID = cust.String
	a.Start, a.End, a.CreatedAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC(), time.UnixMilli(created).UTC()
	a.CancelledAt, a.RemindedAt = msTime(cancelled), msTime(reminded)
	return a, nil
}
