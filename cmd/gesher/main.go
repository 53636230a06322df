// Command gesher is the Gesher customer-service platform: one binary that serves the API, the
// webhooks, the console and the customer pages, and administers its database.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gesher:", err)
		os.Exit(1)
	}
}
