package segment

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
)

// One computation of the hybrid segments at a time: a caller with nothing cached waits for the
// one in flight and gets its answer; a caller with an outdated answer gets that at once rather
// than wait or start another. (The Service has no database: starting a computation would
// panic.)
func TestHybridComputationIsShared(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	s := &Service{clock: clk}
	run := &hybridRun{done: make(chan struct{})}
	s.hybrid.running = run

	got := make(chan []string)
	go func() {
		names, err := s.HybridUsingTraditional(context.Background())
		if err != nil {
			t.Error(err)
		}
		got <- names
	}()
	run.names = []string{"callers"}
	close(run.done)
	if names := <-got; !slices.Equal(names, []string{"callers"}) {
		t.Errorf("waiting on the computation in flight: %v, want its answer [callers]", names)
	}

	s.hybrid.names, s.hybrid.at, s.hybrid.ok = []string{"old"}, clk.Now().Add(-2*adoptionTTL), true
	s.hybrid.running = &hybridRun{done: make(chan struct{})}
	if names, err := s.HybridUsingTraditional(context.Background()); err != nil || !slices.Equal(names, []string{"old"}) {
		t.Errorf("outdated, with a computation in flight: %v (%v), want the old answer at once", names, err)
	}

	s.hybrid.at, s.hybrid.running = clk.Now(), nil
	if names, err := s.HybridUsingTraditional(context.Background()); err != nil || !slices.Equal(names, []string{"old"}) || s.hybrid.running != nil {
		t.Errorf("fresh: %v (%v), running %v; want the cached answer and no computation", names, err, s.hybrid.running)
	}
}
