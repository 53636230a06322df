// Package journey computes personas' journeys from the event log (SPEC C2): for each stage of
// a persona's journey, how many of the segment's members reached it, how many dropped off
// before the next, the median time to the next, by the channel each stage was reached on, and
// the satisfaction answered at the moments of truth.
//
// It owns no table: personas and their stages are stored with their segment (internal/segment),
// and every figure is recomputed from events, so it agrees with the timeline.
package journey
