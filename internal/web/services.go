package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

type serviceView = selfservice.Service

// listServices is the self-service catalogue: every service with the ways it can be done and
// its limits, so an agent can tell a customer before they start.
func (s *Server) listServices(w http.ResponseWriter, r *http.Request) {
	list, err := s.d.SelfService.Services(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[serviceView]{Items: list})
}

func (s *Server) getService(w http.ResponseWriter, r *http.Request) {
	svc, err := s.d.SelfService.GetService(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, svc)
}

// putService creates or replaces a service of the catalogue.
func (s *Server) putService(w http.ResponseWriter, r *http.Request) {
	var in selfservice.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	svc, err := s.d.SelfService.PutService(r.Context(), r.PathValue("id"), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, svc)
}
