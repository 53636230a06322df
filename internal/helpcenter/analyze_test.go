package helpcenter

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// forms is a compact view of an analysis: each word's forms joined by "|".
func forms(text string) []string {
	var out []string
	for _, w := range Analyze(text) {
		out = append(out, strings.Join(w.Forms, "|"))
	}
	return out
}

func TestAnalyzeHebrew(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"niqqud is stripped", "בְּרֵאשִׁית", []string{"בראשית|ראשית|בראשי|ראשי"}},
		{"final letters are normal letters", "שלום", []string{"שלומ|לומ"}},
		{"final kaf, nun, pe, tsadi", "דרך ביטחון כסף ארץ", []string{"דרכ", "ביטחונ|יטחונ", "כספ|ספ", "ארצ"}},
		{"prefix bet: the bare word is an alternative", "בביטוח", []string{"בביטוח|ביטוח"}},
		{"vav-he", "והרכב", []string{"והרכב|רכב|הרכב"}},
		{"vav-bet", "ובתביעה", []string{"ובתביעה|תביעה|בתביעה|ובתביע|תביע"}},
		{"vav-lamed", "ולמבוטח", []string{"ולמבוטח|מבוטח|למבוטח"}},
		{"mem-he", "מהביטוח", []string{"מהביטוח|ביטוח|הביטוח"}},
		{"shin-he", "שהפוליסה", []string{"שהפוליסה|פוליסה|הפוליסה|שהפוליס|פוליס"}},
		{"kaf-shin", "כשהרכב", []string{"כשהרכב|רכב|הרכב|שהרכב"}},
		{"vav-kaf-shin", "וכשהגעתי", []string{"וכשהגעתי|געתי|הגעתי|שהגעתי|כשהגעתי"}},
		{"plural ending", "תביעות", []string{"תביעות|תביע"}},
		{"masculine plural ending", "רכבים", []string{"רכבימ|רכב"}},
		{"feminine ending", "תביעה", []string{"תביעה|תביע"}},
		{"gershayim in an acronym", "דו\"ח", []string{"דוח"}},
		{"Hebrew gershayim character", "דו״ח", []string{"דוח"}},
		{"geresh", "ג׳ירפה", []string{"גירפה|גירפ"}},
		{"stop words go", "של את ולא שיש", nil},
		{"a stop word is never an alternative", "בעל", []string{"בעל"}},
		{"maqaf splits words", "תל־אביב", []string{"תל", "אביב"}},
		{"single letters go", "ב 2024", []string{"2024"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := forms(c.in); !slices.Equal(got, c.want) {
				t.Errorf("Analyze(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// A query with prefixes shares a form with the bare word an article is written with, and the
// other way round: that is what makes "בביטוח הרכב" find "ביטוח רכב".
func TestHebrewPrefixesMeetTheBareWord(t *testing.T) {
	pairs := [][2]string{
		{"בביטוח", "ביטוח"}, {"והרכב", "רכב"}, {"לתביעה", "תביעה"}, {"מהפוליסה", "פוליסה"},
		{"כשהמבוטח", "מבוטח"}, {"שבתביעות", "תביעה"}, {"וכשהתאונה", "תאונה"}, {"הסניפים", "סניף"},
	}
	for _, p := range pairs {
		q, a := Analyze(p[0]), Analyze(p[1])
		if len(q) != 1 || len(a) != 1 {
			t.Fatalf("%q → %v, %q → %v: want one word each", p[0], q, p[1], a)
		}
		shared := slices.ContainsFunc(q[0].Forms, func(f string) bool { return slices.Contains(a[0].Forms, f) })
		if !shared {
			t.Errorf("%q %v and %q %v share no form", p[0], q[0].Forms, p[1], a[0].Forms)
		}
	}
}

func TestAnalyzeArabic(t *testing.T) {
	cases := []struct {
		name, a, b string // two spellings that must analyse alike
	}{
		{"alef with hamza above", "أمين", "امين"},
		{"alef with hamza below", "إسلام", "اسلام"},
		{"alef with madda", "آمن", "امن"},
		{"alef wasla", "ٱلتأمين", "التامين"},
		{"ta marbuta", "سيارة", "سياره"},
		{"alef maqsura", "مستشفى", "مستشفي"},
		{"tatweel", "تأمـــين", "تأمين"},
		{"harakat", "التَّأْمِينُ", "التأمين"},
		{"presentation forms", "\ufedf\ufee0\ufeb4\ufef4\ufe8e\ufead\ufe93", "للسيارة"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := forms(c.a), forms(c.b)
			if len(a) == 0 || !slices.Equal(a, b) {
				t.Errorf("%q → %q and %q → %q; want equal and not empty", c.a, a, c.b, b)
			}
		})
	}
	// The stemmer joins the definite article and plural to the word: a search for "السيارات"
	// (the cars) finds "سيارة" (car).
	if a, b := forms("السيارات"), forms("سيارة"); !slices.Equal(a, b) {
		t.Errorf("السيارات → %q, سيارة → %q; want the same stem", a, b)
	}
	if got := forms("في من على"); got != nil {
		t.Errorf("stop words: got %q, want none", got)
	}
	if got := forms("٣٤٥"); !slices.Equal(got, []string{"345"}) {
		t.Errorf("Arabic-Indic digits: got %q, want 345", got)
	}
}

func TestAnalyzeRussian(t *testing.T) {
	same := [][2]string{
		{"ёлка", "елка"},
		{"Пароли", "пароль"},
		{"страховка", "страховки"},
		{"автомобиля", "автомобиль"},
		{"ВЫПЛАТЫ", "выплата"},
		{"заме́на", "замена"}, // a stress mark
	}
	for _, p := range same {
		a, b := forms(p[0]), forms(p[1])
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%q → %q and %q → %q; want the same stem", p[0], a, p[1], b)
		}
	}
	// й is a letter, not и with a mark.
	if got := forms("йогурт"); !slices.Equal(got, []string{"йогурт"}) {
		t.Errorf("йогурт → %q", got)
	}
	if a, b := forms("мой"), forms("мои"); slices.Equal(a, b) && a != nil {
		t.Errorf("мой and мои analyse alike (%q): й lost its breve", a)
	}
	if got := forms("и в не что"); got != nil {
		t.Errorf("stop words: got %q", got)
	}
}

func TestAnalyzeEnglish(t *testing.T) {
	same := [][2]string{
		{"claims", "claim"},
		{"Insured", "insuring"},
		{"driver's", "drivers"},
		{"policies", "policy"},
		{"café", "cafe"},
		{"ﬁle", "file"}, // a ligature
		{"ＣＡＲ", "car"},  // full-width letters
	}
	for _, p := range same {
		a, b := forms(p[0]), forms(p[1])
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%q → %q and %q → %q; want the same stem", p[0], a, p[1], b)
		}
	}
	if got := forms("How do I file a claim?"); !slices.Equal(got, []string{"file", "claim"}) {
		t.Errorf("got %q, want [file claim]", got)
	}
	if got := forms("don't"); got != nil {
		t.Errorf("don't → %q, want a stop word", got)
	}
}

// Each script goes through its own pipeline, in any mix.
func TestAnalyzeMixedScripts(t *testing.T) {
	got := Analyze("ביטוח WhatsApp страховка تأمين 2024")
	want := []Script{Hebrew, Latin, Cyrillic, Arabic, Other}
	var scripts []Script
	for _, w := range got {
		scripts = append(scripts, w.Script)
	}
	if !slices.Equal(scripts, want) {
		t.Errorf("scripts = %v, want %v (%v)", scripts, want, got)
	}
	// A script change inside a run of letters splits it.
	if got := forms("בIVR"); !slices.Equal(got, []string{"ivr"}) {
		t.Errorf("בIVR → %q, want [ivr]", got)
	}
}

// FuzzAnalyze: any input analyses without panicking, into words that are valid UTF-8, not
// empty, bounded in length, and stable (analysing a form again yields a word).
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"בְּרֵאשִׁית בָּרָא", "וכשהגעתי לסניף", "דו\"ח ג׳", "التَّأْمِينُ للسيارة", "ـــ", "Ёлка й",
		"Driver's don't ﬁle", "\xff\xfe", "a'b\"c", strings.Repeat("ב", 500), "\u0306\u0308", "٣٤ ۴",
		"ו'", "'\"", "и\u0306", "Ｗｉ－Ｆｉ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range Analyze(s) {
			if len(w.Forms) == 0 {
				t.Fatalf("%q: a word without forms", s)
			}
			for _, form := range w.Forms {
				if form == "" || !utf8.ValidString(form) {
					t.Fatalf("%q: bad form %q", s, form)
				}
				if n := utf8.RuneCountInString(form); n > maxWordRunes {
					t.Fatalf("%q: form of %d letters", s, n)
				}
				if strings.ContainsAny(form, " \t\n") {
					t.Fatalf("%q: form %q has white space", s, form)
				}
			}
		}
	})
}
