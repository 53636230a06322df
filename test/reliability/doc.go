// Package reliability holds tests of promises that span the whole server rather than one
// package: a provider's retry storm stores each message once, and replies reach a failing
// provider exactly once, after the back-off it asked for, or fail visibly. They run the real
// wiring (app.Open) on both databases with a manual clock. The process-level tests — kill -9
// during ingest, three nodes with one killed — are in cmd/gesher (reliability_*_test.go),
// where the test binary can stand in for the gesher binary.
package reliability
