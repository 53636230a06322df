package helpcenter_test

import (
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/helpcenter"
)

// An author's simple-language version comes out of the body whole, and the article without it.
func TestSplitSimple(t *testing.T) {
	for name, c := range map[string]struct{ body, full, simple string }{
		"none":          {"How to file a claim.\n\nCall us.", "How to file a claim.\n\nCall us.", ""},
		"to the end":    {"Full text.\n\n::: simple\nShort words.\nCall us.", "Full text.", "Short words.\nCall us."},
		"closed":        {"Intro.\n::: simple\nEasy.\n:::\nMore full text.", "Intro.\nMore full text.", "Easy."},
		"spaces around": {"A.\n  ::: simple  \nB.", "A.", "B."},
		"marker inline": {"Write ::: simple on a line of its own.", "Write ::: simple on a line of its own.", ""},
		"empty version": {"A.\n::: simple\n:::", "A.", ""},
	} {
		full, simple := helpcenter.SplitSimple(c.body)
		if full != c.full || simple != c.simple {
			t.Errorf("%s: (%q, %q), want (%q, %q)", name, full, simple, c.full, c.simple)
		}
	}
}

func FuzzSplitSimple(f *testing.F) {
	f.Add("Full.\n::: simple\nEasy.\n:::\nMore.")
	f.Add("::: simple")
	f.Add(":::\n::: simple\n:::\n:::")
	f.Fuzz(func(t *testing.T, body string) {
		full, simple := helpcenter.SplitSimple(body)
		if !strings.Contains(body, helpcenter.SimpleMarker) && (full != body || simple != "") {
			t.Fatalf("a body without the marker changed: %q → (%q, %q)", body, full, simple)
		}
		if len(full)+len(simple) > len(body) {
			t.Fatalf("split made text: %q → (%q, %q)", body, full, simple)
		}
		if strings.Contains(simple, "\n:::\n") {
			t.Fatalf("the simple version ran past its end: %q", simple)
		}
	})
}
