package channel_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"3600", time.Hour},
		{"86400", time.Hour},
		{"99999999999999999999999", 0}, // not an int: neither seconds nor a date
		{"1.5", 0},
		{"soon", 0},
		{date(90 * time.Second), 90 * time.Second},
		{now.Add(2 * time.Minute).Format(time.RFC850), 2 * time.Minute},
		{date(3 * time.Hour), time.Hour},
		{date(-time.Minute), 0},
		{date(0), 0},
	}
	for _, tt := range tests {
		if got := channel.RetryAfter(tt.header, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestHTTPFailure(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		status     int
		retryAfter string
		temporary  bool
		wait       time.Duration
	}{
		{http.StatusBadRequest, "", false, 0},
		{http.StatusUnauthorized, "", false, 0},
		{http.StatusForbidden, "", false, 0},
		{http.StatusNotFound, "", false, 0},
		{http.StatusUnprocessableEntity, "30", false, 0}, // a refusal is final whatever it asks
		{http.StatusRequestTimeout, "", true, 0},
		{http.StatusTooManyRequests, "7", true, 7 * time.Second},
		{http.StatusTooManyRequests, now.Add(time.Minute).Format(http.TimeFormat), true, time.Minute},
		{http.StatusInternalServerError, "", true, 0},
		{http.StatusBadGateway, "", true, 0},
		{http.StatusServiceUnavailable, "120", true, 2 * time.Minute},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.retryAfter != "" {
			h.Set("Retry-After", tt.retryAfter)
		}
		reason := fmt.Sprintf("the provider's words for %d", tt.status)
		se := channel.HTTPFailure(tt.status, h, reason, now)
		if se.Temporary != tt.temporary || se.RetryAfter != tt.wait || se.StatusCode != tt.status || se.Reason != reason {
			t.Errorf("HTTP %d, Retry-After %q: %+v; want temporary=%v after %v with the provider's reason", tt.status, tt.retryAfter, se, tt.temporary, tt.wait)
		}
		if got := channel.TemporaryStatus(tt.status); got != tt.temporary {
			t.Errorf("TemporaryStatus(%d) = %v, want %v", tt.status, got, tt.temporary)
		}
	}
}

// Each failure is a real round trip against a local server, so the errors are the ones
// net/http really returns.
func TestTransportError(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	// An answer cut short: the connection closes after the status line.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\n")
		_ = buf.Flush()
		conn.Close()
	}))
	defer cut.Close()
	// A certificate no client trusts; the server's complaint about the refused handshake is
	// expected, and kept out of the test's output.
	untrusted := httptest.NewUnstartedServer(http.NotFoundHandler())
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0)
	untrusted.StartTLS()
	defer untrusted.Close()

	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name      string
		ctx       context.Context
		url       string
		temporary bool
	}{
		{"connection refused", context.Background(), closedURL, true},
		{"answer cut short", context.Background(), cut.URL, true},
		{"deadline passed", past, cut.URL, true},
		{"cancelled", cancelled, cut.URL, true},
		{"untrusted certificate", context.Background(), untrusted.URL, false},
		{"not an http URL", context.Background(), "ftp://files.example/x", false},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(tt.ctx, http.MethodPost, tt.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: the round trip succeeded", tt.name)
		}
		se := channel.TransportError(err)
		if se.Temporary != tt.temporary || se.Reason == "" || se.StatusCode != 0 || se.RetryAfter != 0 {
			t.Errorf("%s (%v): %+v; want temporary=%v", tt.name, err, se, tt.temporary)
		}
		if channel.TemporaryTransport(err) != tt.temporary {
			t.Errorf("%s: TemporaryTransport = %v, want %v", tt.name, !tt.temporary, tt.temporary)
		}
	}
	// Errors that reach an adapter from lower down than net/http (an SMTP exchange).
	for _, err := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.EPIPE, fmt.Errorf("write: %w", syscall.EPIPE),
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route to host")}} {
		if !channel.TemporaryTransport(err) {
			t.Errorf("%v: permanent, want temporary", err)
		}
	}
	if se := channel.TransportError(cancelledErr()); se.Reason != "cancelled: context canceled" {
		t.Errorf("cancelled: reason %q", se.Reason)
	}
	if channel.TemporaryTransport(errors.New("x509: certificate signed by unknown authority")) {
		t.Error("an untyped error is temporary, want permanent")
	}
}

func cancelledErr() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx.Err()
}
