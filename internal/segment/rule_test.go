package segment

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
)

func TestParseRuleRefusesWhatIsNotARule(t *testing.T) {
	for _, tc := range []struct{ in, path string }{
		{`{}`, ""},
		{`{"all": []}`, ""},
		{`{"field": "age", "op": "in", "values": ["75"]}`, "op"},
		{`{"field": "shoe_size", "op": "in", "values": ["42"]}`, "field"},
		{`{"field": "age", "op": "gte"}`, "number"},
		{`{"field": "device", "op": "in", "values": []}`, "values"},
		{`{"all": [{"field": "device", "op": "in", "values": ["kosher"]}], "any": [{"field": "device", "op": "in", "values": ["kosher"]}]}`, ""},
		{`{"events": {"kinds": ["message.received"], "within_days": 0}}`, "events.within_days"},
		{`{"any": [{"events": {"kinds": [], "within_days": 3}}]}`, "any[0].events.kinds"},
		{`{"field": "device", "op": "in", "values": ["kosher"], "colour": 1}`, ""},
		{`{"field": "device", "op": "in", "values": ["kosher"]} {}`, ""},
		{strings.Repeat(`{"not": `, 10) + `{"field": "device", "op": "in", "values": ["x"]}` + strings.Repeat(`}`, 10), "not.not.not.not.not.not.not.not.not"},
	} {
		_, err := ParseRule([]byte(tc.in))
		var re *RuleError
		if !errors.As(err, &re) {
			t.Errorf("%s: %v, want a RuleError", tc.in, err)
			continue
		}
		if re.Path != tc.path {
			t.Errorf("%s: path %q, want %q (%v)", tc.in, re.Path, tc.path, err)
		}
	}
}

func TestRulesMatchProfilesAndBehaviour(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	miriam := customer.Customer{Name: "Miriam", Languages: []string{"ru", "he"},
		Profile: customer.Profile{BirthYear: 1948, Device: customer.Kosher, Accessibility: []string{customer.LargeText}, City: "Haifa "}}
	ev := func(kind string, daysAgo int, channelID, data string) event.Event {
		return event.Event{Kind: event.Kind(kind), ChannelID: channelID, At: now.Add(-time.Duration(daysAgo) * 24 * time.Hour), Data: json.RawMessage(data)}
	}
	facts := Facts{Customer: miriam, Now: now, ChannelKinds: map[string]string{"ch-voice": "voice", "ch-sms": "sms"}, Events: []event.Event{
		ev("message.received", 2, "ch-voice", `{}`), ev("message.received", 10, "ch-voice", `{}`), ev("message.received", 40, "ch-voice", `{}`),
		ev("message.received", 1, "ch-sms", `{}`), ev("case.opened", 60, "", `{"via":"web","service_id":"transfer"}`),
	}}
	for _, tc := range []struct {
		rule string
		want bool
	}{
		{`{"field": "age", "op": "gte", "number": 75}`, true}, // 2026 − 1948 = 78
		{`{"field": "age", "op": "lte", "number": 77}`, false},
		{`{"field": "language", "op": "in", "values": ["he"]}`, true},
		{`{"field": "first_language", "op": "in", "values": ["he"]}`, false},
		{`{"field": "device", "op": "in", "values": ["KOSHER"]}`, true},
		{`{"field": "accessibility", "op": "has", "values": ["screen-reader", "large-text"]}`, true},
		{`{"field": "coaching_stage", "op": "in", "values": ["not-digital"]}`, true},
		{`{"field": "city", "op": "in", "values": ["haifa"]}`, true},
		{`{"not": {"field": "tag", "op": "has", "values": ["vip"]}}`, true},
		{`{"events": {"kinds": ["message.received"], "channel_kinds": ["voice"], "within_days": 30, "min": 3}}`, false},
		{`{"events": {"kinds": ["message.received"], "channel_kinds": ["voice"], "within_days": 30, "min": 2}}`, true},
		{`{"events": {"kinds": ["message.received"], "channel_kinds": ["voice"], "within_days": 45, "min": 3}}`, true},
		{`{"events": {"kinds": ["case.opened"], "data": {"via": "web"}, "within_days": 90}}`, true},
		{`{"events": {"kinds": ["case.opened"], "data": {"via": "phone"}, "within_days": 90}}`, false},
		{`{"events": {"kinds": ["case.opened"], "within_days": 30}}`, false},
		{`{"any": [{"field": "tag", "op": "has", "values": ["x"]}, {"all": [{"field": "device", "op": "in", "values": ["kosher"]}, {"field": "age", "op": "gte", "number": 70}]}]}`, true},
	} {
		r, err := ParseRule([]byte(tc.rule))
		if err != nil {
			t.Errorf("%s: %v", tc.rule, err)
			continue
		}
		if got := r.Match(facts); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.rule, got, tc.want)
		}
	}
	// A customer without a birth year is in no age band at all.
	r, _ := ParseRule([]byte(`{"not": {"field": "age", "op": "gte", "number": 75}}`))
	if !r.Match(Facts{Customer: customer.Customer{}, Now: now}) {
		t.Error("an unknown age matched 75+")
	}
}

// FuzzParseRule: whatever arrives, ParseRule answers a rule that checks, and that survives a
// round trip through JSON, or a RuleError; it never panics, and evaluating a parsed rule
// never panics either.
func FuzzParseRule(f *testing.F) {
	seeds, err := os.ReadFile("testdata/rules.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(seeds), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			f.Add([]byte(line))
		}
	}
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	facts := Facts{Customer: customer.Customer{Languages: []string{"he"}, Profile: customer.Profile{BirthYear: 1950}}, Now: now,
		Events: []event.Event{{Kind: "message.received", At: now.Add(-time.Hour), Data: json.RawMessage(`{"via":"web"}`)}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRule(b)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v is not a RuleError", err, err)
			}
			return
		}
		if err := r.Check(); err != nil {
			t.Fatalf("parsed rule does not check: %v", err)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseRule(again); err != nil {
			t.Fatalf("round trip of %s: %v", again, err)
		}
		_ = r.Match(facts)
	})
}
