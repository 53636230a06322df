package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// A survey delay that is no duration, or shorter than a second, stops the start with a message
// naming the flag, instead of surveys sent at a moment nobody chose; a good one opens the app.
func TestSurveyDelayIsCheckedAtStart(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, bad := range []string{"0s", "500ms", "soon", "-5m"} {
		cfg := DefaultConfig()
		cfg.DB, cfg.SurveyDelay = filepath.Join(t.TempDir(), "gesher.db"), bad
		if a, err := openApp(context.Background(), cfg, log); err == nil || !strings.Contains(err.Error(), "--survey-delay") {
			if a != nil {
				a.Close()
			}
			t.Errorf("--survey-delay %s: %v; want it refused", bad, err)
		}
	}
	cfg := DefaultConfig()
	cfg.DB, cfg.SurveyDelay = filepath.Join(t.TempDir(), "gesher.db"), "30s"
	a, err := openApp(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("--survey-delay 30s: %v", err)
	}
	a.Close()
}
