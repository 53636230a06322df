package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/ivr"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/journey"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/survey"
)

// Deps are the services the web layer calls. cmd/gesher builds them and passes them in.
type Deps struct {
	DB            *store.DB
	Clock         clock.Clock
	Log           *slog.Logger
	Events        *event.Log
	Auth          *auth.Service
	Customers     *customer.Service
	Conversations *conversation.Service
	Channels      *channel.Channels
	Registry      *channel.Registry
	Ingester      *channel.Ingester
	Media         *media.Store
	Canned        *canned.Service
	Outbox        *channel.Outbox
	Fitter        *channel.Fitter
	Mover         *channel.Mover
	Jobs          *jobs.Queue
	Metrics       *metrics.Service
	Policy        *policy.Service
	Bus           *bus.Bus
	Help          *helpcenter.Service
	SelfService   *selfservice.Desk
	Bot           *bot.Bot // runs guided flows as conversations and answers before an agent joins
	Branches      *branch.Service
	Assist        *assist.Service
	Menus         *ivr.Service
	Segments      *segment.Service
	Journeys      *journey.Service
	Coaching      *coaching.Service
	Surveys       *survey.Service
	Version       string
	// PublicURL is how providers reach this server (https://help.example.com); signatures
	// that cover the URL (Twilio's) are checked against it rather than the Host header,
	// which a proxy may have rewritten. Empty means "use the request's own".
	PublicURL string
	Limits    Limits
}

// Limits are the sizes and rates the server enforces.
type Limits struct {
	MaxBodyBytes     int64   // webhooks and API bodies
	HookRatePerIP    float64 // requests per second per client address on /hooks; 0 = no limit
	HookBurst        int
	LoginRatePerIP   float64 // sign-in attempts per second per address
	LoginBurst       int
	SessionCookieTTL time.Duration
	// HelpWritesPerIP and HelpWritesBurst limit what the public help centre records per client
	// address (searches, clicks, feedback); 0 = no limit.
	HelpWritesPerIP float64
	HelpWritesBurst int
}

// DefaultLimits are the production defaults.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:   1 << 20,
		HookRatePerIP:  200,
		HookBurst:      400,
		LoginRatePerIP: 0.2, // one attempt every five seconds on average …
		LoginBurst:     10,  // … after ten in a row
		// A reader searches and clicks a few times a minute; a script, hundreds.
		HelpWritesPerIP: 1,
		HelpWritesBurst: 30,
	}
}

// Server is the HTTP server's handler and its state.
type Server struct {
	d            Deps
	mux          *http.ServeMux
	handler      http.Handler
	routes       []Route
	metrics      *promMetrics
	hookLimiter  *ipLimiter
	loginLimiter *ipLimiter
	secureCookie bool
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Limits.MaxBodyBytes == 0 {
		d.Limits = DefaultLimits()
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{d: d, mux: http.NewServeMux()}
	s.metrics = newMetrics(d)
	s.hookLimiter = newIPLimiter(d.Limits.HookRatePerIP, d.Limits.HookBurst, d.Clock)
	s.loginLimiter = newIPLimiter(d.Limits.LoginRatePerIP, d.Limits.LoginBurst, d.Clock)
	s.secureCookie = secureCookies(d.PublicURL)
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.HandleFunc("/", s.notFound)
	s.handler = s.outer(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (the role matrix test and the OpenAPI document walk it).
func (s *Server) Routes() []Route { return s.routes }

// secureCookies decides the cookie's Secure flag: always, except for a plain-http public URL
// on a host that is not loopback (browsers refuse Secure cookies there, and sign-in would
// silently fail). Browsers treat http://localhost and 127.0.0.1 as secure contexts.
func secureCookies(publicURL string) bool {
	if publicURL == "" {
		return true
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasSuffix(h, ".localhost")
}
