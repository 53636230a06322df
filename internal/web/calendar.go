package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/policy"
)

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) {
	cs, err := s.d.Policy.Calendars(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[policy.Calendar]{Items: cs})
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Policy.Calendar(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// setCalendar creates or replaces the calendar named in the path (the body's id, if any, is
// ignored: the path names it).
func (s *Server) setCalendar(w http.ResponseWriter, r *http.Request) {
	var c policy.Calendar
	if err := s.decode(w, r, &c); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Policy.SetCalendar(r.Context(), r.PathValue("id"), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
