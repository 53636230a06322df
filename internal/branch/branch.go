package branch

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package writes.
const (
	BranchSaved          event.Kind = "branch.saved"
	AppointmentBooked    event.Kind = "appointment.booked"
	AppointmentCancelled event.Kind = "appointment.cancelled"
	AppointmentReminded  event.Kind = "appointment.reminded"
	TicketTaken          event.Kind = "ticket.taken"
	TicketCalled         event.Kind = "ticket.called"
	TicketServed         event.Kind = "ticket.served"
	TicketDone           event.Kind = "ticket.done"
	TicketNoShow         event.Kind = "ticket.no-show"
	TicketLeft           event.Kind = "ticket.left"
	TicketCheckedIn      event.Kind = "ticket.checked-in"
	TicketNearNotified   event.Kind = "ticket.near-notified"
)

// ReminderJob is the job kind of an appointment's reminder.
const ReminderJob = "branch.appointment-reminder"

// Branch is a branch as visitors and clerks need it.
type Branch struct {
	ID      string `json:"id"`
	Slug    string `json:"slug"` // the short name in public addresses: /kiosk/tel-aviv
	Name    string `json:"name"`
	City    string `json:"city"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
	// Names are the branch's name per language, shown to visitors; Name when a language has none.
	Names map[string]string `json:"names"`
	// CalendarID names the business calendar of its opening hours (holidays and eves included).
	CalendarID string `json:"calendar_id"`
	// NotifyAhead is how many people ahead of a ticket trigger its "close to your turn" message.
	NotifyAhead int     `json:"notify_ahead"`
	Services    []Offer `json:"services"`
	Desks       []Desk  `json:"desks"`
}

// Offer is a catalogue service offered at a branch, with its usual length: an appointment's
// length, and the estimate's service time until the branch has served enough tickets of it.
type Offer struct {
	ServiceID string `json:"service_id"`
	Minutes   int    `json:"minutes"`
}

// Desk is a counter at a branch.
type Desk struct {
	ID       string   `json:"id"`
	BranchID string   `json:"branch_id"`
	Name     string   `json:"name"`
	Services []string `json:"services"` // the catalogue services it serves
	// SlotMinutes is the length of its appointment slots, on a grid from local midnight.
	SlotMinutes int `json:"slot_minutes"`
	// Fast marks the pick-up desk: it serves the tickets of orders placed online.
	Fast bool `json:"fast"`
	// Appointments says whether the desk takes appointments (else queue tickets only).
	Appointments bool `json:"appointments"`
	Position     int  `json:"position"`
}

// Serves reports whether the desk serves the service.
func (d Desk) Serves(serviceID string) bool { return slices.Contains(d.Services, serviceID) }

// DisplayName is the branch's name in lang.
func (b Branch) DisplayName(lang string) string {
	if n := b.Names[lang]; n != "" {
		return n
	}
	return b.Name
}

// Offers reports whether the branch offers the service, and its usual length.
func (b Branch) Offers(serviceID string) (Offer, bool) {
	i := slices.IndexFunc(b.Services, func(o Offer) bool { return o.ServiceID == serviceID })
	if i < 0 {
		return Offer{}, false
	}
	return b.Services[i], true
}

// Desk returns the branch's desk by id.
func (b Branch) Desk(id string) (Desk, bool) {
	i := slices.IndexFunc(b.Desks, func(d Desk) bool { return d.ID == id })
	if i < 0 {
		return Desk{}, false
	}
	return b.Desks[i], true
}

// Calendars finds business calendars by id (policy.Service does).
type Calendars interface {
	Calendar(ctx context.Context, id string) (policy.Calendar, error)
}

// Options tune the service.
type Options struct {
	Log *slog.Logger
	// Lang is the language of a customer who named none the catalogs have; "he" when empty.
	Lang string
	// History is how far back the estimate looks for service times; 14 days when zero.
	History time.Duration
}

// Service runs branches, appointments and queue tickets.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	jobs      *jobs.Queue
	customers *customer.Service
	convs     *conversation.Service
	fitter    *channel.Fitter
	desk      *selfservice.Desk
	cals      Calendars
	catalogs  *i18n.Bundle
	opt       Options
}

// NewService returns the branch service and registers its reminder job with q. desk is the
// self-service desk: the catalogue the branches offer from, and the signing key of the
// customers' links.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, q *jobs.Queue, customers *customer.Service, convs *conversation.Service,
	fitter *channel.Fitter, desk *selfservice.Desk, cals Calendars, opt Options) *Service {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Lang == "" {
		opt.Lang = "he"
	}
	if opt.History <= 0 {
		opt.History = 14 * 24 * time.Hour
	}
	s := &Service{db: db, clock: clk, events: events, jobs: q, customers: customers, convs: convs, fitter: fitter, desk: desk, cals: cals,
		catalogs: desk.Catalogs(), opt: opt}
	q.Register(ReminderJob, s.remind)
	return s
}

// Catalogs are the message catalogs the service tells customers in.
func (s *Service) Catalogs() *i18n.Bundle { return s.catalogs }

// Catalogue is the self-service desk the branches' services come from.
func (s *Service) Catalogue() *selfservice.Desk { return s.desk }

// Branches returns every branch, by name.
func (s *Service) Branches(ctx context.Context) ([]Branch, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectBranch+` ORDER BY b.name`)
	if err != nil {
		return nil, fmt.Errorf("branch: list: %w", err)
	}
	var out []Branch
	for rows.Next() {
		b, err := scanBranch(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.fill(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Branch returns a branch by id or by slug.
func (s *Service) Branch(ctx context.Context, idOrSlug string) (Branch, error) {
	b, err := scanBranch(s.db.Q(ctx).QueryRow(ctx, sqlSelectBranch+` WHERE b.id = ? OR p.slug = ?`, idOrSlug, idOrSlug))
	if store.IsNoRows(err) {
		return Branch{}, ErrNotFound
	}
	if err != nil {
		return Branch{}, fmt.Errorf("branch: get %s: %w", idOrSlug, err)
	}
	return b, s.fill(ctx, &b)
}

func scanBranch(r interface{ Scan(...any) error }) (Branch, error) {
	var b Branch
	var names string
	if err := r.Scan(&b.ID, &b.Name, &b.City, &b.Address, &b.Phone, &b.Slug, &names, &b.CalendarID, &b.NotifyAhead); err != nil {
		return b, err
	}
	if err := json.Unmarshal([]byte(names), &b.Names); err != nil {
		return b, fmt.Errorf("branch: stored names of %s: %w", b.ID, err)
	}
	if b.Names == nil {
		b.Names = map[string]string{}
	}
	return b, nil
}

func (s *Service) fill(ctx context.Context, b *Branch) error {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectOffers, b.ID)
	if err != nil {
		return fmt.Errorf("branch: services of %s: %w", b.ID, err)
	}
	b.Services = []Offer{}
	for rows.Next() {
		var o Offer
		if err := rows.Scan(&o.ServiceID, &o.Minutes); err != nil {
			rows.Close()
			return err
		}
		b.Services = append(b.Services, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	b.Desks, err = s.desks(ctx, b.ID)
	return err
}

func (s *Service) desks(ctx context.Context, branchID string) ([]Desk, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectDesks+` WHERE branch_id = ? ORDER BY position, name`, branchID)
	if err != nil {
		return nil, fmt.Errorf("branch: desks of %s: %w", branchID, err)
	}
	defer rows.Close()
	out := []Desk{}
	for rows.Next() {
		var d Desk
		var svcs string
		var fast, appts int
		if err := rows.Scan(&d.ID, &d.BranchID, &d.Name, &svcs, &d.SlotMinutes, &fast, &appts, &d.Position); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(svcs), &d.Services); err != nil {
			return nil, fmt.Errorf("branch: stored services of desk %s: %w", d.ID, err)
		}
		d.Fast, d.Appointments = fast == 1, appts == 1
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeskByID returns a desk and its branch.
func (s *Service) DeskByID(ctx context.Context, id string) (Desk, Branch, error) {
	var branchID string
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT branch_id FROM branch_desks WHERE id = ?`, id).Scan(&branchID)
	if store.IsNoRows(err) {
		return Desk{}, Branch{}, ErrNotFound
	}
	if err != nil {
		return Desk{}, Branch{}, fmt.Errorf("branch: desk %s: %w", id, err)
	}
	b, err := s.Branch(ctx, branchID)
	if err != nil {
		return Desk{}, Branch{}, err
	}
	d, _ := b.Desk(id)
	return d, b, nil
}

// Input is a branch as a supervisor writes it. Desks are matched by name: a desk kept keeps
// its id (and its appointments); a desk left out is removed, unless it has appointments or
// tickets.
type Input struct {
	Name        string            `json:"name"`
	City        string            `json:"city"`
	Address     string            `json:"address"`
	Phone       string            `json:"phone"`
	Slug        string            `json:"slug"`
	Names       map[string]string `json:"names"`
	CalendarID  string            `json:"calendar_id"`
	NotifyAhead int               `json:"notify_ahead"`
	Services    []Offer           `json:"services"`
	Desks       []DeskInput       `json:"desks"`
}

// DeskInput is a desk as a supervisor writes it.
type DeskInput struct {
	Name         string   `json:"name"`
	Services     []string `json:"services"`
	SlotMinutes  int      `json:"slot_minutes"`
	Fast         bool     `json:"fast"`
	Appointments bool     `json:"appointments"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Put changes a branch: its details, hours, services and desks, in one transaction.
func (s *Service) Put(ctx context.Context, id string, in Input, actor event.Actor) (Branch, error) {
	bad := func(field, reason string) (Branch, error) {
		return Branch{}, &ValidationError{Field: field, Reason: reason}
	}
	in.Name, in.Slug = strings.TrimSpace(in.Name), strings.TrimSpace(in.Slug)
	if in.Name == "" || len(in.Name) > 200 {
		return bad("name", "a branch needs a name of at most 200 characters")
	}
	if !slugRE.MatchString(in.Slug) {
		return bad("slug", "a slug is 1 to 40 lower-case letters, digits and dashes")
	}
	if in.CalendarID == "" {
		in.CalendarID = policy.DefaultCalendarID
	}
	if _, err := s.cals.Calendar(ctx, in.CalendarID); errors.Is(err, policy.ErrNotFound) {
		return bad("calendar_id", "no calendar "+in.CalendarID)
	} else if err != nil {
		return Branch{}, err
	}
	if in.NotifyAhead < 0 || in.NotifyAhead > 50 {
		return bad("notify_ahead", "from 0 (when called) to 50 people ahead")
	}
	if in.Names == nil {
		in.Names = map[string]string{}
	}
	offered := map[string]bool{}
	for i, o := range in.Services {
		f := fmt.Sprintf("services[%d]", i)
		if _, err := s.desk.GetService(ctx, o.ServiceID); errors.Is(err, selfservice.ErrNotFound) {
			return bad(f+".service_id", "no service "+o.ServiceID+" in the catalogue")
		} else if err != nil {
			return Branch{}, err
		}
		if offered[o.ServiceID] {
			return bad(f+".service_id", o.ServiceID+" is listed twice")
		}
		if o.Minutes < 1 || o.Minutes > 480 {
			return bad(f+".minutes", "from 1 to 480 minutes")
		}
		offered[o.ServiceID] = true
	}
	names := map[string]bool{}
	for i, d := range in.Desks {
		f := fmt.Sprintf("desks[%d]", i)
		d.Name = strings.TrimSpace(d.Name)
		in.Desks[i].Name = d.Name
		if d.Name == "" || len(d.Name) > 60 || names[d.Name] {
			return bad(f+".name", "each desk needs its own name of at most 60 characters")
		}
		names[d.Name] = true
		// A length that divides the day keeps the grid from midnight the same every day.
		if d.SlotMinutes < 5 || d.SlotMinutes > 240 || 24*60%d.SlotMinutes != 0 {
			return bad(f+".slot_minutes", "from 5 to 240 minutes, dividing the day evenly (10, 15, 20, 30, 60 …)")
		}
		if len(d.Services) == 0 && !d.Fast {
			return bad(f+".services", "a desk serves at least one service, or is the fast pick-up desk")
		}
		for _, sv := range d.Services {
			if !offered[sv] {
				return bad(f+".services", sv+" is not among the branch's services")
			}
		}
		if in.Desks[i].Services == nil {
			in.Desks[i].Services = []string{}
		}
	}
	// One transaction for the details, the services and the desks: a branch is never seen
	// with a desk serving a service it no longer offers.
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		res, err := tx.Exec(ctx, sqlUpdateBranch, in.Name, in.City, in.Address, in.Phone, id)
		if err != nil {
			return fmt.Errorf("branch: update %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		var owner string
		if err := tx.QueryRow(ctx, sqlSlugOwner, in.Slug).Scan(&owner); err == nil && owner != id {
			return &ValidationError{Field: "slug", Reason: "another branch has the slug " + in.Slug}
		} else if err != nil && !store.IsNoRows(err) {
			return err
		}
		namesJSON, _ := json.Marshal(in.Names)
		if _, err := tx.Exec(ctx, sqlUpsertProfile, id, in.Slug, string(namesJSON), in.CalendarID, in.NotifyAhead, actor.ID, now.UnixMilli()); err != nil {
			return fmt.Errorf("branch: profile of %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, sqlDeleteOffers, id); err != nil {
			return err
		}
		for _, o := range in.Services {
			if _, err := tx.Exec(ctx, sqlInsertOffer, id, o.ServiceID, o.Minutes); err != nil {
				return fmt.Errorf("branch: service %s of %s: %w", o.ServiceID, id, err)
			}
		}
		old, err := s.desks(ctx, id)
		if err != nil {
			return err
		}
		for i, d := range in.Desks {
			svcs, _ := json.Marshal(d.Services)
			if j := slices.IndexFunc(old, func(o Desk) bool { return o.Name == d.Name }); j >= 0 {
				_, err = tx.Exec(ctx, sqlUpdateDesk, string(svcs), d.SlotMinutes, boolInt(d.Fast), boolInt(d.Appointments), i, old[j].ID)
			} else {
				_, err = tx.Exec(ctx, sqlInsertDesk, store.NewID(now), id, d.Name, string(svcs), d.SlotMinutes, boolInt(d.Fast), boolInt(d.Appointments), i)
			}
			if err != nil {
				return fmt.Errorf("branch: desk %s of %s: %w", d.Name, id, err)
			}
		}
		for _, o := range old {
			if names[o.Name] {
				continue
			}
			var uses int
			if err := tx.QueryRow(ctx, sqlDeskInUse, o.ID, o.ID).Scan(&uses); err != nil {
				return err
			}
			if uses > 0 {
				return &ValidationError{Field: "desks", Reason: "the desk " + o.Name + " has appointments or tickets and cannot be removed"}
			}
			if _, err := tx.Exec(ctx, sqlDeleteDesk, o.ID); err != nil {
				return err
			}
		}
		_, err = s.events.Append(ctx, event.Event{Kind: BranchSaved, Actor: actor}, map[string]any{"branch_id": id, "slug": in.Slug,
			"services": len(in.Services), "desks": len(in.Desks)})
		return err
	})
	if err != nil {
		return Branch{}, err
	}
	return s.Branch(ctx, id)
}

// calendar returns the branch's opening hours.
func (s *Service) calendar(ctx context.Context, b Branch) (policy.Calendar, error) {
	c, err := s.cals.Calendar(ctx, b.CalendarID)
	if err != nil {
		return c, fmt.Errorf("branch: hours of %s: %w", b.ID, err)
	}
	return c, nil
}

// Location is where the branch's hours are told.
func (s *Service) Location(ctx context.Context, b Branch) *time.Location {
	if c, err := s.calendar(ctx, b); err == nil && c.Location() != nil {
		return c.Location()
	}
	return time.UTC
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func msTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}
