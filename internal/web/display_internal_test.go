package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/i18n"
)

// The language a customer page is shown in: the switch (?lang=), then the customer's profile,
// then the browser's Accept-Language, then English.
func TestPickCatalogOrder(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, asked string
		profile     []string
		accept      string
		want        string
	}{
		{"the profile before the browser", "", []string{"am"}, "fr-FR,fr;q=0.9", "am"},
		{"the profile's first language the catalogs have", "", []string{"ti", "fr", "he"}, "ru", "fr"},
		{"the browser when the profile has none", "", nil, "fr-CA,fr;q=0.9,en;q=0.5", "fr"},
		{"the browser when no profile language has a catalog", "", []string{"ti", "xx"}, "am-ET", "am"},
		{"English when nothing fits", "", nil, "ja,de;q=0.5", "en"},
		{"English without a header", "", nil, "", "en"},
		{"the switch beats the profile", "ru", []string{"he"}, "ar", "ru"},
		{"an unknown switch is ignored", "xx", []string{"he"}, "ar", "he"},
	} {
		if got := pickCatalog(b, c.asked, c.profile, c.accept).Lang; got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// The display modes survive the cookie and the profile, and a switch flips only its own mode.
func TestDisplayModes(t *testing.T) {
	d := parseDisplay("contrast,nonsense,large")
	if !d.Large || !d.Contrast || d.Simple || d.String() != "large,contrast" || d.Class() != "large contrast" {
		t.Errorf("parsed %+v (%q)", d, d.String())
	}
	d, ok := d.toggled("simple")
	if !ok || !d.Simple || !d.Large {
		t.Errorf("toggled simple: %+v", d)
	}
	if _, ok := d.toggled("huge"); ok {
		t.Error("an unknown mode was toggled")
	}
	d, _ = d.toggled("large")
	prof := d.toProfile(customer.Profile{Accessibility: []string{customer.ScreenReader, customer.LargeText}})
	want := []string{customer.ScreenReader, customer.HighContrast, customer.SimpleLanguage}
	if !slices.Equal(prof.Accessibility, want) {
		t.Errorf("profile needs %v, want %v (a screen reader kept, large text dropped)", prof.Accessibility, want)
	}
	if back := (display{}).withProfile(prof); back != d {
		t.Errorf("from the profile: %+v, want %+v", back, d)
	}
}

// The switch comes back only to a page of this server.
func TestDisplayBackIsLocal(t *testing.T) {
	for in, want := range map[string]string{
		"/s/abc?lang=he":                "/s/abc?lang=he",
		"/help/articles/x?lang=am":      "/help/articles/x?lang=am",
		"https://evil.example/":         "/help",
		"//evil.example/x":              "/help",
		"/\\evil.example":               "/help",
		"javascript:alert(1)":           "/help",
		"":                              "/help",
		"help":                          "/help",
		"/ok\r\nSet-Cookie: a=b":        "/help",
		"/" + strings.Repeat("a", 3000): "/help",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// A value inside a sentence is isolated and escaped; the sentence is escaped too.
func TestIsolate(t *testing.T) {
	b, _ := i18n.Load()
	he, _ := b.Catalog("he")
	got := string(isolate(he, "tracker.ref", "ref", "SR-<1024>"))
	if !strings.Contains(got, "<bdi>SR-&lt;1024&gt;</bdi>") || strings.Contains(got, "{ref}") {
		t.Errorf("isolate: %q", got)
	}
	if got := string(isolate(he, "no.such.key")); got != "no.such.key" {
		t.Errorf("a missing key: %q", got)
	}
}

func FuzzDisplayCookie(f *testing.F) {
	f.Add("large,contrast,simple")
	f.Add(",,large,,")
	f.Fuzz(func(t *testing.T, s string) {
		d := parseDisplay(s)
		if again := parseDisplay(d.String()); again != d {
			t.Fatalf("%q → %+v → %q → %+v", s, d, d.String(), again)
		}
		if back := localPath(s); back != "/help" && (!strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//")) {
			t.Fatalf("localPath(%q) = %q leaves the server", s, back)
		}
	})
}
