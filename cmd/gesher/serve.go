package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gesher-cs/gesher/internal/demo"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	cfg, err := parseConfig(name, args, stderr, func(fs *flag.FlagSet) {
		if withDemo {
			// Keep the demo organisation out of a real data folder.
			_ = fs.Set("data", "./data/demo")
		}
	})
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	started := time.Now()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	var seeded demo.Summary
	if withDemo {
		if seeded, err = demo.Seed(ctx, demo.Services{
			DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations,
			Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned,
		}); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	var smtpLn net.Listener
	if cfg.SMTPAddr != "" {
		if smtpLn, err = net.Listen("tcp", cfg.SMTPAddr); err != nil {
			return fmt.Errorf("smtp listener: %w", err)
		}
		// Deferred after a.Close, so it runs first: messages being stored commit before the
		// database closes.
		defer a.Email.Close()
	}
	handler := a.Web(cfg.PublicURL, webLimits(cfg))
	if cfg.PublicURL == "" {
		// A text to a phone cannot carry a relative link: without --public-url, links start
		// with the address this server listens on.
		a.SetLinkBase(listenURL(ln.Addr()))
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.Jobs.Start(ctx)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if smtpLn != nil {
		go func() { errc <- a.Email.Serve(smtpLn) }()
	}

	url := "http://" + ln.Addr().String()
	log.Info("gesher ready", "url", url, "database", string(a.DB.Dialect()), "version", version, "startup_ms", time.Since(started).Milliseconds())
	if withDemo {
		fmt.Fprintf(stdout, "\nGesher demo is running at %s\n\n", url)
		fmt.Fprintf(stdout, "  Sign in:   %s  /  %s   (admin)\n", demo.AdminEmail, demo.Password)
		fmt.Fprintf(stdout, "             %s  /  %s   (agent)\n", demo.AgentEmail, demo.Password)
		fmt.Fprintf(stdout, "  API:       %s/api/v1/openapi.json\n", url)
		fmt.Fprintf(stdout, "  Webhook:   POST %s/hooks/api/%s  (secret %q)\n", url, demo.APIChannel, demo.APISecret)
		if smtpLn != nil {
			fmt.Fprintf(stdout, "  Email:     SMTP %s, to service@demo.example\n", smtpLn.Addr())
		}
		fmt.Fprintf(stdout, "  Data:      %s (%d customers, %d conversations)\n\n", cfg.DB, seeded.Customers, seeded.Conversations)
	} else {
		fmt.Fprintf(stdout, "Gesher is listening on %s\n", url)
		if smtpLn != nil {
			fmt.Fprintf(stdout, "Inbound email (SMTP) on %s\n", smtpLn.Addr())
		}
	}

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	// Stop taking requests and let those in flight finish (and commit) before the jobs and
	// the database close underneath them.
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

// listenURL is the http address of a listener, naming the machine instead of an unspecified
// address (0.0.0.0, ::), which no customer could open.
func listenURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil && name != "" {
			host = name
		} else {
			host = "localhost"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
