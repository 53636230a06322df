package canned_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/canned"
)

func TestRenderFillsVariablesAndReadsWellWhenOneIsMissing(t *testing.T) {
	v := canned.Values{"customer.first_name": "Haim", "customer.name": "Haim Peretz", "agent.first_name": "Dana"}
	for _, c := range []struct{ body, want string }{
		{"Hello {{customer.first_name}}, this is {{agent.first_name}}.", "Hello Haim, this is Dana."},
		{"{{ customer.name }}", "Haim Peretz"},
		{"שלום {{customer.first_name}}, קיבלנו את התביעה.", "שלום Haim, קיבלנו את התביעה."},
		{"no variables at all {single braces}", "no variables at all {single braces}"},
		// A customer without a name: no stray space before the comma.
		{"Hello {{conversation.id}}, thanks", "Hello, thanks"},
		{"Hello {{conversation.id}}\nline two", "Hello\nline two"},
	} {
		got, err := canned.Render(c.body, v)
		if err != nil || got != c.want {
			t.Errorf("Render(%q) = %q, %v; want %q", c.body, got, err, c.want)
		}
	}
}

func TestRenderRefusesWhatItCannotFill(t *testing.T) {
	for _, body := range []string{"Hello {{customer.first_name", "{{customer.password}}", "{{}}", "a {{ {{customer.name}}"} {
		_, err := canned.Render(body, nil)
		var se *canned.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Render(%q): %v; want a SyntaxError", body, err)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"Hello {{customer.first_name}}, x", "{{", "}}{{agent.name}}", "שלום {{ customer.name }}!", "{{{{}}}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v := canned.Values{"customer.first_name": "Haim", "agent.name": "Dana Levi"}
		got, err := canned.Render(body, v)
		if err != nil {
			if canned.Check(body) == nil {
				t.Fatalf("Render failed (%v) where Check accepts %q", err, body)
			}
			return
		}
		if utf8.ValidString(body) && !utf8.ValidString(got) {
			t.Fatalf("valid UTF-8 %q rendered to invalid %q", body, got)
		}
		if !strings.Contains(body, "{{") && got != body {
			t.Fatalf("a body without variables changed: %q → %q", body, got)
		}
	})
}
