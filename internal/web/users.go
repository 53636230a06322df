package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
)

type newUserRequest struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Password  string   `json:"password"`
	Languages []string `json:"languages,omitempty"`
}

type userPatchRequest struct {
	Name         *string   `json:"name,omitempty"`
	Role         *string   `json:"role,omitempty"`
	Languages    *[]string `json:"languages,omitempty"`
	Availability *string   `json:"availability,omitempty"`
	Disabled     *bool     `json:"disabled,omitempty"`
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"` // shown once; only a hash is kept
}

type channelView struct {
	channel.Channel
	// SecretSet says whether the channel has a secret, without showing it.
	SecretSet bool `json:"secret_set"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.d.Auth.ListUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if us == nil {
		us = []auth.User{}
	}
	writeJSON(w, http.StatusOK, listOf[userView]{Items: us})
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.d.Auth.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req newUserRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.d.Auth.CreateUser(r.Context(), auth.NewUser{
		Email: req.Email, Name: req.Name, Role: role, Password: req.Password, Languages: req.Languages, Actor: actorOf(r),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var req userPatchRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	patch := auth.UserPatch{Name: req.Name, Languages: req.Languages, Availability: req.Availability, Disabled: req.Disabled}
	if req.Role != nil {
		role, err := auth.ParseRole(*req.Role)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		patch.Role = &role
	}
	u, err := s.d.Auth.UpdateUser(r.Context(), r.PathValue("id"), patch, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	plain, tok, err := s.d.Auth.CreateToken(r.Context(), r.PathValue("id"), req.Name, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenView{ID: tok.ID, Name: tok.Name, Token: plain})
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) {
	chs, err := s.d.Channels.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]channelView, 0, len(chs))
	for _, ch := range chs {
		out = append(out, channelView{Channel: ch, SecretSet: ch.Secret != ""})
	}
	writeJSON(w, http.StatusOK, listOf[channelView]{Items: out})
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	after, err := queryInt(r, "after", 0, 1<<62)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := event.Filter{AfterSeq: int64(after), Limit: limit}
	for _, k := range splitComma(r.URL.Query().Get("kind")) {
		f.Kinds = append(f.Kinds, event.Kind(k))
	}
	evs, err := s.d.Events.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []event.Event{}
	}
	writeJSON(w, http.StatusOK, listOf[eventView]{Items: evs})
}
