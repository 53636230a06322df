// Package metrics defines every figure Gesher reports, once, computed from the event log, so
// the same number appears the same on every dashboard, in every export and over the API
// (SPEC C15: "everything comes from the one event log, so numbers agree everywhere").
//
// A metric is a named definition with a compute function over a Query (time range, filters,
// bucket). Definitions are documented in docs/metrics.md; a test checks each against values
// computed by hand from a known history.
package metrics
