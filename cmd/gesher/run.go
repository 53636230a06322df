package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `Gesher — customer service on every channel, one conversation per customer.

Usage: gesher <command> [flags]

Commands:
  serve     run the server
  demo      run the server with a seeded demo organisation
  migrate   bring the database schema up to date
  user      add a user:  gesher user add --email E --role agent|supervisor|admin [--password P]
  token     create an API token:  gesher token create --user E [--name N]
  version   print the version

Run "gesher <command> -h" for the flags of a command.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr, false)
	case "demo":
		return cmdServe(ctx, rest, stdout, stderr, true)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "token":
		return cmdToken(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "gesher", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// parseConfig parses a command's flags into a Config, with the settings every command shares.
func parseConfig(name string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("gesher "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return cfg, cfg.resolve(fs)
}

// app is every service, wired once. Commands that only touch the database use part of it.
type app struct {
	cfg           Config
	log           *slog.Logger
	clock         clock.Clock
	db            *store.DB
	bus           *bus.Bus
	events        *event.Log
	auth          *auth.Service
	customers     *customer.Service
	conversations *conversation.Service
	channels      *channel.Channels
	registry      *channel.Registry
	ingester      *channel.Ingester
	jobs          *jobs.Queue
	outbox        *channel.Outbox
}

type appOptions struct {
	argon auth.ArgonParams // zero: the strong default
}

func newApp(ctx context.Context, cfg Config, log *slog.Logger, opt appOptions) (*app, error) {
	a := &app{cfg: cfg, log: log, clock: clock.System{}}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return nil, err
	}
	a.db = db
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.Dialect() == store.Postgres {
		a.bus, err = bus.NewPostgres(ctx, cfg.DB, func(ctx context.Context, id string) (event.Event, error) {
			return a.events.Get(ctx, id)
		}, log)
		if err != nil {
			db.Close()
			return nil, err
		}
	} else {
		a.bus = bus.NewLocal(log)
	}
	a.events = event.NewLog(db, a.clock, a.bus)
	authOpt := auth.Options{}
	if opt.argon != (auth.ArgonParams{}) {
		authOpt.Argon = opt.argon
	}
	a.auth = auth.NewService(db, a.clock, a.events, authOpt)
	a.customers = customer.NewService(db, a.clock, a.events)
	a.conversations = conversation.NewService(db, a.clock, a.events, routing.New(db, a.clock), nil, conversation.Options{})
	a.customers.SetMergeHook(a.conversations)
	a.channels = channel.NewChannels(db, a.clock)
	a.registry = channel.NewRegistry(api.New(nil))
	a.ingester = channel.NewIngester(db, a.clock, a.customers, a.conversations, log)
	a.jobs = jobs.New(db, a.clock, log, jobs.Options{Workers: cfg.Workers})
	a.outbox = channel.NewOutbox(a.jobs, a.registry, a.channels, a.conversations, a.customers, log)
	a.conversations.SetOutbox(a.outbox)
	return a, nil
}

func (a *app) close() {
	if a.jobs != nil {
		a.jobs.Stop()
	}
	if a.bus != nil {
		a.bus.Close()
	}
	a.db.Close()
}

func (a *app) webServer() *web.Server {
	limits := web.DefaultLimits()
	limits.HookRatePerIP = a.cfg.HookRate
	limits.HookBurst = int(a.cfg.HookRate * 2)
	return web.New(web.Deps{
		DB: a.db, Clock: a.clock, Log: a.log, Events: a.events, Auth: a.auth, Customers: a.customers,
		Conversations: a.conversations, Channels: a.channels, Registry: a.registry, Ingester: a.ingester,
		Outbox: a.outbox, Jobs: a.jobs, Bus: a.bus, Version: version, PublicURL: a.cfg.PublicURL, Limits: limits,
	})
}
