package demo

import "github.com/gesher-cs/gesher/internal/channel"

// The demo's channels besides the API channel, with the fixed credentials docs/demo.md lists.
// Each provider's adapter adds its channel here; seeding writes each with these settings.
var demoChannels = []channel.Channel{
	{Name: "demo-sms", Kind: "sms", Secret: "demo-twilio-token", Enabled: true, Settings: map[string]string{
		"description": "SMS through Twilio: the insurer's number +972 3-555-0199",
		"account_sid": "ACdemo00000000000000000000000000", "from": "+97235550199",
		// Nowhere: the demo's credentials are not an account, and a demo never calls a provider
		// unless someone configures a real one.
		"api_base": "http://127.0.0.1:9",
	}},
	{Name: "demo-voice", Kind: "voice", Secret: "demo-twilio-token", Enabled: true, Settings: map[string]string{
		"description": "The contact centre's number through Twilio Voice: a call joins the caller's conversation and is answered by the menu \"main\" (he, ar, ru, en); the visual menu goes by demo-sms",
		"account_sid": "ACdemo00000000000000000000000000", "language": "he-IL", "menu": "main", "sms_channel": "demo-sms", "api_base": "http://127.0.0.1:9",
		"greeting": "שלום, הגעתם לגשר ביטוח. נציג יענה לכם בקרוב.",
	}},
	{Name: "demo-webchat", Kind: "webchat", Secret: "demo-webchat-secret", Enabled: true, Settings: map[string]string{
		"description":     "Web chat on the insurer's site (/demo/site): the widget embedded with one script tag",
		"allowed_origins": "*",
		"bot":             "on", // the help bot answers before an agent joins (internal/bot)
		"title_he":        "ביטוח גשר", "title_en": "Gesher Insurance", "title_ar": "تأمين جِشِر", "title_ru": "Страхование «Гешер»",
		"greeting_he": "שלום! כתבו לנו כאן, ונציג יענה בהקדם.",
		"greeting_en": "Hello! Write to us here and an agent will answer shortly.",
		"greeting_ar": "مرحبًا! اكتب لنا هنا وسيردّ عليك أحد الموظفين قريبًا.",
		"greeting_ru": "Здравствуйте! Напишите нам здесь, и сотрудник скоро ответит.",
	}},
	{Name: "demo-telegram", Kind: "telegram", Secret: "demo-telegram-secret", Enabled: true, Settings: map[string]string{
		"description": "Telegram: the insurer's bot (api_base points nowhere until you set a real bot_token and api_base https://api.telegram.org)",
		"bot_token":   "123456:demo-telegram-bot-token",
		"bot":         "on",
		"api_base":    "http://127.0.0.1:9",
	}},
	{Name: "demo-whatsapp", Kind: "whatsapp", Secret: "demo-whatsapp-secret", Enabled: true, Settings: map[string]string{
		"description":  "WhatsApp Cloud API: the insurer's business number (api_base points nowhere until you set a real Graph API or a local fake)",
		"verify_token": "demo-verify", "phone_number_id": "100000000000001", "access_token": "demo-whatsapp-access-token",
		"bot":      "on",
		"api_base": "http://127.0.0.1:9",
		// The same texts as the canned responses follow-up-he and follow-up-en (canned.go).
		"templates": `[{"name":"request_update","language":"he","body":"שלום {{1}}, יש עדכון בפנייה שלך לגשר ביטוח. השב/י להודעה זו כדי להמשיך בשיחה."},` +
			`{"name":"request_update","language":"en","body":"Hello {{1}}, there is an update on your request to Gesher Insurance. Reply to this message to continue the conversation."}]`,
	}},
	{Name: "demo-email", Kind: "email", Secret: "demo-email-secret", Enabled: true, Settings: map[string]string{
		"description": "Email: mail to service@demo.example over the demo's SMTP listener; replies go to smtp_host:smtp_port, where nothing listens until you set a real server",
		"address":     "service@demo.example", "from_name": "Gesher Insurance",
		"smtp_host": "127.0.0.1", "smtp_port": "2526", "smtp_tls": "none", "message_id_domain": "demo.example",
	}},
}
