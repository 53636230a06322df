package web

import (
	"net/http"
	"strconv"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
)

type customerView = customer.Customer

type customerPatch struct {
	Name      *string           `json:"name,omitempty"`
	Languages *[]string         `json:"languages,omitempty"`
	Profile   *customer.Profile `json:"profile,omitempty"`
}

type identityRequest struct {
	Kind  customer.IdentityKind `json:"kind"`
	Value string                `json:"value"`
}

type mergeRequest struct {
	// Into is the customer that remains; this one is folded into it.
	Into string `json:"into"`
}

type eventView = event.Event

func actorOf(r *http.Request) event.Actor {
	p, _ := principalFrom(r.Context())
	return event.Actor{Kind: event.ByUser, ID: p.user.ID}
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if ident := q.Get("identity"); ident != "" {
		kind, value, err := customer.ParseIdentity(ident)
		if err != nil {
			s.fail(w, r, &badRequest{field: "identity", msg: err.Error()})
			return
		}
		c, err := s.d.Customers.FindByIdentity(r.Context(), kind, value)
		if err == customer.ErrNotFound {
			writeJSON(w, http.StatusOK, listOf[customerView]{Items: []customerView{}})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, listOf[customerView]{Items: []customerView{c}})
		return
	}
	limit, err := queryInt(r, "limit", 50, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	offset, err := queryInt(r, "offset", 0, 1<<30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.d.Customers.List(r.Context(), customer.ListQuery{Text: q.Get("q"), Limit: limit, Offset: offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cs == nil {
		cs = []customer.Customer{}
	}
	writeJSON(w, http.StatusOK, listOf[customerView]{Items: cs})
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Customers.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	segs, err := s.d.Segments.Of(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, customerWithSegments{customerView: c, Segments: segs})
}

func (s *Server) patchCustomer(w http.ResponseWriter, r *http.Request) {
	var req customerPatch
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Customers.Update(r.Context(), r.PathValue("id"), customer.Patch{Name: req.Name, Languages: req.Languages, Profile: req.Profile}, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The segments as they stand: the change is re-evaluated after it commits, and the
	// console's next read shows the result.
	segs, err := s.d.Segments.Of(r.Context(), c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, customerWithSegments{customerView: c, Segments: segs})
}

func (s *Server) addIdentity(w http.ResponseWriter, r *http.Request) {
	var req identityRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := s.d.Customers.AddIdentity(r.Context(), id, req.Kind, req.Value, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Customers.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var before int64
	if b := r.URL.Query().Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil {
			s.fail(w, r, &badRequest{field: "before", msg: "before must be an event seq"})
			return
		}
	}
	id := r.PathValue("id")
	if _, err := s.d.Customers.Get(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.d.Customers.Timeline(r.Context(), id, before, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []event.Event{}
	}
	writeJSON(w, http.StatusOK, listOf[eventView]{Items: evs})
}

func (s *Server) mergeCustomer(w http.ResponseWriter, r *http.Request) {
	var req mergeRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Into == "" {
		s.fail(w, r, &badRequest{field: "into", msg: "into (the customer to keep) is required"})
		return
	}
	if err := s.d.Customers.Merge(r.Context(), r.PathValue("id"), req.Into, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Customers.Get(r.Context(), req.Into)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) unmergeCustomer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.d.Customers.Unmerge(r.Context(), id, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Customers.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
