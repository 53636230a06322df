package selfservice

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Way is a channel on which a service can be done, as the catalogue shows it to customers.
// It is coarser than a channel: "phone" is any agent on the phone, whatever the provider.
type Way string

// The ways a service can be done.
const (
	Web      Way = "web"      // self-service on the website (a guided flow)
	WhatsApp Way = "whatsapp" // a guided flow on WhatsApp
	Phone    Way = "phone"    // an agent on the phone
	Chat     Way = "chat"     // an agent in chat
	Email    Way = "email"    // an agent by email
	Branch   Way = "branch"   // only in person, at a branch
)

// Ways returns every way, in the order the catalogue lists them.
func Ways() []Way { return []Way{Web, WhatsApp, Phone, Chat, Email, Branch} }

// Valid reports whether w is one of Ways.
func (w Way) Valid() bool {
	for _, v := range Ways() {
		if v == w {
			return true
		}
	}
	return false
}

// Op is a comparison of a rule.
type Op string

// The comparisons. The ordering ones compare numbers only.
const (
	Less      Op = "<"
	LessEq    Op = "<="
	Greater   Op = ">"
	GreaterEq Op = ">="
	Equal     Op = "=="
	NotEqual  Op = "!="
)

// Rule is one limit of a service, parsed: when the request's Field compares to the value by
// Op, only Then can finish the request. The language is deliberately tiny — one comparison,
// no expressions, no functions — so that a supervisor's rule can be shown to a customer, and
// evaluating it can neither loop nor reach anything but the request's own answers.
type Rule struct {
	Field string
	Op    Op
	// IsNum says the value is the number Num; otherwise it is the string Str.
	IsNum bool
	Num   float64
	Str   string
	Then  Way
}

// RuleError says why and where a rule does not parse.
type RuleError struct {
	Rule   string
	Pos    int // byte offset of the problem
	Reason string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("selfservice: rule %q at %d: %s", e.Rule, e.Pos, e.Reason)
}

// Bounds of the rule language: long enough for any real limit, short enough to show.
const (
	maxRuleLen   = 300
	maxFieldLen  = 64
	maxStringLen = 200
	maxNumberLen = 24
)

// ParseRule reads a rule: a field name, a comparison, a number or a double-quoted string, an
// arrow (-> or →) and the way that can finish the request:
//
//	transfer_amount > 50000 -> branch
//	age < 18 -> branch
//	policy_type == "business" -> phone
func ParseRule(s string) (Rule, error) {
	p := ruleParser{src: s}
	if len(s) > maxRuleLen {
		return Rule{}, p.fail(maxRuleLen, fmt.Sprintf("longer than %d bytes", maxRuleLen))
	}
	if !utf8.ValidString(s) {
		return Rule{}, p.fail(0, "not valid UTF-8")
	}
	var r Rule
	p.space()
	var err error
	if r.Field, err = p.field(); err != nil {
		return Rule{}, err
	}
	p.space()
	if r.Op, err = p.op(); err != nil {
		return Rule{}, err
	}
	p.space()
	valuePos := p.pos
	if p.peek() == '"' {
		if r.Str, err = p.str(); err != nil {
			return Rule{}, err
		}
	} else {
		if r.Num, err = p.number(); err != nil {
			return Rule{}, err
		}
		r.IsNum = true
	}
	// "dana" < "eli" would compare bytes, which means nothing to a customer in Hebrew or
	// Arabic: texts are only equal or not.
	if !r.IsNum && r.Op != Equal && r.Op != NotEqual {
		return Rule{}, p.fail(valuePos, "a text can only be compared with == or !=")
	}
	p.space()
	if !p.arrow() {
		return Rule{}, p.fail(p.pos, "expected -> and the way that can finish the request")
	}
	p.space()
	wayPos := p.pos
	w := p.word()
	if w == "" {
		return Rule{}, p.fail(wayPos, "expected the way that can finish the request after ->")
	}
	r.Then = Way(w)
	if !r.Then.Valid() {
		return Rule{}, p.fail(wayPos, fmt.Sprintf("%q is not a way; use one of %s", w, waysList()))
	}
	p.space()
	if p.pos != len(s) {
		return Rule{}, p.fail(p.pos, "unexpected text after the rule")
	}
	return r, nil
}

func waysList() string {
	var b strings.Builder
	for i, w := range Ways() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(w))
	}
	return b.String()
}

// String is the rule in its canonical spelling, which ParseRule reads back to the same rule.
func (r Rule) String() string {
	return r.Field + " " + string(r.Op) + " " + r.ValueString() + " -> " + string(r.Then)
}

// ValueString is the rule's value as written in the rule.
func (r Rule) ValueString() string {
	if r.IsNum {
		return strconv.FormatFloat(r.Num, 'f', -1, 64)
	}
	// The rule language escapes only \" and \\ (strconv.Quote would also write \u… for runes
	// it deems unprintable, which ParseRule refuses to read back).
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(r.Str) + `"`
}

type ruleParser struct {
	src string
	pos int
}

func (p *ruleParser) fail(pos int, reason string) error {
	return &RuleError{Rule: p.src, Pos: pos, Reason: reason}
}

func (p *ruleParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *ruleParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// field reads a field name. Only ASCII lower case: a field is the id of a flow's step and a
// JSON key, and one spelling per field keeps "Age" and "age" from being two limits.
func (p *ruleParser) field() (string, error) {
	start := p.pos
	if !isLower(p.peek()) {
		return "", p.fail(start, "expected a field name (lower-case letters, digits and _, starting with a letter)")
	}
	for p.pos < len(p.src) && (isLower(p.src[p.pos]) || isDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
		p.pos++
	}
	if p.pos-start > maxFieldLen {
		return "", p.fail(start, fmt.Sprintf("a field name is at most %d characters", maxFieldLen))
	}
	return p.src[start:p.pos], nil
}

func (p *ruleParser) op() (Op, error) {
	rest := p.src[p.pos:]
	// Two-character operators first, or "<=" would read as "<" followed by garbage.
	for _, op := range []Op{LessEq, GreaterEq, Equal, NotEqual, Less, Greater} {
		if strings.HasPrefix(rest, string(op)) {
			p.pos += len(op)
			return op, nil
		}
	}
	return "", p.fail(p.pos, "expected a comparison: < <= > >= == !=")
}

func (p *ruleParser) str() (string, error) {
	start := p.pos
	p.pos++ // the opening quote
	var b strings.Builder
	n := 0
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		switch {
		case r == '"':
			p.pos++
			return b.String(), nil
		case r == '\\':
			next := byte(0)
			if p.pos+1 < len(p.src) {
				next = p.src[p.pos+1]
			}
			if next != '"' && next != '\\' {
				return "", p.fail(p.pos, `only \" and \\ may be escaped`)
			}
			b.WriteByte(next)
			p.pos += 2
		case unicode.IsControl(r):
			return "", p.fail(p.pos, "a control character in the text")
		default:
			b.WriteRune(r)
			p.pos += size
		}
		if n++; n > maxStringLen {
			return "", p.fail(start, fmt.Sprintf("a text is at most %d characters", maxStringLen))
		}
	}
	return "", p.fail(start, "the text has no closing quote")
}

// number reads a plain decimal. No exponents, hex or separators: "1e9" in a limit is more
// likely a typo than a billion, and "50,000" reads differently in different languages.
func (p *ruleParser) number() (float64, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := 0
	for isDigit(p.peek()) {
		p.pos++
		digits++
	}
	if digits > 0 && p.peek() == '.' {
		p.pos++
		frac := 0
		for isDigit(p.peek()) {
			p.pos++
			frac++
		}
		if frac == 0 {
			return 0, p.fail(p.pos, "expected digits after the decimal point")
		}
	}
	if digits == 0 {
		return 0, p.fail(start, `expected a number (50000, 2.5) or a text in double quotes`)
	}
	lit := p.src[start:p.pos]
	if len(lit) > maxNumberLen {
		return 0, p.fail(start, fmt.Sprintf("a number is at most %d characters", maxNumberLen))
	}
	// The literal is at most 24 characters of digits, so ParseFloat cannot overflow to
	// infinity; the check stays for the day the bound changes.
	v, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, p.fail(start, "the number is out of range")
	}
	if v == 0 {
		v = 0 // -0 reads and prints as 0
	}
	return v, nil
}

func (p *ruleParser) arrow() bool {
	for _, a := range []string{"->", "→"} {
		if strings.HasPrefix(p.src[p.pos:], a) {
			p.pos += len(a)
			return true
		}
	}
	return false
}

func (p *ruleParser) word() string {
	start := p.pos
	for isLower(p.peek()) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// Eval applies the rule to a request's answers. known is false while the rule's field has no
// answer yet (a guided flow has not asked it): the limit cannot be decided. An answer of the
// wrong kind — words where the rule compares a number — is a *ValidationError.
func (r Rule) Eval(answers map[string]any) (hit, known bool, err error) {
	v, ok := answers[r.Field]
	if !ok || v == nil {
		return false, false, nil
	}
	if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
		return false, false, nil
	}
	if r.IsNum {
		n, ok := AnswerNumber(v)
		if !ok {
			return false, true, &ValidationError{Field: "answers." + r.Field, Reason: "must be a number"}
		}
		switch r.Op {
		case Less:
			return n < r.Num, true, nil
		case LessEq:
			return n <= r.Num, true, nil
		case Greater:
			return n > r.Num, true, nil
		case GreaterEq:
			return n >= r.Num, true, nil
		case Equal:
			return n == r.Num, true, nil
		case NotEqual:
			return n != r.Num, true, nil
		}
		return false, true, nil
	}
	// Texts compare exactly, after trimming: a choice's value is fixed by the flow, and a
	// case-folding rule would differ between scripts.
	s := answerText(v)
	if r.Op == Equal {
		return s == r.Str, true, nil
	}
	return s != r.Str, true, nil
}

// AnswerNumber reads an answer as a number: a JSON number, or text as a person types it in a
// form ("50,000", "50 000", "2.5"). Exponents, hex and words are not numbers here.
func AnswerNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case string:
		// Separators as people type them: commas, spaces (also the no-break ones phones
		// insert) and the apostrophe some keyboards use for thousands.
		s := strings.TrimSpace(n)
		s = strings.NewReplacer(",", "", "_", "", " ", "", "\u00a0", "", "\u202f", "", "'", "").Replace(s)
		if s == "" || len(s) > maxNumberLen {
			return 0, false
		}
		p := ruleParser{src: s}
		f, err := p.number()
		if err != nil || p.pos != len(s) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

func answerText(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}
