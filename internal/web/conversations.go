package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/conversation"
)

type (
	conversationView = conversation.Conversation
	messageView      = conversation.Message
	noteView         = conversation.Note
)

type assignRequest struct {
	AssigneeID string `json:"assignee_id"`
}

type statusRequest struct {
	Status string `json:"status"`
}

type replyRequest struct {
	Text        string                    `json:"text"`
	ChannelID   string                    `json:"channel_id,omitempty"`
	Attachments []conversation.Attachment `json:"attachments,omitempty"`
	// Template says the text is an approved template (WhatsApp outside its 24-hour window).
	Template bool `json:"template,omitempty"`
}

type noteRequest struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions,omitempty"`
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := conversation.Filter{CustomerID: q.Get("customer"), ChannelID: q.Get("channel")}
	if st := q.Get("status"); st != "" {
		for _, part := range strings.Split(st, ",") {
			v, err := conversation.ParseStatus(strings.TrimSpace(part))
			if err != nil {
				s.fail(w, r, &badRequest{field: "status", msg: "status must be open, pending or resolved (comma-separated)"})
				return
			}
			f.Status = append(f.Status, v)
		}
	}
	switch a := q.Get("assignee"); a {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		p, _ := principalFrom(r.Context())
		f.AssigneeID = p.user.ID
	default:
		f.AssigneeID = a
	}
	if b := q.Get("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			s.fail(w, r, &badRequest{field: "before", msg: "before must be an RFC 3339 time"})
			return
		}
		f.Before = t
	}
	var err error
	if f.Limit, err = queryInt(r, "limit", 50, 200); err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.d.Conversations.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[conversationView]{Items: cs})
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Conversations.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Agents see that a one-time code went out, never the code: holding it, an agent could pass
	// the customer's identity check themselves.
	for i, m := range c.Messages {
		if m.Secret {
			c.Messages[i].Text = ""
		}
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) assignConversation(w http.ResponseWriter, r *http.Request) {
	var req assignRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Conversations.Assign(r.Context(), r.PathValue("id"), req.AssigneeID, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) setConversationStatus(w http.ResponseWriter, r *http.Request) {
	var req statusRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := conversation.ParseStatus(req.Status)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.Conversations.SetStatus(r.Context(), r.PathValue("id"), st, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	var req replyRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	m, err := s.d.Conversations.Reply(r.Context(), conversation.ReplyInput{ConversationID: r.PathValue("id"), AuthorID: p.user.ID,
		Text: req.Text, ChannelID: req.ChannelID, Attachments: req.Attachments, Template: req.Template})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, m)
}

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	var req noteRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	n, err := s.d.Conversations.AddNote(r.Context(), r.PathValue("id"), p.user.ID, req.Text, req.Mentions)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

func (s *Server) retryMessage(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Outbox.Retry(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.d.Conversations.Message(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, m)
}
