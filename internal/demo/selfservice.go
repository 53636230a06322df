package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

type texts = map[string]string

// The insurer's self-service catalogue: what a customer can do, where, and the limits that
// send a request to a person or a branch, with the guided flow that asks for it.
var demoServices = []struct {
	id string
	in selfservice.Input
}{
	{"car-claim", selfservice.Input{
		Category: "car",
		Name:     texts{"he": "תביעת רכב", "en": "Car insurance claim", "ar": "مطالبة تأمين سيارة", "ru": "Заявление по автостраховке", "am": "የመኪና ኢንሹራንስ የካሳ ጥያቄ", "fr": "Déclaration de sinistre auto"},
		Description: texts{
			"he": "אחרי תאונה או נזק לרכב: פרטי האירוע, תמונות ודו\"ח משטרה אם יש.",
			"en": "After an accident or damage to your car: what happened, photos, and the police report if there is one.",
			"ar": "بعد حادث أو ضرر في سيارتك: تفاصيل الحادث والصور وتقرير الشرطة إن وُجد.",
			"ru": "После аварии или повреждения машины: что произошло, фотографии и протокол полиции, если он есть.",
			"am": "ከአደጋ ወይም በመኪናዎ ላይ ከደረሰ ጉዳት በኋላ፦ የሆነውን ነገር፣ ፎቶዎችን እና ካለ የፖሊስ ሪፖርት።",
			"fr": "Après un accident ou un dommage sur votre voiture : ce qui s’est passé, des photos, et le procès-verbal de police s’il y en a un.",
		},
		Channels: []selfservice.Way{selfservice.Web, selfservice.WhatsApp, selfservice.Phone, selfservice.Branch},
		Limits: []selfservice.LimitInput{{Rule: `injuries == "yes" -> phone`, Message: texts{
			"he": "כשיש נפגעים, נציג מלווה את התביעה בטלפון: 03-5550199.",
			"en": "When someone was hurt, an agent handles the claim with you by phone: 03-555-0199.",
			"ar": "عند وجود مصابين، يتابع موظف المطالبة معك بالهاتف: 03-5550199.",
			"ru": "Если есть пострадавшие, заявление оформляет сотрудник по телефону: 03-555-0199.",
			"am": "አንድ ሰው ጉዳት ከደረሰበት፣ ወኪል የካሳ ጥያቄውን ከእርስዎ ጋር በስልክ ያስተናግዳል፦ 03-555-0199።",
			"fr": "Si quelqu’un a été blessé, un conseiller traite la déclaration avec vous par téléphone : 03-555-0199.",
		}}},
		Stages: []selfservice.Stage{
			{ID: "received", Who: selfservice.WhoUs, ExpectedHours: 24},
			{ID: "in-review", Who: selfservice.WhoUs, ExpectedHours: 72},
			{ID: "waiting-for-you", Who: selfservice.WhoCustomer, Owes: texts{
				"he": "תמונות של הנזק ודו\"ח המשטרה, בתשובה להודעה שלנו.",
				"en": "photos of the damage and the police report, in reply to our message.",
				"ar": "صور الضرر وتقرير الشرطة، ردًّا على رسالتنا.",
				"ru": "фотографии повреждений и протокол полиции — ответом на наше сообщение.",
				"am": "የጉዳቱ ፎቶዎችና የፖሊስ ሪፖርት፣ ለመልእክታችን በሚሰጡት መልስ።",
				"fr": "des photos des dégâts et le procès-verbal de police, en réponse à notre message.",
			}},
			{ID: "approved", Who: selfservice.WhoUs, ExpectedHours: 48},
			{ID: "done", Who: selfservice.WhoUs},
		},
		Flow: []selfservice.Step{
			{ID: "plate", Kind: selfservice.Question, Label: texts{"he": "מספר הרכב", "en": "Your car's licence plate", "ar": "رقم لوحة سيارتك", "ru": "Номер вашей машины", "am": "የመኪናዎ ሰሌዳ ቁጥር", "fr": "La plaque d’immatriculation de votre voiture"}},
			{ID: "injuries", Kind: selfservice.Choice, Label: texts{"he": "האם מישהו נפגע?", "en": "Was anyone hurt?", "ar": "هل أصيب أحد؟", "ru": "Кто-нибудь пострадал?", "am": "የተጎዳ ሰው አለ?", "fr": "Quelqu’un a-t-il été blessé ?"},
				Options: []selfservice.Option{
					{Value: "no", Label: texts{"he": "לא", "en": "No", "ar": "لا", "ru": "Нет", "am": "የለም", "fr": "Non"}},
					{Value: "yes", Label: texts{"he": "כן", "en": "Yes", "ar": "نعم", "ru": "Да", "am": "አዎ", "fr": "Oui"}},
				}},
			{ID: "what_happened", Kind: selfservice.Question, Label: texts{"he": "מה קרה?", "en": "What happened?", "ar": "ماذا حدث؟", "ru": "Что произошло?", "am": "ምን ሆነ?", "fr": "Que s’est-il passé ?"},
				Help: texts{"he": "מתי, איפה, ומה נפגע ברכב.", "en": "When, where, and what on the car was damaged.", "ar": "متى وأين وما الذي تضرر في السيارة.", "ru": "Когда, где и что повреждено.", "am": "መቼ፣ የት፣ እና በመኪናው ላይ ምን እንደተጎዳ።", "fr": "Quand, où, et ce qui a été endommagé sur la voiture."}},
			{ID: "confirm", Kind: selfservice.Confirm, Label: texts{"he": "שליחת התביעה", "en": "Send the claim", "ar": "إرسال المطالبة", "ru": "Отправить заявление", "am": "የካሳ ጥያቄውን ላክ", "fr": "Envoyer la déclaration"}},
		},
	}},
	{"address-change", selfservice.Input{
		Category: "policy",
		Name:     texts{"he": "שינוי כתובת", "en": "Change of address", "ar": "تغيير العنوان", "ru": "Смена адреса", "am": "የአድራሻ ለውጥ", "fr": "Changement d’adresse"},
		Description: texts{
			"he": "הכתובת החדשה תעודכן בכל הפוליסות שלכם.",
			"en": "Your new address is updated on all your policies.",
			"ar": "يُحدَّث عنوانك الجديد في جميع وثائقك.",
			"ru": "Новый адрес обновится во всех ваших полисах.",
			"am": "አዲሱ አድራሻዎ በሁሉም ፖሊሲዎችዎ ላይ ይዘመናል።",
			"fr": "Votre nouvelle adresse est mise à jour sur tous vos contrats.",
		},
		Channels: []selfservice.Way{selfservice.Web, selfservice.WhatsApp, selfservice.Phone, selfservice.Email},
		Stages: []selfservice.Stage{
			{ID: "received", Who: selfservice.WhoUs, ExpectedHours: 24},
			{ID: "done", Who: selfservice.WhoUs},
		},
		Flow: []selfservice.Step{
			// The simple-language question customers who ask for simple language see.
			{ID: "street", Kind: selfservice.Question, Simple: texts{"he": "איפה אתם גרים עכשיו? רחוב ומספר בית.", "en": "Where do you live now? The street and the house number.",
				"ar": "أين تسكن الآن؟ الشارع ورقم المنزل.", "ru": "Где вы теперь живёте? Улица и номер дома.", "am": "አሁን የት ይኖራሉ? መንገዱና የቤቱ ቁጥር።", "fr": "Où habitez-vous maintenant ? La rue et le numéro."},
				Label: texts{"he": "רחוב ומספר בית", "en": "Street and number", "ar": "الشارع ورقم المنزل", "ru": "Улица и номер дома", "am": "መንገድና የቤት ቁጥር", "fr": "Rue et numéro"}},
			{ID: "city", Kind: selfservice.Question, Label: texts{"he": "עיר", "en": "City", "ar": "المدينة", "ru": "Город", "am": "ከተማ", "fr": "Ville"}},
			{ID: "confirm", Kind: selfservice.Confirm, Label: texts{"he": "עדכון הכתובת", "en": "Update my address", "ar": "تحديث عنواني", "ru": "Обновить адрес", "am": "አድራሻዬን አዘምን", "fr": "Mettre à jour mon adresse"}},
		},
	}},
	{"funds-transfer", selfservice.Input{
		Category: "savings",
		Name:     texts{"he": "העברת כספים מקופת חיסכון", "en": "Transfer of funds from savings", "ar": "تحويل أموال من صندوق التوفير", "ru": "Перевод средств из накопительного фонда", "am": "ከቁጠባ ፈንድ ገንዘብ ማስተላለፍ", "fr": "Transfert de fonds depuis l’épargne"},
		Description: texts{
			"he": "העברה לחשבון הבנק שלכם. עד 50,000 ₪ באתר או בטלפון; מעל זה — בסניף.",
			"en": "A transfer to your bank account. Up to ₪50,000 on the website or by phone; above that, at a branch.",
			"ar": "تحويل إلى حسابك المصرفي. حتى 50,000 ₪ عبر الموقع أو بالهاتف؛ وما فوق ذلك في الفرع.",
			"ru": "Перевод на ваш банковский счёт. До 50 000 ₪ на сайте или по телефону; больше — в отделении.",
			"am": "ወደ ባንክ ሂሳብዎ የሚደረግ ማስተላለፍ። እስከ ₪50,000 በድረ-ገጹ ወይም በስልክ፤ ከዚያ በላይ በቅርንጫፍ።",
			"fr": "Un virement vers votre compte bancaire. Jusqu’à 50 000 ₪ sur le site ou par téléphone ; au-delà, en agence.",
		},
		Channels: []selfservice.Way{selfservice.Web, selfservice.Phone, selfservice.Branch},
		Limits: []selfservice.LimitInput{{Rule: "transfer_amount > 50000 -> branch", Message: texts{
			"he": "העברה של יותר מ־50,000 ₪ נעשית בסניף, עם תעודה מזהה. אפשר לקבוע תור בטלפון 03-5550199.",
			"en": "A transfer above ₪50,000 is done at a branch, with your ID card. Book a visit on 03-555-0199.",
			"ar": "التحويل فوق 50,000 ₪ يتم في الفرع مع بطاقة الهوية. احجز موعدًا على 03-5550199.",
			"ru": "Перевод больше 50 000 ₪ оформляется в отделении с удостоверением личности. Запись по телефону 03-555-0199.",
			"am": "ከ₪50,000 በላይ የሆነ ማስተላለፍ በቅርንጫፍ ውስጥ ከመታወቂያ ካርድዎ ጋር ይከናወናል። በ03-555-0199 ቀጠሮ ይያዙ።",
			"fr": "Un transfert de plus de 50 000 ₪ se fait en agence, avec votre carte d’identité. Prenez rendez-vous au 03-555-0199.",
		}}},
		Flow: []selfservice.Step{
			{ID: "fund", Kind: selfservice.Choice, Label: texts{"he": "מאיזו קופה?", "en": "From which fund?", "ar": "من أي صندوق؟", "ru": "Из какого фонда?", "am": "ከየትኛው ፈንድ?", "fr": "Depuis quel fonds ?"},
				Options: []selfservice.Option{
					{Value: "savings", Label: texts{"he": "קופת גמל", "en": "Provident fund", "ar": "صندوق الادخار", "ru": "Накопительный фонд", "am": "የጡረታ ቁጠባ ፈንድ", "fr": "Caisse de prévoyance"}},
					{Value: "study", Label: texts{"he": "קרן השתלמות", "en": "Study fund", "ar": "صندوق الاستكمال", "ru": "Фонд повышения квалификации", "am": "የትምህርት ማሻሻያ ፈንድ", "fr": "Fonds de formation continue"}},
				}},
			{ID: "transfer_amount", Kind: selfservice.Question, Number: true, Label: texts{"he": "סכום ההעברה בשקלים", "en": "Amount to transfer, in shekels", "ar": "مبلغ التحويل بالشيكل", "ru": "Сумма перевода в шекелях", "am": "የሚተላለፈው መጠን በሼቄል", "fr": "Montant à transférer, en shekels"}},
			{ID: "bank_account", Kind: selfservice.Question, Label: texts{"he": "בנק, סניף ומספר חשבון", "en": "Bank, branch and account number", "ar": "البنك والفرع ورقم الحساب", "ru": "Банк, отделение и номер счёта", "am": "ባንክ፣ ቅርንጫፍና የሂሳብ ቁጥር", "fr": "Banque, agence et numéro de compte"}},
			{ID: "confirm", Kind: selfservice.Confirm, Label: texts{"he": "שליחת הבקשה", "en": "Send the request", "ar": "إرسال الطلب", "ru": "Отправить заявку", "am": "ጥያቄውን ላክ", "fr": "Envoyer la demande"}},
		},
	}},
	{"minor-policy", selfservice.Input{
		Category: "health",
		Name:     texts{"he": "פוליסת בריאות לקטין", "en": "Health policy for a minor", "ar": "وثيقة تأمين صحي لقاصر", "ru": "Медицинский полис для несовершеннолетнего", "am": "ለአካለ መጠን ላልደረሰ ልጅ የጤና ፖሊሲ", "fr": "Contrat santé pour un mineur"},
		Description: texts{
			"he": "ביטוח בריאות לילד או לנער. מתחת לגיל 18 הורה או אפוטרופוס חותמים.",
			"en": "Health insurance for a child or a teenager. Under 18, a parent or guardian signs.",
			"ar": "تأمين صحي لطفل أو مراهق. دون سن 18 يوقّع أحد الوالدين أو الوصي.",
			"ru": "Медицинская страховка для ребёнка или подростка. До 18 лет подписывает родитель или опекун.",
			"am": "ለልጅ ወይም ለወጣት የጤና ኢንሹራንስ። ከ18 ዓመት በታች ከሆነ ወላጅ ወይም አሳዳጊ ይፈርማሉ።",
			"fr": "Une assurance santé pour un enfant ou un adolescent. Avant 18 ans, un parent ou un tuteur signe.",
		},
		Channels: []selfservice.Way{selfservice.Web, selfservice.Phone, selfservice.Branch},
		Limits: []selfservice.LimitInput{{Rule: "age < 18 -> branch", Message: texts{
			"he": "מתחת לגיל 18 נדרשת חתימה של הורה או אפוטרופוס: בואו יחד לסניף, עם תעודות זהות.",
			"en": "Under 18, a parent or guardian must sign: come to a branch together, with your ID cards.",
			"ar": "دون سن 18 يلزم توقيع أحد الوالدين أو الوصي: تعالوا معًا إلى الفرع مع بطاقات الهوية.",
			"ru": "До 18 лет нужна подпись родителя или опекуна: приходите в отделение вместе, с удостоверениями личности.",
			"am": "ከ18 ዓመት በታች ከሆነ ወላጅ ወይም አሳዳጊ መፈረም አለባቸው፦ መታወቂያ ካርዶቻችሁን ይዛችሁ አብራችሁ ወደ ቅርንጫፍ ኑ።",
			"fr": "Avant 18 ans, un parent ou un tuteur doit signer : venez ensemble en agence, avec vos cartes d’identité.",
		}}},
		Stages: []selfservice.Stage{
			{ID: "received", Who: selfservice.WhoUs, ExpectedHours: 24},
			{ID: "guardian-signs", Who: selfservice.WhoCustomer, Name: texts{"he": "חתימת אפוטרופוס", "en": "Guardian's signature", "ar": "توقيع الوصي", "ru": "Подпись опекуна", "am": "የአሳዳጊ ፊርማ", "fr": "Signature du tuteur"},
				Owes: texts{"he": "חתימה של הורה או אפוטרופוס בסניף.", "en": "a parent's or guardian's signature at a branch.", "ar": "توقيع أحد الوالدين أو الوصي في الفرع.", "ru": "подпись родителя или опекуна в отделении.", "am": "በቅርንጫፍ ውስጥ የወላጅ ወይም የአሳዳጊ ፊርማ።", "fr": "la signature d’un parent ou d’un tuteur en agence."}},
			{ID: "approved", Who: selfservice.WhoUs, ExpectedHours: 48},
			{ID: "done", Who: selfservice.WhoUs},
		},
		Flow: []selfservice.Step{
			{ID: "insured_name", Kind: selfservice.Question, Label: texts{"he": "שם המבוטח", "en": "The insured person's name", "ar": "اسم المؤمَّن عليه", "ru": "Имя застрахованного", "am": "የመድን ገቢው ስም", "fr": "Le nom de la personne assurée"}},
			{ID: "age", Kind: selfservice.Question, Number: true, Label: texts{"he": "גיל המבוטח", "en": "The insured person's age", "ar": "عمر المؤمَّن عليه", "ru": "Возраст застрахованного", "am": "የመድን ገቢው ዕድሜ", "fr": "L’âge de la personne assurée"}},
			{ID: "confirm", Kind: selfservice.Confirm, Label: texts{"he": "שליחת הבקשה", "en": "Send the request", "ar": "إرسال الطلب", "ru": "Отправить заявку", "am": "ጥያቄውን ላክ", "fr": "Envoyer la demande"}},
		},
	}},
}

// The demo's cases: a few customers of the history, each at another stage. The moves are
// days apart, on a clock that starts in the past.
var demoCases = []struct {
	phone, service string
	answers        map[string]any
	stages         []string
}{
	{"+972500000103", "car-claim", map[string]any{"plate": "45-678-90", "injuries": "no", "what_happened": "Scratched in the parking lot"}, []string{"in-review", "waiting-for-you"}},
	{"+972500000109", "car-claim", map[string]any{"plate": "12-345-67", "injuries": "no", "what_happened": "Rear bumper, hit at a red light"}, []string{"in-review", "approved"}},
	{"+972500000101", "address-change", map[string]any{"street": "Rabbi Akiva 12", "city": "Bnei Brak"}, nil},
	{"+972500000113", "address-change", map[string]any{"street": "Sokolov 40", "city": "Holon"}, []string{"done"}},
	{"+972500000107", "funds-transfer", map[string]any{"fund": "savings", "transfer_amount": 75000.0, "bank_account": "Leumi 802 / 123456"}, nil},
	{"+972500000112", "minor-policy", map[string]any{"insured_name": "Lina Khalil", "age": 16.0}, []string{"guardian-signs"}},
}

// seedSelfService writes the catalogue and the demo cases once. The cases' notifications are
// stored as delivered long ago, like the history's replies: the demo sends nothing.
func seedSelfService(ctx context.Context, s Services) error {
	now := s.Clock.Now()
	past := clock.NewManual(now.Add(-5 * 24 * time.Hour))
	events := event.NewLog(s.DB, past, nil)
	customers := customer.NewService(s.DB, past, events)
	conversations := conversation.NewService(s.DB, past, events, routing.New(s.DB, past), nil, conversation.Options{})
	desk, err := selfservice.NewDesk(s.DB, past, events, customers, conversations, channel.NewFitter(s.DB, customers, s.Channels, past.Now), selfservice.Options{})
	if err != nil {
		return err
	}
	actor := event.Actor{Kind: event.BySystem, ID: "demo"}
	for _, svc := range demoServices {
		if _, err := desk.GetService(ctx, svc.id); errors.Is(err, selfservice.ErrNotFound) {
			if _, err := desk.PutService(ctx, svc.id, svc.in, actor); err != nil {
				return fmt.Errorf("demo service %s: %w", svc.id, err)
			}
		} else if err != nil {
			return err
		}
	}
	if cases, err := desk.Cases(ctx, "", 1); err != nil || len(cases) > 0 {
		return err
	}
	agent := actor
	if u, err := s.Auth.UserByEmail(ctx, AgentEmail); err == nil {
		agent = event.Actor{Kind: event.ByUser, ID: u.ID}
	}
	for i, dc := range demoCases {
		past.Set(now.Add(-time.Duration(5-i%3) * 24 * time.Hour).Add(time.Duration(i) * time.Hour))
		cust, err := customers.FindByIdentity(ctx, customer.Phone, dc.phone)
		if err != nil {
			return fmt.Errorf("demo case for %s: %w", dc.phone, err)
		}
		c, err := desk.OpenCase(ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: dc.service, Answers: dc.answers}, agent)
		if err != nil {
			return fmt.Errorf("demo case for %s: %w", dc.phone, err)
		}
		for _, st := range dc.stages {
			past.Advance(26 * time.Hour)
			if c, _, err = desk.SetStage(ctx, c.ID, st, agent); err != nil {
				return fmt.Errorf("demo case %s to %s: %w", c.ID, st, err)
			}
		}
		for _, h := range c.History {
			if h.Notice.MessageID != "" {
				if err := conversations.SetMessageStatus(ctx, h.Notice.MessageID, conversation.StatusDelivered, "demo-out-"+h.Notice.MessageID, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
