package web_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// unbdi is a page's text without the <bdi> isolation around values, for tests that look
// for a sentence.
func unbdi(s string) string { return strings.NewReplacer("<bdi>", "", "</bdi>", "").Replace(s) }

var sameOrigin = func(base string) map[string]string {
	return map[string]string{"Origin": base, "Sec-Fetch-Site": "same-origin"}
}

// Every customer page in all six languages: its <html lang dir>, the language switch with
// all six, the display switches, and no catalog key showing where a text should be.
func TestCustomerPagesInSixLanguages(t *testing.T) {
	e := newHelpEnv(t)
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/transfer", transferService); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	b := newBrowser(t, e.http.URL)
	cats, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en, _ := cats.Catalog("en")
	dirs := map[string]string{"he": "rtl", "ar": "rtl", "en": "ltr", "ru": "ltr", "am": "ltr", "fr": "ltr"}
	for lang, dir := range dirs {
		for _, path := range []string{"/help", "/help/search?q=claim", "/help/articles/claim-en", "/f/transfer", "/s/not-a-token"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			status, body, h := b.get(path + sep + "lang=" + lang)
			if status != http.StatusOK && status != http.StatusNotFound {
				t.Errorf("%s in %s: %d", path, lang, status)
				continue
			}
			if !strings.Contains(body, `<html lang="`+lang+`" dir="`+dir+`"`) || h.Get("Content-Language") != lang {
				t.Errorf("%s in %s: not marked as %s %s", path, lang, lang, dir)
			}
			for l := range dirs {
				if !strings.Contains(body, `hreflang="`+l+`"`) {
					t.Errorf("%s in %s: the switch lacks %s", path, lang, l)
				}
			}
			if !strings.Contains(body, `<form class="display" method="post"`) || !strings.Contains(body, `value="large"`) || !strings.Contains(body, `value="contrast"`) || !strings.Contains(body, `id="read-aloud"`) {
				t.Errorf("%s in %s: no display switches or read-aloud", path, lang)
			}
			for _, k := range en.Keys() {
				if i18n.CustomerFacing(k) && strings.Contains(body, ">"+k+"<") {
					t.Errorf("%s in %s shows the key %s", path, lang, k)
				}
			}
			if strings.Contains(body, ">help.") || strings.Contains(body, `"help.`) {
				t.Errorf("%s in %s shows a help centre key", path, lang)
			}
		}
	}
}

// A switch is a plain form: it sets the visitor's cookie and comes back to the page, which is
// then shown large (or in high contrast) on every customer page; a second press turns it off.
func TestDisplaySwitchesWithoutJavaScript(t *testing.T) {
	e := newHelpEnv(t)
	b := newBrowser(t, e.http.URL)
	status, h := b.post("/display", url.Values{"toggle": {"large"}, "back": {"/help/articles/claim-en?lang=fr"}}, sameOrigin(e.http.URL))
	if status != http.StatusSeeOther || h.Get("Location") != "/help/articles/claim-en?lang=fr" {
		t.Fatalf("switch: %d to %q", status, h.Get("Location"))
	}
	for _, path := range []string{"/help/articles/claim-en?lang=fr", "/help?lang=am", "/s/nothing"} {
		_, body, _ := b.get(path)
		if !strings.Contains(body, ` class="large">`) || !strings.Contains(body, `value="large" class="secondary" aria-pressed="true"`) || !strings.Contains(body, `value="contrast" class="secondary" aria-pressed="false"`) {
			t.Errorf("%s after the switch: not large, or the switch not shown pressed", path)
		}
	}
	b.post("/display", url.Values{"toggle": {"contrast"}, "back": {"/help"}}, sameOrigin(e.http.URL))
	if _, body, _ := b.get("/help"); !strings.Contains(body, ` class="large contrast">`) {
		t.Error("high contrast did not join large text")
	}
	b.post("/display", url.Values{"toggle": {"large"}, "back": {"/help"}}, sameOrigin(e.http.URL))
	if _, body, _ := b.get("/help"); !strings.Contains(body, ` class="contrast">`) {
		t.Error("a second press did not turn large text off")
	}
	// Another site's form, a mode that does not exist, and a way out of the site are refused.
	if status, _ := b.post("/display", url.Values{"toggle": {"large"}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); status != http.StatusForbidden {
		t.Errorf("cross-site switch: %d", status)
	}
	if status, _ := b.post("/display", url.Values{"toggle": {"huge"}}, sameOrigin(e.http.URL)); status != http.StatusBadRequest {
		t.Errorf("unknown mode: %d", status)
	}
	if _, h := b.post("/display", url.Values{"toggle": {"large"}, "back": {"//evil.example/"}}, sameOrigin(e.http.URL)); h.Get("Location") != "/help" {
		t.Errorf("a switch led off the site: %q", h.Get("Location"))
	}
}

// An article with a simple-language version offers the switch and shows that version when
// asked; an article without one offers no switch.
func TestSimpleLanguageArticle(t *testing.T) {
	e := newHelpEnv(t)
	body := "After an accident, file a collision claim with the insurer's claims department, attaching the police report and photographs of the damage.\n\n" +
		helpcenter.SimpleMarker + "\nHad an accident? Tell us. Send the police paper and photos of the car."
	if _, err := e.app.Help.Create(context.Background(), event.Actor{Kind: event.ByUser, ID: "editor"}, helpcenter.Input{ID: "simple-en", Lang: "en", Title: "Claims after an accident", Body: body, Status: helpcenter.Published}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.http.URL)
	_, page, _ := b.get("/help/articles/simple-en?lang=en")
	if !strings.Contains(page, "claims department") || strings.Contains(page, "police paper") || strings.Contains(page, ":::") || !strings.Contains(page, `value="simple" class="secondary" aria-pressed="false"`) {
		t.Fatalf("the full article, with the switch offered:\n%s", page)
	}
	if _, other, _ := b.get("/help/articles/claim-en?lang=en"); strings.Contains(other, `value="simple"`) {
		t.Error("an article without a simple version offers the switch")
	}
	b.post("/display", url.Values{"toggle": {"simple"}, "back": {"/help/articles/simple-en?lang=en"}}, sameOrigin(e.http.URL))
	_, page, _ = b.get("/help/articles/simple-en?lang=en")
	if strings.Contains(page, "claims department") || !strings.Contains(page, "Send the police paper") || !strings.Contains(page, "This is the simple-language version.") || !strings.Contains(page, `aria-pressed="true">Simple language`) {
		t.Errorf("the simple version:\n%s", page)
	}
}

// A flow step the author wrote a simple question for shows it to a visitor who asked for
// simple language, and the usual question to everyone else.
func TestSimpleLanguageFlowStep(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	svc := map[string]any{}
	maps.Copy(svc, transferService)
	steps := slices.Clone(transferService["flow"].([]map[string]any))
	steps[1] = maps.Clone(steps[1])
	steps[1]["simple"] = map[string]string{"en": "How much money?"}
	svc["flow"] = steps
	if status, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/services/transfer", svc); status != http.StatusOK {
		t.Fatalf("put service: %d %v", status, body)
	}
	v := &visitor{e: e, base: e.http.URL}
	v.step("start", "")
	v.step("next", "050-765-4321")
	_, page := v.step("next", "savings")
	if !strings.Contains(page, "Amount to transfer, in shekels") || !strings.Contains(page, `value="simple"`) {
		t.Fatalf("the usual question, with the switch:\n%s", page)
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/f/transfer?lang=en", nil)
	req.Header.Set("Cookie", web.DisplayCookie+"=simple; "+web.FlowCookie+"="+v.cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if page := string(raw); !strings.Contains(page, `<label for="a">How much money?</label>`) || !strings.Contains(page, `aria-pressed="true">Simple language`) {
		t.Errorf("the simple question:\n%s", page)
	}
	if _, page := v.step("back", ""); strings.Contains(page, `value="simple"`) {
		t.Error("a step without a simple question offers the switch")
	}
}

// On the tracker the customer is known: the switch is remembered in their profile, so a new
// phone (no cookie) opening their next link shows the same; the page is in the customer's
// language whatever the browser says.
func TestTrackerRemembersDisplayInProfile(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e, custID := newCaseEnv(t, dsn, "am")
		status, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{"plate": "12-345-67", "claim_amount": 8000}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, body)
		}
		link := body["tracker_url"].(string)
		path := link[strings.Index(link, "/s/"):]
		phone := newBrowser(t, e.http.URL)
		req, _ := http.NewRequest("GET", link, nil)
		req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Content-Language") != "am" {
			t.Errorf("a customer whose language is Amharic got %s (the browser said French)", resp.Header.Get("Content-Language"))
		}
		_, page, _ := phone.get(path)
		if !strings.Contains(page, `<form class="display" method="post" action="`+path+`/display"`) || !strings.Contains(page, "የእርስዎ ጥያቄ") {
			t.Fatalf("tracker in Amharic with its own switch:\n%s", page)
		}
		status, h := phone.post(path+"/display", url.Values{"toggle": {"large"}, "back": {path}}, sameOrigin(e.http.URL))
		if status != http.StatusSeeOther || h.Get("Location") != path {
			t.Fatalf("switch: %d %q", status, h.Get("Location"))
		}
		cust, err := e.app.Customers.Get(context.Background(), custID)
		if err != nil || !slices.Contains(cust.Profile.Accessibility, customer.LargeText) {
			t.Fatalf("profile after the switch: %v %v", cust.Profile.Accessibility, err)
		}
		evs, _ := e.app.Events.List(context.Background(), event.Filter{CustomerIDs: []string{custID}, Kinds: []event.Kind{event.CustomerUpdated}})
		if len(evs) == 0 || evs[len(evs)-1].Actor.Kind != event.ByCustomer {
			t.Errorf("the change is not an event by the customer: %v", evs)
		}
		other := newBrowser(t, e.http.URL)
		if _, page, _ := other.get(path); !strings.Contains(page, ` class="large">`) {
			t.Error("another phone without the cookie does not show large text")
		}
		phone.post(path+"/display", url.Values{"toggle": {"large"}, "back": {path}}, sameOrigin(e.http.URL))
		if cust, _ := e.app.Customers.Get(context.Background(), custID); slices.Contains(cust.Profile.Accessibility, customer.LargeText) {
			t.Error("turning large text off left it in the profile")
		}
		if status, _ := phone.post("/s/forged.token/display", url.Values{"toggle": {"large"}}, sameOrigin(e.http.URL)); status != http.StatusNotFound {
			t.Errorf("a forged tracker link changed display: %d", status)
		}
	})
}

var bdiRef = regexp.MustCompile(`<bdi>[0-9A-Z]{4}-[0-9A-Z]{4}</bdi>`)

// In a right-to-left tracker the case reference is isolated, so it reads left to right.
func TestTrackerIsolatesReference(t *testing.T) {
	e, custID := newCaseEnv(t, storetest.SQLitePath(t), "he")
	_, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{"plate": "12-345-67", "claim_amount": 8000}})
	_, page, _ := e.get(body["tracker_url"].(string))
	if !strings.Contains(page, `dir="rtl"`) || !bdiRef.MatchString(page) {
		t.Errorf("the reference is not isolated in the Hebrew tracker")
	}
}

// A customer whose profile says Amharic, or French, is told of their case in that language:
// the notifications are customer texts, in all six languages.
func TestNotificationsInTheCustomersLanguage(t *testing.T) {
	for lang, want := range map[string]string{"am": "ጥያቄዎ ደርሶናል፦ Car claim (የማጣቀሻ ቁጥር ", "fr": "Nous avons bien reçu votre demande : Car claim (référence "} {
		e, custID := newCaseEnv(t, storetest.SQLitePath(t), lang)
		crm := e.fakeCRM()
		status, body := e.call(auth.RoleAgent, "POST", "/api/v1/cases", map[string]any{"customer_id": custID, "service_id": "car-claim", "answers": map[string]any{"plate": "12-345-67", "claim_amount": 8000}})
		if status != http.StatusCreated {
			t.Fatalf("%s: create: %d %v", lang, status, body)
		}
		if _, err := e.jobs.Work(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := crm.texts(); len(got) != 1 || !strings.HasPrefix(got[0], want+body["ref"].(string)+")") {
			t.Errorf("%s: the customer was told %q", lang, got)
		}
	}
}
