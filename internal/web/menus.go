package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/ivr"
)

// listMenus is GET /api/v1/menus.
func (s *Server) listMenus(w http.ResponseWriter, r *http.Request) {
	trees, err := s.d.Menus.Trees(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if trees == nil {
		trees = []ivr.Tree{}
	}
	writeJSON(w, http.StatusOK, listOf[ivr.Tree]{Items: trees})
}

// getMenu is GET /api/v1/menus/{id}.
func (s *Server) getMenu(w http.ResponseWriter, r *http.Request) {
	t, err := s.d.Menus.Tree(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// putMenu is PUT /api/v1/menus/{id}: the whole tree, validated before anything is stored.
func (s *Server) putMenu(w http.ResponseWriter, r *http.Request) {
	var in ivr.Tree
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	in.ID = r.PathValue("id")
	t, err := s.d.Menus.PutTree(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// listCalls is GET /api/v1/calls: the calls waiting in line, longest-waiting first.
func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 50, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	calls, err := s.d.Menus.WaitingCalls(r.Context(), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if calls == nil {
		calls = []ivr.Call{}
	}
	writeJSON(w, http.StatusOK, listOf[ivr.Call]{Items: calls})
}

// callContext is GET /api/v1/calls/{id}/context: what the agent reads before answering.
func (s *Server) callContext(w http.ResponseWriter, r *http.Request) {
	h, err := s.d.Menus.Handover(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// conversationCall is GET /api/v1/conversations/{id}/call: the hand-over of the latest call
// that joined the conversation, for the console's conversation view.
func (s *Server) conversationCall(w http.ResponseWriter, r *http.Request) {
	h, err := s.d.Menus.ConversationHandover(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}
