package conversation

import (
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestLabelQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlLabels": sqlLabels, "sqlLabelByID": sqlLabelByID, "sqlInsertLabel": sqlInsertLabel,
		"sqlAddLabel": sqlAddLabel, "sqlRemoveLabel": sqlRemoveLabel, "sqlLabelsOfConvs": sqlLabelsOfConvs,
	})
}

func TestNormalizeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"VIP":                   "vip",
		"  car   claim ":        "car claim",
		"תביעה דחופה":           "תביעה דחופה",
		"Ärger":                 "ärger",
		strings.Repeat("a", 40): strings.Repeat("a", 40),
	} {
		if got, err := NormalizeLabel(in); err != nil || got != want {
			t.Errorf("NormalizeLabel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "   ", "a\x00b", strings.Repeat("a", 41), "\xff"} {
		if got, err := NormalizeLabel(bad); err == nil {
			t.Errorf("NormalizeLabel(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzNormalizeLabel checks that whatever an agent types, a label is either refused or comes
// out as a fixed point: normalising it again changes nothing.
func FuzzNormalizeLabel(f *testing.F) {
	for _, s := range []string{"VIP", "  car   claim ", "תביעה", "a\tb\nc", "\u200f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeLabel(s)
		if err != nil {
			return
		}
		again, err := NormalizeLabel(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeLabel(%q) = %q, but again %q, %v", s, n, again, err)
		}
	})
}
