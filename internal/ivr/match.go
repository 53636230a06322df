package ivr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input is what a caller gave at a prompt: keys pressed, and what the provider's speech
// recognition heard.
type Input struct {
	Digits string
	Speech string
}

// Empty reports whether the caller gave nothing.
func (in Input) Empty() bool {
	return strings.TrimSpace(in.Digits) == "" && strings.TrimSpace(in.Speech) == ""
}

// Via names how an option was chosen: "dtmf" or "speech".
const (
	ViaDTMF   = "dtmf"
	ViaSpeech = "speech"
)

// digitWords are the numbers a caller may say instead of pressing the key ("press one" →
// "one"), per language, for 0 to 9. Hebrew has both genders' forms.
var digitWords = map[string][10][]string{
	"he": {{"אפס"}, {"אחת", "אחד"}, {"שתיים", "שניים", "שתים"}, {"שלוש", "שלושה"}, {"ארבע", "ארבעה"}, {"חמש", "חמישה"}, {"שש", "שישה"}, {"שבע", "שבעה"}, {"שמונה"}, {"תשע", "תשעה"}},
	"ar": {{"صفر"}, {"واحد"}, {"اثنين", "اثنان"}, {"ثلاثة"}, {"أربعة", "اربعة"}, {"خمسة"}, {"ستة"}, {"سبعة"}, {"ثمانية"}, {"تسعة"}},
	"en": {{"zero"}, {"one"}, {"two"}, {"three"}, {"four"}, {"five"}, {"six"}, {"seven"}, {"eight"}, {"nine"}},
	"ru": {{"ноль"}, {"один", "одна", "один"}, {"два", "две"}, {"три"}, {"четыре"}, {"пять"}, {"шесть"}, {"семь"}, {"восемь"}, {"девять"}},
}

// langNames are how a caller names a language when asked which they want, in that language
// and in Hebrew and English, the words heard most on an Israeli line.
var langNames = map[string][]string{
	"he": {"עברית", "hebrew", "иврит", "עבריט"},
	"ar": {"عربي", "العربية", "عربية", "ערבית", "arabic"},
	"en": {"english", "אנגלית", "английский"},
	"ru": {"русский", "по-русски", "русски", "רוסית", "russian"},
}

// Normalize is speech as matching compares it: lower case, marks (Hebrew points, Arabic
// harakat) and punctuation dropped, spaces collapsed. Invalid UTF-8 is dropped too, so no
// recognition output can break a comparison.
func Normalize(s string) string {
	var b strings.Builder
	space := true
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
		case unicode.Is(unicode.Mn, r) || r == 'ـ': // marks and the Arabic tatweel
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-':
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// containsPhrase reports whether phrase occurs in text as whole words (both normalised).
func containsPhrase(text, phrase string) bool {
	if phrase == "" {
		return false
	}
	t, p := " "+text+" ", " "+phrase+" "
	return strings.Contains(t, p)
}

// firstDigit is the first key pressed, when it is 0 to 9.
func firstDigit(d string) (string, bool) {
	d = strings.TrimSpace(d)
	if d == "" || d[0] < '0' || d[0] > '9' {
		return "", false
	}
	return d[:1], true
}

// Match finds the option of n the caller chose in lang: the key pressed, else the option
// whose words (or label, or spoken digit) the recognised speech contains — the longest such
// phrase when several do, so "claim status" beats "claim". ok is false when nothing matches.
func Match(n Node, lang string, in Input) (opt Option, via string, ok bool) {
	if d, isDigit := firstDigit(in.Digits); isDigit {
		for _, o := range n.Options {
			if o.Digit == d {
				return o, ViaDTMF, true
			}
		}
		return Option{}, ViaDTMF, false
	}
	heard := Normalize(in.Speech)
	if heard == "" {
		return Option{}, "", false
	}
	best := -1
	for _, o := range n.Options {
		cands := append([]string{o.Label[lang]}, o.Words[lang]...)
		if i := int(o.Digit[0] - '0'); len(o.Digit) == 1 && i >= 0 && i <= 9 {
			cands = append(cands, digitWords[lang][i]...)
			cands = append(cands, o.Digit)
		}
		for _, c := range cands {
			c = Normalize(c)
			if containsPhrase(heard, c) && utf8.RuneCountInString(c) > best {
				best, opt, ok = utf8.RuneCountInString(c), o, true
			}
		}
	}
	return opt, ViaSpeech, ok
}

// MatchLanguage finds the language an unknown caller chose from langs: the key of its place
// in the list (1 for the first), or its name said.
func MatchLanguage(langs []string, in Input) (string, bool) {
	if d, isDigit := firstDigit(in.Digits); isDigit {
		i := int(d[0] - '1')
		if i >= 0 && i < len(langs) {
			return langs[i], true
		}
		return "", false
	}
	heard := Normalize(in.Speech)
	for _, l := range langs {
		for _, name := range langNames[l] {
			if containsPhrase(heard, Normalize(name)) {
				return l, true
			}
		}
	}
	return "", false
}

// Hints are the words worth telling the provider's recognizer to expect at n in lang.
func Hints(n Node, lang string) []string {
	var out []string
	for _, o := range n.Options {
		if l := o.Label[lang]; l != "" {
			out = append(out, l)
		}
		out = append(out, o.Words[lang]...)
	}
	return out
}
