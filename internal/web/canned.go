package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/canned"
)

// renderedView is a canned response filled in for one conversation: what the composer puts
// in the reply box.
type renderedView struct {
	Text             string `json:"text"`
	ApprovedTemplate bool   `json:"approved_template"`
}

func (s *Server) listCanned(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rs, err := s.d.Canned.List(r.Context(), canned.Filter{Query: q.Get("q"), Language: q.Get("lang"), ChannelKind: q.Get("channel_kind")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[canned.Response]{Items: rs})
}

func (s *Server) getCanned(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Canned.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request) {
	var in canned.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Canned.Create(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) updateCanned(w http.ResponseWriter, r *http.Request) {
	var in canned.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Canned.Update(r.Context(), r.PathValue("id"), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Canned.Delete(r.Context(), r.PathValue("id"), actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// renderCanned fills a canned response for a conversation: the customer's name, the signed-in
// agent's. Rendering happens here, not in the browser, so the API and the console agree on
// what a variable means.
func (s *Server) renderCanned(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := s.d.Canned.Get(ctx, r.PathValue("rid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	conv, err := s.d.Conversations.Get(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cust, err := s.d.Customers.Get(ctx, conv.CustomerID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := principalFrom(ctx)
	text, err := canned.Render(c.Body, canned.Values{
		"customer.name": cust.Name, "customer.first_name": canned.FirstName(cust.Name),
		"agent.name": p.user.Name, "agent.first_name": canned.FirstName(p.user.Name),
		"conversation.id": conv.ID,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, renderedView{Text: text, ApprovedTemplate: c.ApprovedTemplate})
}
