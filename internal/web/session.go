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
	// Code is the six digits of an authenticator app, for users with two-step sign-in on. Sent
	// without it, the answer is 401 "totp_required" and the form asks for it.
	Code string `json:"code,omitempty"`
}

type totpConfirmRequest struct {
	Code string `json:"code"`
}

type totpDisableRequest struct {
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
	if u.TOTPEnabled {
		if req.Code == "" {
			s.fail(w, r, auth.ErrTOTPRequired)
			return
		}
		if err := s.d.Auth.CheckTOTP(r.Context(), u.ID, req.Code); err != nil {
			s.fail(w, r, err)
			return
		}
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

// beginTOTP gives the signed-in user a new authenticator secret (not in force until confirmed).
func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	setup, err := s.d.Auth.BeginTOTP(r.Context(), p.user.ID, "Gesher")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, setup)
}

// confirmTOTP turns two-step sign-in on with a first code from the new secret.
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	var req totpConfirmRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	if err := s.d.Auth.ConfirmTOTP(r.Context(), p.user.ID, req.Code, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// disableTOTP turns the signed-in user's two-step sign-in off; it takes their password, so a
// session left open on a shared screen is not enough.
func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request) {
	var req totpDisableRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := principalFrom(r.Context())
	if _, err := s.d.Auth.Authenticate(r.Context(), p.user.Email, req.Password); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.d.Auth.DisableTOTP(r.Context(), p.user.ID, actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// resetTOTP is an admin turning off someone's two-step sign-in (a lost phone).
func (s *Server) resetTOTP(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Auth.DisableTOTP(r.Context(), r.PathValue("id"), actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
