package bot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

// Word is a reply that steers the conversation instead of answering it.
type Word int

// The words a customer may write at any step, in each language.
const (
	NoWord Word = iota
	Back        // the step before
	Cancel      // stop the flow; nothing is filed
	Agent       // a person, now
	Yes         // a confirmation, "that helped"
	No          // "that did not help"
)

// words are matched on the whole reply, lower-cased and without the punctuation around it,
// so that "agent?" and "Cancel." count while a sentence that merely contains the word does
// not ("I am a travel agent" is an answer, not a request for one).
var words = map[string]Word{
	"back": Back, "go back": Back, "previous": Back, "חזור": Back, "חזרה": Back, "אחורה": Back, "رجوع": Back, "عودة": Back, "الرجوع": Back, "назад": Back,
	"cancel": Cancel, "stop": Cancel, "quit": Cancel, "ביטול": Cancel, "בטל": Cancel, "עצור": Cancel, "إلغاء": Cancel, "الغاء": Cancel, "توقف": Cancel, "отмена": Cancel, "отменить": Cancel, "стоп": Cancel,
	"agent": Agent, "human": Agent, "person": Agent, "representative": Agent, "operator": Agent, "נציג": Agent, "נציגה": Agent, "נציג אנושי": Agent, "موظف": Agent, "وكيل": Agent, "ممثل": Agent, "оператор": Agent, "агент": Agent, "человек": Agent,
	"yes": Yes, "y": Yes, "ok": Yes, "confirm": Yes, "כן": Yes, "אישור": Yes, "מאשר": Yes, "מאשרת": Yes, "نعم": Yes, "أكيد": Yes, "تأكيد": Yes, "да": Yes, "подтверждаю": Yes,
	"no": No, "n": No, "not helpful": No, "לא": No, "لا": No, "нет": No,
}

// maxReply bounds what is read of a reply: the web form's answers are at most 500 characters.
const maxReply = 500

// normal is a reply as words are matched: trimmed, lower-cased, without surrounding
// punctuation, inner spaces collapsed.
func normal(raw string) string {
	if utf8.RuneCountInString(raw) > maxReply {
		raw = string([]rune(raw)[:maxReply])
	}
	raw = strings.ToLower(strings.Join(strings.Fields(raw), " "))
	return strings.TrimFunc(raw, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) })
}

// WordOf reads a reply as one of the steering words, or NoWord.
func WordOf(raw string) Word {
	return words[normal(raw)]
}

// number reads a reply that is only a number of a list: "2", "2.", " 2 ", "٢" (Arabic-Indic
// digits), and returns it, or 0.
func number(raw string) int {
	s := normal(raw)
	if s == "" || len(s) > 8 {
		return 0
	}
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return 0
		}
		b.WriteRune('0' + rune(digitValue(r)))
	}
	n, err := strconv.Atoi(b.String())
	if err != nil {
		return 0
	}
	return n
}

// pick reads a reply as the number of an answer: a number alone, or a tapped button's title,
// which starts with its number ("2. Theft", cut by the provider or not). It returns 0 when
// the reply names no number.
func pick(raw string) int {
	if n := number(raw); n > 0 {
		return n
	}
	s := strings.TrimSpace(raw)
	i := strings.IndexAny(s, ".)")
	if i < 1 || i > 3 || i+1 >= len(s) || s[i+1] != ' ' {
		return 0
	}
	return number(s[:i])
}

// digitValue is a decimal digit's value in any script (unicode.IsDigit holds for r).
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	// Every Unicode decimal digit block runs 0-9 in order; find this one's zero.
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return int(r-z) % 10 // runs of several digit sets (mathematical digits) follow on
		}
	}
	return 0
}

// ChoiceOf reads a reply to a choice step as the option it picks — its number in the list
// the bot sent, its value, or its label in any language (a tapped button sends the label) —
// and returns the option's value for selfservice.CheckAnswer, the web form's own check. A
// reply that picks nothing is returned as written, so the check refuses it the same way.
func ChoiceOf(st selfservice.Step, raw string) string {
	if n := pick(raw); n >= 1 && n <= len(st.Options) {
		return st.Options[n-1].Value
	}
	want := normal(raw)
	for _, o := range st.Options {
		if normal(o.Value) == want {
			return o.Value
		}
		for _, label := range o.Label {
			if normal(label) == want {
				return o.Value
			}
		}
	}
	return raw
}

// AnswerOf reads a reply to a step of a flow run as a conversation: the value to keep, or the
// catalog key of what is wrong with it — the same keys the web form shows, from the same
// check. A confirmation takes "1" or a yes word; anything else is refused with
// selfservice.ProblemChoose.
func AnswerOf(st selfservice.Step, raw string) (any, string) {
	switch st.Kind {
	case selfservice.Choice:
		return selfservice.CheckAnswer(st, ChoiceOf(st, raw))
	case selfservice.Confirm:
		if pick(raw) == 1 || WordOf(raw) == Yes {
			return selfservice.CheckAnswer(st, raw)
		}
		return nil, selfservice.ProblemChoose
	}
	return selfservice.CheckAnswer(st, raw)
}
