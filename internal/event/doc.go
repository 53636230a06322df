// Package event owns the append-only event log: everything a customer, an agent or the system
// does is an event on the log, written in the same transaction as the change it records.
// Timelines, journeys and dashboards read the log; live updates are the log's events,
// published once their transaction has committed.
//
// It does not own what the events mean: each domain package names and writes its own kinds.
package event
