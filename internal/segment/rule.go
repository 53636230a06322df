package segment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
)

// Rule is a segment's condition, a small tree written as JSON:
//
//	{"all": [{"field": "age", "op": "gte", "number": 75}, {"field": "language", "op": "in", "values": ["ru"]}]}
//	{"events": {"kinds": ["menu.call-started"], "within_days": 30, "min": 3}}
//
// Each node is exactly one of: all (every child holds), any (one does), not (the child does
// not), a profile condition (field, op, values or number), or a behaviour condition (events).
// JSON rather than a text language because the console builds rules from drop-downs and the
// API takes them as they are stored; Parse is the one door in and is fuzzed.
type Rule struct {
	All    []Rule     `json:"all,omitempty"`
	Any    []Rule     `json:"any,omitempty"`
	Not    *Rule      `json:"not,omitempty"`
	Field  string     `json:"field,omitempty"`
	Op     string     `json:"op,omitempty"`
	Values []string   `json:"values,omitempty"`
	Number *float64   `json:"number,omitempty"`
	Events *Behaviour `json:"events,omitempty"`
}

// Behaviour holds when the customer has at least Min events of one of Kinds in the last
// WithinDays days — on one of ChannelKinds when given, and with every Data key equal to the
// event's data field of that name when given ("via": "web" for a self-service request).
type Behaviour struct {
	Kinds        []string          `json:"kinds"`
	ChannelKinds []string          `json:"channel_kinds,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	WithinDays   int               `json:"within_days"`
	Min          int               `json:"min,omitempty"` // 1 when zero
}

// The profile fields a rule can test, and the operators each takes.
var fieldOps = map[string][]string{
	"age":            {"gte", "lte"}, // years, from the birth year; unknown never matches
	"language":       {"in"},         // any of the customer's languages
	"first_language": {"in"},         // the language pages and routing use
	"device":         {"in"},         // smartphone, kosher, landline
	"accessibility":  {"has"},        // any of the needs
	"coaching_stage": {"in"},         // not-digital … independent; unset is not-digital
	"city":           {"in"},         // as written in the profile, compared case-insensitively
	"tag":            {"has"},        // the profile's free segment tags
	"name":           {"in"},         // rarely useful; kept so a rule can name a test customer
}

// Bounds that keep one rule cheap to store and to evaluate for every customer.
const (
	maxRuleBytes  = 16 << 10
	maxRuleDepth  = 8
	maxRuleNodes  = 64
	maxValues     = 50
	maxWithinDays = 3650
)

// RuleError says what is wrong with a rule, and where ("all[1].events.kinds").
type RuleError struct{ Path, Reason string }

func (e *RuleError) Error() string {
	if e.Path == "" {
		return "segment: rule: " + e.Reason
	}
	return "segment: rule at " + e.Path + ": " + e.Reason
}

// ParseRule reads and checks a rule. Anything that is not a rule is a *RuleError.
func ParseRule(b []byte) (Rule, error) {
	if len(b) > maxRuleBytes {
		return Rule{}, &RuleError{Reason: fmt.Sprintf("longer than %d bytes", maxRuleBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r Rule
	if err := dec.Decode(&r); err != nil {
		return Rule{}, &RuleError{Reason: "not a rule: " + err.Error()}
	}
	if dec.More() {
		return Rule{}, &RuleError{Reason: "more than one rule"}
	}
	if err := r.Check(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// Check validates a rule built in Go (a built-in segment, a test).
func (r Rule) Check() error {
	nodes := 0
	return r.check("", 0, &nodes)
}

func (r Rule) check(path string, depth int, nodes *int) error {
	bad := func(reason string) error { return &RuleError{Path: path, Reason: reason} }
	*nodes++
	if *nodes > maxRuleNodes {
		return bad(fmt.Sprintf("more than %d conditions", maxRuleNodes))
	}
	if depth > maxRuleDepth {
		return bad(fmt.Sprintf("nested deeper than %d", maxRuleDepth))
	}
	set := 0
	for _, b := range []bool{r.All != nil, r.Any != nil, r.Not != nil, r.Field != "" || r.Op != "" || r.Values != nil || r.Number != nil, r.Events != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return bad("each condition is exactly one of all, any, not, field or events")
	}
	join := func(p string) string {
		if path == "" {
			return p
		}
		return path + "." + p
	}
	switch {
	case r.All != nil || r.Any != nil:
		list, name := r.All, "all"
		if r.Any != nil {
			list, name = r.Any, "any"
		}
		if len(list) == 0 {
			return bad(name + " needs at least one condition")
		}
		for i, c := range list {
			if err := c.check(join(fmt.Sprintf("%s[%d]", name, i)), depth+1, nodes); err != nil {
				return err
			}
		}
	case r.Not != nil:
		return r.Not.check(join("not"), depth+1, nodes)
	case r.Events != nil:
		b := r.Events
		p := join("events")
		if len(b.Kinds) == 0 || len(b.Kinds) > maxValues {
			return &RuleError{Path: p + ".kinds", Reason: fmt.Sprintf("between 1 and %d event kinds", maxValues)}
		}
		for _, k := range b.Kinds {
			if k == "" || len(k) > 64 || strings.ContainsAny(k, " \t\n") {
				return &RuleError{Path: p + ".kinds", Reason: "an event kind such as message.received"}
			}
		}
		if len(b.ChannelKinds) > maxValues || len(b.Data) > 8 {
			return &RuleError{Path: p, Reason: "too many channel kinds or data fields"}
		}
		if b.WithinDays < 1 || b.WithinDays > maxWithinDays {
			return &RuleError{Path: p + ".within_days", Reason: fmt.Sprintf("between 1 and %d days", maxWithinDays)}
		}
		if b.Min < 0 || b.Min > 10000 {
			return &RuleError{Path: p + ".min", Reason: "between 0 and 10000"}
		}
	default:
		ops, ok := fieldOps[r.Field]
		if !ok {
			return &RuleError{Path: join("field"), Reason: "one of age, language, first_language, device, accessibility, coaching_stage, city, tag, name"}
		}
		if !slices.Contains(ops, r.Op) {
			return &RuleError{Path: join("op"), Reason: r.Field + " takes " + strings.Join(ops, " or ")}
		}
		if r.Op == "gte" || r.Op == "lte" {
			if r.Number == nil || r.Values != nil {
				return &RuleError{Path: join("number"), Reason: r.Op + " compares with a number"}
			}
			if *r.Number < 0 || *r.Number > 200 {
				return &RuleError{Path: join("number"), Reason: "an age between 0 and 200"}
			}
		} else {
			if r.Number != nil || len(r.Values) == 0 || len(r.Values) > maxValues {
				return &RuleError{Path: join("values"), Reason: fmt.Sprintf("between 1 and %d values", maxValues)}
			}
			for _, v := range r.Values {
				if v == "" || len(v) > 200 {
					return &RuleError{Path: join("values"), Reason: "values are 1 to 200 bytes"}
				}
			}
		}
	}
	return nil
}

// window is the longest behaviour window in the rule: how far back evaluation must read.
func (r Rule) window() int {
	w := 0
	if r.Events != nil {
		w = r.Events.WithinDays
	}
	for _, c := range r.All {
		w = max(w, c.window())
	}
	for _, c := range r.Any {
		w = max(w, c.window())
	}
	if r.Not != nil {
		w = max(w, r.Not.window())
	}
	return w
}

// Facts are what a rule is evaluated over: the customer, their recent events (their merged
// customers' too), the kind of each channel, and the moment of evaluation.
type Facts struct {
	Customer     customer.Customer
	Events       []event.Event
	ChannelKinds map[string]string // channel id → kind
	Now          time.Time
}

// Match reports whether the rule holds for the facts.
func (r Rule) Match(f Facts) bool {
	switch {
	case r.All != nil:
		for _, c := range r.All {
			if !c.Match(f) {
				return false
			}
		}
		return true
	case r.Any != nil:
		return slices.ContainsFunc(r.Any, func(c Rule) bool { return c.Match(f) })
	case r.Not != nil:
		return !r.Not.Match(f)
	case r.Events != nil:
		return r.Events.match(f)
	}
	p := f.Customer.Profile
	in := func(v string) bool {
		return slices.ContainsFunc(r.Values, func(w string) bool { return strings.EqualFold(w, v) })
	}
	switch r.Field {
	case "age":
		if p.BirthYear == 0 {
			return false
		}
		// The profile holds the year alone, so the age is the one reached this year.
		age := float64(f.Now.Year() - p.BirthYear)
		if r.Op == "gte" {
			return age >= *r.Number
		}
		return age <= *r.Number
	case "language":
		return slices.ContainsFunc(f.Customer.Languages, in)
	case "first_language":
		return len(f.Customer.Languages) > 0 && in(f.Customer.Languages[0])
	case "device":
		return in(p.Device)
	case "accessibility":
		return slices.ContainsFunc(p.Accessibility, in)
	case "coaching_stage":
		st := p.CoachingStage
		if st == "" {
			st = customer.NotDigital
		}
		return in(st)
	case "city":
		return in(strings.TrimSpace(p.City))
	case "tag":
		return slices.ContainsFunc(p.Segments, in)
	case "name":
		return in(f.Customer.Name)
	}
	return false
}

func (b *Behaviour) match(f Facts) bool {
	since := f.Now.Add(-time.Duration(b.WithinDays) * 24 * time.Hour)
	want := max(b.Min, 1)
	n := 0
	for _, e := range f.Events {
		if e.At.Before(since) || e.At.After(f.Now) || !slices.Contains(b.Kinds, string(e.Kind)) {
			continue
		}
		if len(b.ChannelKinds) > 0 && !slices.Contains(b.ChannelKinds, f.ChannelKinds[e.ChannelID]) {
			continue
		}
		if len(b.Data) > 0 && !dataMatches(e.Data, b.Data) {
			continue
		}
		if n++; n >= want {
			return true
		}
	}
	return false
}

// dataMatches reports whether every key of want is a field of the event's data with that
// value (strings as they are, other JSON values by their text).
func dataMatches(raw json.RawMessage, want map[string]string) bool {
	var d map[string]json.RawMessage
	if json.Unmarshal(raw, &d) != nil {
		return false
	}
	for k, v := range want {
		got, ok := d[k]
		if !ok {
			return false
		}
		var s string
		if json.Unmarshal(got, &s) != nil {
			s = string(got)
		}
		if s != v {
			return false
		}
	}
	return true
}
