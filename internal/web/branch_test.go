package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// branchEnv is a server with one branch ("test", open on the default Israeli calendar: the
// env's clock is a Sunday at 11:00 in Jerusalem) offering claims at two desks.
func branchEnv(t *testing.T) (*env, string, []string) {
	e := newEnv(t, storetest.SQLitePath(t))
	ctx := context.Background()
	if _, err := e.app.SelfService.PutService(ctx, "claim", selfservice.Input{Category: "car", Name: map[string]string{"en": "Car claim", "he": "תביעת רכב", "ar": "مطالبة سيارة", "ru": "Автостраховка"},
		Channels: []selfservice.Way{selfservice.Branch}}, event.System); err != nil {
		t.Fatal(err)
	}
	id := store.NewID(e.clock.Now())
	if _, err := e.db.Writer().ExecContext(ctx, e.db.Rebind(`INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`), id, "Test", 1); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"name": "Test", "slug": "test", "address": "Herzl 1", "notify_ahead": 1,
		"names":    map[string]string{"he": "סניף בדיקה", "en": "Test branch", "ar": "فرع تجريبي", "ru": "Тестовое отделение"},
		"services": []map[string]any{{"service_id": "claim", "minutes": 20}},
		"desks": []map[string]any{{"name": "1", "services": []string{"claim"}, "slot_minutes": 30, "appointments": true},
			{"name": "2", "services": []string{"claim"}, "slot_minutes": 30, "appointments": true}}}
	if code, body := e.call(auth.RoleAgent, "PUT", "/api/v1/branches/"+id, in); code != http.StatusForbidden {
		t.Fatalf("an agent configured a branch: %d %v", code, body)
	}
	code, body := e.call(auth.RoleSupervisor, "PUT", "/api/v1/branches/"+id, in)
	if code != http.StatusOK {
		t.Fatalf("PUT branch: %d %v", code, body)
	}
	var desks []string
	for _, d := range body["desks"].([]any) {
		desks = append(desks, d.(map[string]any)["id"].(string))
	}
	return e, id, desks
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// page GETs path and returns the status and the body.
func page(t *testing.T, e *env, path string) (int, string) {
	t.Helper()
	resp, err := noRedirect.Get(e.http.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form and returns the status and where it redirects.
func post(t *testing.T, e *env, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := noRedirect.PostForm(e.http.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

var inlineCode = regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|style="|onclick=`)

func TestBranchPagesWithoutJavaScript(t *testing.T) {
	e, _, desks := branchEnv(t)
	// Take a number from home, in Hebrew.
	code, body := page(t, e, "/b/test/ticket?lang=he")
	if code != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "תביעת רכב") {
		t.Fatalf("take form: %d\n%s", code, body)
	}
	code, first := post(t, e, "/b/test/ticket", url.Values{"service": {"claim"}, "lang": {"he"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(first, "/q/") {
		t.Fatalf("take: %d %q", code, first)
	}
	_, second := post(t, e, "/b/test/ticket", url.Values{"service": {"claim"}, "lang": {"en"}, "phone": {"0521234567"}})
	code, body = page(t, e, second)
	if code != 200 || !strings.Contains(body, "People ahead of you: 1") || !strings.Contains(body, "<svg") || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("second ticket page: %d\n%s", code, body)
	}
	if inlineCode.MatchString(body) {
		t.Errorf("the ticket page has inline script or style, which the CSP forbids")
	}
	// The clerk calls the next number: the first ticket is called to desk 1, the second is next.
	if code, b := e.call(auth.RoleAgent, "POST", "/api/v1/desks/"+desks[0]+"/call-next", nil); code != 200 || b["label"] != "1" {
		t.Fatalf("call next: %d %v", code, b)
	}
	if _, body = page(t, e, strings.SplitN(first, "?", 2)[0]+"?lang=en"); !strings.Contains(body, "It is your turn: please go to desk 1.") {
		t.Errorf("the called ticket's page:\n%s", body)
	}
	if _, body = page(t, e, second); !strings.Contains(body, "You are next.") {
		t.Errorf("the second ticket's page after the call:\n%s", body)
	}
	if _, body = page(t, e, "/b/test/display?lang=en"); !strings.Contains(body, `data-testid="called-number">1<`) {
		t.Errorf("the display does not show the called number:\n%s", body)
	}
	// Tokens that open nothing are one 404.
	if code, _ := page(t, e, "/q/"+strings.Repeat("a", 26)+".zz.AAAAAAAAAAAAAAAAAAAAAA"); code != 404 {
		t.Errorf("a forged ticket link: %d", code)
	}
	// The kiosk: a ticket on screen, then check-in with its code.
	code, loc := post(t, e, "/kiosk/test/ticket", url.Values{"service": {"claim"}, "lang": {"ar"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/kiosk/test/t/") {
		t.Fatalf("kiosk ticket: %d %q", code, loc)
	}
	_, body = page(t, e, loc)
	m := regexp.MustCompile(`data-testid="code">(\d{5})<`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, `url=/kiosk/test?lang=ar`) {
		t.Fatalf("kiosk ticket page has no code, or no way home:\n%s", body)
	}
	resp, err := noRedirect.PostForm(e.http.URL+"/kiosk/test/checkin", url.Values{"code": {m[1]}, "lang": {"en"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "you are checked in") {
		t.Errorf("check-in: %d\n%s", resp.StatusCode, b)
	}
	if n := e.count(`SELECT COUNT(*) FROM queue_tickets WHERE checked_in_at IS NOT NULL`); n != 1 {
		t.Errorf("%d tickets checked in, want 1", n)
	}
}

func TestBookAndCancelAnAppointmentOnTheWeb(t *testing.T) {
	e, id, _ := branchEnv(t)
	_, body := page(t, e, "/b/test/book?lang=ru&service=claim")
	m := regexp.MustCompile(`name="slot" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Запись на приём") {
		t.Fatalf("booking page has no slot:\n%s", body)
	}
	code, loc := post(t, e, "/b/test/book", url.Values{"service": {"claim"}, "slot": {m[1]}, "name": {"Ольга"}, "phone": {"0529876543"}, "lang": {"ru"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/a/") {
		t.Fatalf("book: %d %q", code, loc)
	}
	// The same slot again: the second desk; then the third time it is taken.
	if code, _ := post(t, e, "/b/test/book", url.Values{"service": {"claim"}, "slot": {m[1]}, "name": {"B"}}); code != http.StatusSeeOther {
		t.Errorf("second booking of a two-desk slot: %d", code)
	}
	if code, _ := post(t, e, "/b/test/book", url.Values{"service": {"claim"}, "slot": {m[1]}, "name": {"C"}}); code != http.StatusConflict {
		t.Errorf("third booking of a two-desk slot: %d, want 409", code)
	}
	if _, body = page(t, e, loc); !strings.Contains(body, "Вы записаны.") {
		t.Fatalf("appointment page:\n%s", body)
	}
	if code, _ := post(t, e, strings.SplitN(loc, "?", 2)[0]+"/cancel", url.Values{"lang": {"ru"}}); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", code)
	}
	if _, body = page(t, e, loc); !strings.Contains(body, "Запись отменена.") {
		t.Errorf("cancelled appointment page:\n%s", body)
	}
	if code, b := e.call(auth.RoleAgent, "GET", "/api/v1/branches/"+id+"/appointments?day=2026-11-22", nil); code != 200 {
		t.Errorf("appointments: %d %v", code, b)
	}
	if code, b := e.call(auth.RoleSupervisor, "GET", "/api/v1/branches/"+id+"/figures", nil); code != 200 {
		t.Errorf("figures: %d %v", code, b)
	}
}
