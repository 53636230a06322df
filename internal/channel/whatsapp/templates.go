package whatsapp

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Template is one of the account's approved message templates, as the channel's templates
// setting lists it. Body is the template's body text with its {{1}}, {{2}} … placeholders,
// exactly as approved in WhatsApp Manager.
type Template struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Body     string `json:"body"`

	re      *regexp.Regexp
	groups  []int // the placeholder number each capture group fills
	params  int   // the highest placeholder number
	literal int   // how much of the body is fixed text: the more, the more specific
}

var placeholder = regexp.MustCompile(`\{\{\s*(\d+)\s*\}\}`)

// ParseTemplates reads the templates setting: a JSON array of {"name","language","body"}. An
// empty setting is no templates.
func ParseTemplates(setting string) ([]Template, error) {
	if strings.TrimSpace(setting) == "" {
		return nil, nil
	}
	var ts []Template
	if err := json.Unmarshal([]byte(setting), &ts); err != nil {
		return nil, fmt.Errorf("whatsapp: the templates setting is not a JSON array of {name, language, body}: %w", err)
	}
	for i := range ts {
		if err := ts[i].compile(); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// compile turns the body into an anchored pattern: fixed text must match as written (any run
// of white space as any run of white space, since a console may re-wrap it), and each
// placeholder is a wildcard of at least one character.
func (t *Template) compile() error {
	t.Name, t.Language, t.Body = strings.TrimSpace(t.Name), strings.TrimSpace(t.Language), strings.TrimSpace(t.Body)
	if t.Name == "" || t.Language == "" || t.Body == "" {
		return fmt.Errorf("whatsapp: a template needs a name, a language and a body (got %q, %q)", t.Name, t.Language)
	}
	var pat strings.Builder
	pat.WriteString(`(?s)^`)
	seen := map[int]bool{}
	last := 0
	literal := func(s string) {
		inSpace := false
		for _, r := range s {
			if unicode.IsSpace(r) {
				if !inSpace {
					pat.WriteString(`\s+`)
				}
				inSpace = true
				continue
			}
			inSpace = false
			t.literal++
			pat.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	for _, loc := range placeholder.FindAllStringSubmatchIndex(t.Body, -1) {
		literal(t.Body[last:loc[0]])
		n, err := strconv.Atoi(t.Body[loc[2]:loc[3]])
		if err != nil || n < 1 || n > 100 {
			return fmt.Errorf("whatsapp: template %s: placeholder %s is not {{1}} … {{100}}", t.Name, t.Body[loc[0]:loc[1]])
		}
		seen[n] = true
		t.groups = append(t.groups, n)
		t.params = max(t.params, n)
		pat.WriteString(`(.+?)`)
		last = loc[1]
	}
	literal(t.Body[last:])
	pat.WriteString(`$`)
	for n := 1; n <= t.params; n++ {
		if !seen[n] {
			return fmt.Errorf("whatsapp: template %s: placeholders must be numbered {{1}} to {{%d}} without gaps; {{%d}} is missing", t.Name, t.params, n)
		}
	}
	re, err := regexp.Compile(pat.String())
	if err != nil {
		return fmt.Errorf("whatsapp: template %s: %w", t.Name, err)
	}
	t.re = re
	return nil
}

// match reports whether text is this template's body with its placeholders filled in, and
// the parameters in {{1}}, {{2}} … order. A placeholder used twice must be filled the same way
// both times.
func (t *Template) match(text string) ([]string, bool) {
	if t.re == nil {
		return nil, false
	}
	sub := t.re.FindStringSubmatch(strings.TrimSpace(text))
	if sub == nil {
		return nil, false
	}
	params := make([]string, t.params)
	for i, n := range t.groups {
		v := sub[i+1]
		if params[n-1] != "" && params[n-1] != v {
			return nil, false
		}
		params[n-1] = v
	}
	return params, true
}

// MatchTemplate finds the approved template an agent's rendered text came from, and the
// values its placeholders were filled with. When several match, the one with the most fixed
// text wins (a template "{{1}}" matches everything and is chosen last).
func MatchTemplate(templates []Template, text string) (Template, []string, bool) {
	best, bestParams, found := Template{}, []string(nil), false
	for _, t := range templates {
		params, ok := t.match(text)
		if ok && (!found || t.literal > best.literal) {
			best, bestParams, found = t, params, true
		}
	}
	return best, bestParams, found
}
