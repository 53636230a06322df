package web

import (
	"net/http"
	"time"

	"github.com/gesher-cs/gesher/internal/branch"
)

// The branches' JSON API: supervisors configure branches; agents, the phone menu and
// WhatsApp flows (through the same service) book appointments and take tickets; clerks call,
// serve and finish tickets.

type slotsView struct {
	BranchID  string        `json:"branch_id"`
	ServiceID string        `json:"service_id"`
	Items     []branch.Slot `json:"items"`
}

type appointmentView struct {
	branch.Appointment
	Link string `json:"link"` // the customer's signed page: view and cancel
}

type ticketView struct {
	branch.Place
	Link string `json:"link"` // the customer's signed page: live position, check-in code
}

type ticketStatusRequest struct {
	Status string `json:"status"` // serving, done or no-show
}

type checkInRequest struct {
	Code string `json:"code"`
}

type figuresView struct {
	BranchID string          `json:"branch_id"`
	Since    time.Time       `json:"since"`
	Until    time.Time       `json:"until"`
	Items    []branch.Figure `json:"items"`
}

func (s *Server) listBranches(w http.ResponseWriter, r *http.Request) {
	bs, err := s.d.Branches.Branches(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if bs == nil {
		bs = []branch.Branch{}
	}
	writeJSON(w, http.StatusOK, listOf[branch.Branch]{Items: bs})
}

func (s *Server) getBranch(w http.ResponseWriter, r *http.Request) {
	b, err := s.d.Branches.Branch(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) putBranch(w http.ResponseWriter, r *http.Request) {
	var in branch.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.d.Branches.Branch(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err = s.d.Branches.Put(r.Context(), b.ID, in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) branchSlots(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := s.d.Branches.Branch(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	from := s.d.Clock.Now()
	if v := q.Get("from"); v != "" {
		d, ok := branch.ParseDay(v, s.d.Branches.Location(ctx, b))
		if !ok {
			s.fail(w, r, &badRequest{field: "from", msg: "a date like 2026-12-07"})
			return
		}
		from = d
	}
	days, err := queryInt(r, "days", 7, 60)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slots, err := s.d.Branches.Slots(ctx, b, q.Get("service"), from, days)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, slotsView{BranchID: b.ID, ServiceID: q.Get("service"), Items: slots})
}

func (s *Server) bookAppointment(w http.ResponseWriter, r *http.Request) {
	var in branch.BookInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Via == "" {
		in.Via = "agent"
	}
	a, err := s.d.Branches.Book(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAppointment(w, r, http.StatusCreated, a)
}

func (s *Server) writeAppointment(w http.ResponseWriter, r *http.Request, status int, a branch.Appointment) {
	link, err := s.d.Branches.AppointmentLink(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, appointmentView{Appointment: a, Link: s.d.PublicURL + link})
}

func (s *Server) listAppointments(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := s.d.Branches.Branch(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	day, ok := branch.ParseDay(r.URL.Query().Get("day"), s.d.Branches.Location(ctx, b))
	if !ok {
		now := s.d.Clock.Now().In(s.d.Branches.Location(ctx, b))
		day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	as, err := s.d.Branches.Appointments(ctx, b.ID, day, day.AddDate(0, 0, 1))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[branch.Appointment]{Items: as})
}

func (s *Server) getAppointment(w http.ResponseWriter, r *http.Request) {
	a, err := s.d.Branches.Appointment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAppointment(w, r, http.StatusOK, a)
}

func (s *Server) cancelAppointment(w http.ResponseWriter, r *http.Request) {
	a, err := s.d.Branches.Cancel(r.Context(), r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAppointment(w, r, http.StatusOK, a)
}

func (s *Server) takeTicket(w http.ResponseWriter, r *http.Request) {
	var in branch.TicketInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	in.BranchID = r.PathValue("id")
	if in.Via == "" {
		in.Via = "agent"
	}
	t, err := s.d.Branches.Take(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTicket(w, r, http.StatusCreated, t)
}

func (s *Server) writeTicket(w http.ResponseWriter, r *http.Request, status int, t branch.Ticket) {
	p, err := s.d.Branches.Where(r.Context(), t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link, err := s.d.Branches.TicketLink(r.Context(), t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, ticketView{Place: p, Link: s.d.PublicURL + link})
}

func (s *Server) branchQueue(w http.ResponseWriter, r *http.Request) {
	b, err := s.d.Branches.Branch(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bd, err := s.d.Branches.Board(r.Context(), b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bd)
}

func (s *Server) callNext(w http.ResponseWriter, r *http.Request) {
	t, err := s.d.Branches.CallNext(r.Context(), r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) setTicketStatus(w http.ResponseWriter, r *http.Request) {
	var in ticketStatusRequest
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var t branch.Ticket
	var err error
	switch in.Status {
	case branch.Serving:
		t, err = s.d.Branches.Serve(r.Context(), r.PathValue("id"), actorOf(r))
	case branch.Done, branch.NoShow:
		t, err = s.d.Branches.Finish(r.Context(), r.PathValue("id"), in.Status, actorOf(r))
	default:
		err = &badRequest{field: "status", msg: "serving, done or no-show"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) checkInTicket(w http.ResponseWriter, r *http.Request) {
	var in checkInRequest
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	code, ok := branch.ParseCode(in.Code)
	if !ok {
		s.fail(w, r, &badRequest{field: "code", msg: "a check-in code is five digits"})
		return
	}
	t, err := s.d.Branches.CheckIn(r.Context(), r.PathValue("id"), code, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeTicket(w, r, http.StatusOK, t)
}

func (s *Server) branchFigures(w http.ResponseWriter, r *http.Request) {
	b, err := s.d.Branches.Branch(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	until, since := s.d.Clock.Now(), s.d.Clock.Now().AddDate(0, 0, -30)
	for name, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := r.URL.Query().Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.fail(w, r, &badRequest{field: name, msg: "an RFC 3339 time"})
				return
			}
			*dst = t
		}
	}
	figs, err := s.d.Branches.Figures(r.Context(), b.ID, since, until)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, figuresView{BranchID: b.ID, Since: since, Until: until, Items: figs})
}
