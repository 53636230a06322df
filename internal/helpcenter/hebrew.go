package helpcenter

import (
	"strings"
	"unicode/utf8"
)

// hebrewPrefixes are the letters Hebrew writes in front of a word — and (ו), the (ה), in (ב),
// to (ל), from (מ), that (ש), as (כ) — and the combinations in which they are written,
// longest first so the barest form is tried. After ב, ל and כ the article ה is not written
// ("בבית", not "בהבית"), which is why those pairs are missing.
var hebrewPrefixes = []string{
	"וכשה", "ולכש", "וכש", "ושה", "ושב", "ושל", "ושמ", "ושכ", "ומה", "ומש", "כשה", "לכש", "שבה", "שמה",
	"וה", "וב", "ול", "ומ", "וש", "וכ", "שה", "שב", "של", "שמ", "שכ", "מה", "מש", "כש",
	"ו", "ה", "ב", "ל", "מ", "ש", "כ",
}

// hebrewSuffixes are the endings of plurals and of the feminine and construct forms ("תביעות",
// "תביעה", "תביעת" all share "תביע"), stripped only from words long enough to keep a root.
// They are written folded (ם as מ), as the words they are cut from are.
var hebrewSuffixes = []string{"ימ", "ות", "ה", "ת"}

// minHebrewStem is the fewest letters a stripped word keeps: most Hebrew roots have three, and
// two-letter words ("דמ", "ספ") are common enough that stripping to fewer than two would only
// make noise.
const minHebrewStem = 2

// hebrewWord analyses a Hebrew word already folded (niqqud, geresh and gershayim gone, final
// letters normal). Its main form is the word as written; the alternatives are the word
// without each prefix combination that fits, and without a plural or feminine ending, because
// unvocalised Hebrew cannot tell "בית" (house) from "ב" + "ית" and a search must try both.
func hebrewWord(s string) (Word, bool) {
	n := utf8.RuneCountInString(s)
	if n < 2 || hebrewStop[s] {
		return Word{}, false
	}
	w := Word{Forms: []string{s}, Script: Hebrew}
	add := func(f string) {
		for _, g := range w.Forms {
			if g == f {
				return
			}
		}
		w.Forms = append(w.Forms, f)
	}
	var bare []string
	for _, p := range hebrewPrefixes {
		rest, ok := strings.CutPrefix(s, p)
		// A combination of prefixes leaves at least three letters: "שלומ" is not "של" + "ומ".
		need := minHebrewStem
		if utf8.RuneCountInString(p) > 1 {
			need = 3
		}
		if !ok || utf8.RuneCountInString(rest) < need {
			continue
		}
		if hebrewStop[rest] {
			// "בעל" is not "ב" + "על": a stop word is never an alternative. The common
			// prefixed stop words ("ולא", "שיש") are stop words of their own.
			continue
		}
		bare = append(bare, rest)
	}
	for _, b := range bare {
		add(b)
	}
	// Endings come off the word and off its barest form (the longest prefix is tried first),
	// and only when a root of three letters stays.
	for _, base := range []string{s, first(bare)} {
		if base == "" {
			continue
		}
		for _, suf := range hebrewSuffixes {
			if rest, ok := strings.CutSuffix(base, suf); ok && utf8.RuneCountInString(rest) >= 3 {
				add(rest)
				break
			}
		}
	}
	return w, true
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}
