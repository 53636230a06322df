package i18n_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

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
	want := map[string]i18n.Direction{"en": i18n.LTR, "he": i18n.RTL, "ar": i18n.RTL, "ru": i18n.LTR}
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

// Every language has every key English has, and no other; no text is empty; each uses the
// same placeholders as English (a translated placeholder would show as "{שם}").
func TestCatalogsAgreeKeyByKey(t *testing.T) {
	b := load(t)
	en, _ := b.Catalog("en")
	for _, lang := range b.Languages() {
		c, _ := b.Catalog(lang)
		for _, k := range en.Keys() {
			m, ok := c.Message(k)
			if !ok {
				t.Errorf("%s: missing %s", lang, k)
				continue
			}
			want, _ := en.Message(k)
			if (m.Plural == nil) != (want.Plural == nil) {
				t.Errorf("%s: %s is plural in one language and plain in the other", lang, k)
				continue
			}
			for form, text := range texts(m) {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s (%s) is empty", lang, k, form)
				}
				wantPH := i18n.Placeholders(texts(want)["other"])
				gotPH := i18n.Placeholders(text)
				// A plural form may spell the number out ("שתי שיחות"), so {n} is optional there.
				if m.Plural != nil {
					wantPH = slices.DeleteFunc(wantPH, func(s string) bool { return s == "n" })
					gotPH = slices.DeleteFunc(gotPH, func(s string) bool { return s == "n" })
				}
				if !slices.Equal(gotPH, wantPH) {
					t.Errorf("%s: %s (%s) uses placeholders %v, English %v", lang, k, form, gotPH, wantPH)
				}
			}
		}
		for _, k := range c.Keys() {
			if _, ok := en.Message(k); !ok {
				t.Errorf("%s: %s is not in English (stale key?)", lang, k)
			}
		}
	}
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
	if got := b.Match("ja, fr;q=0.5"); got.Lang != "en" {
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
	for _, lang := range []string{"en", "he", "ar", "ru"} {
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
