package survey

import (
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/i18n"
)

func TestParseAnswer(t *testing.T) {
	cases := []struct {
		kind    Kind
		in      string
		ok      bool
		score   int
		comment string
		optOut  bool
	}{
		{CSAT, "5", true, 5, "", false},
		{CSAT, " 4 ", true, 4, "", false},
		{CSAT, "3 - the wait was long", true, 3, "the wait was long", false},
		{CSAT, "5/5", true, 5, "", false},
		{CSAT, "2. השירות היה איטי", true, 2, "השירות היה איטי", false},
		{CSAT, "٥", true, 5, "", false},                // Arabic-Indic five
		{CSAT, "۴ خوب بود", true, 4, "خوب بود", false}, // Extended Arabic-Indic four
		{CSAT, "４", true, 4, "", false},                // full-width
		{CSAT, "⭐⭐⭐⭐", true, 4, "", false},
		{CSAT, "⭐️⭐️⭐️ ok", true, 3, "ok", false}, // stars with the emoji selector
		{CSAT, "0", false, 0, "", false},
		{CSAT, "6", false, 0, "", false},
		{CSAT, "10", false, 0, "", false},
		{CSAT, "⭐⭐⭐⭐⭐⭐", false, 0, "", false},
		{CSAT, "3kg of paper arrived", false, 0, "", false},
		{CSAT, "052-1234567", false, 0, "", false},
		{CSAT, "123", false, 0, "", false},
		{CSAT, "my claim is still open", false, 0, "", false},
		{CSAT, "", false, 0, "", false},
		{NPS, "0", true, 0, "", false},
		{NPS, "10 great service", true, 10, "great service", false},
		{NPS, "10/10", true, 10, "", false},
		{NPS, "11", false, 0, "", false},
		{CSAT, "STOP SURVEYS", true, 0, "", true},
		{CSAT, "stop  surveys!", true, 0, "", true},
		{NPS, "הפסק סקרים", true, 0, "", true},
		{CSAT, "хватит опросов", true, 0, "", true},
		{CSAT, "stop", false, 0, "", false}, // the carrier's keyword, not ours
	}
	for _, c := range cases {
		a, ok := ParseAnswer(c.kind, c.in)
		if ok != c.ok || (ok && (a.Score != c.score || a.Comment != c.comment || a.OptOut != c.optOut)) {
			t.Errorf("ParseAnswer(%s, %q) = %+v, %v; want score %d comment %q opt-out %v, %v", c.kind, c.in, a, ok, c.score, c.comment, c.optOut, c.ok)
		}
	}
}

// TestEveryCatalogsStopPhraseOptsOut: the phrase a survey tells customers to send must be
// understood, in every language it is told in.
func TestEveryCatalogsStopPhraseOptsOut(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range b.Languages() {
		cat, _ := b.Catalog(l)
		phrase := cat.T("survey.stop_phrase")
		if a, ok := ParseAnswer(CSAT, phrase); !ok || !a.OptOut {
			t.Errorf("%s: the stop phrase %q is not read as an opt-out", l, phrase)
		}
	}
}

func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"5", "3 - slow", "٥", "⭐⭐⭐", "10/10", "stop surveys", "הפסק סקרים", "\xff5", "5\xff", "⭐\uFE0F"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, nps bool) {
		k := CSAT
		if nps {
			k = NPS
		}
		a, ok := ParseAnswer(k, s)
		if !ok {
			return
		}
		lo, hi := k.Range()
		if !a.OptOut && (a.Score < lo || a.Score > hi) {
			t.Fatalf("ParseAnswer(%s, %q) = score %d, outside %d..%d", k, s, a.Score, lo, hi)
		}
		if !utf8.ValidString(a.Comment) || utf8.RuneCountInString(a.Comment) > maxComment {
			t.Fatalf("ParseAnswer(%q): comment not valid or too long", s)
		}
	})
}

func BenchmarkParseAnswer(b *testing.B) {
	for b.Loop() {
		ParseAnswer(CSAT, "4 - quick, thank you")
	}
}
