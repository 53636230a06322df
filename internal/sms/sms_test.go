package sms

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func TestCount(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	shin := func(n int) string { return strings.Repeat("ש", n) }
	tests := []struct {
		name string
		text string
		want Info
	}{
		{"empty", "", Info{GSM7, 0, 0, 160, 160}},
		{"English", "Hi Dana, your order #4521 has shipped and should arrive by Thursday.", Info{GSM7, 68, 1, 160, 92}},
		{"Hebrew", "שלום! ההזמנה שלך נשלחה היום ותגיע תוך 3 ימי עסקים.", Info{UCS2, 50, 1, 70, 20}},
		{"Arabic", "مرحبا، طلبك في الطريق وسيصل خلال ثلاثة أيام.", Info{UCS2, 44, 1, 70, 26}},
		{"Russian", "Здравствуйте! Ваш заказ отправлен и прибудет через 3 дня.", Info{UCS2, 57, 1, 70, 13}},
		{"one Hebrew letter makes all of it UCS-2", a(100) + "א", Info{UCS2, 101, 2, 67, 33}},
		{"emoji is a surrogate pair", "Thanks 👍", Info{UCS2, 9, 1, 70, 61}},
		{"curly apostrophe is not GSM-7", "It’s here", Info{UCS2, 9, 1, 70, 61}},
		{"Greek capitals and accents of the basic set", "ΔΦΓΛΩ Ça coûte", Info{UCS2, 14, 1, 70, 56}}, // û is not GSM-7
		{"basic set letters", "ΔΦΓΛΩ Ça va, Søren? Ñoño à Zürich §1 ¿¡", Info{GSM7, 39, 1, 160, 121}},
		{"extension characters count 2", "Total: €25 [x] {y} ~z^ |\\", Info{GSM7, 34, 1, 160, 126}},
		{"form feed is an extension character", "a\fb", Info{GSM7, 4, 1, 160, 156}},
		{"newlines are basic", "a\r\nb", Info{GSM7, 4, 1, 160, 156}},

		{"GSM-7 160", a(160), Info{GSM7, 160, 1, 160, 0}},
		{"GSM-7 161", a(161), Info{GSM7, 161, 2, 153, 145}},
		{"GSM-7 306", a(306), Info{GSM7, 306, 2, 153, 0}},
		{"GSM-7 307", a(307), Info{GSM7, 307, 3, 153, 152}},
		{"UCS-2 70", shin(70), Info{UCS2, 70, 1, 70, 0}},
		{"UCS-2 71", shin(71), Info{UCS2, 71, 2, 67, 63}},
		{"UCS-2 134", shin(134), Info{UCS2, 134, 2, 67, 0}},
		{"UCS-2 135", shin(135), Info{UCS2, 135, 3, 67, 66}},

		{"extension char ends a single message exactly", a(158) + "€", Info{GSM7, 160, 1, 160, 0}},
		{"extension char tips it into two", a(159) + "€", Info{GSM7, 161, 2, 153, 145}},
		// 152 units fill segment 1 but for one septet; the escape sequence is not split, so
		// the € opens segment 2, and the last "a" needs a third.
		{"extension char at a segment boundary moves whole", a(152) + "€" + a(152), Info{GSM7, 306, 3, 153, 152}},
		{"extension char just fitting a boundary", a(151) + "€" + a(153), Info{GSM7, 306, 2, 153, 0}},
		{"emoji at a segment boundary moves whole", shin(66) + "😀" + shin(66), Info{UCS2, 134, 3, 67, 66}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.text); got != tt.want {
				t.Errorf("Count(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

// TestBasicTable guards the alphabet against an edit that drops or duplicates a character:
// GSM 03.38 has 128 positions, one of which is the escape.
func TestBasicTable(t *testing.T) {
	seen := map[rune]bool{}
	for _, r := range gsm7BasicChars {
		if seen[r] {
			t.Errorf("%q twice in the basic table", r)
		}
		seen[r] = true
	}
	if got := len(seen); got != 127 {
		t.Errorf("basic table has %d characters, want 127", got)
	}
	for _, r := range gsm7ExtensionChars {
		if seen[r] {
			t.Errorf("%q is in both tables", r)
		}
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", "hello", "שלום", "مرحبا", "Привет", "👍", "€[]", strings.Repeat("a", 152) + "€", strings.Repeat("ש", 66) + "😀", "\xff\xfe", "a\fb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		info := Count(text)
		units := 0
		pairs := false
		for _, r := range text {
			switch {
			case info.Encoding == UCS2 && utf16.RuneLen(r) == 2:
				units += 2
				pairs = true
			case info.Encoding == GSM7 && strings.ContainsRune(gsm7ExtensionChars, r):
				units += 2
				pairs = true
			default:
				units++
			}
		}
		if info.Characters != units {
			t.Fatalf("Characters = %d, want %d", info.Characters, units)
		}
		if text != "" && info.Segments < 1 {
			t.Fatalf("non-empty text has %d segments", info.Segments)
		}
		if info.Remaining < 0 || info.Remaining > info.PerSegment {
			t.Fatalf("Remaining %d outside 0..%d", info.Remaining, info.PerSegment)
		}
		single, multi := SingleGSM7, MultiGSM7
		if info.Encoding == UCS2 {
			single, multi = SingleUCS2, MultiUCS2
		}
		if units <= single {
			if text != "" && info.Segments != 1 {
				t.Fatalf("%d units in %s need 1 segment, got %d", units, info.Encoding, info.Segments)
			}
			return
		}
		least := (units + multi - 1) / multi
		if !pairs && info.Segments != least {
			t.Fatalf("%d units in %s need %d segments, got %d", units, info.Encoding, least, info.Segments)
		}
		// A two-unit character that does not fit wastes one unit of its segment, no more.
		most := (units + multi - 2) / (multi - 1)
		if info.Segments < least || info.Segments > most {
			t.Fatalf("%d units in %s: %d segments, want %d..%d", units, info.Encoding, info.Segments, least, most)
		}
		if info.Segments*multi-info.Remaining < units {
			t.Fatalf("segments hold %d units, fewer than the %d in the text", info.Segments*multi-info.Remaining, units)
		}
	})
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("שלום עולם 👋 ", 120)
	for b.Loop() {
		Count(text)
	}
}
