package ivr_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/ivr"
)

var node = ivr.Node{ID: "main", Options: []ivr.Option{
	{Digit: "1", Label: map[string]string{"he": "מצב תביעה", "ru": "Статус заявления", "en": "Claim status"}, Words: map[string][]string{"he": {"סטטוס", "מצב"}, "ru": {"статус"}}},
	{Digit: "2", Label: map[string]string{"he": "תביעה חדשה", "ru": "Новое заявление", "en": "New claim"}, Words: map[string][]string{"he": {"תביעה"}}},
	{Digit: "3", Label: map[string]string{"he": "נציג", "ru": "Сотрудник", "en": "Agent"}, Words: map[string][]string{"ru": {"оператор"}, "en": {"person"}}},
}}

func TestMatchFindsTheOptionPressedOrSaid(t *testing.T) {
	cases := []struct {
		lang   string
		in     ivr.Input
		digit  string
		via    string
		chosen bool
	}{
		{"he", ivr.Input{Digits: "2"}, "2", ivr.ViaDTMF, true},
		{"he", ivr.Input{Digits: "2#", Speech: "נציג"}, "2", ivr.ViaDTMF, true}, // a key wins over speech
		{"he", ivr.Input{Digits: "9"}, "", ivr.ViaDTMF, false},
		{"he", ivr.Input{Speech: "אני רוצה לדעת מה מַצָּב התביעה שלי"}, "1", ivr.ViaSpeech, true}, // points ignored
		{"he", ivr.Input{Speech: "תביעה חדשה בבקשה"}, "2", ivr.ViaSpeech, true},                   // the longer phrase wins
		{"he", ivr.Input{Speech: "שלוש"}, "3", ivr.ViaSpeech, true},                               // the number said
		{"ru", ivr.Input{Speech: "Соедините с ОПЕРАТОРОМ"}, "", ivr.ViaSpeech, false},             // inflected: no match
		{"ru", ivr.Input{Speech: "соедините, пожалуйста, оператор!"}, "3", ivr.ViaSpeech, true},
		{"ru", ivr.Input{Speech: "Статус заявления"}, "1", ivr.ViaSpeech, true},
		{"en", ivr.Input{Speech: "a real person please"}, "3", ivr.ViaSpeech, true},
		{"en", ivr.Input{Speech: "personal"}, "", ivr.ViaSpeech, false}, // whole words only
		{"en", ivr.Input{}, "", "", false},
	}
	for _, c := range cases {
		o, via, ok := ivr.Match(node, c.lang, c.in)
		if ok != c.chosen || via != c.via || (ok && o.Digit != c.digit) {
			t.Errorf("%s %+v: option %q via %q ok %v; want %q via %q ok %v", c.lang, c.in, o.Digit, via, ok, c.digit, c.via, c.chosen)
		}
	}
}

func TestMatchLanguageByKeyOrName(t *testing.T) {
	ls := []string{"he", "ar", "ru", "en"}
	for in, want := range map[ivr.Input]string{
		{Digits: "3"}: "ru", {Digits: "1"}: "he", {Speech: "русский"}: "ru", {Speech: "بالعربي عربي"}: "ar", {Speech: "English please"}: "en",
	} {
		if got, ok := ivr.MatchLanguage(ls, in); !ok || got != want {
			t.Errorf("%+v: %q %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []ivr.Input{{Digits: "5"}, {Digits: "0"}, {Speech: "français"}, {}} {
		if got, ok := ivr.MatchLanguage(ls, in); ok {
			t.Errorf("%+v chose %q; want no language", in, got)
		}
	}
}

// Whatever a recognizer or a keypad sends, matching neither panics nor invents a choice: a
// key match is the key pressed, a speech match is a phrase the caller's words contain.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "1", "2#", "מַצָּב", "оператор", "\xff\xfe", "  ", "תביעה חדשה", "ـــ", "0000000000"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, digits, speech string) {
		for _, lang := range []string{"he", "ru", "en", "ar"} {
			o, via, ok := ivr.Match(node, lang, ivr.Input{Digits: digits, Speech: speech})
			if !ok {
				continue
			}
			if via == ivr.ViaDTMF && !strings.HasPrefix(strings.TrimSpace(digits), o.Digit) {
				t.Fatalf("key match %q for digits %q", o.Digit, digits)
			}
			if via == ivr.ViaSpeech && ivr.Normalize(speech) == "" {
				t.Fatalf("speech match %q for nothing said (%q)", o.Digit, speech)
			}
		}
		if n := ivr.Normalize(speech); !utf8.ValidString(n) || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q", speech, n)
		}
		ivr.MatchLanguage([]string{"he", "ar", "ru", "en"}, ivr.Input{Digits: digits, Speech: speech})
	})
}

// A visual-menu token is parsed strictly: no shape but the one Token writes passes.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"", "01jd8x2m3n4p5q6r7s8t9v0w1x.t5z2k0.AAAAAAAAAAAAAAAAAAAAAA", "a.b.c", "..", strings.Repeat("a", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		id, exp, sig, ok := ivr.ParseToken(tok)
		if !ok {
			return
		}
		if len(id) != 26 || exp == "" || len(sig) != 16 || id+"."+exp+"." != tok[:len(id)+len(exp)+2] {
			t.Fatalf("ParseToken(%q) = %q %q %x", tok, id, exp, sig)
		}
	})
}

func FuzzParsePlace(f *testing.F) {
	for _, s := range []string{"32.08,34.78", "", ",", "NaN,1", "91,0", "1e400,2", " 32.1 , 34.9 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ivr.ParsePlace(s)
		if ok && (p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 || p.Lat != p.Lat) {
			t.Fatalf("ParsePlace(%q) = %+v", s, p)
		}
	})
}

func TestNearestCity(t *testing.T) {
	bs := []ivr.Branch{{City: "Tel Aviv"}, {City: "Haifa"}, {City: "Beersheba"}, {City: "Nowhere-on-the-map"}}
	for p, want := range map[ivr.Place]string{{32.79, 35.0}: "Haifa", {31.25, 34.8}: "Beersheba", {32.07, 34.77}: "Tel Aviv", {29.55, 34.95}: "Beersheba"} {
		if got, ok := ivr.NearestCity(bs, p); !ok || got != want {
			t.Errorf("near %+v: %q; want %q", p, got, want)
		}
	}
}
