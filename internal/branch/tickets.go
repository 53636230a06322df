package branch

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Ticket states.
const (
	Waiting   = "waiting"
	Called    = "called"
	Serving   = "serving"
	Done      = "done"
	NoShow    = "no-show"
	Cancelled = "cancelled"
)

// Ticket is a place in a branch's queue for a service.
type Ticket struct {
	ID        string `json:"id"`
	BranchID  string `json:"branch_id"`
	ServiceID string `json:"service_id"`
	Day       string `json:"day"`    // the local date it is good for
	Number    int    `json:"number"` // its number that day, shown on the display
	// Code is the five-digit check-in code typed at the kiosk or read from its QR code.
	Code string `json:"code"`
	// Pickup marks an order placed online, collected at the fast desk.
	Pickup      bool       `json:"pickup"`
	CustomerID  string     `json:"customer_id,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Lang        string     `json:"lang"`
	Via         string     `json:"via"` // web, kiosk, agent, order
	Status      string     `json:"status"`
	DeskID      string     `json:"desk_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
	CalledAt    *time.Time `json:"called_at,omitempty"`
	ServedAt    *time.Time `json:"served_at,omitempty"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
	NearSentAt  *time.Time `json:"near_sent_at,omitempty"`
}

// Label is the ticket's number as the display shows it: pick-ups carry a P.
func (t Ticket) Label() string {
	if t.Pickup {
		return "P" + strconv.Itoa(t.Number)
	}
	return strconv.Itoa(t.Number)
}

// TicketInput asks for a ticket.
type TicketInput struct {
	BranchID  string `json:"branch_id"`
	ServiceID string `json:"service_id"`
	// Phone, when given, gets the "close to your turn" message (the customer is found or
	// created by it); CustomerID instead names a known customer.
	Phone      string `json:"phone,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Lang       string `json:"lang,omitempty"`
	Via        string `json:"via,omitempty"`
	Pickup     bool   `json:"pickup,omitempty"`
}

// Take gives out the branch's next number for today. The branch must be open now. A ticket
// taken with already NotifyAhead or fewer people ahead is marked told: the customer sees
// how close they are as they take it.
func (s *Service) Take(ctx context.Context, in TicketInput, actor event.Actor) (Ticket, error) {
	b, err := s.Branch(ctx, in.BranchID)
	if err != nil {
		return Ticket{}, err
	}
	if _, ok := b.Offers(in.ServiceID); !ok {
		return Ticket{}, &ValidationError{Field: "service_id", Reason: "the branch does not offer " + in.ServiceID}
	}
	if in.Pickup && !slices.ContainsFunc(b.Desks, func(d Desk) bool { return d.Fast }) {
		return Ticket{}, &ValidationError{Field: "pickup", Reason: "the branch has no pick-up desk"}
	}
	cal, err := s.calendar(ctx, b)
	if err != nil {
		return Ticket{}, err
	}
	// A number taken while the branch is closed would wait for a desk that calls nobody
	// until morning, and the estimate would promise a wait that includes the night.
	if !cal.OpenAt(s.clock.Now()) {
		return Ticket{}, ErrClosed
	}
	in.Lang = s.catalog(in.Lang).Lang
	var t Ticket
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		custID := in.CustomerID
		if custID == "" && in.Phone != "" {
			c, _, err := s.customers.Resolve(ctx, customer.Phone, in.Phone, "", actor)
			if err != nil {
				return err
			}
			custID = c.ID
		}
		day := now.In(cal.Location()).Format(time.DateOnly)
		var n int
		if err := tx.QueryRow(ctx, sqlNextNumber, day, day, b.ID).Scan(&n); err != nil {
			return fmt.Errorf("branch: next number: %w", err)
		}
		code, err := s.freshCode(ctx, tx, b.ID, day)
		if err != nil {
			return err
		}
		t = Ticket{ID: store.NewID(now), BranchID: b.ID, ServiceID: in.ServiceID, Day: day, Number: n, Code: code, Pickup: in.Pickup,
			CustomerID: custID, Phone: in.Phone, Lang: in.Lang, Via: in.Via, Status: Waiting, CreatedAt: now}
		ahead, err := s.ahead(ctx, t)
		if err != nil {
			return err
		}
		var near any
		if ahead <= b.NotifyAhead {
			near, t.NearSentAt = now.UnixMilli(), &now
		}
		// The counter gave this number to this transaction alone; the unique index on the
		// number is the backstop.
		if _, err := tx.Exec(ctx, sqlInsertTicket, t.ID, t.BranchID, t.ServiceID, t.Day, t.Number, t.Code, boolInt(t.Pickup), nullStr(t.CustomerID),
			t.Phone, t.Lang, t.Via, t.Status, now.UnixMilli(), near, now.UnixMilli()); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TicketTaken, CustomerID: custID, Actor: actor}, map[string]any{
			"ticket_id": t.ID, "branch_id": b.ID, "service_id": t.ServiceID, "number": t.Number, "via": t.Via, "pickup": t.Pickup})
		return err
	})
	return t, err
}

// freshCode draws a check-in code no ticket of the branch has that day.
func (s *Service) freshCode(ctx context.Context, tx *store.Tx, branchID, day string) (string, error) {
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(90000))
		if err != nil {
			return "", err
		}
		code := strconv.FormatInt(n.Int64()+10000, 10)
		var taken int
		if err := tx.QueryRow(ctx, sqlCodeTaken, branchID, day, code).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("branch: no free check-in code at %s on %s", branchID, day)
}

// Ticket returns a ticket by id.
func (s *Service) Ticket(ctx context.Context, id string) (Ticket, error) {
	t, err := scanTicket(s.db.Q(ctx).QueryRow(ctx, sqlSelectTicket+` WHERE id = ?`, id))
	if store.IsNoRows(err) {
		return t, ErrNotFound
	}
	return t, err
}

// TicketLink is the signed path of a ticket's page (/q/{token}), good for two days.
func (s *Service) TicketLink(ctx context.Context, t Ticket) (string, error) {
	tok, err := s.desk.SignLink(ctx, "ticket", t.ID, t.CreatedAt.Add(48*time.Hour))
	return "/q/" + tok, err
}

// OpenTicket opens the ticket a link token leads to.
func (s *Service) OpenTicket(ctx context.Context, tok string) (Ticket, error) {
	id, err := s.desk.OpenLink(ctx, "ticket", tok)
	if err != nil {
		return Ticket{}, ErrNotFound
	}
	return s.Ticket(ctx, id)
}

// sameLine reports whether two tickets wait in one line: pick-ups in the fast desk's line,
// the rest in their service's.
func sameLine(a, b Ticket) bool {
	return a.Pickup == b.Pickup && (a.Pickup || a.ServiceID == b.ServiceID)
}

// ahead counts the waiting tickets in t's line with a lower number.
func (s *Service) ahead(ctx context.Context, t Ticket) (int, error) {
	waiting, err := s.waiting(ctx, t.BranchID, t.Day)
	if err != nil {
		return 0, err
	}
	return aheadOf(t, waiting), nil
}

func aheadOf(t Ticket, waiting []Ticket) int {
	n := 0
	for _, w := range waiting {
		if w.ID != t.ID && w.Number < t.Number && sameLine(w, t) {
			n++
		}
	}
	return n
}

func (s *Service) waiting(ctx context.Context, branchID, day string) ([]Ticket, error) {
	return s.tickets(ctx, sqlWaiting, branchID, day)
}

func (s *Service) tickets(ctx context.Context, q string, args ...any) ([]Ticket, error) {
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("branch: tickets: %w", err)
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Place is where a ticket stands: how many are ahead of it and the estimated wait.
type Place struct {
	Ticket Ticket        `json:"ticket"`
	Label  string        `json:"label"`
	Ahead  int           `json:"ahead"`
	Wait   time.Duration `json:"wait_ns"`
	// WaitMinutes is Wait rounded up to whole minutes, as the page says it.
	WaitMinutes int `json:"wait_minutes"`
	// DeskName is the desk that called it, once called.
	DeskName string `json:"desk_name,omitempty"`
}

// Where returns the ticket's place now.
func (s *Service) Where(ctx context.Context, t Ticket) (Place, error) {
	p := Place{Ticket: t, Label: t.Label()}
	b, err := s.Branch(ctx, t.BranchID)
	if err != nil {
		return p, err
	}
	if d, ok := b.Desk(t.DeskID); ok {
		p.DeskName = d.Name
	}
	if t.Status != Waiting {
		return p, nil
	}
	if p.Ahead, err = s.ahead(ctx, t); err != nil {
		return p, err
	}
	p.Wait, err = s.Estimate(ctx, b, t.ServiceID, t.Pickup, p.Ahead)
	p.WaitMinutes = int((p.Wait + time.Minute - 1) / time.Minute)
	return p, err
}

// Estimate is the expected wait of a ticket with ahead people before it in the line of
// serviceID (or the pick-up line): see EstimateWait. The samples are the service times of the
// service's most recent 30 tickets served at the branch within the history window.
func (s *Service) Estimate(ctx context.Context, b Branch, serviceID string, pickup bool, ahead int) (time.Duration, error) {
	o, _ := b.Offers(serviceID)
	fallback := time.Duration(max(o.Minutes, 1)) * time.Minute
	desks := 0
	for _, d := range b.Desks {
		if (pickup && d.Fast) || (!pickup && d.Serves(serviceID)) {
			desks++
		}
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlServiceTimes, b.ID, serviceID, s.clock.Now().Add(-s.opt.History).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("branch: service times: %w", err)
	}
	defer rows.Close()
	var samples []time.Duration
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return 0, err
		}
		samples = append(samples, time.Duration(ms)*time.Millisecond)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return EstimateWait(samples, fallback, ahead, desks), nil
}

// MinSamples is how many served tickets the estimate needs before it trusts them over the
// service's usual length.
const MinSamples = 5

// EstimateWait is the estimator: the people ahead, shared among the desks that serve the
// line, each taking the median of the recent service times — the median, not the mean, so
// one long visit (a complicated claim) does not make everyone's estimate jump. With fewer
// than MinSamples samples it takes fallback, the service's usual length. Nobody ahead is no
// wait; no desk counts as one, so a line never has an infinite wait.
func EstimateWait(samples []time.Duration, fallback time.Duration, ahead, desks int) time.Duration {
	if ahead <= 0 {
		return 0
	}
	per := fallback
	if len(samples) >= MinSamples {
		sorted := slices.Clone(samples)
		slices.Sort(sorted)
		n := len(sorted)
		per = sorted[n/2]
		if n%2 == 0 {
			per = (sorted[n/2-1] + sorted[n/2]) / 2
		}
	}
	return per * time.Duration(ahead) / time.Duration(max(desks, 1))
}

// CallNext is the clerk's "next": the desk's current ticket is finished (done), and the
// lowest-numbered waiting ticket the desk serves is called to it. Of two desks calling at
// once, each gets a different ticket. Returns the called ticket, or ErrNotFound when nobody
// waits.
func (s *Service) CallNext(ctx context.Context, deskID string, actor event.Actor) (Ticket, error) {
	d, b, err := s.DeskByID(ctx, deskID)
	if err != nil {
		return Ticket{}, err
	}
	var called Ticket
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		// "Next" means the clerk is done with whoever is at the desk: finishing it here is what
		// gives the service times the estimate learns from, without a second button press.
		current, err := s.tickets(ctx, sqlAtDesk, deskID)
		if err != nil {
			return err
		}
		for _, c := range current {
			if err := s.end(ctx, tx, c, Done, actor); err != nil && !errors.Is(err, ErrState) {
				return err
			}
		}
		day, err := s.today(ctx, b)
		if err != nil {
			return err
		}
		waiting, err := s.waiting(ctx, b.ID, day)
		if err != nil {
			return err
		}
		// Lowest number first across every line the desk serves: a visitor who came first is
		// served first, whichever of the desk's services they came for.
		for _, w := range waiting {
			if !(w.Pickup && d.Fast || !w.Pickup && d.Serves(w.ServiceID)) {
				continue
			}
			res, err := tx.Exec(ctx, sqlCallTicket, deskID, now.UnixMilli(), now.UnixMilli(), w.ID)
			if err != nil {
				return fmt.Errorf("branch: call %s: %w", w.ID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // another desk called it first
			}
			w.Status, w.DeskID, w.CalledAt = Called, deskID, &now
			called = w
			if _, err := s.events.Append(ctx, event.Event{Kind: TicketCalled, CustomerID: w.CustomerID, Actor: actor}, map[string]any{
				"ticket_id": w.ID, "branch_id": b.ID, "desk_id": deskID, "number": w.Number, "wait_ms": now.Sub(w.CreatedAt).Milliseconds()}); err != nil {
				return err
			}
			return s.notifyNear(ctx, tx, b)
		}
		return ErrNotFound
	})
	return called, err
}

func (s *Service) today(ctx context.Context, b Branch) (string, error) {
	cal, err := s.calendar(ctx, b)
	if err != nil {
		return "", err
	}
	return s.clock.Now().In(cal.Location()).Format(time.DateOnly), nil
}

// Serve marks a called ticket as being served: the visitor came to the desk.
func (s *Service) Serve(ctx context.Context, ticketID string, actor event.Actor) (Ticket, error) {
	return s.change(ctx, ticketID, actor, func(ctx context.Context, tx *store.Tx, t Ticket, now time.Time) (Ticket, error) {
		res, err := tx.Exec(ctx, sqlServeTicket, now.UnixMilli(), now.UnixMilli(), t.ID)
		if err != nil {
			return t, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return t, ErrState
		}
		t.Status, t.ServedAt = Serving, &now
		_, err = s.events.Append(ctx, event.Event{Kind: TicketServed, CustomerID: t.CustomerID, Actor: actor}, map[string]any{"ticket_id": t.ID, "desk_id": t.DeskID})
		return t, err
	})
}

// Finish ends a called or served ticket: Done, or NoShow when the visitor did not come.
func (s *Service) Finish(ctx context.Context, ticketID, status string, actor event.Actor) (Ticket, error) {
	if status != Done && status != NoShow {
		return Ticket{}, &ValidationError{Field: "status", Reason: "done or no-show"}
	}
	return s.change(ctx, ticketID, actor, func(ctx context.Context, tx *store.Tx, t Ticket, now time.Time) (Ticket, error) {
		if err := s.end(ctx, tx, t, status, actor); err != nil {
			return t, err
		}
		t.Status, t.DoneAt = status, &now
		return t, nil
	})
}

func (s *Service) end(ctx context.Context, tx *store.Tx, t Ticket, status string, actor event.Actor) error {
	now := s.clock.Now()
	res, err := tx.Exec(ctx, sqlEndTicket, status, now.UnixMilli(), now.UnixMilli(), t.ID)
	if err != nil {
		return fmt.Errorf("branch: end %s: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrState
	}
	kind := TicketDone
	if status == NoShow {
		kind = TicketNoShow
	}
	data := map[string]any{"ticket_id": t.ID, "branch_id": t.BranchID, "service_id": t.ServiceID, "desk_id": t.DeskID}
	if t.CalledAt != nil {
		from := *t.CalledAt
		if t.ServedAt != nil {
			from = *t.ServedAt
		}
		data["service_ms"] = now.Sub(from).Milliseconds()
	}
	_, err = s.events.Append(ctx, event.Event{Kind: kind, CustomerID: t.CustomerID, Actor: actor}, data)
	return err
}

// Leave takes a waiting ticket out of the queue (the visitor gave up their place).
func (s *Service) Leave(ctx context.Context, ticketID string, actor event.Actor) (Ticket, error) {
	return s.change(ctx, ticketID, actor, func(ctx context.Context, tx *store.Tx, t Ticket, now time.Time) (Ticket, error) {
		res, err := tx.Exec(ctx, sqlLeaveTicket, now.UnixMilli(), now.UnixMilli(), t.ID)
		if err != nil {
			return t, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return t, ErrState
		}
		t.Status, t.DoneAt = Cancelled, &now
		if _, err := s.events.Append(ctx, event.Event{Kind: TicketLeft, CustomerID: t.CustomerID, Actor: actor}, map[string]any{"ticket_id": t.ID}); err != nil {
			return t, err
		}
		b, err := s.Branch(ctx, t.BranchID)
		if err != nil {
			return t, err
		}
		return t, s.notifyNear(ctx, tx, b)
	})
}

// CheckIn records the visitor's arrival by the ticket's code, at the branch, today. A wrong
// code is ErrNotFound; a second check-in changes nothing.
func (s *Service) CheckIn(ctx context.Context, branchID, code string, actor event.Actor) (Ticket, error) {
	b, err := s.Branch(ctx, branchID)
	if err != nil {
		return Ticket{}, err
	}
	day, err := s.today(ctx, b)
	if err != nil {
		return Ticket{}, err
	}
	t, err := scanTicket(s.db.Q(ctx).QueryRow(ctx, sqlSelectTicket+` WHERE branch_id = ? AND day = ? AND code = ?`, b.ID, day, code))
	if store.IsNoRows(err) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, err
	}
	return s.change(ctx, t.ID, actor, func(ctx context.Context, tx *store.Tx, t Ticket, now time.Time) (Ticket, error) {
		if t.CheckedInAt != nil {
			return t, nil
		}
		res, err := tx.Exec(ctx, sqlCheckIn, now.UnixMilli(), now.UnixMilli(), t.ID)
		if err != nil {
			return t, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return t, ErrState
		}
		t.CheckedInAt = &now
		_, err = s.events.Append(ctx, event.Event{Kind: TicketCheckedIn, CustomerID: t.CustomerID, Actor: actor}, map[string]any{"ticket_id": t.ID, "branch_id": t.BranchID})
		return t, err
	})
}

func (s *Service) change(ctx context.Context, id string, actor event.Actor, fn func(ctx context.Context, tx *store.Tx, t Ticket, now time.Time) (Ticket, error)) (Ticket, error) {
	var out Ticket
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		t, err := s.Ticket(ctx, id)
		if err != nil {
			return err
		}
		out, err = fn(ctx, tx, t, s.clock.Now())
		return err
	})
	return out, err
}

// notifyNear sends the "close to your turn" message to each waiting ticket of the branch with
// NotifyAhead or fewer people ahead that has not had it. Each is sent in the same transaction
// as the ticket's near_sent_at, which the update sets only while unset: of two nodes doing
// this at once, or a node doing it again after a restart, exactly one sends.
func (s *Service) notifyNear(ctx context.Context, tx *store.Tx, b Branch) error {
	day, err := s.today(ctx, b)
	if err != nil {
		return err
	}
	waiting, err := s.waiting(ctx, b.ID, day)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	// The whole waiting list of the branch is read once: a call in one line moves no other
	// line, but a ticket that left (Leave) may be in any, and the list is short.
	for _, w := range waiting {
		if w.NearSentAt != nil || w.CustomerID == "" {
			continue
		}
		ahead := aheadOf(w, waiting)
		if ahead > b.NotifyAhead {
			continue
		}
		res, err := tx.Exec(ctx, sqlNearSent, now.UnixMilli(), now.UnixMilli(), w.ID)
		if err != nil {
			return fmt.Errorf("branch: mark %s told: %w", w.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		cat := s.catalog(w.Lang)
		link, err := s.TicketLink(ctx, w)
		if err != nil {
			return err
		}
		text := cat.T("branch.sms.near", "number", w.Label(), "ahead", strconv.Itoa(ahead), "branch", b.DisplayName(cat.Lang))
		sent, err := s.tell(ctx, w.CustomerID, text, cat.T("branch.sms.link", "link", s.desk.PublicURL()+link))
		if err != nil {
			return err
		}
		if _, err := s.events.Append(ctx, event.Event{Kind: TicketNearNotified, CustomerID: w.CustomerID, Actor: event.System}, map[string]any{
			"ticket_id": w.ID, "ahead": ahead, "message_id": sent.MessageID, "channel_id": sent.ChannelID, "skipped": sent.Skipped}); err != nil {
			return err
		}
	}
	return nil
}

// TextTicket sends a ticket's number and link to a phone number typed at the kiosk; the
// ticket then also gets the "close to your turn" message there.
func (s *Service) TextTicket(ctx context.Context, ticketID, phone string, actor event.Actor) (Sent, error) {
	var sent Sent
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		t, err := s.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		if t.Status != Waiting && t.Status != Called {
			return ErrState
		}
		c, _, err := s.customers.Resolve(ctx, customer.Phone, phone, "", actor)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE queue_tickets SET customer_id = ?, phone = ?, updated_at = ? WHERE id = ?`, c.ID, phone, s.clock.Now().UnixMilli(), t.ID); err != nil {
			return err
		}
		t.CustomerID = c.ID
		b, err := s.Branch(ctx, t.BranchID)
		if err != nil {
			return err
		}
		cat := s.catalog(t.Lang)
		link, err := s.TicketLink(ctx, t)
		if err != nil {
			return err
		}
		text := cat.T("branch.sms.ticket", "number", t.Label(), "branch", b.DisplayName(cat.Lang), "service", s.serviceName(ctx, t.ServiceID, cat.Lang), "code", t.Code)
		sent, err = s.tell(ctx, c.ID, text, cat.T("branch.sms.link", "link", s.desk.PublicURL()+link))
		return err
	})
	return sent, err
}

// Board is a branch's queue as the display and the clerks see it.
type Board struct {
	Branch  Branch   `json:"branch"`
	Called  []Ticket `json:"called"` // called and being served, most recent first
	Waiting []Ticket `json:"waiting"`
}

// Board returns the branch's queue today.
func (s *Service) Board(ctx context.Context, b Branch) (Board, error) {
	day, err := s.today(ctx, b)
	if err != nil {
		return Board{}, err
	}
	bd := Board{Branch: b}
	if bd.Called, err = s.tickets(ctx, sqlCalledToday, b.ID, day); err != nil {
		return bd, err
	}
	bd.Waiting, err = s.waiting(ctx, b.ID, day)
	return bd, err
}

func scanTicket(r interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var cust, desk sql.NullString
	var pickup int
	var created int64
	var checked, called, served, done, near sql.NullInt64
	if err := r.Scan(&t.ID, &t.BranchID, &t.ServiceID, &t.Day, &t.Number, &t.Code, &pickup, &cust, &t.Phone, &t.Lang, &t.Via, &t.Status, &desk,
		&created, &checked, &called, &served, &done, &near); err != nil {
		return t, err
	}
	t.Pickup, t.CustomerID, t.DeskID = pickup == 1, cust.String, desk.String
	t.CreatedAt = time.UnixMilli(created).UTC()
	t.CheckedInAt, t.CalledAt, t.ServedAt, t.DoneAt, t.NearSentAt = msTime(checked), msTime(called), msTime(served), msTime(done), msTime(near)
	return t, nil
}
