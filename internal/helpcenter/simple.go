package helpcenter

import "strings"

// SimpleMarker opens an article's simple-language version inside its body: the author writes
// the article, then a line "::: simple", then the same answer in short sentences and everyday
// words; a line ":::" closes it (or the body's end does). Kept in the body, the version is
// revised, exported and searched with the article, and its everyday words help the search
// find the article from a lay question.
const SimpleMarker = "::: simple"

// SplitSimple separates an article's body into the full text and its simple-language version
// ("" when the author wrote none). Text after the closing ":::" belongs to the full text.
func SplitSimple(body string) (full, simple string) {
	lines := strings.Split(body, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == SimpleMarker {
			start = i
			break
		}
	}
	if start < 0 {
		return body, ""
	}
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == ":::" {
			end = i
			break
		}
	}
	simple = strings.TrimSpace(strings.Join(lines[start+1:end], "\n"))
	rest := lines[:start]
	if end < len(lines) {
		rest = append(rest[:len(rest):len(rest)], lines[end+1:]...)
	}
	return strings.TrimSpace(strings.Join(rest, "\n")), simple
}
