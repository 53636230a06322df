package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type availabilityRequest struct {
	Availability string `json:"availability"`
}

// userView is a user as the API shows it (never a password hash).
type userView = auth.User

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.loginLimiter.allow(clientIP(r)); !ok {
		w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
		writeJSONError(w, http.StatusTooManyRequests, "rate_limited", "too many sign-in attempts; wait and try again")
		return
	}
	var req loginRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.d.Auth.Authenticate(r.Context(), req.Email, req.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, expires, err := s.d.Auth.CreateSession(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Max-Age, not only Expires: the browser counts it from now on its own clock, so a
	// browser whose clock is off from the server's still keeps the session as long as the
	// server does (Expires alone would be read against the browser's clock).
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: expires, MaxAge: max(int(expires.Sub(s.d.Clock.Now()).Seconds()), 1),
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.d.Auth.DeleteSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	writeJSON(w, http.StatusOK, p.user)
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request) {
	var req availabilityRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	a := strings.TrimSpace(req.Availability)
	if a != "online" && a != "away" && a != "offline" {
		s.fail(w, r, &badRequest{field: "availability", msg: "availability must be online, away or offline"})
		return
	}
	p, _ := principalFrom(r.Context())
	u, err := s.d.Auth.UpdateUser(r.Context(), p.user.ID, auth.UserPatch{Availability: &a}, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
