package channel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxRetryAfter caps what a provider may ask for: past it, the outbox's own back-off is the
// better guess, and a message is not held for a day by one header.
const maxRetryAfter = time.Hour

// RetryAfter reads a Retry-After header, in seconds or as an HTTP date, into how long to wait
// before the next attempt, at most an hour. A missing, unreadable or past value is 0: the
// outbox's back-off decides.
func RetryAfter(header string, now time.Time) time.Duration {
	v := strings.TrimSpace(header)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// TemporaryStatus reports whether another attempt may get past an HTTP status: a timeout
// (408), rate limiting (429) or the provider's own failure (5xx). Any other refusal will be
// refused again.
func TemporaryStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// HTTPFailure is the SendError for a provider's answer with a status other than 2xx: temporary
// when TemporaryStatus says so, then after the answer's Retry-After; permanent otherwise.
// reason is what the agent reads on the failed message, in the provider's own words.
func HTTPFailure(status int, header http.Header, reason string, now time.Time) *SendError {
	se := &SendError{StatusCode: status, Reason: reason}
	if TemporaryStatus(status) {
		se.Temporary = true
		se.RetryAfter = RetryAfter(header.Get("Retry-After"), now)
	}
	return se
}

// TemporaryTransport reports whether an exchange that did not complete may go through next
// time: timeouts, resets, broken pipes, refused connections and answers cut short may; a bad
// URL or an untrusted certificate will not. A cancelled context is temporary too: the job is shutting
// down, and the queue runs it again later.
//
// A timeout or reset after the request was written may mean the provider took the message,
// so retrying can send it twice; each adapter's Send says why that is the lesser harm.
func TemporaryTransport(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// TransportError is the SendError for a round trip that did not complete, classified by
// TemporaryTransport. Its Reason is err's text: an adapter whose URLs hold a secret builds its
// own.
func TransportError(err error) *SendError {
	if errors.Is(err, context.Canceled) {
		return &SendError{Temporary: true, Reason: "cancelled: " + err.Error()}
	}
	return &SendError{Temporary: TemporaryTransport(err), Reason: err.Error()}
}
