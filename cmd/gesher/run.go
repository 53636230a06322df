package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/routing"
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
  backup    copy the SQLite database while it runs:  gesher backup [--out FILE]
  eval      relevance figures:  gesher eval search --articles A.jsonl --queries Q.jsonl [--train T.jsonl] [--db DSN]
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
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "eval":
		return cmdEval(ctx, rest, stdout, stderr)
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

func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*app.App, error) {
	lease, nodeID, err := jobEnv()
	if err != nil {
		return nil, err
	}
	def, byQueue, err := routing.ParseReserve(cfg.HybridReserve)
	if err != nil {
		return nil, fmt.Errorf("--hybrid-reserve: %w", err)
	}
	surveyDelay, err := time.ParseDuration(cfg.SurveyDelay)
	if err != nil || surveyDelay < time.Second {
		return nil, fmt.Errorf("--survey-delay: %q is not a duration of at least 1s (such as 5m or 30s)", cfg.SurveyDelay)
	}
	a, err := app.Open(ctx, app.Options{DSN: cfg.DB, Log: log, Workers: cfg.Workers, Version: version, JobLease: lease, NodeID: nodeID, SurveyDelay: surveyDelay})
	if err != nil {
		return nil, err
	}
	a.Router.DefaultReserve, a.Router.ReserveByQueue = def, byQueue
	return a, nil
}

func webLimits(cfg Config) web.Limits {
	limits := web.DefaultLimits()
	limits.HookRatePerIP = cfg.HookRate
	limits.HookBurst = int(cfg.HookRate * 2)
	limits.LoginRatePerIP = cfg.LoginRate / 60
	return limits
}
