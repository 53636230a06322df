package customer

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	ok := []struct{ in, want string }{
		// The same mobile number the ways people and providers write it.
		{"050-123-4567", "+972501234567"},
		{"0501234567", "+972501234567"},
		{"+972 50-123-4567", "+972501234567"},
		{"972501234567", "+972501234567"},
		{"00972501234567", "+972501234567"},
		{"+972501234567", "+972501234567"},
		{"  050 123 4567  ", "+972501234567"},
		{"(050) 123-4567", "+972501234567"},
		{"+972 (0)50-123-4567", "+972501234567"},
		{"+9720501234567", "+972501234567"},
		{"972-50-1234567", "+972501234567"},
		{"050.123.4567", "+972501234567"},
		// Every mobile operator prefix.
		{"052-7654321", "+972527654321"},
		{"053 765 4321", "+972537654321"},
		{"054-7654321", "+972547654321"},
		{"(055) 765-4321", "+972557654321"},
		{"058-765-4321", "+972587654321"},
		{"+972-54-765-4321", "+972547654321"},
		{"00972 52 765 4321", "+972527654321"},
		// Landlines: Jerusalem, Tel Aviv, Haifa, the south, the Sharon.
		{"02-6234567", "+97226234567"},
		{"03-1234567", "+97231234567"},
		{"(03) 123-4567", "+97231234567"},
		{"04 8123456", "+97248123456"},
		{"08-9123456", "+97289123456"},
		{"09-7654321", "+97297654321"},
		{"+972 3 123 4567", "+97231234567"},
		{"972-3-1234567", "+97231234567"},
		{"0097231234567", "+97231234567"},
		// VoIP and service numbers.
		{"077-1234567", "+972771234567"},
		{"1-700-123-456", "+9721700123456"},
		// Other countries, written with + or an international prefix.
		{"+1 415 555 2671", "+14155552671"},
		{"+1 (415) 555-2671", "+14155552671"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0044 20 7946 0958", "+442079460958"},
		{"+7 916 123-45-67", "+79161234567"},
		{"+251 91 123 4567", "+251911234567"},
		{"+33 6 12 34 56 78", "+33612345678"},
	}
	for _, c := range ok {
		got, err := Normalize(Phone, c.in)
		if err != nil {
			t.Errorf("Normalize(phone, %q): got error %v, want %s", c.in, err, c.want)
			continue
		}
		if got != c.want {
			t.Errorf("Normalize(phone, %q) = %s, want %s", c.in, got, c.want)
		}
	}
	bad := []string{
		"", "   ", "12345", "911", "*2700", "0", "00", "+", "+12", "hello", "050-123",
		"0000000000", "+999 1234567", "+1 111 555 2671", "+1234567890123456",
		"050-123-4567-890-123", strings.Repeat("5", 100), "dana@example.com",
	}
	for _, in := range bad {
		got, err := Normalize(Phone, in)
		var inv *InvalidIdentityError
		if !errors.As(err, &inv) {
			t.Errorf("Normalize(phone, %q) = %q, %v; want *InvalidIdentityError", in, got, err)
			continue
		}
		if inv.Kind != Phone {
			t.Errorf("Normalize(phone, %q): error kind %q, want phone", in, inv.Kind)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	ok := []struct{ in, want string }{
		{"dana@example.com", "dana@example.com"},
		{"  Dana.Levi@Example.CO.IL ", "dana.levi@example.co.il"},
		{"Dana <DANA@Example.com>", "dana@example.com"},
		{`"Levi, Dana" <dana+claims@mail.example.org>`, "dana+claims@mail.example.org"},
		{"<moshe@example.com>", "moshe@example.com"},
		{"=?UTF-8?B?15PXoNeU?= <dana@example.com>", "dana@example.com"},
		{"דנה <dana@example.com>", "dana@example.com"},
	}
	for _, c := range ok {
		got, err := Normalize(Email, c.in)
		if err != nil {
			t.Errorf("Normalize(email, %q): got error %v, want %s", c.in, err, c.want)
			continue
		}
		if got != c.want {
			t.Errorf("Normalize(email, %q) = %s, want %s", c.in, got, c.want)
		}
	}
	bad := []string{
		"", "dana", "dana@", "@example.com", "dana@localhost", "dana@example.", "dana@.example.com",
		"dana@example..com", "dana@@example.com", `"a b"@example.com`, `"a@b"@example.com`,
		"dana@example.com, moshe@example.com", "dana example.com", strings.Repeat("a", 300) + "@example.com",
	}
	for _, in := range bad {
		if got, err := Normalize(Email, in); err == nil {
			t.Errorf("Normalize(email, %q) = %q, want an error", in, got)
		}
	}
}

func TestNormalizeOtherKinds(t *testing.T) {
	ok := []struct {
		kind    IdentityKind
		in, out string
	}{
		{WhatsApp, "972501234567", "972501234567"},
		{WhatsApp, "+972 50-123-4567", "972501234567"},
		{WhatsApp, "050-123-4567", "972501234567"},
		{WhatsApp, "14155552671", "14155552671"},
		{Telegram, "123456789", "123456789"},
		{Telegram, " 0042 ", "42"},
		{Visitor, "v_abc-DEF-123", "v_abc-DEF-123"},
		{Visitor, strings.Repeat("x", 128), strings.Repeat("x", 128)},
		{External, "  CRM-00017 ", "CRM-00017"},
		{External, "לקוח 17", "לקוח 17"},
	}
	for _, c := range ok {
		got, err := Normalize(c.kind, c.in)
		if err != nil || got != c.out {
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q", c.kind, c.in, got, err, c.out)
		}
	}
	bad := []struct {
		kind IdentityKind
		in   string
	}{
		{WhatsApp, "1234"}, {WhatsApp, "97250123456789012"}, {WhatsApp, "9725O1234567"}, {WhatsApp, "0123"},
		{Telegram, "-5"}, {Telegram, "0"}, {Telegram, "12ab"}, {Telegram, "99999999999999999999"},
		{Visitor, "short"}, {Visitor, strings.Repeat("x", 129)}, {Visitor, "has space in it"}, {Visitor, "ünicode-token"},
		{External, "   "}, {External, strings.Repeat("x", 201)}, {External, "a\x00b"}, {External, "\xff\xfe"},
		{"fax", "+97231234567"}, {"", "x"},
	}
	for _, c := range bad {
		if got, err := Normalize(c.kind, c.in); err == nil {
			t.Errorf("Normalize(%s, %q) = %q, want an error", c.kind, c.in, got)
		}
	}
}

func TestParseIdentity(t *testing.T) {
	cases := []struct {
		in    string
		kind  IdentityKind
		value string
	}{
		{"phone:+972501234567", Phone, "+972501234567"},
		{"phone:050-123-4567", Phone, "+972501234567"},
		{"Phone: 03-1234567", Phone, "+97231234567"},
		{"email:Dana@Example.com", Email, "dana@example.com"},
		{"whatsapp:972501234567", WhatsApp, "972501234567"},
		{"telegram:42", Telegram, "42"},
		{"external:crm:17", External, "crm:17"},
	}
	for _, c := range cases {
		k, v, err := ParseIdentity(c.in)
		if err != nil || k != c.kind || v != c.value {
			t.Errorf("ParseIdentity(%q) = %s, %q, %v; want %s, %q", c.in, k, v, err, c.kind, c.value)
		}
	}
	for _, in := range []string{"", "+972501234567", "fax:+97231234567", "phone:", "phone:123", "email:nope"} {
		var inv *InvalidIdentityError
		if k, v, err := ParseIdentity(in); !errors.As(err, &inv) {
			t.Errorf("ParseIdentity(%q) = %s, %q, %v; want *InvalidIdentityError", in, k, v, err)
		}
	}
}

// checkFixedPoint is the property every normaliser must have: what it returns, it returns
// unchanged, or one person could be stored under two values.
func checkFixedPoint(t *testing.T, kind IdentityKind, raw string) {
	out, err := Normalize(kind, raw)
	if err != nil {
		var inv *InvalidIdentityError
		if !errors.As(err, &inv) {
			t.Fatalf("Normalize(%s, %q): error %T %v, want *InvalidIdentityError", kind, raw, err, err)
		}
		return
	}
	again, err := Normalize(kind, out)
	if err != nil || again != out {
		t.Fatalf("Normalize(%s, %q) = %q, but Normalize(%s, %q) = %q, %v", kind, raw, out, kind, out, again, err)
	}
}

func fuzzKind(f *testing.F, kind IdentityKind, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) { checkFixedPoint(t, kind, raw) })
}

var phoneSeeds = []string{"050-123-4567", "+972 50-123-4567", "00972501234567", "03-1234567", "+1 415 555 2671",
	"+44 20 7946 0958 ext. 12", "1-800-FLOWERS", "+972 (0)50-123-4567", "٠٥٠١٢٣٤٥٦٧", "*2700", ""}

func FuzzNormalizePhone(f *testing.F) { fuzzKind(f, Phone, phoneSeeds...) }

func FuzzNormalizeEmail(f *testing.F) {
	fuzzKind(f, Email, "Dana <DANA@Example.com>", `"quoted"@example.com`, "a@b.c", "(comment) x@y.z",
		"=?UTF-8?B?15PXoNeU?= <dana@example.com>", "İ@example.com", "dana@[127.0.0.1]")
}

func FuzzNormalizeWhatsApp(f *testing.F) {
	fuzzKind(f, WhatsApp, "972501234567", "+972 50-123-4567", "050-123-4567", "0097231234567", "1234")
}

func FuzzNormalizeTelegram(f *testing.F) { fuzzKind(f, Telegram, "123456789", "+42", "-1", "0007") }

func FuzzNormalizeVisitor(f *testing.F) { fuzzKind(f, Visitor, "v_abc-DEF-123", " token123 ", "short") }

func FuzzNormalizeExternal(f *testing.F) {
	fuzzKind(f, External, "CRM-17", " \u00a0x\u00a0 ", "a\x00b", "לקוח")
}

func FuzzParseIdentity(f *testing.F) {
	for _, s := range []string{"phone:+972501234567", "email:a@b.c", "whatsapp:972501234567", "telegram:1",
		"visitor:abcdefgh", "external:x", "phone", ":", "fax:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, value, err := ParseIdentity(s)
		if err != nil {
			var inv *InvalidIdentityError
			if !errors.As(err, &inv) {
				t.Fatalf("ParseIdentity(%q): error %T %v, want *InvalidIdentityError", s, err, err)
			}
			return
		}
		if again, err := Normalize(kind, value); err != nil || again != value {
			t.Fatalf("ParseIdentity(%q) = %s, %q, but Normalize gives %q, %v", s, kind, value, again, err)
		}
	})
}

func BenchmarkNormalizePhone(b *testing.B) {
	for b.Loop() {
		for _, s := range []string{"050-123-4567", "+972 3 123 4567", "+1 415 555 2671"} {
			if _, err := Normalize(Phone, s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
