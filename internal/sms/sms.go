package sms

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The encodings a text can travel in.
const (
	GSM7 = "GSM-7" // the GSM 03.38 default alphabet, 7 bits per character
	UCS2 = "UCS-2" // 16 bits per UTF-16 code unit, for everything else
)

// Capacities, in encoding units. A concatenated message spends part of each segment on the
// user data header that tells the phone how to reassemble it (6 octets: 7 septets or 3 UTF-16
// units), which is why a long text gets 153 or 67 units per segment rather than 160 or 70.
const (
	SingleGSM7 = 160
	MultiGSM7  = 153
	SingleUCS2 = 70
	MultiUCS2  = 67
)

// Info describes how a text would be sent.
type Info struct {
	Encoding string `json:"encoding"` // GSM7 or UCS2
	// Characters is the length in the encoding's units: a GSM-7 extension character counts 2
	// (it is sent as an escape and a character), a UCS-2 character outside the Basic
	// Multilingual Plane (most emoji) counts 2 (a surrogate pair).
	Characters int `json:"characters"`
	Segments   int `json:"segments"`    // messages the carrier delivers and bills; 0 for empty text
	PerSegment int `json:"per_segment"` // units one segment holds for this text: 160/153 or 70/67
	Remaining  int `json:"remaining"`   // units still free in the last segment before another starts
}

// Count returns how text would be sent as SMS.
//
// Segments are filled the way Twilio's published segment calculator fills them: a character
// that takes two units is never split between two segments (a GSM-7 escape sequence, or a
// UTF-16 surrogate pair), so it moves whole to the next segment and leaves one unit unused.
// A text therefore sometimes needs one segment more than Characters/PerSegment suggests.
func Count(text string) Info {
	info := Info{Encoding: GSM7, PerSegment: SingleGSM7}
	if !isGSM7(text) {
		info.Encoding, info.PerSegment = UCS2, SingleUCS2
	}
	multi := MultiGSM7
	if info.Encoding == UCS2 {
		multi = MultiUCS2
	}
	for _, r := range text {
		info.Characters += units(info.Encoding, r)
	}
	if info.Characters == 0 {
		info.Remaining = info.PerSegment
		return info
	}
	if info.Characters <= info.PerSegment {
		info.Segments, info.Remaining = 1, info.PerSegment-info.Characters
		return info
	}
	// Concatenated: pack characters greedily into segments of multi units.
	info.PerSegment = multi
	info.Segments = 1
	used := 0
	for _, r := range text {
		n := units(info.Encoding, r)
		if used+n > multi {
			info.Segments++
			used = 0
		}
		used += n
	}
	info.Remaining = multi - used
	return info
}

// units is how many units r takes in enc.
func units(enc string, r rune) int {
	if enc == UCS2 {
		if utf16.RuneLen(r) == 2 {
			return 2
		}
		return 1 // an invalid byte became U+FFFD, which is one unit
	}
	if isExtension(r) {
		return 2
	}
	return 1
}

func isGSM7(text string) bool {
	for _, r := range text {
		if !isBasic(r) && !isExtension(r) {
			return false
		}
	}
	return true
}

// gsm7BasicChars is the GSM 03.38 default alphabet in table order, 0x00 to 0x7F, with the
// escape (0x1B) left out: it only introduces the extension table.
const gsm7BasicChars = "@£$¥èéùìòÇ\nØø\rÅå" +
	"Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ" +
	" !\"#¤%&'()*+,-./" +
	"0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNO" +
	"PQRSTUVWXYZÄÖÑÜ§" +
	"¿abcdefghijklmno" +
	"pqrstuvwxyzäöñüà"

// gsm7ExtensionChars is the GSM 03.38 extension table: each is sent as ESC and one character,
// so it counts two units. Form feed is the page break.
const gsm7ExtensionChars = "\f^{}\\[~]|€"

// The tables are short, so a linear scan of a constant string is as fast as a map here and
// leaves no mutable package state.
func isBasic(r rune) bool { return r != utf8.RuneError && strings.ContainsRune(gsm7BasicChars, r) }
func isExtension(r rune) bool {
	return r != utf8.RuneError && strings.ContainsRune(gsm7ExtensionChars, r)
}
