// Package channel is Gesher's edge: the Adapter contract every provider implements, the
// explicit registry of adapters, the channels an organisation has configured, the ingest
// transaction that turns a provider's request into customers, messages and events, and the
// outbox that sends replies as durable jobs.
//
// Adapters parse and verify; they never touch the database or the HTTP response before the
// ingest transaction has committed. The web package orders that pipeline.
package channel
