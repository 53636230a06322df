package email

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/inbucket/html2text"
	"github.com/microcosm-cc/bluemonday"
)

// fold splits a message's text into what the customer wrote now and what they sent along:
// the quoted history ("On … wrote:", "-----Original Message-----", Outlook's From/Sent block,
// Hebrew "בתאריך … נכתב:", a closing block of "> " lines) and the signature after "-- ".
// Everything from the first such marker on is folded. A message that would be left empty
// (a marker on its first line, a bare forward of a quote) is not folded at all: an agent
// would rather read the quote than nothing.
func fold(text string) (body, rest string) {
	lines := strings.Split(text, "\n")
	cut := -1
	for i := range lines {
		if quoteStarts(lines, i) {
			cut = i
			break
		}
	}
	if cut < 0 {
		cut = trailingQuote(lines)
	}
	if cut <= 0 {
		return text, ""
	}
	// A rule of underscores or dashes right above the marker belongs to it (Outlook).
	for cut > 0 && (strings.TrimSpace(lines[cut-1]) == "" || separator.MatchString(strings.TrimSpace(lines[cut-1]))) {
		cut--
	}
	body = strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	if body == "" {
		return text, ""
	}
	return body, strings.TrimSpace(strings.Join(lines[cut:], "\n"))
}

var (
	separator = regexp.MustCompile(`^(_{8,}|-{8,}|—{4,})$`)
	// The "-----Original Message-----" line in the languages of our customers' mail
	// programs. A forwarded message is not folded: what was forwarded is what the customer
	// wants us to read.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|הודעה מקורית|исходное сообщение|الرسالة الأصلية)\s*-{2,}$`)
	// An attribution line: "On <date>, <name> wrote:" and its translations, on one line or
	// wrapped over up to three.
	attribution = regexp.MustCompile(`(?i)^(on|le|am|el|il|op|em|den|בתאריך|ב-|في|в)\s.*(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev|כתב|כתבה|נכתב|كتب|пишет|написал|написала)\s*:?$`)
	// Gmail's Hebrew attribution names the sender ("בתאריך … מאת Name <address>:") instead.
	hebrewAttribution = regexp.MustCompile(`^בתאריך\s.*(מאת|@).*:$`)
	// "Name <address> wrote:" without a date, in any of the same languages.
	addressAttribution = regexp.MustCompile(`(?i)^.{0,200}\S@\S.{0,100}\s(wrote|a écrit|schrieb|escribió|כתב|כתבה|נכתב|كتب|пишет|написал|написала)\s*:$`)
	// Outlook's header block: "From:" followed by two of Sent/Date/To/Subject, in English,
	// Hebrew, Russian, Arabic, French, German or Spanish, plain or as html2text renders
	// bold ("*From:*").
	outlookFrom  = regexp.MustCompile(`(?i)^\*?(from|מאת|от|من|de|von)\s*:\*?\s*\S`)
	outlookField = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|cc|נשלח|תאריך|אל|נושא|отправлено|дата|кому|тема|أرسل|التاريخ|إلى|الموضوع|envoyé|à|objet|gesendet|an|betreff|enviado|para|asunto)\s*:`)
)

// quoteStarts reports whether line i opens quoted history or a signature.
func quoteStarts(lines []string, i int) bool {
	l := plain(lines[i])
	switch {
	case l == "--": // "-- ", the signature delimiter, or "--" from programs that trim lines
		return true
	case originalMessage.MatchString(l):
		return true
	case outlookFrom.MatchString(l):
		n := 0
		for j := i + 1; j < len(lines) && j <= i+5; j++ {
			if outlookField.MatchString(plain(lines[j])) {
				n++
			}
		}
		return n >= 2
	}
	// An attribution may be wrapped over up to three lines; the patterns are anchored at its
	// first word (or, for "Name <address> wrote:", at the line with the address), so it is
	// found at the line it starts on and not at the customer's last line above it.
	joined := l
	for j := i; j < len(lines) && j < i+3 && len(joined) <= 400; j++ {
		if j > i {
			joined += " " + plain(lines[j])
		}
		if attribution.MatchString(joined) || hebrewAttribution.MatchString(joined) ||
			(strings.Contains(l, "@") && addressAttribution.MatchString(joined)) {
			return true
		}
	}
	return false
}

// trailingQuote finds a closing block of "> " lines, with the short "… wrote:" line above
// it, and returns where it starts, or -1. Quotes with the customer's answers between them
// are left alone: folding them would hide the answers.
func trailingQuote(lines []string) int {
	end := len(lines) - 1
	for end >= 0 && plain(lines[end]) == "" {
		end--
	}
	if end < 0 || !strings.HasPrefix(plain(lines[end]), ">") {
		return -1
	}
	start := end
	for start > 0 {
		l := plain(lines[start-1])
		if l != "" && !strings.HasPrefix(l, ">") {
			break
		}
		start--
	}
	for start < len(lines) && plain(lines[start]) == "" {
		start++
	}
	prev := start - 1
	for prev >= 0 && plain(lines[prev]) == "" {
		prev--
	}
	if prev >= 0 {
		if l := plain(lines[prev]); strings.HasSuffix(l, ":") && len(l) < 300 {
			return prev
		}
	}
	return start
}

// plain is a line without surrounding space and without the invisible direction marks that
// Hebrew and Arabic mail programs put around names and addresses.
func plain(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// visualToLogical puts ISO-8859-8 visual Hebrew (stored in the order a left-to-right screen
// shows it) into logical order, line by line. A line with at least as many Hebrew letters as
// Latin ones was a right-to-left paragraph: it is reversed whole, its brackets mirrored, and
// its runs of Latin letters and digits turned back to reading order. In any other line only
// the Hebrew runs are reversed. Reversal is its own inverse, so the same function would turn
// logical text into visual.
func visualToLogical(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = visualLine(line)
	}
	return strings.Join(lines, "\n")
}

var (
	ltrRun = regexp.MustCompile(`[A-Za-z0-9](?:[A-Za-z0-9 .,:/@_+\-]*[A-Za-z0-9])?`)
	rtlRun = regexp.MustCompile(`[\x{05D0}-\x{05EA}](?:[\x{05D0}-\x{05EA} \-'\x{05F3}\x{05F4}.,]*[\x{05D0}-\x{05EA}])?`)
)

func visualLine(line string) string {
	cr := strings.HasSuffix(line, "\r")
	line = strings.TrimSuffix(line, "\r")
	hebrew, latin := 0, 0
	for _, r := range line {
		switch {
		case r >= 0x05D0 && r <= 0x05EA:
			hebrew++
		case r < 0x80 && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case hebrew == 0:
	case hebrew >= latin:
		line = ltrRun.ReplaceAllStringFunc(mirror(reverse(line)), reverse)
	default:
		line = rtlRun.ReplaceAllStringFunc(line, func(run string) string { return mirror(reverse(run)) })
	}
	if cr {
		line += "\r"
	}
	return line
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

var mirrors = strings.NewReplacer("(", ")", ")", "(", "[", "]", "]", "[", "{", "}", "}", "{", "<", ">", ">", "<")

func mirror(s string) string { return mirrors.Replace(s) }

// htmlPolicy is bluemonday's policy for user content, plus dir attributes (a Hebrew or Arabic
// message keeps its direction), without remote images: an image may only name an inline part
// (cid:), so opening a message tells no tracker that it was read. Scripts, styles, event
// handlers, forms, frames and javascript: links are not in the UGC policy to begin with.
func htmlPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.RewriteSrc(func(u *url.URL) {
		if u.Scheme != "cid" {
			*u = url.URL{Scheme: "cid", Opaque: "remote-image-removed"}
		}
	})
	return p
}

var policy = htmlPolicy()

// sanitizeHTML returns the body without anything that could run, track or restyle the page
// it is shown in; "" when nothing visible is left.
func sanitizeHTML(s string) string {
	out := strings.TrimSpace(policy.Sanitize(s))
	if strings.TrimSpace(htmlToText(out)) == "" && !strings.Contains(out, "<img") {
		return ""
	}
	return out
}

// htmlToText renders (sanitised) HTML as readable text: paragraphs and line breaks kept,
// links written after their text, blockquotes as "> " lines so that fold finds them.
func htmlToText(s string) string {
	t, err := html2text.FromString(s)
	if err != nil {
		return ""
	}
	return t
}
