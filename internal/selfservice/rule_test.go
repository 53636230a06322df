package selfservice_test

import (
	"bufio"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

func TestParseRule(t *testing.T) {
	ok := []struct{ in, canonical string }{
		{"transfer_amount > 50000 -> branch", "transfer_amount > 50000 -> branch"},
		{"age < 18 -> branch", "age < 18 -> branch"},
		{"age<18->phone", "age < 18 -> phone"},
		{`policy_type == "business" -> phone`, `policy_type == "business" -> phone`},
		{`policy_type != "private" → email`, `policy_type != "private" -> email`},
		{"claim_amount >= 12500.50 -> phone", "claim_amount >= 12500.5 -> phone"},
		{"balance <= -100 -> chat", "balance <= -100 -> chat"},
		{"amount == -0 -> web", "amount == 0 -> web"},
		{`note == "he said \"no\" \\ twice" -> branch`, `note == "he said \"no\" \\ twice" -> branch`},
		{`city == "תל אביב" -> branch`, `city == "תל אביב" -> branch`},
		{"\tamount\t>\t1\t->\twhatsapp\t", "amount > 1 -> whatsapp"},
	}
	for _, c := range ok {
		r, err := selfservice.ParseRule(c.in)
		if err != nil {
			t.Errorf("ParseRule(%q): %v", c.in, err)
			continue
		}
		if got := r.String(); got != c.canonical {
			t.Errorf("ParseRule(%q).String() = %q, want %q", c.in, got, c.canonical)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "expected a field name"},
		{"transfer_amount > 50,000 -> branch", "expected ->"},
		{"age < eighteen -> branch", "expected a number"},
		{"Age < 18 -> branch", "expected a field name"},
		{"age = 18 -> branch", "expected a comparison"},
		{"age < 18", "expected ->"},
		{"age < 18 -> shop", `"shop" is not a way`},
		{"age < 18 ->", "expected the way"},
		{`name < "dana" -> phone`, "only be compared with == or !="},
		{"amount > 1e9 -> branch", "expected ->"},
		{"amount > .5 -> branch", "expected a number"},
		{"amount > 5. -> branch", "expected digits after the decimal point"},
		{`x == "unterminated -> branch`, "no closing quote"},
		{"x == \"a\nb\" -> branch", "control character"},
		{`x == "a\tb" -> branch`, `only \" and \\ may be escaped`},
		{"age < 18 -> branch extra", "unexpected text"},
		{"age < 99999999999999999999999999 -> branch", "at most 24 characters"},
		{"a" + strings.Repeat("b", 64) + " < 1 -> web", "at most 64 characters"},
		{"x == \"" + strings.Repeat("א", 201) + "\" -> web", "longer than 300 bytes"},
		{"x == \"\xff\" -> web", "not valid UTF-8"},
	}
	for _, c := range bad {
		_, err := selfservice.ParseRule(c.in)
		var re *selfservice.RuleError
		if !errors.As(err, &re) {
			t.Errorf("ParseRule(%q): %v, want a *RuleError", c.in, err)
			continue
		}
		if !strings.Contains(re.Reason, c.reason) {
			t.Errorf("ParseRule(%q): reason %q, want it to say %q", c.in, re.Reason, c.reason)
		}
	}
}

func TestRuleEval(t *testing.T) {
	cases := []struct {
		rule    string
		answers map[string]any
		hit     bool
		known   bool
		bad     bool
	}{
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": 60000.0}, true, true, false},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": 50000.0}, false, true, false},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": "50,001"}, true, true, false},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": "50 000"}, false, true, false},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": "₪60000"}, false, true, true},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": "1e9"}, false, true, true},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": true}, false, true, true},
		{"transfer_amount > 50000 -> branch", map[string]any{}, false, false, false},
		{"transfer_amount > 50000 -> branch", map[string]any{"transfer_amount": "  "}, false, false, false},
		{"age < 18 -> branch", map[string]any{"age": 17.0}, true, true, false},
		{"age < 18 -> branch", map[string]any{"age": "18"}, false, true, false},
		{"age <= 18 -> branch", map[string]any{"age": "18"}, true, true, false},
		{"age >= 18 -> branch", map[string]any{"age": 17.5}, false, true, false},
		{"age == 18 -> branch", map[string]any{"age": "18.0"}, true, true, false},
		{"age != 18 -> branch", map[string]any{"age": 18.0}, false, true, false},
		{`policy_type == "business" -> phone`, map[string]any{"policy_type": " business "}, true, true, false},
		{`policy_type == "business" -> phone`, map[string]any{"policy_type": "Business"}, false, true, false},
		{`policy_type != "business" -> phone`, map[string]any{"policy_type": "private"}, true, true, false},
		{`flag == "true" -> phone`, map[string]any{"flag": true}, true, true, false},
		{`year == "2026" -> phone`, map[string]any{"year": 2026.0}, true, true, false},
	}
	for _, c := range cases {
		r, err := selfservice.ParseRule(c.rule)
		if err != nil {
			t.Fatal(err)
		}
		hit, known, err := r.Eval(c.answers)
		var ve *selfservice.ValidationError
		if c.bad != errors.As(err, &ve) {
			t.Errorf("%s on %v: error %v, want a validation error: %v", c.rule, c.answers, err, c.bad)
			continue
		}
		if hit != c.hit || known != c.known {
			t.Errorf("%s on %v: hit %v known %v, want %v %v", c.rule, c.answers, hit, known, c.hit, c.known)
		}
	}
}

func seedRules(f *testing.F) {
	file, err := os.Open("testdata/rules.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f.Add(sc.Text())
	}
}

var fieldRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Whatever a supervisor types, the parser answers a rule or a *RuleError, never a panic; an
// accepted rule is well formed, reads back from its own spelling to the same rule, and
// evaluates against any answers without panicking.
func FuzzParseRule(f *testing.F) {
	seedRules(f)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := selfservice.ParseRule(s)
		if err != nil {
			var re *selfservice.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("ParseRule(%q): %T %v, want a *RuleError", s, err, err)
			}
			if re.Pos < 0 || re.Pos > len(s) {
				t.Fatalf("ParseRule(%q): position %d outside the rule", s, re.Pos)
			}
			return
		}
		if !fieldRe.MatchString(r.Field) || !r.Then.Valid() {
			t.Fatalf("ParseRule(%q) = %+v: malformed field or way", s, r)
		}
		if !r.IsNum && r.Op != selfservice.Equal && r.Op != selfservice.NotEqual {
			t.Fatalf("ParseRule(%q) = %+v: orders a text", s, r)
		}
		again, err := selfservice.ParseRule(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRule(%q) = %+v, but its spelling %q reads as %+v, %v", s, r, r.String(), again, err)
		}
		for _, v := range []any{nil, "", s, 1.5, -3.0, true, "50,000", r.Str} {
			_, _, _ = r.Eval(map[string]any{r.Field: v})
		}
	})
}

func BenchmarkParseRule(b *testing.B) {
	for b.Loop() {
		if _, err := selfservice.ParseRule(`transfer_amount > 50000 -> branch`); err != nil {
			b.Fatal(err)
		}
	}
}
