package i18n_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/gesher-cs/gesher/internal/i18n"
)

func load(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The interface languages the spec promises are all there, and each says which way it is
// written: the console and the server set <html dir> from it.
func TestCatalogsDeclareLanguagesAndDirection(t *testing.T) {
	b := load(t)
	want := map[string]i18n.Direction{"en": i18n.LTR, "he": i18n.RTL, "ar": i18n.RTL, "ru": i18n.LTR, "am": i18n.LTR, "fr": i18n.LTR}
	for lang, dir := range want {
		c, err := b.Catalog(lang)
		if err != nil {
			t.Errorf("%s: %v", lang, err)
			continue
		}
		if c.Dir != dir {
			t.Errorf("%s declares dir %q, want %q", lang, c.Dir, dir)
		}
		if c.Name == "" {
			t.Errorf("%s has no name of its own", lang)
		}
	}
	if got := b.Languages(); got[0] != "en" {
		t.Errorf("languages %v: English must come first (it is the fallback)", got)
	}
}

// The six-language rule: every console language has every key English has; Amharic and
// French, customer-only catalogs, have every customer-facing key and no console key; no text is
// empty; placeholders agree with English.
func TestCatalogsAgreeKeyByKey(t *testing.T) {
	for _, p := range load(t).Check() {
		t.Error(p)
	}
}

// The console keeps its four languages; customers get six, and every customer-facing key is
// in each of them.
func TestCatalogScopes(t *testing.T) {
	b := load(t)
	if got, want := b.LanguagesOf(i18n.ScopeAll), []string{"en", "ar", "he", "ru"}; !slices.Equal(got, want) {
		t.Errorf("console languages %v, want %v", got, want)
	}
	if got, want := b.LanguagesOf(i18n.ScopeCustomer), []string{"en", "am", "ar", "fr", "he", "ru"}; !slices.Equal(got, want) {
		t.Errorf("customer languages %v, want %v", got, want)
	}
	en, _ := b.Catalog("en")
	var customer int
	for _, k := range en.Keys() {
		if !i18n.CustomerFacing(k) {
			continue
		}
		customer++
		for _, lang := range b.LanguagesOf(i18n.ScopeCustomer) {
			c, _ := b.Catalog(lang)
			if _, ok := c.Message(k); !ok {
				t.Errorf("%s lacks the customer text %s", lang, k)
			}
		}
	}
	if customer < 50 {
		t.Errorf("only %d customer-facing keys: the tracker's and flows' texts are missing from the rule", customer)
	}
	am, _ := b.Catalog("am")
	if _, ok := am.Message("inbox.title"); ok || am.T("inbox.title") != "inbox.title" {
		t.Error("Amharic holds a console text; the console is not in Amharic")
	}
	for _, k := range []string{"tracker.title", "case.notify.received", "flow.step", "sla.reminder.customer", "way.web", "date.month.12"} {
		if !i18n.CustomerFacing(k) {
			t.Errorf("%s must be customer-facing", k)
		}
	}
	for _, k := range []string{"inbox.title", "admin.sla.explain", "composer.reply_label", "stage.guided"} {
		if i18n.CustomerFacing(k) {
			t.Errorf("%s is the console's, not customer-facing", k)
		}
	}
}

// The rule catches what a helper adding a language or a key would get wrong.
func TestCheckFindsGaps(t *testing.T) {
	fsys := fstest.MapFS{
		"l/en.json": {Data: []byte(`{"lang":"en","dir":"ltr","messages":{"tracker.title":"Your request {ref}","inbox.title":"Inbox","flow.next":"Next"}}`)},
		"l/he.json": {Data: []byte(`{"lang":"he","dir":"rtl","messages":{"tracker.title":"הפנייה {name}","flow.next":"הבא"}}`)},
		"l/am.json": {Data: []byte(`{"lang":"am","dir":"ltr","scope":"customer","messages":{"tracker.title":"የእርስዎ ጥያቄ {ref}","inbox.title":"x"}}`)},
	}
	b, err := i18n.LoadFS(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(b.Check(), "\n")
	for _, want := range []string{"he: missing inbox.title", "he: tracker.title (other) uses placeholders [name]", "am: missing flow.next", "am: inbox.title is a console text"} {
		if !strings.Contains(got, want) {
			t.Errorf("Check did not say %q; it said:\n%s", want, got)
		}
	}
	if strings.Contains(got, "am: missing inbox.title") {
		t.Error("a customer-only catalog was asked for a console text")
	}
}

// Each language is written in its own script, not an English copy left in place: every
// customer text of Amharic has Ge'ez letters, and French differs from English almost
// everywhere (a single word such as "Service" may be spelled alike).
func TestCatalogsAreTranslated(t *testing.T) {
	b := load(t)
	en, _ := b.Catalog("en")
	scripts := map[string]*unicode.RangeTable{"am": unicode.Ethiopic, "he": unicode.Hebrew, "ar": unicode.Arabic, "ru": unicode.Cyrillic}
	for lang, script := range scripts {
		c, _ := b.Catalog(lang)
		for _, k := range c.Keys() {
			if !i18n.CustomerFacing(k) || k == "tracker.date" {
				continue
			}
			for _, text := range texts(mustMessage(c, k)) {
				letters := strings.ContainsFunc(placeholderless(text), unicode.IsLetter)
				if letters && !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(script, r) }) {
					t.Errorf("%s: %s = %q has no letter of its own script", lang, k, text)
				}
			}
		}
	}
	fr, _ := b.Catalog("fr")
	for _, k := range fr.Keys() {
		words := strings.ContainsFunc(placeholderless(fr.T(k)), unicode.IsLetter)
		if words && fr.T(k) == en.T(k) && strings.Contains(fr.T(k), " ") && !strings.Contains(fr.T(k), "WhatsApp") {
			t.Errorf("fr: %s is the English text %q", k, en.T(k))
		}
	}
}

// placeholderless is text without its {placeholders}: "{date}" alone is not an English copy.
func placeholderless(text string) string {
	for _, p := range i18n.Placeholders(text) {
		text = strings.ReplaceAll(text, "{"+p+"}", "")
	}
	return text
}

func mustMessage(c *i18n.Catalog, k string) i18n.Message {
	m, _ := c.Message(k)
	return m
}

func texts(m i18n.Message) map[string]string {
	if m.Plural != nil {
		return m.Plural
	}
	return map[string]string{"other": m.Text}
}

// A plural message has exactly the forms its language uses: Russian needs one/few/many, Arabic
// all six; English has no "few". The language's forms are found by asking CLDR's rules about
// the numbers 0–1000, the same rules that pick a form at run time. (x/text's Hebrew rules still
// include "many", which browsers' newer CLDR dropped; the catalog carries it, and browsers never
// pick it.)
func TestPluralFormsFitTheLanguage(t *testing.T) {
	b := load(t)
	for _, lang := range b.Languages() {
		c, _ := b.Catalog(lang)
		need := map[string]bool{}
		for n := range 1001 {
			need[c.PluralCategory(n)] = true
		}
		need["other"] = true
		for _, k := range c.Keys() {
			m, _ := c.Message(k)
			if m.Plural == nil {
				continue
			}
			for form := range need {
				if _, ok := m.Plural[form]; !ok {
					t.Errorf("%s: %s lacks the plural form %q", lang, k, form)
				}
			}
			for form := range m.Plural {
				if !need[form] {
					t.Errorf("%s: %s has plural form %q, which %s never uses", lang, k, form, lang)
				}
			}
		}
	}
}

// Plural choice and placeholders as a reader sees them.
func TestTextsReadRight(t *testing.T) {
	b := load(t)
	ru, _ := b.Catalog("ru")
	for n, want := range map[int]string{1: "1 обращение", 3: "3 обращения", 5: "5 обращений", 21: "21 обращение", 11: "11 обращений"} {
		if got := ru.N("inbox.count", n); got != want {
			t.Errorf("ru %d: %q, want %q", n, got, want)
		}
	}
	he, _ := b.Catalog("he")
	if got := he.N("inbox.count", 2); got != "שתי שיחות" {
		t.Errorf("he 2: %q", got)
	}
	en, _ := b.Catalog("en")
	if got := en.T("composer.reply_label", "name", "Rivka"); got != "Reply to Rivka" {
		t.Errorf("interpolation: %q", got)
	}
	if got := en.T("no.such.key"); got != "no.such.key" {
		t.Errorf("a missing key shows as %q, want the key", got)
	}
	if got := b.Match("he-IL,he;q=0.9,en;q=0.5"); got.Lang != "he" {
		t.Errorf("Accept-Language he-IL picks %s", got.Lang)
	}
	if got := b.Match("am-ET,am;q=0.9"); got.Lang != "am" {
		t.Errorf("Accept-Language am-ET picks %s", got.Lang)
	}
	if got := b.Match("ja, de;q=0.5"); got.Lang != "en" {
		t.Errorf("Accept-Language without a known language picks %s, want en", got.Lang)
	}
	if _, err := b.Catalog("xx"); !errors.Is(err, i18n.ErrUnknownLanguage) {
		t.Errorf("unknown language: %v", err)
	}
}

// The console bundles these very files: it imports them from this folder, so there is one set
// of catalogs, not a copy that drifts.
func TestConsoleUsesTheseCatalogs(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "..", "web", "console", "vite.config.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), "internal/i18n/locales") {
		t.Error("web/console/vite.config.ts does not read internal/i18n/locales")
	}
}

// Broken catalogs are refused with a reason, never half-loaded.
func TestParseRefusesBrokenCatalogs(t *testing.T) {
	for name, src := range map[string]string{
		"not json":        `{`,
		"no lang":         `{"dir":"ltr","messages":{}}`,
		"bad dir":         `{"lang":"en","dir":"up","messages":{}}`,
		"bad plural form": `{"lang":"en","dir":"ltr","messages":{"a":{"one":"x","lots":"y"}}}`,
		"number message":  `{"lang":"en","dir":"ltr","messages":{"a":3}}`,
		"bad scope":       `{"lang":"en","dir":"ltr","scope":"agents","messages":{}}`,
	} {
		if _, err := i18n.Parse([]byte(src)); !errors.Is(err, i18n.ErrBadCatalog) {
			t.Errorf("%s: %v, want ErrBadCatalog", name, err)
		}
	}
	fsys := fstest.MapFS{"l/en.json": {Data: []byte(`{"lang":"he","dir":"rtl","messages":{}}`)}}
	if _, err := i18n.LoadFS(fsys, "l"); !errors.Is(err, i18n.ErrBadCatalog) {
		t.Errorf("a file whose lang differs from its name: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, lang := range []string{"en", "he", "ar", "ru", "am", "fr"} {
		b, err := os.ReadFile(filepath.Join("locales", lang+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"lang":"en","dir":"ltr","messages":{"a":{"one":"{n} x"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := i18n.Parse(data)
		if err != nil {
			return
		}
		if c.Dir != i18n.LTR && c.Dir != i18n.RTL {
			t.Fatalf("accepted dir %q", c.Dir)
		}
		for _, k := range c.Keys() {
			_ = c.T(k, "n", "1")
			_ = c.N(k, 7)
		}
	})
}

func FuzzInterpolate(f *testing.F) {
	f.Add("Reply to {name}", "name", "Rivka")
	f.Add("{a}{b}{", "a", "{b}")
	f.Fuzz(func(t *testing.T, s, k, v string) {
		got := i18n.Interpolate(s, k, v)
		if !strings.Contains(s, "{"+k+"}") && got != s {
			t.Fatalf("Interpolate(%q, %q, %q) = %q changed a text without the placeholder", s, k, v, got)
		}
	})
}
