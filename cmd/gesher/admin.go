package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/event"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(stderr, cfg.LogFormat, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d\n", a.DB.Dialect(), v)
	return nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(`usage: gesher user add --email E --role agent|supervisor|admin [--name N] [--password P] [--languages he,en]`)
	}
	var email, role, name, password, langs string
	cfg, err := parseConfig("user add", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email (their sign-in)")
		fs.StringVar(&role, "role", "agent", "agent, supervisor or admin")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&password, "password", "", "password (asked for on standard input when absent)")
		fs.StringVar(&langs, "languages", "", "languages the user speaks, comma-separated (he,ar,ru,en,am,fr)")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("--email is required")
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return err
	}
	if password == "" {
		fmt.Fprint(stderr, "Password (at least 10 characters): ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	a, err := openApp(ctx, cfg, newLogger(stderr, cfg.LogFormat, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer a.Close()
	var languages []string
	for _, l := range strings.Split(langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			languages = append(languages, l)
		}
	}
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Role: r, Password: password, Languages: languages,
		Actor: event.Actor{Kind: event.BySystem, ID: "cli"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s) as %s\n", u.Email, u.ID, u.Role)
	return nil
}

func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: gesher token create --user EMAIL [--name NAME]`)
	}
	var email, name string
	cfg, err := parseConfig("token create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "user", "", "email of the user the token acts as")
		fs.StringVar(&name, "name", "cli", "what the token is for")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("--user is required")
	}
	a, err := openApp(ctx, cfg, newLogger(stderr, cfg.LogFormat, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	plain, _, err := a.Auth.CreateToken(ctx, u.ID, name, event.Actor{Kind: event.BySystem, ID: "cli"})
	if err != nil {
		return err
	}
	// Only the token on stdout, so scripts can capture it: TOKEN=$(gesher token create …).
	fmt.Fprintln(stdout, plain)
	return nil
}
