// Package bus carries live updates: the events of the log, once their transaction has
// committed, to the subscribers on this node (the agent console's and the widget's WebSocket
// handlers) and, in PostgreSQL mode, to every other node sharing the database, through
// LISTEN/NOTIFY.
//
// Delivery is best effort and never blocks the writer: the log is the record, the bus only
// says "look again". A subscriber that cannot keep up is closed and marked overflowed, and
// every subscriber receives a Delivery with Resync set whenever events may have been missed
// (the listening connection was re-established, or an event could not be carried), so a
// client reloads from the log instead of trusting a gap.
//
// It owns no table and no SQL of the event log: when an event is too large for a NOTIFY
// payload, a Loader supplied by the caller reads it back by id.
package bus
