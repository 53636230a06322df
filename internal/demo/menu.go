package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/ivr"
)

// MenuID is the demo contact centre's menu, answering demo-voice's calls.
const MenuID = "main"

// Menu is the insurer's phone menu, in the four languages its callers speak (and on the
// screen in Amharic and French too, which the phone's voices lack): claim status, a new car
// claim, an agent, the menu on the phone's screen, a callback.
func Menu() ivr.Tree {
	return ivr.Tree{ID: MenuID, Name: "Gesher Insurance contact centre", Languages: []string{"he", "ar", "ru", "en"}, Screen: []string{"am", "fr"}, Start: "main", Nodes: []ivr.Node{
		{ID: "main",
			Title: texts{"he": "ביטוח גשר", "ar": "تأمين جِشِر", "ru": "Страхование «Гешер»", "en": "Gesher Insurance", "am": "ገሸር ኢንሹራንስ", "fr": "Gesher Assurances"},
			Prompt: texts{
				"he": "שלום, הגעתם לביטוח גשר. למצב תביעה הקישו 1. לתביעת רכב חדשה הקישו 2. לשיחה עם נציג הקישו 3. לתפריט על מסך הטלפון הקישו 4. לשיחה חוזרת הקישו 5.",
				"ar": "مرحبًا بك في تأمين جِشِر. لمعرفة حالة مطالبة اضغط 1. لمطالبة سيارة جديدة اضغط 2. للتحدث مع موظف اضغط 3. للقائمة على شاشة هاتفك اضغط 4. لمعاودة الاتصال اضغط 5.",
				"ru": "Здравствуйте, вы позвонили в страховую компанию «Гешер». Статус заявления — нажмите 1. Новое заявление по автостраховке — 2. Поговорить с сотрудником — 3. Меню на экране телефона — 4. Обратный звонок — 5.",
				"en": "Hello, you have reached Gesher Insurance. For the status of a claim press 1. For a new car claim press 2. To speak to an agent press 3. For our menu on your phone's screen press 4. For a callback press 5.",
				// Screen-only languages: the page lists the choices, so their prompt says what to do there.
				"am": "እንኳን ወደ ገሸር ኢንሹራንስ በደህና መጡ። ከታች የሚፈልጉትን ይምረጡ።",
				"fr": "Bienvenue chez Gesher Assurances. Choisissez ci-dessous ce dont vous avez besoin.",
			},
			Options: []ivr.Option{
				{Digit: "1", Next: "status", Label: texts{"he": "מצב תביעה", "ar": "حالة المطالبة", "ru": "Статус заявления", "en": "Claim status", "am": "የካሳ ጥያቄ ሁኔታ", "fr": "État d’un sinistre"},
					Words: map[string][]string{"he": {"סטטוס", "מצב", "תביעה קיימת"}, "ar": {"حالة", "مطالبتي"}, "ru": {"статус", "статус заявления", "заявление"}, "en": {"status", "my claim"}}},
				{Digit: "2", Next: "new-claim", Label: texts{"he": "תביעת רכב חדשה", "ar": "مطالبة سيارة جديدة", "ru": "Новое заявление по автостраховке", "en": "New car claim", "am": "አዲስ የመኪና ካሳ ጥያቄ", "fr": "Nouvelle déclaration de sinistre auto"},
					Words: map[string][]string{"he": {"תביעה חדשה", "תאונה"}, "ar": {"مطالبة جديدة", "حادث"}, "ru": {"новое заявление", "авария", "аварию", "аварии"}, "en": {"new claim", "accident"}}},
				{Digit: "3", Next: "agent", Label: texts{"he": "שיחה עם נציג", "ar": "التحدث مع موظف", "ru": "Поговорить с сотрудником", "en": "Speak to an agent", "am": "ከሠራተኛ ጋር መነጋገር", "fr": "Parler à un conseiller"},
					Words: map[string][]string{"he": {"נציג", "נציגה"}, "ar": {"موظف", "ممثل"}, "ru": {"сотрудник", "сотрудника", "сотрудником", "оператор", "оператора", "оператором"}, "en": {"agent", "person", "representative"}}},
				{Digit: "4", Next: "visual", Label: texts{"he": "התפריט על מסך הטלפון", "ar": "القائمة على شاشة الهاتف", "ru": "Меню на экране телефона", "en": "The menu on my phone's screen", "am": "በስልኬ ስክሪን ላይ ያለው ምናሌ", "fr": "Le menu sur l’écran de mon téléphone"},
					Words: map[string][]string{"he": {"מסך", "הודעה", "קישור"}, "ar": {"شاشة", "رسالة", "رابط"}, "ru": {"экран", "на экране", "сообщение", "ссылка", "ссылку", "смс"}, "en": {"screen", "text", "link"}}},
				{Digit: "5", Next: "callback", Label: texts{"he": "שיחה חוזרת", "ar": "معاودة الاتصال", "ru": "Обратный звонок", "en": "Call me back", "am": "መልሰው ይደውሉልኝ", "fr": "Me faire rappeler"},
					Words: map[string][]string{"he": {"תחזרו אליי", "חזרה"}, "ar": {"اتصلوا بي"}, "ru": {"перезвоните", "перезвонить", "обратный звонок"}, "en": {"callback", "call back"}}},
			}},
		{ID: "status", Picture: "/help/static/menu-status.svg",
			Title:  texts{"he": "מצב תביעה", "ar": "حالة المطالبة", "ru": "Статус заявления", "en": "Claim status", "am": "የካሳ ጥያቄ ሁኔታ", "fr": "État d’un sinistre"},
			Prompt: texts{"he": "אלה הפניות הפתוחות שלכם.", "ar": "هذه طلباتك المفتوحة.", "ru": "Вот ваши открытые обращения.", "en": "These are your open requests.", "am": "እነዚህ ክፍት ጥያቄዎችዎ ናቸው።", "fr": "Voici vos demandes en cours."},
			Action: &ivr.Action{Kind: ivr.ActCaseStatus}},
		{ID: "new-claim", Picture: "/help/static/menu-claim.svg",
			Title:  texts{"he": "תביעת רכב חדשה", "ar": "مطالبة سيارة جديدة", "ru": "Новое заявление по автостраховке", "en": "New car claim", "am": "አዲስ የመኪና ካሳ ጥያቄ", "fr": "Nouvelle déclaration de sinistre auto"},
			Prompt: texts{"he": "אפשר להגיש תביעת רכב באתר, צעד אחר צעד.", "ar": "يمكنك تقديم مطالبة السيارة عبر الموقع خطوة بخطوة.", "ru": "Заявление по автостраховке можно подать на сайте, шаг за шагом.", "en": "You can file a car claim on our website, step by step.", "am": "የመኪና ካሳ ጥያቄን በድረ-ገጻችን ላይ ደረጃ በደረጃ ማቅረብ ይችላሉ።", "fr": "Vous pouvez déclarer un sinistre auto sur notre site, étape par étape."},
			Action: &ivr.Action{Kind: ivr.ActFlow, Service: "car-claim"}},
		{ID: "agent",
			Title:  texts{"he": "שיחה עם נציג", "ar": "التحدث مع موظف", "ru": "Поговорить с сотрудником", "en": "Speak to an agent", "am": "ከሠራተኛ ጋር መነጋገር", "fr": "Parler à un conseiller"},
			Prompt: texts{"he": "נציג יענה לכם בקרוב.", "ar": "سيرد عليك أحد الموظفين قريبًا.", "ru": "Сотрудник скоро ответит.", "en": "An agent will answer you shortly.", "am": "አንድ ሠራተኛ በቅርቡ ይመልስልዎታል።", "fr": "Un conseiller va vous répondre sous peu."},
			Action: &ivr.Action{Kind: ivr.ActQueue}},
		{ID: "visual",
			Title:  texts{"he": "התפריט על המסך", "ar": "القائمة على الشاشة", "ru": "Меню на экране", "en": "The menu on your screen", "am": "በስክሪንዎ ላይ ያለው ምናሌ", "fr": "Le menu sur votre écran"},
			Prompt: texts{"he": "שלחנו לכם קישור בהודעת SMS.", "ar": "أرسلنا إليك رابطًا برسالة نصية.", "ru": "Мы отправили вам ссылку по SMS.", "en": "We have texted you a link.", "am": "አገናኝ በኤስኤምኤስ ልከንልዎታል።", "fr": "Nous vous avons envoyé un lien par SMS."},
			Action: &ivr.Action{Kind: ivr.ActVisualMenu}},
		{ID: "callback",
			Title:  texts{"he": "שיחה חוזרת", "ar": "معاودة الاتصال", "ru": "Обратный звонок", "en": "Call me back", "am": "መልሰው ይደውሉልኝ", "fr": "Me faire rappeler"},
			Prompt: texts{"he": "נחזור אליכם למספר שממנו התקשרתם.", "ar": "سنعاود الاتصال بك على الرقم الذي اتصلت منه.", "ru": "Мы перезвоним на номер, с которого вы звонили.", "en": "We will call you back at the number you called from.", "am": "ከደወሉበት ቁጥር መልሰን እንደውልልዎታለን።", "fr": "Nous vous rappellerons au numéro depuis lequel vous avez appelé."},
			Action: &ivr.Action{Kind: ivr.ActCallback}},
	}}
}

// seedMenu stores the demo menu once; a menu a supervisor has since edited is kept.
func seedMenu(ctx context.Context, s Services) error {
	menus, err := ivr.New(ivr.Deps{DB: s.DB, Clock: s.Clock, Events: event.NewLog(s.DB, s.Clock, nil)}, ivr.Options{})
	if err != nil {
		return err
	}
	if _, err := menus.Tree(ctx, MenuID); !errors.Is(err, ivr.ErrNotFound) {
		return err
	}
	if _, err := menus.PutTree(ctx, Menu(), event.Actor{Kind: event.BySystem, ID: "demo"}); err != nil {
		return fmt.Errorf("demo menu: %w", err)
	}
	return nil
}
