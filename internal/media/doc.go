// Package media keeps the bytes of files customers send on any channel — photos, documents,
// voice notes, email attachments — in the database, beside the messages that carry them.
//
// Adapters fetch a file from the provider before the ingest transaction; the ingester stores
// it here inside that transaction, so a message is acknowledged only once its files are
// durable too. Identical bytes are stored once. Serving a file to an agent (with headers that
// keep a hostile file from running in the console's origin) is the web layer's job; this
// package only stores and returns.
package media
