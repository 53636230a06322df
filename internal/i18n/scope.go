package i18n

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is which texts a catalog holds. The console speaks four languages and customers six:
// a language added for customers (Amharic, French) carries only the texts customers read,
// and no one has to translate the admin screens to publish a tracker page in it.
type Scope string

// Scopes.
const (
	ScopeAll      Scope = "all"      // every text: the console's languages
	ScopeCustomer Scope = "customer" // only customer-facing texts
)

// Covers reports whether a catalog of scope s holds every text of scope want.
func (s Scope) Covers(want Scope) bool { return s == ScopeAll || s == want }

// customerPrefixes are the keys customers read: the pages under /help, /s, /f and the demo
// site, and every notification sent to a customer. A key that starts with one of them must be
// in all six languages; any other key is the console's, in its four. A package that adds a
// customer page adds its prefix here, with the texts in every customer language.
var customerPrefixes = []string{
	"bot.",                  // the chat bot's answers and guided flows in a conversation
	"branch.",               // appointments, queue tickets, the kiosk and the waiting-room display
	"assist.line.",          // the first line of a chat or callback a proactive offer opened
	"case.notify.",          // case notifications
	"case.stage.",           // built-in stage names, on the tracker and in notifications
	"date.month.",           // dates on the tracker
	"flow.",                 // guided flows
	"help.",                 // the help centre's own catalogs
	"menu.phone.",           // the phone menu's spoken prompts
	"menu.sms.",             // the phone menu's text messages
	"menu.visual.",          // the visual menu /m/{token}
	"site.",                 // the demo site's own catalogs
	"sla.reminder.customer", // the reminder a silent customer gets
	"survey.",               // CSAT and NPS questions by text, keypad and email, the page /r/{token}, the thanks
	"tracker.",              // the status tracker
	"way.",                  // the ways a service can be done, on flows and notifications
}

// CustomerFacing reports whether customers read the text of key, so it must exist in every
// customer language.
func CustomerFacing(key string) bool {
	for _, p := range customerPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// CustomerPrefixes returns the key prefixes customers read, for documentation and tests.
func CustomerPrefixes() []string { return slices.Clone(customerPrefixes) }

// Check is the rule every set of catalogs keeps, English the reference: a catalog of scope
// all has every English key, a customer catalog every customer-facing English key and no
// other; no catalog has a key English lacks; no text is empty; every text uses English's
// placeholders (a translated placeholder would show as "{שם}"), a plural form may spell the
// number out; a key is plural in every language or in none. It returns the problems found.
func (b *Bundle) Check() []string {
	en, ok := b.byLang["en"]
	if !ok {
		return []string{"no English catalog: it is the reference and the fallback"}
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, lang := range b.langs {
		c := b.byLang[lang]
		for _, k := range en.Keys() {
			if c.Scope == ScopeCustomer && !CustomerFacing(k) {
				if _, ok := c.messages[k]; ok && lang != "en" {
					bad("%s: %s is a console text, but %s is a customer-only catalog", lang, k, lang)
				}
				continue
			}
			m, ok := c.messages[k]
			if !ok {
				bad("%s: missing %s", lang, k)
				continue
			}
			want := en.messages[k]
			if (m.Plural == nil) != (want.Plural == nil) {
				bad("%s: %s is plural in one language and plain in the other", lang, k)
				continue
			}
			wantPH := Placeholders(textsOf(want)["other"])
			for form, text := range textsOf(m) {
				if strings.TrimSpace(text) == "" {
					bad("%s: %s (%s) is empty", lang, k, form)
				}
				gotPH, refPH := Placeholders(text), wantPH
				if m.Plural != nil {
					notN := func(s string) bool { return s == "n" }
					gotPH, refPH = slices.DeleteFunc(gotPH, notN), slices.DeleteFunc(slices.Clone(refPH), notN)
				}
				if !slices.Equal(gotPH, refPH) {
					bad("%s: %s (%s) uses placeholders %v, English %v", lang, k, form, gotPH, refPH)
				}
			}
		}
		for _, k := range c.Keys() {
			if _, ok := en.messages[k]; !ok {
				bad("%s: %s is not in English (stale key?)", lang, k)
			}
		}
	}
	return out
}

func textsOf(m Message) map[string]string {
	if m.Plural != nil {
		return m.Plural
	}
	return map[string]string{"other": m.Text}
}
