package branch

import (
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseCode(t *testing.T) {
	for in, want := range map[string]string{"12345": "12345", " 123-45 ": "12345", "١٢٣٤٥": "12345", "۱۲۳۴۵": "12345"} {
		if got, ok := ParseCode(in); !ok || got != want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1234", "123456", "01234", "12a45", "12345\x00"} {
		if got, ok := ParseCode(in); ok {
			t.Errorf("ParseCode(%q) = %q, want refused", in, got)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"12345", "١٢٣٤٥", " 1-2-3-4-5", "", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCode(s)
		if !ok {
			return
		}
		if len(c) != 5 || c[0] == '0' {
			t.Fatalf("ParseCode(%q) = %q", s, c)
		}
		if again, ok := ParseCode(c); !ok || again != c {
			t.Fatalf("a parsed code does not parse to itself: %q", c)
		}
	})
}

func FuzzParseSlot(f *testing.F) {
	for _, s := range []string{"1796540400", "0", "-1", "17965404001234", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := ParseSlot(s)
		if !ok {
			return
		}
		if tm.Unix() < 1_000_000_000 || tm.Unix() > 1<<36 {
			t.Fatalf("ParseSlot(%q) = %v, out of range", s, tm)
		}
	})
}

func FuzzParseDay(f *testing.F) {
	loc, _ := time.LoadLocation("Asia/Jerusalem")
	for _, s := range []string{"2026-12-07", "2026-02-30", "9999-99-99", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDay(s, loc)
		if ok && d.Format(time.DateOnly) != s {
			t.Fatalf("ParseDay(%q) = %v", s, d)
		}
	})
}

func FuzzCleanField(f *testing.F) {
	for _, s := range []string{"Rivka Cohen", "a\nb\x00c", "\xff\xfe", "רבקה"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanField(s, 50)
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > 50 {
			t.Fatalf("CleanField(%q) = %q", s, out)
		}
		for _, r := range out {
			if r == '\n' || r == '\r' || r == 0 {
				t.Fatalf("CleanField(%q) kept a control character: %q", s, out)
			}
		}
	})
}
