package branch

import "errors"

// Errors. ErrNotFound covers an unknown branch, desk, appointment or ticket, and any link
// token that opens none — tampered, expired or unknown alike.
var (
	ErrNotFound = errors.New("branch: not found")
	// ErrSlotTaken: every desk that serves the service is already booked at that time.
	ErrSlotTaken = errors.New("branch: that slot is already booked")
	// ErrClosed: the branch is not open now (for a ticket) or at that time (for a slot).
	ErrClosed = errors.New("branch: the branch is closed then")
	// ErrState: the ticket or appointment is not in a state that allows the change (calling a
	// ticket that was served, cancelling a cancelled appointment).
	ErrState = errors.New("branch: not possible in the current state")
)

// ValidationError names a field that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "branch: " + e.Field + ": " + e.Reason }
