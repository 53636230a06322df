package bot

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

var kind = selfservice.Step{ID: "claim_kind", Kind: selfservice.Choice, Label: map[string]string{"en": "What happened?"},
	Options: []selfservice.Option{
		{Value: "accident", Label: map[string]string{"en": "An accident", "he": "תאונה"}},
		{Value: "theft", Label: map[string]string{"en": "Theft", "he": "גניבה"}},
	}}

var amount = selfservice.Step{ID: "amount", Kind: selfservice.Question, Number: true, Label: map[string]string{"en": "How much?"}}

var confirm = selfservice.Step{ID: "confirm", Kind: selfservice.Confirm, Label: map[string]string{"en": "Send?"}}

func TestAnswerOf(t *testing.T) {
	for _, tc := range []struct {
		st      selfservice.Step
		raw     string
		want    any
		problem string
	}{
		{kind, "2", "theft", ""},
		{kind, " 1. ", "accident", ""},
		{kind, "١", "accident", ""}, // Arabic-Indic one
		{kind, "גניבה", "theft", ""},
		{kind, "an ACCIDENT!", "accident", ""},
		{kind, "theft", "theft", ""},
		{kind, "2. Theft", "theft", ""},             // a tapped WhatsApp button
		{kind, "1. An accid…", "accident", ""},      // … whose title Meta was given cut
		{kind, "2 cars hit me", nil, "flow.choose"}, // a number that starts a sentence is no pick
		{kind, "3", nil, selfservice.ProblemChoose},
		{kind, "0", nil, selfservice.ProblemChoose},
		{kind, "a cat", nil, selfservice.ProblemChoose},
		{amount, "12,500", 12500.0, ""},
		{amount, "lots", nil, selfservice.ProblemNumber},
		{amount, "  ", nil, selfservice.ProblemRequired},
		{confirm, "1", nil, ""},
		{confirm, "כן", nil, ""},
		{confirm, "2", nil, selfservice.ProblemChoose},
	} {
		got, problem := AnswerOf(tc.st, tc.raw)
		if got != tc.want || problem != tc.problem {
			t.Errorf("AnswerOf(%s, %q) = %v, %q; want %v, %q", tc.st.ID, tc.raw, got, problem, tc.want, tc.problem)
		}
	}
}

func TestWordOf(t *testing.T) {
	for raw, want := range map[string]Word{
		"Agent?": Agent, "נציג": Agent, "оператор": Agent, "موظف": Agent,
		"cancel.": Cancel, "ביטול": Cancel, "إلغاء": Cancel, "Отмена": Cancel,
		"back": Back, "חזור": Back, "назад": Back, "رجوع": Back,
		"I am a travel agent": NoWord, "": NoWord, "2": NoWord,
	} {
		if got := WordOf(raw); got != want {
			t.Errorf("WordOf(%q) = %v, want %v", raw, got, want)
		}
	}
}

// The reply parser reads whatever a customer types on any channel.
func FuzzAnswerOf(f *testing.F) {
	for _, s := range []string{"2", " 1. ", "١", "גניבה", "12,500", "agent?", "", "\x00", "٩٩٩٩٩٩٩٩٩", "𝟙", "1e400", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, st := range []selfservice.Step{kind, amount, confirm} {
			v, problem := AnswerOf(st, raw)
			if (v == nil) == (problem == "") && st.Kind != selfservice.Confirm {
				t.Fatalf("AnswerOf(%s, %q) = %v, %q: exactly one of a value and a problem", st.ID, raw, v, problem)
			}
			if st.Kind == selfservice.Choice && problem == "" && v != "accident" && v != "theft" {
				t.Fatalf("AnswerOf(choice, %q) = %v, not an option", raw, v)
			}
		}
		_ = WordOf(raw)
	})
}
