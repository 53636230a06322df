package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Errors.
var (
	ErrUnknownLanguage = errors.New("i18n: no catalog for the language")
	ErrBadCatalog      = errors.New("i18n: malformed catalog")
)

// Direction is how a language is written.
type Direction string

// Writing directions.
const (
	LTR Direction = "ltr"
	RTL Direction = "rtl"
)

// Message is one entry of a catalog: a plain text, or one text per plural form.
type Message struct {
	Text   string
	Plural map[string]string // CLDR category ("one", "few" …) → text; nil for a plain text
}

// Catalog is one language's messages.
type Catalog struct {
	Lang     string
	Name     string // the language's own name ("עברית")
	Dir      Direction
	Scope    Scope // which texts it holds: every one, or only those customers read
	tag      language.Tag
	messages map[string]Message
}

// Bundle is every catalog, and a matcher that picks one for an Accept-Language header.
type Bundle struct {
	byLang  map[string]*Catalog
	langs   []string
	matcher language.Matcher
}

// pluralCategories are CLDR's plural category names, in x/text's order of plural.Form.
var pluralCategories = []string{"other", "zero", "one", "two", "few", "many"}

// Load reads the embedded catalogs.
func Load() (*Bundle, error) {
	return LoadFS(locales, "locales")
}

// LoadFS reads every <lang>.json in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Bundle, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", dir, err)
	}
	b := &Bundle{byLang: map[string]*Catalog{}}
	var tags []language.Tag
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		raw, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", e.Name(), err)
		}
		c, err := Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		if c.Lang+".json" != e.Name() {
			return nil, fmt.Errorf("i18n: %s declares lang %q: %w", e.Name(), c.Lang, ErrBadCatalog)
		}
		b.byLang[c.Lang] = c
		b.langs = append(b.langs, c.Lang)
	}
	if len(b.langs) == 0 {
		return nil, fmt.Errorf("i18n: no catalogs in %s: %w", dir, ErrBadCatalog)
	}
	// English first, so the matcher falls back to it.
	sort.Slice(b.langs, func(i, j int) bool {
		if (b.langs[i] == "en") != (b.langs[j] == "en") {
			return b.langs[i] == "en"
		}
		return b.langs[i] < b.langs[j]
	})
	for _, l := range b.langs {
		tags = append(tags, b.byLang[l].tag)
	}
	b.matcher = language.NewMatcher(tags)
	return b, nil
}

// Languages returns the catalog languages, English first.
func (b *Bundle) Languages() []string { return slices.Clone(b.langs) }

// LanguagesOf returns the languages whose catalogs hold every text of scope, English first:
// ScopeAll gives the console's languages, ScopeCustomer every language a customer can read.
func (b *Bundle) LanguagesOf(scope Scope) []string {
	var out []string
	for _, l := range b.langs {
		if b.byLang[l].Scope.Covers(scope) {
			out = append(out, l)
		}
	}
	return out
}

// Catalog returns the catalog of lang ("he").
func (b *Bundle) Catalog(lang string) (*Catalog, error) {
	c, ok := b.byLang[lang]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLanguage, lang)
	}
	return c, nil
}

// Match picks the catalog that best fits an Accept-Language header (or a list of tags), and
// English when nothing fits.
func (b *Bundle) Match(acceptLanguage string) *Catalog {
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, _ := b.matcher.Match(tags...)
	return b.byLang[b.langs[i]]
}

type catalogFile struct {
	Lang     string                     `json:"lang"`
	Name     string                     `json:"name"`
	Dir      Direction                  `json:"dir"`
	Scope    Scope                      `json:"scope"`
	Messages map[string]json.RawMessage `json:"messages"`
}

// Parse reads one catalog file. It checks the shape only; the catalog test checks that the
// languages agree with each other.
func Parse(data []byte) (*Catalog, error) {
	var f catalogFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCatalog, err)
	}
	tag, err := language.Parse(f.Lang)
	if err != nil || f.Lang == "" {
		return nil, fmt.Errorf("%w: lang %q is not a language tag", ErrBadCatalog, f.Lang)
	}
	if f.Dir != LTR && f.Dir != RTL {
		return nil, fmt.Errorf("%w: dir must be ltr or rtl, not %q", ErrBadCatalog, f.Dir)
	}
	switch f.Scope {
	case "":
		f.Scope = ScopeAll
	case ScopeAll, ScopeCustomer:
	default:
		return nil, fmt.Errorf("%w: scope must be all or customer, not %q", ErrBadCatalog, f.Scope)
	}
	c := &Catalog{Lang: f.Lang, Name: f.Name, Dir: f.Dir, Scope: f.Scope, tag: tag, messages: make(map[string]Message, len(f.Messages))}
	for k, raw := range f.Messages {
		var m Message
		if err := json.Unmarshal(raw, &m.Text); err != nil {
			if err := json.Unmarshal(raw, &m.Plural); err != nil {
				return nil, fmt.Errorf("%w: %s is neither a text nor plural forms", ErrBadCatalog, k)
			}
			for cat := range m.Plural {
				if !slices.Contains(pluralCategories, cat) {
					return nil, fmt.Errorf("%w: %s has plural form %q, not a CLDR category", ErrBadCatalog, k, cat)
				}
			}
		}
		c.messages[k] = m
	}
	return c, nil
}

// Keys returns the message keys, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.messages))
	for k := range c.messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Message returns the entry for key.
func (c *Catalog) Message(key string) (Message, bool) {
	m, ok := c.messages[key]
	return m, ok
}

// T returns the text of key with {name} placeholders filled from vars (name, value pairs).
// A missing key returns the key itself, so a gap shows on the page instead of a blank.
func (c *Catalog) T(key string, vars ...string) string {
	m, ok := c.messages[key]
	if !ok || m.Plural != nil {
		return key
	}
	return Interpolate(m.Text, vars...)
}

// N returns the plural form of key that fits n in this language, with {n} and vars filled in.
func (c *Catalog) N(key string, n int, vars ...string) string {
	m, ok := c.messages[key]
	if !ok || m.Plural == nil {
		return key
	}
	s, ok := m.Plural[c.PluralCategory(n)]
	if !ok {
		s = m.Plural["other"]
	}
	return Interpolate(s, append([]string{"n", strconv.Itoa(n)}, vars...)...)
}

// PluralCategory is CLDR's cardinal plural category of the whole number n in the language.
func (c *Catalog) PluralCategory(n int) string {
	if n < 0 {
		n = -n
	}
	return pluralCategories[plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0)]
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Placeholders returns the {names} a text uses, sorted and without repeats.
func Placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// Interpolate replaces {name} with its value from vars (name, value pairs). Unknown names
// are left as they are.
func Interpolate(s string, vars ...string) string {
	if len(vars) < 2 || !strings.Contains(s, "{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		for i := 0; i+1 < len(vars); i += 2 {
			if vars[i] == name {
				return vars[i+1]
			}
		}
		return m
	})
}
