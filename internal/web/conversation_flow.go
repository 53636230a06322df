package web

import "net/http"

// startFlowRequest names the service whose guided flow the customer is taken through.
type startFlowRequest struct {
	ServiceID string `json:"service_id"`
}

// startFlow is POST /api/v1/conversations/{id}/flows: an agent sends the customer a service's
// guided flow ("start flow X"); its first step goes out on the chat channel they last wrote
// on, and their next messages answer it.
func (s *Server) startFlow(w http.ResponseWriter, r *http.Request) {
	var req startFlowRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.d.Bot.StartFlow(r.Context(), r.PathValue("id"), req.ServiceID, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
