// Package jobs owns the durable job queue: work that must happen after a change commits and
// must survive a restart — sending a reply through a provider, firing an SLA timer, delivering
// an outgoing webhook.
//
// A job is a row of the jobs table, written in the same transaction as the change that causes
// it, so a job exists exactly when that change committed. Nodes claim due jobs with a lease
// (on PostgreSQL with FOR UPDATE SKIP LOCKED, so two nodes never claim the same job), run the
// handler registered for the job's kind, and record the outcome: done, ready again after a
// back-off, or failed. A node that dies mid-job loses its lease and another node runs the job
// again, so delivery is at least once and handlers must be idempotent.
//
// It does not own what the jobs do: each domain package registers handlers for its own kinds.
package jobs
