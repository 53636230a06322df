package selfservice_test

import (
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

// A pending sign-in comes back from the browser's cookie: whatever it holds, SplitPending
// never panics, and what it accepts is a customer id and a token of the tracker's shape.
func FuzzSplitPending(f *testing.F) {
	for _, s := range []string{
		"01jd8x3k4m5n6p7q8r9s0t1v2w.01jd8x3k4m5n6p7q8r9s0t1v2x.sq0wr4.AAAAAAAAAAAAAAAAAAAAAA",
		"", ".", "..", "x.y.z", "01jd8x3k4m5n6p7q8r9s0t1v2w.", strings.Repeat("a", 300), "01JD8X3K4M5N6P7Q8R9S0T1V2W.a.b.c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cust, tok, ok := selfservice.SplitPending(s)
		if !ok {
			if cust != "" || tok != "" {
				t.Fatalf("refused %q but returned %q, %q", s, cust, tok)
			}
			return
		}
		if len(cust) != 26 || cust+"."+tok != s {
			t.Fatalf("accepted %q as %q + %q", s, cust, tok)
		}
		if _, _, _, ok := selfservice.ParseToken(tok); !ok {
			t.Fatalf("accepted a token ParseToken refuses: %q", tok)
		}
	})
}

func TestSplitPendingRefusesOtherShapes(t *testing.T) {
	for _, s := range []string{"", "abc", "01jd8x3k4m5n6p7q8r9s0t1v2w", "01jd8x3k4m5n6p7q8r9s0t1v2w.not-a-token", "01JD8X3K4M5N6P7Q8R9S0T1V2W.01jd8x3k4m5n6p7q8r9s0t1v2x.sq0wr4.AAAAAAAAAAAAAAAAAAAAAA"} {
		if _, _, ok := selfservice.SplitPending(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}
