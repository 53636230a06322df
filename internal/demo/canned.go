package demo

import (
	"context"

	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/event"
)

// cannedResponses are the team's everyday answers, in the languages the demo's customers
// write in. "follow-up-he" and "follow-up-en" carry the text of the demo WhatsApp channel's
// approved templates, so they may be sent after the 24-hour window closed.
var cannedResponses = []canned.Input{
	{Shortcut: "claim-received", Title: "Claim received", Language: "en",
		Body: "Hello {{customer.first_name}}, this is {{agent.first_name}} from Gesher Insurance. We received your claim and will update you within two business days."},
	{Shortcut: "claim-received-he", Title: "התביעה התקבלה", Language: "he",
		Body: "שלום {{customer.first_name}}, כאן {{agent.first_name}} מגשר ביטוח. קיבלנו את התביעה שלך ונעדכן אותך תוך שני ימי עסקים."},
	{Shortcut: "claim-received-ar", Title: "تم استلام المطالبة", Language: "ar",
		Body: "مرحبًا {{customer.first_name}}، معك {{agent.first_name}} من تأمين جيشر. استلمنا مطالبتك وسنبلغك بالمستجدات خلال يومي عمل."},
	{Shortcut: "claim-received-ru", Title: "Заявление получено", Language: "ru",
		Body: "Здравствуйте, {{customer.first_name}}! Это {{agent.first_name}} из «Гешер Страхование». Мы получили ваше заявление и сообщим о решении в течение двух рабочих дней."},
	{Shortcut: "documents-needed", Title: "Documents needed", Language: "en",
		Body: "Hello {{customer.first_name}}, to go on with your request we need a photo of your ID and of the damage. You can send them here."},
	{Shortcut: "documents-needed-he", Title: "חסרים מסמכים", Language: "he",
		Body: "שלום {{customer.first_name}}, כדי להמשיך בטיפול נצטרך צילום של תעודת הזהות ושל הנזק. אפשר לשלוח אותם כאן."},
	{Shortcut: "follow-up-he", Title: "תבנית WhatsApp: עדכון בטיפול", Language: "he", Channels: []string{"whatsapp"}, ApprovedTemplate: true,
		Body: "שלום {{customer.first_name}}, יש עדכון בפנייה שלך לגשר ביטוח. השב/י להודעה זו כדי להמשיך בשיחה."},
	{Shortcut: "follow-up-en", Title: "WhatsApp template: update on your request", Language: "en", Channels: []string{"whatsapp"}, ApprovedTemplate: true,
		Body: "Hello {{customer.first_name}}, there is an update on your request to Gesher Insurance. Reply to this message to continue the conversation."},
	{Shortcut: "thanks", Title: "Thank you",
		Body: "Thank you, {{customer.first_name}}. Is there anything else I can help with?"},
}

// seedCanned writes the canned responses that are not there yet (by shortcut), leaving any a
// supervisor changed as they are.
func seedCanned(ctx context.Context, s *canned.Service) error {
	have, err := s.List(ctx, canned.Filter{})
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, r := range have {
		exists[r.Shortcut] = true
	}
	for _, in := range cannedResponses {
		if exists[in.Shortcut] {
			continue
		}
		if _, err := s.Create(ctx, in, event.Actor{Kind: event.BySystem, ID: "demo"}); err != nil {
			return err
		}
	}
	return nil
}
