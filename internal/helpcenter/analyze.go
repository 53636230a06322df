package helpcenter

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/russian"
	"golang.org/x/text/unicode/norm"
)

// Script is the writing system of a word; it picks the word's analysis pipeline. Each of the
// help centre's languages has its own script, so a Russian word typed into the Hebrew help
// centre is still analysed as Russian.
type Script uint8

// Scripts the analyzer knows. Other is every other script: its words are lower-cased and kept.
const (
	Other Script = iota
	Latin
	Hebrew
	Arabic
	Cyrillic
)

// Word is one analysed word. Forms[0] is its main form (normalised, and stemmed where a
// stemmer exists); the other forms are alternatives the word may also stand for — a Hebrew
// word without its prefix letters or its plural ending — indexed and searched with a lower
// weight, so "בביטוח" finds the article that says "ביטוח" and still prefers one that says
// "בביטוח".
type Word struct {
	Forms  []string
	Script Script
}

// maxWordRunes bounds a word: longer runs of letters are not words a customer types, and the
// bound keeps analysis linear on hostile input.
const maxWordRunes = 48

// Analyze splits text into words and analyses each by its script. Stop words are left out.
// It never fails: text it cannot read yields no words.
func Analyze(text string) []Word {
	var out []Word
	var env snowballstem.Env
	tokenize(text, func(raw []rune, sc Script) {
		if w, ok := analyzeWord(raw, sc, &env); ok {
			out = append(out, w)
		}
	})
	return out
}

// Terms returns the main form of every word of text, in order; a convenience for callers that
// need no alternatives (the lay map's phrases, passages).
func Terms(text string) []string {
	ws := Analyze(text)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Forms[0]
	}
	return out
}

// tokenize calls emit for every word of text, after compatibility decomposition (so "ﬁ" is
// "fi", the Arabic presentation forms are letters, and marks are separate runes), with marks
// dropped as the word's script requires and letters lower-cased. A word ends at anything that
// is not a letter, a digit, a mark, or an apostrophe or quote inside a word (Hebrew
// abbreviations: דו"ח, ג׳; English: don't); a change of script also ends it.
func tokenize(text string, emit func(raw []rune, sc Script)) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	text = norm.NFKD.String(text)
	var (
		word []rune
		sc   Script
		// pendingJoin is an apostrophe or quote seen after a letter: it joins only if another
		// letter of the same script follows.
		pendingJoin bool
	)
	flush := func() {
		if len(word) > 0 {
			if len(word) > maxWordRunes {
				word = word[:maxWordRunes]
			}
			emit(word, sc)
		}
		word, sc, pendingJoin = word[:0], Other, false
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r):
			if len(word) == 0 {
				continue
			}
			// Niqqud, harakat, accents and stress marks go; the breve stays on Cyrillic и,
			// because й is a letter of its own in Russian.
			if r == '\u0306' && sc == Cyrillic {
				last := word[len(word)-1]
				if last == 'и' {
					word[len(word)-1] = 'й'
				}
			}
		case r == '\u0640' || r == '\u200c' || r == '\u200d' || r == '\u00ad':
			// Tatweel (Arabic elongation), zero-width joiners and the soft hyphen are not
			// part of the word's spelling.
		case isJoiner(r):
			if len(word) > 0 {
				pendingJoin = true
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			rs := scriptOf(r)
			if len(word) > 0 {
				switch {
				case pendingJoin && (rs != sc || unicode.IsDigit(r)):
					flush()
				case rs != Other && sc != Other && rs != sc:
					flush()
				}
			}
			pendingJoin = false
			if rs != Other {
				sc = rs
			}
			word = append(word, foldRune(r))
		default:
			flush()
		}
	}
	flush()
}

// isJoiner reports the apostrophes and quotes that may sit inside a word: ASCII ' and ", the
// typographic apostrophe, and Hebrew geresh and gershayim.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '"', '\u2019', '\u05f3', '\u05f4', '\u02bc':
		return true
	}
	return false
}

// scriptOf says which pipeline a letter belongs to; digits belong to none.
func scriptOf(r rune) Script {
	switch {
	case r >= 0x05d0 && r <= 0x05ea, r >= 0xfb1d && r <= 0xfb4f:
		return Hebrew
	case r >= 0x0600 && r <= 0x06ff, r >= 0x0750 && r <= 0x077f, r >= 0xfb50 && r <= 0xfdff, r >= 0xfe70 && r <= 0xfeff:
		if unicode.IsDigit(r) {
			return Other
		}
		return Arabic
	case r >= 0x0400 && r <= 0x052f:
		return Cyrillic
	case r < 0x0250 && unicode.IsLetter(r), r >= 0x1e00 && r <= 0x1eff:
		return Latin
	}
	return Other
}

// foldRune lower-cases a letter and folds the letters each language treats as one for
// search: Hebrew final forms (ך→כ ם→מ ן→נ ף→פ ץ→צ), Arabic alef wasla, ta marbuta and alef
// maqsura (ٱ→ا ة→ه ى→ي; the hamza forms أ إ آ ؤ ئ already lost their hamza as a mark), Russian
// ё (already е + a mark), and Arabic-Indic digits to ASCII.
func foldRune(r rune) rune {
	switch r {
	case 'ך':
		return 'כ'
	case 'ם':
		return 'מ'
	case 'ן':
		return 'נ'
	case 'ף':
		return 'פ'
	case 'ץ':
		return 'צ'
	case 'ٱ':
		return 'ا'
	case 'ة':
		return 'ه'
	case 'ى':
		return 'ي'
	case 'ё', 'Ё':
		return 'е'
	}
	switch {
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	}
	return unicode.ToLower(r)
}

// analyzeWord turns one raw word into its forms, or reports a stop word.
func analyzeWord(raw []rune, sc Script, env *snowballstem.Env) (Word, bool) {
	s := string(raw)
	switch sc {
	case Hebrew:
		return hebrewWord(s)
	case Arabic:
		if len(raw) < 2 || arabicStop[s] {
			return Word{}, false
		}
		return Word{Forms: []string{stem(env, arabic.Stem, s)}, Script: Arabic}, true
	case Cyrillic:
		if russianStop[s] {
			return Word{}, false
		}
		return Word{Forms: []string{stem(env, russian.Stem, s)}, Script: Cyrillic}, true
	case Latin:
		if englishStop[s] {
			return Word{}, false
		}
		return Word{Forms: []string{stem(env, english.Stem, s)}, Script: Latin}, true
	}
	return Word{Forms: []string{s}, Script: sc}, true
}

// stem runs a Snowball stemmer; a stemmer that returns nothing leaves the word as it was.
func stem(env *snowballstem.Env, fn func(*snowballstem.Env) bool, s string) string {
	env.SetCurrent(s)
	fn(env)
	if out := env.Current(); out != "" {
		return out
	}
	return s
}
