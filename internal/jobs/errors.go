package jobs

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrNotFound means no job has the given id.
	ErrNotFound = errors.New("jobs: job not found")
	// ErrNotFailed means Retry was asked to retry a job that has not failed.
	ErrNotFailed = errors.New("jobs: job has not failed")
	// ErrInTx means Work was called with a context carrying a transaction. Handlers run their
	// own transactions; on SQLite they would wait for ever behind the caller's.
	ErrInTx = errors.New("jobs: Work called inside a transaction")
)

// retryAfterError asks for the next attempt at a given delay instead of the back-off.
type retryAfterError struct {
	after time.Duration
	err   error
}

func (e *retryAfterError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("retry after %s", e.after)
	}
	return fmt.Sprintf("retry after %s: %v", e.after, e.err)
}

func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter returns an error that makes the job ready again after d instead of after the
// queue's back-off, as a provider's Retry-After header asks. It still counts as an attempt, so
// a job told to wait on every attempt fails at its maximum like any other.
func RetryAfter(d time.Duration, err error) error {
	return &retryAfterError{after: d, err: err}
}

// permanentError marks a failure that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string {
	if e.err == nil {
		return "permanent failure"
	}
	return e.err.Error()
}

func (e *permanentError) Unwrap() error { return e.err }

// Permanent returns an error that fails the job at once, whatever attempts it has left: a
// payload that cannot be decoded, a recipient the provider says does not exist.
func Permanent(err error) error { return &permanentError{err: err} }
