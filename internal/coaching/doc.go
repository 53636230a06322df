// Package coaching owns the digital soft landing (SPEC C13): each customer's coaching stage
// (not digital → guided → supported → independent), moved by events alone through the
// transitions listed in Transitions; guided sessions, in which an agent on a call sends the
// customer a link to a self-service flow and walks them through it on their own phone;
// tutorials, short guides per task and language sent on a channel that fits; and the agent's
// credit ledger for coaching sessions, stage advances and accepted deflections.
//
// The stage is a fold over the customer's events, so it is recomputed, not incremented:
// Refresh runs after every relevant event on every node (from the bus) and from a periodic
// sweep, and two runs at once or one after a crash record each advance once.
//
// It does not own the flows (internal/selfservice) or the channel rules (internal/channel).
package coaching
