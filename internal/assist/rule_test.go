package assist

import (
	"testing"
	"time"
)

func TestParseCondition(t *testing.T) {
	for _, c := range []struct {
		in, want string // want "" means refused
	}{
		{"searches_without_click >= 2", "searches_without_click >= 2"},
		{"  Searches_Without_Click   >=   2  ", "searches_without_click >= 2"},
		{"dwell:claims > 90", "dwell:claims > 90"},
		{"dwell > 90 and searches >= 1", "dwell > 90 and searches >= 1"},
		{"abandoned_at == what_happened", "abandoned_at == what_happened"},
		{"abandoned_at != car-claim/plate", "abandoned_at != car-claim/plate"},
		{"form_errors >= 2 AND article_revisits >= 1", "form_errors >= 2 and article_revisits >= 1"},
		{"searches >= 1.5", "searches >= 1.5"},
		{"", ""},
		{"searches", ""},
		{"searches >=", ""},
		{"searches >= two", ""},
		{"searches >= -1", ""},
		{"searches >= 1e9", ""},
		{"searches >= NaN", ""},
		{"searches => 2", ""},
		{"searches >= 2 or dwell > 3", ""},
		{"searches >= 2 and", ""},
		{"clicks >= 2", ""},
		{"searches:claims >= 2", ""},
		{"dwell: > 2", ""},
		{"abandoned_at > plate", ""},
		{"abandoned_at == <script>", ""},
		{"searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1 and searches >= 1", ""},
	} {
		got, err := ParseCondition(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseCondition(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("ParseCondition(%q) = %q, want %q", c.in, got.String(), c.want)
		}
	}
}

// sig builds a stored signal for the facts tests.
func sig(kind, ref, detail, category string, value int64) signal {
	return signal{ID: kind + ref + detail, Kind: kind, Ref: ref, Detail: detail, Category: category, Value: value, At: time.Unix(0, 0)}
}

func TestRulesOverAVisitsSignals(t *testing.T) {
	twoSearches := []signal{sig(sigSearch, "s1", "lost card", "", 3), sig(sigSearch, "s2", "stolen card", "", 0)}
	for _, c := range []struct {
		name    string
		when    string
		sigs    []signal
		clicked map[string]bool
		want    bool
	}{
		{"two searches, no click", "searches_without_click >= 2", twoSearches, nil, true},
		{"two searches, one clicked", "searches_without_click >= 2", twoSearches, map[string]bool{"s1": true}, false},
		{"one search", "searches_without_click >= 2", twoSearches[:1], nil, false},
		{"a search that found nothing", "searches_without_results >= 1", twoSearches, nil, true},
		{"repeated search", "searches >= 2", twoSearches, map[string]bool{"s1": true, "s2": true}, true},
		{"no signals at all", "searches >= 0", nil, nil, true},
		{"a long read of a claims article", "dwell:claims > 90", []signal{sig(sigDwell, "a1", "article", "claims", 95)}, nil, true},
		{"a long read of another topic", "dwell:claims > 90", []signal{sig(sigDwell, "a1", "article", "car", 300)}, nil, false},
		{"a short read of a claims article", "dwell:claims > 90", []signal{sig(sigDwell, "a1", "article", "claims", 60), sig(sigDwell, "a1", "article", "claims", 90)}, nil, false},
		{"dwell anywhere", "dwell >= 120", []signal{sig(sigDwell, "home", "page", "", 120)}, nil, true},
		{"an article opened twice", "article_revisits >= 1", []signal{sig(sigArticle, "a1", "", "", 0), sig(sigArticle, "a2", "", "", 0), sig(sigArticle, "a1", "", "", 0)}, nil, true},
		{"two articles opened once", "article_revisits >= 1", []signal{sig(sigArticle, "a1", "", "", 0), sig(sigArticle, "a2", "", "", 0)}, nil, false},
		{"form refused twice", "form_errors >= 2", []signal{sig(sigFlowStep, "car-claim", "plate", "", 1), sig(sigFlowStep, "car-claim", "plate", "", 1)}, nil, true},
		{"form refused once, then answered", "form_errors >= 2", []signal{sig(sigFlowStep, "car-claim", "plate", "", 1), sig(sigFlowStep, "car-claim", "injuries", "", 0)}, nil, false},
		{"flow left at the step", "abandoned_at == what_happened", []signal{sig(sigAbandoned, "car-claim", "what_happened", "", 0)}, nil, true},
		{"flow left at the step, by service", "abandoned_at == car-claim/what_happened", []signal{sig(sigAbandoned, "car-claim", "what_happened", "", 0)}, nil, true},
		{"flow left at another step", "abandoned_at == what_happened", []signal{sig(sigAbandoned, "car-claim", "plate", "", 0)}, nil, false},
		{"not left at the step", "abandoned_at != what_happened", nil, nil, true},
		{"both terms hold", "searches >= 2 and dwell > 10", append([]signal{sig(sigDwell, "x", "", "", 11)}, twoSearches...), nil, true},
		{"one term fails", "searches >= 2 and dwell > 10", twoSearches, nil, false},
	} {
		cond, err := ParseCondition(c.when)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		clicked := c.clicked
		if clicked == nil {
			clicked = map[string]bool{}
		}
		if got := cond.Holds(computeFacts(c.sigs, clicked)); got != c.want {
			t.Errorf("%s: %q holds = %v, want %v", c.name, c.when, got, c.want)
		}
	}
}

// A flow step followed by a page that is not the flow's is the flow left half-way; the next
// step of the same flow, or the flow's end, is not.
func TestDeriveFlowAbandoned(t *testing.T) {
	now := time.Unix(1000, 0)
	step := signal{ID: "s1", Kind: sigFlowStep, Ref: "car-claim", Detail: "plate"}
	for _, c := range []struct {
		name string
		past []signal
		page Page
		want bool
	}{
		{"off to a search", []signal{step}, Page{Kind: PageSearch, Ref: "q1", Nonce: "n"}, true},
		{"off to another flow", []signal{step}, Page{Kind: PageFlow, Ref: "address-change", Step: "street", Nonce: "n"}, true},
		{"the next step", []signal{step}, Page{Kind: PageFlow, Ref: "car-claim", Step: "injuries", Nonce: "n"}, false},
		{"the flow's end", []signal{step}, Page{Kind: PageFlow, Ref: "car-claim", Done: true, Nonce: "n"}, false},
		{"finished before", []signal{step, {ID: "d", Kind: sigFlowDone, Ref: "car-claim"}}, Page{Kind: PageSearch, Ref: "q1", Nonce: "n"}, false},
		{"counted before", []signal{step, {ID: "a", Kind: sigAbandoned, Ref: "car-claim", Detail: "plate"}}, Page{Kind: PageSearch, Ref: "q2", Nonce: "n"}, false},
		{"no flow", nil, Page{Kind: PageSearch, Ref: "q1", Nonce: "n"}, false},
	} {
		got := false
		for _, sg := range derive(c.page, SignalInput{Kind: ReportPage}, c.past, now) {
			if sg.Kind == sigAbandoned {
				got = true
				if sg.Ref != "car-claim" || sg.Detail != "plate" {
					t.Errorf("%s: abandoned %s/%s", c.name, sg.Ref, sg.Detail)
				}
			}
		}
		if got != c.want {
			t.Errorf("%s: abandoned = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseSignal(t *testing.T) {
	ok := `{"visitor_id":"v","token":"t","kind":"page","page":"p.s","lang":"he"}`
	if in, err := ParseSignal([]byte(ok)); err != nil || in.Kind != ReportPage || in.Lang != "he" {
		t.Fatalf("ParseSignal(%s) = %+v, %v", ok, in, err)
	}
	for _, bad := range []string{
		``, `null`, `[]`, `"x"`, `{}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s"} {}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s"}x`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s","extra":1}`,
		`{"visitor_id":"v","token":"t","kind":"click","page":"p.s"}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":""}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s","seconds":5}`,
		`{"visitor_id":"v","token":"t","kind":"dwell","page":"p.s","seconds":0}`,
		`{"visitor_id":"v","token":"t","kind":"dwell","page":"p.s","seconds":99999}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s","lang":"HE<"}`,
		`{"token":"t","kind":"page","page":"p.s"}`,
		`{"visitor_id":"v","token":"t","kind":"page","page":"p.s"`,
	} {
		if in, err := ParseSignal([]byte(bad)); err == nil {
			t.Errorf("ParseSignal(%s) = %+v, want an error", bad, in)
		}
	}
}
