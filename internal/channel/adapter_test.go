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
