package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/policy"
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
	// Policy is the channel's service level (in the channel list).
	Policy *policy.Policy `json:"policy,omitempty"`
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
	pols, err := s.d.Policy.Policies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]channelView, 0, len(chs))
	for _, ch := range chs {
		v := s.viewChannel(ch)
		if p, ok := pols[ch.ID]; ok {
			v.Policy = &p
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, listOf[channelView]{Items: out})
}

// redacted stands in for a secret setting's value; sent back in an update, it keeps it.
const redacted = channel.KeepValue

// viewChannel shows a channel without its secrets: the secret itself, and every setting that
// holds one — a bot token, an access token, an SMTP password. The adapter names its secrets;
// names that say "token", "secret", "password" or "key" are hidden as well, in case an adapter
// forgot one.
func (s *Server) viewChannel(ch channel.Channel) channelView {
	var secrets []string
	if a, ok := s.d.Registry.Get(ch.Kind); ok {
		if sh, ok := a.(channel.SecretHolder); ok {
			secrets = sh.Secrets(ch)
		}
	}
	settings := make(map[string]string, len(ch.Settings))
	for k, v := range ch.Settings {
		name := strings.ToLower(k)
		if v != "" && (slices.Contains(secrets, v) || strings.Contains(name, "token") || strings.Contains(name, "secret") ||
			strings.Contains(name, "password") || strings.HasSuffix(name, "key")) {
			v = redacted
		}
		settings[k] = v
	}
	ch.Settings = settings
	return channelView{Channel: ch, SecretSet: ch.Secret != ""}
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

// channelRequest creates or changes a channel. On a change, absent fields stay as they are.
type channelRequest struct {
	Name     string            `json:"name,omitempty"`
	Kind     string            `json:"kind,omitempty"`
	Secret   *string           `json:"secret,omitempty"`
	Settings map[string]string `json:"settings,omitempty"`
	Enabled  *bool             `json:"enabled,omitempty"`
}

var channelNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) {
	var req channelRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !channelNameRE.MatchString(req.Name) {
		s.fail(w, r, &badRequest{field: "name", msg: "a name of lower-case letters, digits and dashes: it is the {channel} of the webhook URL"})
		return
	}
	if _, ok := s.d.Registry.Get(channel.Kind(req.Kind)); !ok {
		s.fail(w, r, &badRequest{field: "kind", msg: "no adapter serves the kind " + strconv.Quote(req.Kind)})
		return
	}
	if _, err := s.d.Channels.ByName(r.Context(), req.Name); err == nil {
		writeJSONError(w, http.StatusConflict, "name_taken", "a channel named "+req.Name+" exists")
		return
	}
	ch := channel.Channel{Name: req.Name, Kind: channel.Kind(req.Kind), Settings: req.Settings, Enabled: req.Enabled == nil || *req.Enabled}
	if req.Secret != nil {
		ch.Secret = *req.Secret
	}
	ch, err := s.d.Channels.Ensure(r.Context(), ch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.viewChannel(ch))
}

func (s *Server) updateChannel(w http.ResponseWriter, r *http.Request) {
	var req channelRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Name != "" || req.Kind != "" {
		s.fail(w, r, &badRequest{field: "name", msg: "a channel's name and kind cannot change (providers call its URL): create another channel"})
		return
	}
	ch, err := s.d.Channels.Update(r.Context(), r.PathValue("id"), channel.Patch{Secret: req.Secret, Settings: req.Settings, Enabled: req.Enabled})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.viewChannel(ch))
}
