package demo

import "github.com/gesher-cs/gesher/internal/channel"

// persona is one demo customer and what they wrote. A message with an agent is that agent's
// reply.
type persona struct {
	name, phone, email string
	langs              []string
	device             string // smartphone, kosher, landline
	access             []string
	born               int
	city, stage        string
	segments           []string
	messages           []line
	note               string
	resolved           bool
}

type line struct{ agent, text string }

func (p persona) identities() []channel.Identity {
	var ids []channel.Identity
	if p.phone != "" {
		ids = append(ids, channel.Identity{Kind: "phone", Value: p.phone})
	}
	if p.email != "" {
		ids = append(ids, channel.Identity{Kind: "email", Value: p.email})
	}
	return ids
}

func say(text string) line { return line{text: text} }

// answers is a reply by the demo agent whose email starts with name.
func answers(name, text string) line { return line{agent: name + "@demo.example", text: text} }

// script is the demo's history, one persona a day, oldest first. The phone numbers are in the
// 050-000xxxx range, which is not allocated to subscribers.
var script = []persona{
	{name: "Rivka Cohen", phone: "+972500000101", langs: []string{"he"}, device: "kosher", born: 1941, city: "Bnei Brak",
		stage: "not-digital", segments: []string{"75+", "kosher phone"}, access: []string{"large-text"},
		messages: []line{
			say("שלום, אני צריכה לקבוע תור לסניף בתל אביב בנוגע לפוליסת הבריאות. אין לי אינטרנט בטלפון."),
			answers("dana", "שלום רבקה, אשמח לעזור. יש תור פנוי ביום שלישי ב-10:00 בסניף עזריאלי. לקבוע?"),
			say("כן, תודה רבה. אפשר לקבל תזכורת בהודעה?"),
			answers("dana", "קבעתי. תקבלי הודעת SMS יום לפני. יום טוב!"),
		}, resolved: true},
	{name: "Sergei Ivanov", phone: "+972500000102", email: "sergei.ivanov@example.net", langs: []string{"ru", "he"}, device: "smartphone",
		born: 1958, city: "Ashdod", stage: "guided", segments: []string{"reads Russian", "new immigrant"},
		messages: []line{
			say("Здравствуйте! Я получил письмо о продлении полиса автострахования, но не понимаю сумму."),
			answers("olga", "Здравствуйте, Сергей! Сумма выросла из-за нового водителя в полисе. Могу объяснить по шагам или позвонить вам."),
			say("Лучше позвоните, пожалуйста, после 17:00."),
		}, note: "Prefers a call after 17:00; renewal questions. Coaching: show him the app's policy page on the call."},
	{name: "Ahmad Nasser", phone: "+972500000103", email: "ahmad.nasser@example.com", langs: []string{"ar", "he"}, device: "smartphone",
		born: 1979, city: "Nazareth", stage: "supported", segments: []string{"reads Arabic"},
		messages: []line{
			say("مرحبا، تعرضت سيارتي لحادث بسيط في موقف السيارات. كيف أقدم مطالبة؟"),
			answers("omar", "مرحبا أحمد، سلامتك. يمكنك تقديم المطالبة عبر الموقع خلال خمس دقائق، أو أرسل لي صور الضرر هنا وأفتحها لك."),
			say("سأرسل الصور الآن. شكرا!"),
		}},
	{name: "Tigist Bekele", phone: "+972500000104", langs: []string{"am", "he"}, device: "smartphone", born: 1990, city: "Rehovot",
		stage: "guided", segments: []string{"reads Amharic"},
		messages: []line{
			say("ሰላም፣ የጤና ኢንሹራንስ ክፍያዬን እንዴት መቀየር እችላለሁ?"),
			answers("tigist", "ሰላም! የክፍያ ዘዴን በመተግበሪያው ውስጥ መቀየር ይችላሉ። ደረጃ በደረጃ ላሳይዎት?"),
			say("አዎ፣ እባክዎ።"),
			answers("tigist", "በጣም ጥሩ። ሊንኩን በSMS ልኬልዎታለሁ — ሲከፍቱት አብረን እንሄዳለን።"),
		}, resolved: true},
	{name: "Claire Dubois", email: "claire.dubois@example.fr", langs: []string{"fr", "en"}, device: "smartphone", born: 1986, city: "Netanya",
		stage: "independent", segments: []string{"reads French", "tourist"},
		messages: []line{
			say("Bonjour, je suis en Israël pour trois semaines. Mon assurance voyage couvre-t-elle une consultation chez le dentiste ?"),
			answers("pierre", "Bonjour Claire, oui : les soins dentaires d'urgence sont couverts jusqu'à 1 500 ₪. Gardez la facture et envoyez-la depuis l'application."),
		}, resolved: true},
	{name: "Moshe Friedman", phone: "+972500000106", langs: []string{"he", "yi"}, device: "kosher", born: 1947, city: "Jerusalem",
		stage: "not-digital", segments: []string{"75+", "kosher phone"},
		messages: []line{
			say("אני רוצה לדעת מה קורה עם התביעה שלי על הנזק בדירה מהחודש שעבר."),
			answers("yossi", "שלום משה, התביעה בבדיקת שמאי. נשלח לך SMS ברגע שיש החלטה, ואפשר גם לשאול בטלפון בכל עת."),
		}},
	{name: "Yael Shapiro", phone: "+972500000107", email: "yael.shapiro@example.co.il", langs: []string{"he", "en"}, device: "smartphone",
		born: 1995, city: "Tel Aviv", stage: "independent", segments: []string{"self-service user"},
		messages: []line{
			say("היי, ניסיתי לעדכן את מספר הרכב באפליקציה וקיבלתי שגיאה 'מספר לא תקין'."),
			answers("dana", "היי יעל, מצטערת על זה. מספרי רכב חדשים בני 8 ספרות — תקלה ידועה שתוקנה הבוקר. אפשר לנסות שוב?"),
			say("עבד! תודה"),
		}, resolved: true},
	{name: "Nadia Haddad", phone: "+972500000108", langs: []string{"ar"}, device: "smartphone", born: 1944, city: "Haifa",
		stage: "not-digital", segments: []string{"75+", "reads Arabic"}, access: []string{"screen-reader", "read-aloud"},
		messages: []line{
			say("أنا لا أرى جيدا. أحتاج مساعدة في تجديد تأمين الشقة."),
			answers("omar", "أهلا نادية، سأتصل بك الآن وأجدد التأمين معك على الهاتف. لا حاجة لأي شيء آخر."),
		}, note: "Blind customer: never send picture-only menus; phone or voice first."},
	{name: "Dmitri Volkov", phone: "+972500000109", email: "d.volkov@example.org", langs: []string{"ru", "en"}, device: "smartphone", born: 1983, city: "Haifa",
		stage: "supported", segments: []string{"reads Russian", "business"},
		messages: []line{
			say("Добрый день. Нужна справка о страховании для тендера, на иврите и английском, до четверга."),
			answers("olga", "Добрый день, Дмитрий! Справку можно скачать в личном кабинете в разделе «Документы». Если нужно с печатью — отправлю сегодня."),
			say("С печатью, пожалуйста."),
		}},
	{name: "Avraham Levi", phone: "+972500000110", langs: []string{"he"}, device: "landline", born: 1936, city: "Beersheba",
		stage: "not-digital", segments: []string{"75+"}, access: []string{"large-text", "simple-language"},
		messages: []line{
			say("הבת שלי אמרה שאפשר לשאול פה. הביטוח סיעודי שלי עדיין בתוקף?"),
			answers("yossi", "שלום אברהם, כן — הפוליסה בתוקף עד דצמבר 2027. אם תרצה, אפשר לקבוע פגישה בסניף באר שבע."),
		}, resolved: true},
	{name: "Lior Mizrahi", phone: "+972500000111", email: "lior@example.co.il", langs: []string{"he", "en"}, device: "smartphone", born: 2001, city: "Ramat Gan",
		stage: "independent", segments: []string{"self-service user"},
		messages: []line{
			say("יש לי שאלה על הרחבת ביטוח לנסיעה לחו\"ל עם ציוד צילום יקר."),
			answers("dana", "בטח! הרחבת ציוד עד 20,000 ₪ אפשר לעשות באתר; מעל 20,000 ₪ צריך שמאי — אקבע לך."),
		}},
	{name: "Samira Khalil", phone: "+972500000112", langs: []string{"ar", "he", "en"}, device: "smartphone", born: 1992, city: "Acre",
		stage: "supported", segments: []string{"reads Arabic"},
		messages: []line{
			say("Hi, can I pay my premium in installments this year?"),
			answers("rana", "Hi Samira, yes — up to 12 installments with no interest. I've sent the form to your phone."),
			say("Perfect, thank you!"),
		}, resolved: true},
	{name: "Haim Peretz", phone: "+972500000113", email: "haim.peretz@example.com", langs: []string{"he"}, device: "smartphone", born: 1952, city: "Holon",
		stage: "guided", segments: []string{"65-75"},
		messages: []line{
			say("קיבלתי הודעה שהכרטיס אשראי שלי נדחה. מה עושים?"),
			answers("dana", "שלום חיים, אפשר לעדכן אמצעי תשלום בטלפון איתי עכשיו, או באתר בשלושה צעדים. מה נוח לך?"),
			say("עדיף בטלפון, בבקשה."),
		}},
	{name: "Oksana Melnyk", phone: "+972500000114", langs: []string{"ru", "uk"}, device: "smartphone", born: 1968, city: "Netanya",
		stage: "guided", segments: []string{"reads Russian", "new immigrant"},
		messages: []line{
			say("Здравствуйте, я новая репатриантка. Какая страховка нужна для квартиры, которую я снимаю?"),
			answers("olga", "Добро пожаловать! Для съёмной квартиры нужна страховка имущества (содержимого). Могу прислать простое объяснение на русском."),
		}},
	{name: "Gesher Logistics Ltd", phone: "+97235550999", email: "ops@gesher-logistics.example", langs: []string{"he", "en"}, device: "smartphone", born: 0, city: "Petah Tikva",
		stage: "independent", segments: []string{"business"},
		messages: []line{
			say("We need to add 3 new trucks to our fleet policy starting next Monday."),
			answers("pierre", "Noted — please upload the registration documents in the business portal; I'll confirm cover the same day."),
			say("Uploaded."),
			answers("pierre", "Confirmed: all three trucks are covered from Monday 00:00."),
		}, resolved: true},
	{name: "Esther Ben-Ami", phone: "+972500000116", langs: []string{"he", "fr"}, device: "kosher", born: 1949, city: "Ashkelon",
		stage: "not-digital", segments: []string{"75+", "kosher phone", "reads French"},
		messages: []line{
			say("Bonjour, je voudrais savoir quand mon remboursement de lunettes sera versé."),
			answers("pierre", "Bonjour Esther, le remboursement de 450 ₪ sera versé jeudi. Vous recevrez un SMS de confirmation."),
		}},
	{name: "Yonatan Katz", phone: "+972500000117", email: "yonatan.katz@example.net", langs: []string{"he", "en"}, device: "smartphone", born: 1988, city: "Modiin",
		stage: "supported", segments: []string{"self-service user"},
		messages: []line{
			say("המכונית שלי נפגעה בחניון. פתחתי תביעה באתר אבל לא רואה את הסטטוס."),
		}},
	{name: "Mulugeta Tesfaye", phone: "+972500000118", langs: []string{"am", "he"}, device: "kosher", born: 1955, city: "Kiryat Gat",
		stage: "not-digital", segments: []string{"reads Amharic", "kosher phone"},
		messages: []line{
			say("ሰላም፣ በቅርንጫፍ ለመክፈል ቀጠሮ እፈልጋለሁ።"),
			answers("tigist", "ሰላም ሙሉጌታ! ረቡዕ 11:00 በቤርሳቤህ ቅርንጫፍ ቀጠሮ ያዝኩልዎ። ከአንድ ቀን በፊት SMS ይደርስዎታል።"),
		}, resolved: true},
	{name: "Rachel Green", email: "rachel.green@example.com", langs: []string{"en"}, device: "smartphone", born: 1979, city: "Jerusalem",
		stage: "independent", segments: []string{"reads English"},
		messages: []line{
			say("Hello, my home insurance renewal doubled in price. Can someone explain why?"),
		}},
	{name: "Karim Mansour", phone: "+972500000120", langs: []string{"ar", "he"}, device: "smartphone", born: 1998, city: "Umm al-Fahm",
		stage: "supported", segments: []string{"reads Arabic"},
		messages: []line{
			say("السلام عليكم، أريد إضافة ابني كسائق جديد على التأمين."),
			answers("omar", "وعليكم السلام كريم، سائق جديد تحت 24 يحتاج رخصة وصورة هوية. أرسلها هنا وسأضيفه اليوم."),
		}},
}
