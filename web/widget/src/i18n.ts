// The widget's words, one small catalog per language, inside the bundle: the widget must work
// on a page that has nothing of Gesher's but this one script, and stay small. The server's
// catalogs (internal/i18n) are for the console and the customer pages.

export type Key = keyof typeof en

const en = {
  launcher: 'Chat with us',
  title: 'Chat',
  region: 'Chat',
  close: 'Close chat',
  log: 'Messages',
  greeting: 'Hello! How can we help?',
  label: 'Your message',
  hint: 'Enter sends, Shift+Enter starts a new line',
  send: 'Send',
  you: 'You',
  agent: 'Agent',
  sending: 'Sending…',
  failed: 'Not sent yet — we will try again',
  rejected: 'This message could not be sent',
  connecting: 'Connecting…',
  joined: '{name} joined the conversation',
  newMessage: 'New message',
  contactOpen: 'Leave your email or phone',
  contactHelp: 'Leave your email or phone number so we can continue the conversation there.',
  email: 'Email',
  phone: 'Phone',
  save: 'Save',
  errEmpty: 'Enter an email or a phone number.',
  errEmail: 'Enter an email like name@example.com.',
  errPhone: 'Enter a phone number in digits, like 050-1234567.',
  saved: 'Thank you. We can continue by email or phone.',
  contactNote: 'My contact details: {v}',
}

type Catalog = Record<Key, string>

const he: Catalog = {
  launcher: 'צ׳אט עם נציג',
  title: 'צ׳אט',
  region: 'צ׳אט',
  close: 'סגירת הצ׳אט',
  log: 'הודעות',
  greeting: 'שלום! איך אפשר לעזור?',
  label: 'ההודעה שלך',
  hint: 'Enter לשליחה, Shift+Enter לשורה חדשה',
  send: 'שליחה',
  you: 'אני',
  agent: 'נציג/ה',
  sending: 'בשליחה…',
  failed: 'עדיין לא נשלחה — ננסה שוב',
  rejected: 'לא ניתן היה לשלוח את ההודעה',
  connecting: 'מתחברים…',
  joined: '{name} הצטרף/ה לשיחה',
  newMessage: 'הודעה חדשה',
  contactOpen: 'השארת אימייל או טלפון',
  contactHelp: 'השאירו אימייל או מספר טלפון, כדי שנוכל להמשיך את השיחה גם שם.',
  email: 'אימייל',
  phone: 'טלפון',
  save: 'שמירה',
  errEmpty: 'נא להזין אימייל או מספר טלפון.',
  errEmail: 'נא להזין אימייל בצורה name@example.com.',
  errPhone: 'נא להזין מספר טלפון בספרות, למשל 050-1234567.',
  saved: 'תודה! נוכל להמשיך גם באימייל או בטלפון.',
  contactNote: 'פרטי הקשר שלי: {v}',
}

const ar: Catalog = {
  launcher: 'تحدّث معنا',
  title: 'الدردشة',
  region: 'الدردشة',
  close: 'إغلاق الدردشة',
  log: 'الرسائل',
  greeting: 'مرحبًا! كيف يمكننا مساعدتك؟',
  label: 'رسالتك',
  hint: 'Enter للإرسال، وShift+Enter لسطر جديد',
  send: 'إرسال',
  you: 'أنت',
  agent: 'الموظف',
  sending: 'جارٍ الإرسال…',
  failed: 'لم تُرسَل بعد — سنحاول مرة أخرى',
  rejected: 'تعذّر إرسال هذه الرسالة',
  connecting: 'جارٍ الاتصال…',
  joined: 'انضمّ {name} إلى المحادثة',
  newMessage: 'رسالة جديدة',
  contactOpen: 'اترك بريدك أو هاتفك',
  contactHelp: 'اترك بريدك الإلكتروني أو رقم هاتفك لنتمكّن من متابعة المحادثة هناك.',
  email: 'البريد الإلكتروني',
  phone: 'الهاتف',
  save: 'حفظ',
  errEmpty: 'أدخل بريدًا إلكترونيًا أو رقم هاتف.',
  errEmail: 'أدخل بريدًا إلكترونيًا مثل name@example.com.',
  errPhone: 'أدخل رقم الهاتف بالأرقام، مثل 050-1234567.',
  saved: 'شكرًا! يمكننا المتابعة عبر البريد الإلكتروني أو الهاتف.',
  contactNote: 'بيانات الاتصال الخاصة بي: {v}',
}

const ru: Catalog = {
  launcher: 'Написать нам',
  title: 'Чат',
  region: 'Чат',
  close: 'Закрыть чат',
  log: 'Сообщения',
  greeting: 'Здравствуйте! Чем можем помочь?',
  label: 'Ваше сообщение',
  hint: 'Enter — отправить, Shift+Enter — новая строка',
  send: 'Отправить',
  you: 'Вы',
  agent: 'Сотрудник',
  sending: 'Отправляется…',
  failed: 'Ещё не отправлено — попробуем снова',
  rejected: 'Это сообщение не удалось отправить',
  connecting: 'Подключение…',
  joined: '{name} теперь в чате',
  newMessage: 'Новое сообщение',
  contactOpen: 'Оставить почту или телефон',
  contactHelp: 'Оставьте адрес электронной почты или номер телефона, чтобы мы могли продолжить разговор там.',
  email: 'Электронная почта',
  phone: 'Телефон',
  save: 'Сохранить',
  errEmpty: 'Введите адрес почты или номер телефона.',
  errEmail: 'Введите адрес почты, например name@example.com.',
  errPhone: 'Введите номер телефона цифрами, например 050-1234567.',
  saved: 'Спасибо! Мы сможем продолжить по почте или по телефону.',
  contactNote: 'Мои контакты: {v}',
}

const fr: Catalog = {
  launcher: 'Discuter avec nous',
  title: 'Discussion',
  region: 'Discussion',
  close: 'Fermer la discussion',
  log: 'Messages',
  greeting: 'Bonjour ! Comment pouvons-nous vous aider ?',
  label: 'Votre message',
  hint: 'Entrée pour envoyer, Maj+Entrée pour une nouvelle ligne',
  send: 'Envoyer',
  you: 'Vous',
  agent: 'Conseiller',
  sending: 'Envoi…',
  failed: 'Pas encore envoyé — nous réessaierons',
  rejected: 'Ce message n’a pas pu être envoyé',
  connecting: 'Connexion…',
  joined: '{name} a rejoint la conversation',
  newMessage: 'Nouveau message',
  contactOpen: 'Laisser votre e-mail ou téléphone',
  contactHelp: 'Laissez votre e-mail ou votre numéro de téléphone pour que nous puissions poursuivre la conversation par ce moyen.',
  email: 'E-mail',
  phone: 'Téléphone',
  save: 'Enregistrer',
  errEmpty: 'Saisissez un e-mail ou un numéro de téléphone.',
  errEmail: 'Saisissez un e-mail comme nom@exemple.com.',
  errPhone: 'Saisissez un numéro de téléphone en chiffres, par exemple 050-1234567.',
  saved: 'Merci ! Nous pourrons continuer par e-mail ou par téléphone.',
  contactNote: 'Mes coordonnées : {v}',
}

const am: Catalog = {
  launcher: 'ያነጋግሩን',
  title: 'ቻት',
  region: 'ቻት',
  close: 'ቻቱን ዝጋ',
  log: 'መልእክቶች',
  greeting: 'ሰላም! እንዴት ልንረዳዎት እንችላለን?',
  label: 'የእርስዎ መልእክት',
  hint: 'Enter ይልካል፣ Shift+Enter አዲስ መስመር ይጀምራል',
  send: 'ላክ',
  you: 'እርስዎ',
  agent: 'ወኪል',
  sending: 'በመላክ ላይ…',
  failed: 'ገና አልተላከም — እንደገና እንሞክራለን',
  rejected: 'ይህ መልእክት ሊላክ አልቻለም',
  connecting: 'በመገናኘት ላይ…',
  joined: '{name} ውይይቱን ተቀላቅለዋል',
  newMessage: 'አዲስ መልእክት',
  contactOpen: 'ኢሜይልዎን ወይም ስልክዎን ይተዉ',
  contactHelp: 'ውይይቱን እዚያ እንድንቀጥል ኢሜይልዎን ወይም ስልክ ቁጥርዎን ይተዉልን።',
  email: 'ኢሜይል',
  phone: 'ስልክ',
  save: 'አስቀምጥ',
  errEmpty: 'ኢሜይል ወይም ስልክ ቁጥር ያስገቡ።',
  errEmail: 'እንደ name@example.com ያለ ኢሜይል ያስገቡ።',
  errPhone: 'ስልክ ቁጥር በአሃዝ ያስገቡ፣ ለምሳሌ 050-1234567።',
  saved: 'እናመሰግናለን! በኢሜይል ወይም በስልክ መቀጠል እንችላለን።',
  contactNote: 'የመገናኛ ዝርዝሮቼ፦ {v}',
}

/** catalogs is every language the widget speaks, English first (the fallback). */
export const catalogs: Record<string, Catalog> = { en, he, ar, ru, fr, am }

/** rtl are the languages written right to left. */
const rtl = new Set(['he', 'ar'])

export type Lang = { lang: string; dir: 'rtl' | 'ltr'; t: (key: Key, vars?: Record<string, string>) => string }

/**
 * pickLanguage chooses the widget's language: the embedding page's data-lang when the widget
 * speaks it, else the first of the browser's languages it speaks ("he-IL" → he, and the
 * obsolete "iw" for Hebrew), else English.
 */
export function pickLanguage(dataLang: string | undefined | null, browser: readonly string[]): string {
  for (const raw of [dataLang ?? '', ...browser]) {
    let base = raw.trim().toLowerCase().split(/[-_]/)[0]
    if (base === 'iw') base = 'he'
    if (base && base in catalogs) return base
  }
  return 'en'
}

/** language returns the catalog, direction and text function of lang. */
export function language(lang: string): Lang {
  const cat = catalogs[lang] ?? en
  const code = lang in catalogs ? lang : 'en'
  return {
    lang: code,
    dir: rtl.has(code) ? 'rtl' : 'ltr',
    t: (key, vars = {}) => (cat[key] ?? en[key]).replace(/\{([a-z]+)\}/g, (m, name: string) => vars[name] ?? m),
  }
}
