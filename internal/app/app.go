// Package app wires Gesher's services together, once, the same way for the binary, the tests
// and the benchmarks: the database, the event log and the bus, the domain services, the
// channel adapters, the job queue and the web server. It holds no logic of its own.
package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/channel/telegram"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
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
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/survey"
	"github.com/gesher-cs/gesher/internal/web"
)

// Options say what to open and how.
type Options struct {
	DSN     string       // an SQLite path or a postgres:// URL
	Log     *slog.Logger // nil discards
	Clock   clock.Clock  // nil is the system clock
	Argon   auth.ArgonParams
	Workers int    // job workers
	NodeID  string // names this node in job leases; empty picks one
	// JobLease is how long a claimed job belongs to this node before another may take it
	// over; zero is the queue's default (2 minutes).
	JobLease time.Duration
	// HTTPClient is what adapters use to reach providers; tests point it at local fakes.
	HTTPClient *http.Client
	Version    string
	// SurveyDelay is how long after a resolution its survey is sent; zero is the survey
	// package's default (5 minutes).
	SurveyDelay time.Duration
}

// App is every service, wired.
type App struct {
	Log           *slog.Logger
	Clock         clock.Clock
	DB            *store.DB
	Bus           *bus.Bus
	Events        *event.Log
	Auth          *auth.Service
	Customers     *customer.Service
	Conversations *conversation.Service
	Router        *routing.Router
	Channels      *channel.Channels
	Registry      *channel.Registry
	Ingester      *channel.Ingester
	Email         *email.Server // the inbound SMTP listener; serve starts it
	Media         *media.Store
	Canned        *canned.Service
	Jobs          *jobs.Queue
	Outbox        *channel.Outbox
	Fitter        *channel.Fitter
	Mover         *channel.Mover
	Metrics       *metrics.Service
	Surveys       *survey.Service
	Policy        *policy.Service
	Help          *helpcenter.Service
	SelfService   *selfservice.Desk
	Segments      *segment.Service
	Journeys      *journey.Service
	Coaching      *coaching.Service
	Assist        *assist.Service
	Menus         *ivr.Service
	Branches      *branch.Service
	Bot           *bot.Bot
	Version       string
}

// Open opens and migrates the database and wires every service over it.
func Open(ctx context.Context, opt Options) (*App, error) {
	a := &App{Log: opt.Log, Clock: opt.Clock, Version: opt.Version}
	if a.Log == nil {
		a.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if a.Clock == nil {
		a.Clock = clock.System{}
	}
	db, err := store.Open(ctx, opt.DSN, store.Options{})
	if err != nil {
		return nil, err
	}
	a.DB = db
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.Dialect() == store.Postgres {
		a.Bus, err = bus.NewPostgres(ctx, opt.DSN, func(ctx context.Context, id string) (event.Event, error) {
			return a.Events.Get(ctx, id)
		}, a.Log)
		if err != nil {
			db.Close()
			return nil, err
		}
	} else {
		a.Bus = bus.NewLocal(a.Log)
	}
	a.Events = event.NewLog(db, a.Clock, a.Bus)
	authOpt := auth.Options{Logger: a.Log}
	if opt.Argon != (auth.ArgonParams{}) {
		authOpt.Argon = opt.Argon
	}
	a.Auth = auth.NewService(db, a.Clock, a.Events, authOpt)
	a.Customers = customer.NewService(db, a.Clock, a.Events)
	a.Router = routing.New(db, a.Clock)
	a.Conversations = conversation.NewService(db, a.Clock, a.Events, a.Router, nil, conversation.Options{})
	a.Customers.SetMergeHook(a.Conversations)
	a.Channels = channel.NewChannels(db, a.Clock)
	// The adapters this binary serves, listed explicitly: there is no global registration.
	voice := twilio.NewVoice(opt.HTTPClient)
	a.Registry = channel.NewRegistry(
		api.New(opt.HTTPClient),
		twilio.NewSMS(opt.HTTPClient),
		voice,
		whatsapp.New(opt.HTTPClient, a.Log),
		telegram.New(opt.HTTPClient),
		webchat.New(),
		email.New(email.Options{Clock: a.Clock, Log: a.Log}),
	)
	a.Media = media.NewStore(db, a.Clock)
	a.Ingester = channel.NewIngester(db, a.Clock, a.Customers, a.Conversations, a.Media, a.Log)
	a.Email = email.NewServer(a.Channels, a.Ingester, a.Log, "")
	// A quarter-second poll: SLA clocks are scan jobs due at their moment, and a breach should
	// be noticed well within a second of it.
	a.Jobs = jobs.New(db, a.Clock, a.Log, jobs.Options{Workers: opt.Workers, NodeID: opt.NodeID, Lease: opt.JobLease, PollInterval: 250 * time.Millisecond})
	a.Outbox = channel.NewOutbox(a.Jobs, a.Registry, a.Channels, a.Conversations, a.Customers, a.Log)
	a.Conversations.SetOutbox(a.Outbox)
	a.Conversations.SetJobs(a.Jobs) // snoozed conversations wake by a job
	a.Fitter = channel.NewFitter(db, a.Customers, a.Channels, a.Clock.Now)
	a.Conversations.SetGuard(a.Fitter)
	// Segments: membership kept current from events; their channel-fit matrices apply
	// through the fitter (one place for routing, the picker, deflection and notifications),
	// and queues match on them.
	a.Segments = segment.NewService(db, a.Clock, a.Events, a.Customers, a.Jobs, segment.Options{Log: a.Log})
	a.Fitter.SetSegments(a.Segments)
	a.Router.SetSegments(a.Segments.Names)
	// While a segment is hybrid, digital work leaves each traditional queue its last agents.
	a.Router.SetHybrid(a.Segments.HybridUsingTraditional)
	// Service levels: the policy keeps every conversation's clocks, in the transaction of each
	// change, and weighs conversations for routing by their channel's policy.
	if a.Policy, err = policy.NewService(db, a.Clock, a.Events, a.Jobs, a.Conversations, policy.Options{Log: a.Log}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Conversations.SetClocks(a.Policy)
	a.Router.SetWeigher(a.Policy.Weight)
	a.Mover = channel.NewMover(db, a.Fitter, a.Channels, a.Customers, a.Conversations, a.Events)
	a.Metrics = metrics.NewService(db, a.Events)
	a.Metrics.SetCalendars(a.Policy) // response and resolution times in the SLA clocks' business time
	// The self-service desk signs every customer link; surveys need it for the email's link.
	if a.SelfService, err = selfservice.NewDesk(db, a.Clock, a.Events, a.Customers, a.Conversations, a.Fitter, selfservice.Options{}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	// Surveys: asked after a resolution (a job enqueued by the conversation hook, after the
	// clocks had theirs), answered through the ingest path while one is pending, or on the
	// page an email's link opens.
	if a.Surveys, err = survey.New(db, a.Clock, a.Events, a.Jobs, a.Customers, a.Conversations, a.Channels, a.Fitter,
		survey.Options{Log: a.Log, Delay: opt.SurveyDelay, Links: a.SelfService}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Conversations.SetClocks(survey.Hook(a.Policy, a.Surveys))
	a.Ingester.SetAnswerTaker(a.Surveys)
	voice.SetSurveyor(a.Surveys) // the keypad question once the agent hangs up
	a.Canned = canned.NewService(db, a.Clock, a.Events)
	// The help centre's index is in memory: built from the database now, kept current from
	// the bus (other nodes' edits) until the bus closes.
	a.Help = helpcenter.NewService(db, a.Clock, a.Events, helpcenter.Options{Log: a.Log})
	if err := a.Help.Load(ctx); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Help.Follow(context.WithoutCancel(ctx), a.Bus)
	// Proactive help: signals, rules and offers; it records the outcome of accepted chats
	// from the bus.
	if a.Assist, err = assist.NewService(db, a.Clock, a.Events, a.Customers, a.Conversations, a.Help, a.Log); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Assist.Follow(context.WithoutCancel(ctx), a.Bus)
	// Contact-centre menus answer the calls of voice channels that name one; the voice
	// adapter releases waiting calls for them.
	if a.Menus, err = ivr.New(ivr.Deps{DB: db, Clock: a.Clock, Events: a.Events, Customers: a.Customers, Convs: a.Conversations, Channels: a.Channels,
		Fitter: a.Fitter, Mover: a.Mover, Desk: a.SelfService, Help: a.Help}, ivr.Options{Log: a.Log}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	voice.SetMenu(a.Menus)
	a.Menus.SetReleaser(voice)
	// Branches: hours from the policy's calendars, services from the catalogue, links signed
	// with the desk's key.
	a.Branches = branch.NewService(db, a.Clock, a.Events, a.Jobs, a.Customers, a.Conversations, a.Fitter, a.SelfService, a.Policy, branch.Options{Log: a.Log})
	// The bot answers new chat messages inside their ingest transaction: guided flows run as
	// conversations everywhere, questions only on channels that turn it on.
	if a.Bot, err = bot.New(bot.Deps{DB: db, Clock: a.Clock, Events: a.Events, Customers: a.Customers, Convs: a.Conversations, Channels: a.Channels,
		Desk: a.SelfService, Help: a.Help, Log: a.Log}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Ingester.SetResponder(a.Bot)
	// Segments and coaching follow the bus on every node; their sweep jobs are the safety net
	// for what a node missed.
	if err := a.Segments.Start(ctx); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Segments.Follow(context.WithoutCancel(ctx), a.Bus)
	a.Journeys = journey.NewService(db, a.Events, a.Segments)
	if a.Coaching, err = coaching.NewService(coaching.Deps{DB: db, Clock: a.Clock, Events: a.Events, Customers: a.Customers, Convs: a.Conversations,
		Fitter: a.Fitter, Desk: a.SelfService, Jobs: a.Jobs, Log: a.Log}); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	if err := a.Coaching.Start(ctx); err != nil {
		a.Bus.Close()
		db.Close()
		return nil, err
	}
	a.Coaching.Follow(context.WithoutCancel(ctx), a.Bus)
	return a, nil
}

// SetLinkBase sets the address that links sent to customers start with: tracker links in
// notifications, guided-session links, visual-menu links in texts, survey links in emails.
func (a *App) SetLinkBase(u string) {
	a.SelfService.SetPublicURL(u)
	a.Coaching.SetPublicURL(u)
	a.Menus.SetPublicURL(u)
}

// Web returns the HTTP handler over the app's services.
func (a *App) Web(publicURL string, limits web.Limits) *web.Server {
	a.SetLinkBase(publicURL)
	return web.New(web.Deps{
		DB: a.DB, Clock: a.Clock, Log: a.Log, Events: a.Events, Auth: a.Auth, Customers: a.Customers,
		Conversations: a.Conversations, Channels: a.Channels, Registry: a.Registry, Ingester: a.Ingester, Media: a.Media, Canned: a.Canned,
		Outbox: a.Outbox, Fitter: a.Fitter, Mover: a.Mover, Metrics: a.Metrics, Policy: a.Policy, Help: a.Help, SelfService: a.SelfService, Bot: a.Bot, Branches: a.Branches, Assist: a.Assist, Menus: a.Menus, Segments: a.Segments, Journeys: a.Journeys, Coaching: a.Coaching, Surveys: a.Surveys, Jobs: a.Jobs, Bus: a.Bus, Version: a.Version, PublicURL: publicURL, Limits: limits,
	})
}

// Close stops the jobs, the bus and the database, in that order.
func (a *App) Close() {
	a.Jobs.Stop()
	a.Bus.Close()
	a.DB.Close()
}
