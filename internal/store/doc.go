// Package store opens the database — embedded SQLite by default, PostgreSQL for scale — applies
// the embedded migrations, and runs transactions whose after-commit hooks are how the rest of
// Gesher acknowledges, publishes and schedules only what is durable.
//
// Queries are written once with '?' placeholders in the subset of SQL both dialects accept; the
// store rebinds them for PostgreSQL. Domain packages own their SQL; this package owns none of it
// beyond migrations.
package store
