// Package policy owns service levels: each channel's policy (first-response, next-response
// and resolution targets, the business calendar they count in, the customer-reminder and
// agent-nudge intervals, the auto-close, the capacity weight, the topics served and what a
// breach escalates to), the business calendars themselves (weekly hours, holidays and their
// eves, a time zone), and the SLA clocks of conversations.
//
// The conversation service tells the policy service of each message and status change inside
// its transaction (conversation.Clocks), so a clock starts, pauses, resumes and stops in the
// same commit as its cause, with an event for each. Clocks are rows with the next moment they
// are due; a durable scan job claims the due ones (FOR UPDATE SKIP LOCKED on PostgreSQL, so
// several nodes share the work) and records warnings and breaches, escalates, nudges the
// owner and reminds the customer on the channel through the ordinary reply path.
//
// It does not route (routing does; the policy only supplies the weights), send (the channel
// outbox does) or decide a conversation's status except to auto-close it.
package policy
