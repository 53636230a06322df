package channel_test

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
)

// One line between traditional and digital, for routing's hybrid reserve, the segments'
// adoption share and the dashboards' digital share: the phone and the branch are traditional,
// text messages and email are digital like the rest.
func TestTraditional(t *testing.T) {
	for kind, want := range map[channel.Kind]bool{
		"voice": true, "branch": true,
		"sms": false, "email": false, "whatsapp": false, "telegram": false, "webchat": false, "api": false, channel.WebLinkKind: false, "": false,
	} {
		if got := channel.Traditional(kind); got != want {
			t.Errorf("Traditional(%q) = %v, want %v", kind, got, want)
		}
	}
}

// A button's data reads back as the press it is; data Gesher did not write (another tool's
// ids, a number out of range, a key with the separator in it) is no press of its questions.
func TestButtonDataReadsBack(t *testing.T) {
	for _, key := range []string{"", "step-3f9c0e1a2b4d", "ask-0a1b2c"} {
		for _, n := range []int{1, 7, 99} {
			if p := channel.ReadButton(channel.ButtonData(key, n)); p.Key != key || p.N != n {
				t.Errorf("ButtonData(%q, %d) reads back as %+v", key, n, p)
			}
		}
	}
	for _, data := range []string{"", "cancel-button", "0", "100", "07", "step:1:2", "a b:1", "step-1:", ":1x", "-1"} {
		if p := channel.ReadButton(data); p != (channel.Press{}) {
			t.Errorf("ReadButton(%q) = %+v; want no press", data, p)
		}
	}
}
