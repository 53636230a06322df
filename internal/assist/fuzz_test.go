package assist

import (
	"strings"
	"testing"
)

// The signal endpoint's parser takes anything a browser, or anyone, sends: it must never
// panic, and what it accepts must be within its bounds.
func FuzzParseSignal(f *testing.F) {
	f.Add([]byte(`{"visitor_id":"v","token":"t","kind":"page","page":"p.s","lang":"he"}`))
	f.Add([]byte(`{"visitor_id":"v","token":"t","kind":"dwell","page":"p.s","seconds":91}`))
	f.Add([]byte(`{"visitor_id":"v","token":"t","kind":"page","page":"p.s"}{}`))
	f.Add([]byte(`{"kind":"dwell","seconds":1e400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseSignal(b)
		if err != nil {
			return
		}
		if in.VisitorID == "" || in.Token == "" || in.Page == "" || len(in.Page) > maxPageToken || len(b) > MaxSignalBody {
			t.Fatalf("accepted %+v from %q", in, b)
		}
		if (in.Kind == ReportDwell) != (in.Seconds > 0) || in.Seconds > maxDwell || !validLang(in.Lang) {
			t.Fatalf("accepted %+v", in)
		}
	})
}

func FuzzParseDecision(f *testing.F) {
	f.Add([]byte(`{"visitor_id":"v","token":"t","action":"accept","phone":"050-1234567","lang":"he"}`))
	f.Add([]byte(`{"visitor_id":"v","token":"t","action":"dismiss"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseDecision(b)
		if err != nil {
			return
		}
		if in.Action != "accept" && in.Action != "dismiss" || len(in.Phone) > 32 || in.VisitorID == "" {
			t.Fatalf("accepted %+v", in)
		}
	})
}

// A condition a supervisor writes parses to one that writes back the same, and parses again.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"searches_without_click >= 2", "dwell:claims > 90 and form_errors >= 1", "abandoned_at == what_happened", "searches >= 1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			return
		}
		again, err := ParseCondition(c.String())
		if err != nil || again.String() != c.String() {
			t.Fatalf("%q → %q → %q, %v", s, c.String(), again.String(), err)
		}
		if strings.ContainsAny(c.String(), "<>\"'") && !strings.ContainsAny(s, "<>") {
			t.Fatalf("%q wrote back %q", s, c.String())
		}
		_ = c.Holds(newFacts())
	})
}
