package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/conversation"
)

type labelRequest struct {
	Name string `json:"name"`
}

type conversationLabelRequest struct {
	LabelID string `json:"label_id"`
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	ls, err := s.d.Conversations.Labels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[conversation.Label]{Items: ls})
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) {
	var req labelRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.d.Conversations.CreateLabel(r.Context(), req.Name, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Conversations.DeleteLabel(r.Context(), r.PathValue("id"), actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) addConversationLabel(w http.ResponseWriter, r *http.Request) {
	var req conversationLabelRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Conversations.AddLabel(r.Context(), r.PathValue("id"), req.LabelID, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) removeConversationLabel(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Conversations.RemoveLabel(r.Context(), r.PathValue("id"), r.PathValue("label"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
