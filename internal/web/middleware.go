package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/clock"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
)

// SessionCookie is the name of the console's session cookie.
const SessionCookie = "gesher_session"

// principal is who is calling.
type principal struct {
	user    auth.User
	session string // the session token, when signed in by cookie
}

func principalFrom(ctx context.Context) (principal, bool) {
	p, ok := ctx.Value(keyPrincipal).(principal)
	return p, ok
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// statusWriter remembers the status for logs and metrics, and still lets WebSocket upgrades
// reach the connection underneath.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outer wraps every request: a request id, security headers, recovery from panics, and one
// log line.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.d.Log.Error("panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeJSONError(sw, http.StatusInternalServerError, "internal", "internal error; quote request id "+id)
				}
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			} else if strings.HasPrefix(r.URL.Path, "/healthz") || strings.HasPrefix(r.URL.Path, "/readyz") || r.URL.Path == "/metrics" {
				level = slog.LevelDebug
			}
			s.d.Log.Log(ctx, level, "http", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"status", sw.status, "bytes", sw.bytes, "ms", time.Since(start).Milliseconds(), "remote", clientIP(r))
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// wrap builds one route's handler: metrics, CSRF protection for the API, and the role check.
func (s *Server) wrap(rt Route) http.Handler {
	h := http.Handler(rt.handler)
	if !rt.Public {
		h = s.requirePermission(rt.Perm, h)
	}
	if strings.HasPrefix(rt.Pattern, "/api/") {
		// Browsers mark cross-site requests (Sec-Fetch-Site, Origin); a state-changing request
		// from another site carrying our session cookie is refused. API clients with bearer
		// tokens send neither header and pass.
		cop := http.NewCrossOriginProtection()
		cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSONError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused")
		}))
		h = cop.Handler(h)
	}
	if strings.HasPrefix(rt.Pattern, "/hooks/") {
		h = s.limitRate(s.hookLimiter, h)
	}
	return s.metrics.instrument(rt.Method+" "+rt.Pattern, h)
}

// authenticate finds the caller from a bearer token or the session cookie.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return principal{}, auth.ErrUnauthenticated
		}
		u, err := s.d.Auth.TokenUser(r.Context(), strings.TrimSpace(token))
		return principal{user: u}, err
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return principal{}, auth.ErrUnauthenticated
	}
	u, err := s.d.Auth.SessionUser(r.Context(), c.Value)
	return principal{user: u, session: c.Value}, err
}

func (s *Server) requirePermission(p auth.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := s.authenticate(r)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) {
				s.fail(w, r, err)
				return
			}
			writeJSONError(w, http.StatusUnauthorized, "unauthenticated", "sign in or send a valid API token")
			return
		}
		if !pr.user.Role.Can(p) {
			writeJSONError(w, http.StatusForbidden, "forbidden", "your role ("+string(pr.user.Role)+") may not "+string(p))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, pr)))
	})
}

func (s *Server) limitRate(l *ipLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(clientIP(r)); !ok {
			secs := int(wait.Seconds() + 0.999)
			w.Header().Set("Retry-After", itoa(max(secs, 1)))
			writeJSONError(w, http.StatusTooManyRequests, "rate_limited", "too many requests; retry later")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer's address. X-Forwarded-For is not trusted: anyone can send it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipLimiter is a token bucket per client address, in memory on each node.
type ipLimiter struct {
	rate  rate.Limit
	burst int
	clock clock.Clock
	mu    sync.Mutex
	byIP  map[string]*ipBucket
	swept time.Time
}

type ipBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perSecond float64, burst int, clk clock.Clock) *ipLimiter {
	if clk == nil {
		clk = clock.System{}
	}
	return &ipLimiter{rate: rate.Limit(perSecond), burst: burst, clock: clk, byIP: map[string]*ipBucket{}}
}

func (l *ipLimiter) allow(ip string) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.byIP {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.byIP, k)
			}
		}
		l.swept = now
	}
	b, ok := l.byIP[ip]
	if !ok {
		b = &ipBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.byIP[ip] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}
