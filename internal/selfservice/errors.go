package selfservice

import "errors"

// Errors. ErrNotFound covers an unknown service or case, and any tracker token that does not
// open a case — tampered, expired or unknown alike, so an answer never tells them apart.
var (
	ErrNotFound = errors.New("selfservice: not found")
)

// ValidationError names a field of a service, a case or an answer that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "selfservice: " + e.Field + ": " + e.Reason }
