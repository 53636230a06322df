// Package segment owns segments: saved rules over customers' profiles and behaviour ("75 and
// over", "kosher phone", "called three times in 30 days"), who is in each one now, each
// segment's channel-fit matrix (which channel kinds fit, which to offer first, which never),
// its digital-adoption target and phase, and — for a persona — its journey of stages.
//
// Membership is kept current from events: Follow re-evaluates a customer after any event about
// them commits, on every node, and a sweep job re-evaluates everyone periodically, so that
// membership converges after a crash between a commit and its evaluation, after a rule
// changes, and as time windows ("in the last 90 days") slide. Both paths run the same
// idempotent Refresh, whose writes are guarded by the primary key of segment_members, so two
// nodes evaluating the same customer at once record one change, once.
//
// It does not own what the matrix is applied to: channel.Fitter asks it (through
// channel.SegmentRules) and decides. Journeys are computed in internal/journey, coaching in
// internal/coaching.
package segment
