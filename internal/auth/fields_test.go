package auth

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"dana@example.com", "dana@example.com"},
		{"  Dana.Levi@Example.COM\n", "dana.levi@example.com"},
		{"ops+alerts@gesher.local", "ops+alerts@gesher.local"},
		{"admin@localhost", "admin@localhost"},
		{"ДАНА@пример.рф", "дана@пример.рф"},
		{"", ""},
		{"   ", ""},
		{"dana", ""},
		{"@example.com", ""},
		{"dana@", ""},
		{"dana@@example.com", ""},
		{"da@na@example.com", ""},
		{"dana levi@example.com", ""},
		{"Dana <dana@example.com>", ""},
		{".dana@example.com", ""},
		{"dana.@example.com", ""},
		{"da..na@example.com", ""},
		{"dana@example..com", ""},
		{"dana@.example.com", ""},
		{"dana@example.com.", ""},
		{"dana@exa\x00mple.com", ""},
		{"dana,dan@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 253), ""},
	} {
		got, err := NormalizeEmail(c.in)
		if c.want == "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "email" {
				t.Errorf("NormalizeEmail(%q): got %q, %v; want a ValidationError on email", c.in, got, err)
			}
			continue
		}
		if got != c.want || err != nil {
			t.Errorf("NormalizeEmail(%q): got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"dana@example.com", " Dana@Example.COM ", "a@b", "@", "a@@b", "ДАНА@пример.рф", "\xff@x", "a.@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := NormalizeEmail(e)
		if err != nil || again != e {
			t.Fatalf("NormalizeEmail(%q) = %q, but normalising that gives %q, %v; want it unchanged", s, e, again, err)
		}
		if strings.Count(e, "@") != 1 || e != strings.TrimSpace(e) {
			t.Fatalf("NormalizeEmail(%q) = %q: want one @ and no surrounding space", s, e)
		}
	})
}

func TestNormalizeLanguages(t *testing.T) {
	got, err := normalizeLanguages([]string{" he ", "pt-br", "EN", "iw", "", "en"})
	if err != nil {
		t.Fatal(err)
	}
	// Canonical case, deprecated "iw" becomes "he", duplicates and blanks dropped, order kept.
	if want := []string{"he", "pt-BR", "en"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"english", "en,he", "12", "e"} {
		if _, err := normalizeLanguages([]string{bad}); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}
