package assist

import (
	"fmt"
	"strconv"
	"strings"
)

// The facts a condition can name. Each is computed over the signals of one visit.
const (
	FactSearches         = "searches"                 // searches in the help centre
	FactSearchesNoClick  = "searches_without_click"   // searches from which no result was opened
	FactSearchesNoResult = "searches_without_results" // searches that found nothing
	FactFormErrors       = "form_errors"              // answers a guided flow refused
	FactArticleRevisits  = "article_revisits"         // the most times one article was opened again
	FactDwell            = "dwell"                    // the longest time on one page, in seconds; dwell:claims on an article of that topic
	FactAbandoned        = "abandoned"                // guided flows left half-way
	FactAbandonedAt      = "abandoned_at"             // the step a flow was left at (a step id, or service/step)
)

// facts lists the names a condition may use, and whether the fact is a set of words.
var facts = map[string]bool{
	FactSearches: false, FactSearchesNoClick: false, FactSearchesNoResult: false, FactFormErrors: false,
	FactArticleRevisits: false, FactDwell: false, FactAbandoned: false, FactAbandonedAt: true,
}

// Op is a comparison.
type Op string

// The comparisons; words compare with == and != only.
const (
	Less      Op = "<"
	LessEq    Op = "<="
	Greater   Op = ">"
	GreaterEq Op = ">="
	Equal     Op = "=="
	NotEqual  Op = "!="
)

// Term is one comparison of a condition: "dwell:claims > 90".
type Term struct {
	Fact      string
	Qualifier string // dwell's topic; empty otherwise
	Op        Op
	Num       float64
	Word      string // for abandoned_at
}

// Condition is a rule's "when": terms that must all hold. The language is deliberately tiny —
// comparisons joined by "and", over a fixed list of facts — so a supervisor's rule reads as
// what it does, and evaluating one can neither loop nor reach anything but the visit's facts.
type Condition []Term

// ConditionError says why a condition does not parse.
type ConditionError struct {
	Condition string
	Reason    string
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("assist: condition %q: %s", e.Condition, e.Reason)
}

// Bounds of the language: long enough for any real rule, short enough to show.
const (
	maxConditionLen = 300
	maxTerms        = 8
	maxWordLen      = 100
)

// ParseCondition parses "searches_without_click >= 2 and dwell:claims > 90".
func ParseCondition(s string) (Condition, error) {
	bad := func(reason string) (Condition, error) { return nil, &ConditionError{Condition: s, Reason: reason} }
	if len(s) > maxConditionLen {
		return bad(fmt.Sprintf("longer than %d bytes", maxConditionLen))
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return bad("empty")
	}
	var c Condition
	for i := 0; i < len(fields); {
		if len(c) > 0 {
			if !strings.EqualFold(fields[i], "and") {
				return bad(fmt.Sprintf("expected \"and\" before %q", fields[i]))
			}
			i++
		}
		if i+3 > len(fields) {
			return bad("a comparison needs a fact, an operator and a value")
		}
		t, err := parseTerm(fields[i], fields[i+1], fields[i+2])
		if err != nil {
			return bad(err.Error())
		}
		c = append(c, t)
		if len(c) > maxTerms {
			return bad(fmt.Sprintf("more than %d comparisons", maxTerms))
		}
		i += 3
	}
	return c, nil
}

func parseTerm(fact, op, value string) (Term, error) {
	t := Term{Fact: strings.ToLower(fact)}
	if f, q, ok := strings.Cut(t.Fact, ":"); ok {
		if f != FactDwell || !isWord(q) {
			return t, fmt.Errorf("only dwell takes a topic (dwell:claims), not %q", fact)
		}
		t.Fact, t.Qualifier = f, q
	}
	words, known := facts[t.Fact]
	if !known {
		return t, fmt.Errorf("unknown fact %q", fact)
	}
	switch Op(op) {
	case Less, LessEq, Greater, GreaterEq, Equal, NotEqual:
		t.Op = Op(op)
	default:
		return t, fmt.Errorf("unknown operator %q (use < <= > >= == !=)", op)
	}
	if words {
		if t.Op != Equal && t.Op != NotEqual {
			return t, fmt.Errorf("%s compares with == or != only", t.Fact)
		}
		if !isWord(value) {
			return t, fmt.Errorf("%q is not a step id", value)
		}
		t.Word = value
		return t, nil
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil || n < 0 || n > 1e6 || n != n {
		return t, fmt.Errorf("%q is not a number from 0 to 1000000", value)
	}
	t.Num = n
	return t, nil
}

// isWord is a step id, a service id or a topic: letters, digits, - _ / and dots.
func isWord(s string) bool {
	if s == "" || len(s) > maxWordLen {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '/', r == '.':
		default:
			return false
		}
	}
	return true
}

// String writes the condition back in its canonical form.
func (c Condition) String() string {
	parts := make([]string, len(c))
	for i, t := range c {
		f := t.Fact
		if t.Qualifier != "" {
			f += ":" + t.Qualifier
		}
		v := t.Word
		if v == "" {
			v = strconv.FormatFloat(t.Num, 'f', -1, 64)
		}
		parts[i] = f + " " + string(t.Op) + " " + v
	}
	return strings.Join(parts, " and ")
}

// Facts are what a visit's signals add up to.
type Facts struct {
	Nums map[string]float64         // searches, form_errors, dwell, dwell:claims …
	Sets map[string]map[string]bool // abandoned_at
}

func newFacts() Facts {
	return Facts{Nums: map[string]float64{}, Sets: map[string]map[string]bool{}}
}

// Holds reports whether every term of c holds for f. A fact the visit has no signal of is
// zero (or the empty set).
func (c Condition) Holds(f Facts) bool {
	for _, t := range c {
		if !t.holds(f) {
			return false
		}
	}
	return len(c) > 0
}

func (t Term) holds(f Facts) bool {
	if t.Word != "" {
		in := f.Sets[t.Fact][t.Word]
		return in == (t.Op == Equal)
	}
	key := t.Fact
	if t.Qualifier != "" {
		key += ":" + t.Qualifier
	}
	v := f.Nums[key]
	switch t.Op {
	case Less:
		return v < t.Num
	case LessEq:
		return v <= t.Num
	case Greater:
		return v > t.Num
	case GreaterEq:
		return v >= t.Num
	case Equal:
		return v == t.Num
	case NotEqual:
		return v != t.Num
	}
	return false
}
