package survey

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a survey asks.
type Kind string

// The surveys Gesher sends.
const (
	CSAT Kind = "csat" // "how satisfied were you": 1 (not at all) to 5 (very)
	NPS  Kind = "nps"  // "how likely are you to recommend us": 0 to 10
)

// Range returns the lowest and highest score of k.
func (k Kind) Range() (lo, hi int) {
	if k == NPS {
		return 0, 10
	}
	return 1, 5
}

// maxComment bounds the verbatim comment kept from an answer, in runes.
const maxComment = 1000

// Answer is what a customer's reply to a survey says.
type Answer struct {
	Score   int
	Comment string // what they wrote after the score, verbatim (trimmed)
	OptOut  bool   // they asked for no more surveys; Score is meaningless then
}

// optOuts are the phrases, after normalising, that mean "send me no more surveys", in the
// languages the catalogs speak. A bare "stop" is not among them: on SMS it is the carrier's
// keyword for every message from the number, which the channel handles, not this package.
var optOuts = []string{
	"stop surveys", "stop survey", "no surveys", "no more surveys", "unsubscribe surveys",
	"הפסק סקרים", "הפסיקו סקרים", "בלי סקרים", "די סקרים", "לא סקרים",
	"أوقف الاستطلاعات", "اوقف الاستطلاعات", "لا استطلاعات", "إيقاف الاستطلاعات",
	"хватит опросов", "стоп опросы", "без опросов", "не присылайте опросы",
	"stop sondages", "plus de sondages", "pas de sondages",
	"የዳሰሳ ጥናት አቁም",
}

// ParseAnswer reads a customer's reply to a survey of kind k. ok is false when the reply is not
// an answer (a new question, a number out of range), so that it can go on as an ordinary
// message. It accepts a leading number in any of the digit forms customers type (ASCII,
// Arabic-Indic, Extended Arabic-Indic, full-width) followed by an optional comment, a row of
// stars for CSAT ("⭐⭐⭐⭐"), and the opt-out phrases.
func ParseAnswer(k Kind, text string) (a Answer, ok bool) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	norm := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	norm = strings.Trim(norm, ".!؟?")
	for _, p := range optOuts {
		if norm == p || strings.HasPrefix(norm, p+" ") {
			return Answer{OptOut: true}, true
		}
	}
	s := strings.TrimSpace(text)
	lo, hi := k.Range()
	// A row of stars: the count is the score (CSAT only; eleven stars mean nothing).
	if k == CSAT {
		n, rest := 0, s
		for {
			r, size := utf8.DecodeRuneInString(rest)
			if r != '⭐' && r != '★' && r != '\uFE0F' {
				break
			}
			if r != '\uFE0F' { // the emoji presentation selector that follows a star
				n++
			}
			rest = rest[size:]
		}
		if n > 0 {
			if n < lo || n > hi {
				return Answer{}, false
			}
			return Answer{Score: n, Comment: comment(rest)}, true
		}
	}
	score, digits, rest := 0, 0, s
	for rest != "" {
		r, size := utf8.DecodeRuneInString(rest)
		d, isDigit := digitValue(r)
		if !isDigit {
			break
		}
		score = score*10 + d
		digits++
		if digits > 2 { // "100", a phone number, an order number: not a score
			return Answer{}, false
		}
		rest = rest[size:]
	}
	if digits == 0 || score < lo || score > hi {
		return Answer{}, false
	}
	// The number must stand alone: "5", "5 thanks", "5/5", "5." — not "5th floor" or "3kg".
	if r, _ := utf8.DecodeRuneInString(rest); rest != "" && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
		return Answer{}, false
	}
	rest = strings.TrimPrefix(strings.TrimLeft(rest, " "), "/"+itoa(hi))
	return Answer{Score: score, Comment: comment(rest)}, true
}

// comment is what follows the score, without the punctuation that separates it.
func comment(rest string) string {
	c := strings.TrimSpace(strings.TrimLeft(rest, " \t\r\n.,;:-–—!/)"))
	if utf8.RuneCountInString(c) > maxComment {
		c = string([]rune(c)[:maxComment])
	}
	return c
}

// digitValue reads the decimal digits customers type: ASCII, Arabic-Indic (٠–٩), Extended
// Arabic-Indic (۰–۹, Persian and Urdu keyboards) and full-width (０–９).
func digitValue(r rune) (int, bool) {
	for _, zero := range []rune{'0', '٠', '۰', '０'} {
		if r >= zero && r <= zero+9 {
			return int(r - zero), true
		}
	}
	return 0, false
}

func itoa(n int) string {
	if n >= 10 {
		return string(rune('0'+n/10)) + string(rune('0'+n%10))
	}
	return string(rune('0' + n))
}
