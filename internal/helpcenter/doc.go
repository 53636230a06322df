// Package helpcenter owns the help centre: articles and their language variants, revisions and
// publishing; the analysis of text in Hebrew, Arabic, Russian and English; the in-memory search
// index and its ranking; the lay-to-professional map that bridges the words customers use and the
// words articles are written in; the learning from searches, clicks and feedback; and the
// failed-search report for content writers.
//
// Analysis happens in Go, one pipeline per script (no engine ships a Hebrew analyzer), and the
// index is rebuilt from the database at start and kept current by the service that changes the
// articles and by the bus, so SQLite and PostgreSQL deployments — and every node of the latter —
// rank the same articles the same way: every score is computed here, never by the database.
//
// It does not render pages or speak HTTP (internal/web does), and it does not decide which
// channels fit a customer (internal/channel does).
package helpcenter
