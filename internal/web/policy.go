package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/policy"
)

// setChannelPolicy changes a channel's service level. Fields left out of the body keep their
// value (the stored one, or the default of the channel's kind), so a supervisor can send only
// what changes.
func (s *Server) setChannelPolicy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	p, err := s.d.Policy.Policy(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.decode(w, r, &p); err != nil {
		s.fail(w, r, err)
		return
	}
	by := ""
	if pr, ok := principalFrom(ctx); ok {
		by = pr.user.ID
	}
	p, err = s.d.Policy.SetPolicy(ctx, id, p, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// conversationClocks lists a conversation's service-level clocks, live ones first, counted now.
func (s *Server) conversationClocks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := s.d.Conversations.Get(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cks, err := s.d.Policy.Clocks(ctx, c.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[policy.Clock]{Items: cks})
}
