package web_test

import (
	"context"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// The demo insurer's page exists only beside the demo's web chat channel; it is Hebrew by
// default, switches with ?lang=, has the landmarks and direction a screen reader needs, no
// inline script or style, and embeds the widget with one script tag.
func TestDemoSite(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	b := newBrowser(t, e.http.URL)
	if status, _, _ := b.get("/demo/site"); status != http.StatusNotFound {
		t.Errorf("without the demo channel: %d, want 404", status)
	}
	if _, err := e.chans.Ensure(context.Background(), channel.Channel{Name: web.DemoSiteChannel, Kind: "webchat", Secret: "s", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ query, lang, dir, brand string }{
		{"", "he", "rtl", "ביטוח גשר"}, {"?lang=en", "en", "ltr", "Gesher Insurance"}, {"?lang=ar", "ar", "rtl", "تأمين جِشِر"},
		{"?lang=ru", "ru", "ltr", "Страхование «Гешер»"}, {"?lang=am", "am", "ltr", "ጌሸር ኢንሹራንስ"},
		{"?lang=fr", "fr", "ltr", "Gesher Assurances"}, {"?lang=xx", "he", "rtl", "ביטוח גשר"},
	} {
		status, body, h := b.get("/demo/site" + c.query)
		if status != http.StatusOK || h.Get("Content-Language") != c.lang {
			t.Errorf("%s: %d %s", c.query, status, h.Get("Content-Language"))
			continue
		}
		for _, want := range []string{`<html lang="` + c.lang + `" dir="` + c.dir + `">`, "<header", "<nav aria-label=", `<main id="main">`, "<h1>", "<footer", c.brand,
			`<form class="display" method="post" action="/display"`, `value="large"`, `value="contrast"`,
			`<script src="/widget.js" data-channel="demo-webchat" data-lang="` + c.lang + `" async></script>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: missing %s", c.query, want)
			}
		}
		// The widget's tag, and the customer pages' own script (read-aloud); nothing inline.
		if strings.Count(body, "<script") != 2 || !strings.Contains(body, `<script src="/help/static/help.js?v=`) || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
			t.Errorf("%s: a script tag besides the widget's and help.js, or inline style", c.query)
		}
	}
}

// The demo site's catalogs agree key by key and declare their direction.
func TestDemoSiteCatalogs(t *testing.T) {
	b, err := i18n.LoadFS(os.DirFS("templates/demo"), "locales")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(b.Languages(), ","); got != "en,am,ar,fr,he,ru" {
		t.Errorf("languages %s", got)
	}
	en, _ := b.Catalog("en")
	for _, l := range b.Languages() {
		c, _ := b.Catalog(l)
		if (l == "he" || l == "ar") != (c.Dir == i18n.RTL) {
			t.Errorf("%s declares %s", l, c.Dir)
		}
	}
	for _, p := range b.Check() {
		t.Error(p)
	}
	// Every key the template uses is in the catalogs.
	tmpl, err := fs.ReadFile(os.DirFS("templates/demo"), "site.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(tmpl), `{{.T "`)[1:] {
		key, _, _ := strings.Cut(part, `"`)
		if _, ok := en.Message(key); !ok {
			t.Errorf("the template uses %s, which the catalogs lack", key)
		}
	}
}
