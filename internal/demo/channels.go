package demo

import "github.com/gesher-cs/gesher/internal/channel"

// The demo's channels besides the API channel, with the fixed credentials docs/demo.md lists.
// Each provider's adapter adds its channel here; seeding writes each with these settings.
var demoChannels = []channel.Channel{
	{Name: "demo-sms", Kind: "sms", Secret: "demo-twilio-token", Enabled: true, Settings: map[string]string{
		"description": "SMS through Twilio: the insurer's number +972 3-555-0199",
		"account_sid": "ACdemo00000000000000000000000000", "from": "+97235550199",
	}},
}
