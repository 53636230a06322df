package helpcenter

// Stop words: the words that carry grammar rather than meaning, left out of the index and of
// queries. Each list is written in its analysed spelling (Hebrew without final letters, Arabic
// without hamza on alef and with ه for ة, Russian with е for ё), because words are looked up
// after folding and before stemming. They are short on purpose: a word that might be the
// point of a question stays searchable.

// englishStop are English's (the words of a question, not of its subject).
var englishStop = map[string]bool{
	"a": true, "about": true, "above": true, "after": true, "again": true, "against": true,
	"all": true, "am": true, "an": true, "and": true, "any": true, "are": true, "as": true,
	"at": true, "be": true, "because": true, "been": true, "before": true, "being": true,
	"below": true, "between": true, "both": true, "but": true, "by": true, "can": true, "could": true,
	"did": true, "do": true, "does": true, "doing": true, "down": true, "during": true, "each": true,
	"few": true, "for": true, "from": true, "further": true, "had": true, "has": true, "have": true,
	"having": true, "he": true, "her": true, "here": true, "hers": true, "herself": true, "him": true,
	"himself": true, "his": true, "how": true, "i": true, "if": true, "in": true, "into": true,
	"is": true, "it": true, "its": true, "itself": true, "just": true, "me": true, "more": true,
	"most": true, "my": true, "myself": true, "no": true, "nor": true, "not": true, "now": true,
	"of": true, "off": true, "on": true, "once": true, "only": true, "or": true, "other": true,
	"our": true, "ours": true, "ourselves": true, "out": true, "over": true, "own": true,
	"same": true, "she": true, "should": true, "so": true, "some": true, "such": true, "than": true,
	"that": true, "the": true, "their": true, "theirs": true, "them": true, "themselves": true,
	"then": true, "there": true, "these": true, "they": true, "this": true, "those": true,
	"through": true, "to": true, "too": true, "under": true, "until": true, "up": true, "very": true,
	"was": true, "we": true, "were": true, "what": true, "when": true, "where": true, "which": true,
	"while": true, "who": true, "whom": true, "why": true, "will": true, "with": true, "would": true,
	"you": true, "your": true, "yours": true, "yourself": true, "yourselves": true, "also": true,
	"im": true, "ive": true, "dont": true, "didnt": true, "doesnt": true, "isnt": true,
	"arent": true, "wont": true, "cant": true,
}

// hebrewStop are Hebrew's, with the prefixed forms common enough to list ("ולא", "שיש").
var hebrewStop = map[string]bool{
	"של": true, "את": true, "על": true, "עמ": true, "זה": true, "זו": true, "זאת": true, "הוא": true,
	"היא": true, "המ": true, "הנ": true, "אני": true, "אתה": true, "אתמ": true, "אנחנו": true,
	"לא": true, "כנ": true, "יש": true, "אינ": true, "מה": true, "מי": true, "איכ": true, "למה": true,
	"כי": true, "אמ": true, "או": true, "גמ": true, "רק": true, "כל": true, "עוד": true, "אבל": true,
	"כמו": true, "אל": true, "עד": true, "אחרי": true, "לפני": true, "בינ": true, "היה": true,
	"היתה": true, "הייתה": true, "יהיה": true, "להיות": true, "אז": true, "פה": true, "כאנ": true,
	"אותו": true, "אותה": true, "אותי": true, "אותמ": true, "לי": true, "לכ": true, "לו": true,
	"לה": true, "לנו": true, "להמ": true, "שלי": true, "שלכ": true, "שלו": true, "שלה": true,
	"שלנו": true, "שלהמ": true, "מאוד": true, "יותר": true, "אשר": true, "כדי": true, "ולא": true,
	"שלא": true, "ויש": true, "שיש": true, "ואינ": true, "שאינ": true, "וגמ": true, "כמה": true,
	"האמ": true, "אצל": true, "בלי": true, "אלה": true, "אלו": true, "הזה": true, "הזאת": true,
	"הזו": true, "ממנו": true, "עליו": true, "אליו": true, "בו": true, "בה": true, "בהמ": true,
	"מתי": true, "איפה": true, "שזה": true, "וזה": true, "זהו": true,
}

// arabicStop are Arabic's.
var arabicStop = map[string]bool{
	"في": true, "من": true, "علي": true, "الي": true, "عن": true, "ان": true, "ما": true, "لا": true,
	"هذا": true, "هذه": true, "ذلك": true, "تلك": true, "هو": true, "هي": true, "هم": true,
	"انا": true, "انت": true, "نحن": true, "كان": true, "كانت": true, "يكون": true, "قد": true,
	"لم": true, "لن": true, "او": true, "ثم": true, "كل": true, "بعض": true, "غير": true, "بين": true,
	"مع": true, "عند": true, "الذي": true, "التي": true, "الذين": true, "كيف": true, "متي": true,
	"اين": true, "لماذا": true, "هل": true, "ايضا": true, "حتي": true, "اذا": true, "لكن": true,
	"ولا": true, "وهو": true, "وهي": true, "فيه": true, "فيها": true, "به": true, "بها": true,
	"له": true, "لها": true, "منه": true, "عليه": true, "اي": true, "هناك": true, "هنا": true,
}

// russianStop are Russian's (Snowball's list).
var russianStop = map[string]bool{
	"и": true, "в": true, "во": true, "не": true, "что": true, "он": true, "на": true, "я": true,
	"с": true, "со": true, "как": true, "а": true, "то": true, "все": true, "она": true, "так": true,
	"его": true, "но": true, "да": true, "ты": true, "к": true, "у": true, "же": true, "вы": true,
	"за": true, "бы": true, "по": true, "только": true, "ее": true, "мне": true, "было": true,
	"вот": true, "от": true, "меня": true, "еще": true, "нет": true, "о": true, "из": true,
	"ему": true, "теперь": true, "когда": true, "даже": true, "ну": true, "вдруг": true, "ли": true,
	"если": true, "уже": true, "или": true, "ни": true, "быть": true, "был": true, "него": true,
	"до": true, "вас": true, "нибудь": true, "опять": true, "уж": true, "вам": true, "ведь": true,
	"там": true, "потом": true, "себя": true, "ничего": true, "ей": true, "может": true, "они": true,
	"тут": true, "где": true, "есть": true, "надо": true, "ней": true, "для": true, "мы": true,
	"тебя": true, "их": true, "чем": true, "была": true, "сам": true, "чтоб": true, "без": true,
	"будто": true, "чего": true, "раз": true, "тоже": true, "себе": true, "под": true, "будет": true,
	"ж": true, "тогда": true, "кто": true, "этот": true, "того": true, "потому": true, "этого": true,
	"какой": true, "совсем": true, "ним": true, "здесь": true, "этом": true, "один": true,
	"почти": true, "мой": true, "тем": true, "чтобы": true, "нее": true, "сейчас": true, "были": true,
	"куда": true, "зачем": true, "всех": true, "никогда": true, "можно": true, "при": true,
	"наконец": true, "два": true, "об": true, "другой": true, "хоть": true, "после": true,
	"над": true, "больше": true, "тот": true, "через": true, "эти": true, "нас": true, "про": true,
	"всего": true, "них": true, "какая": true, "много": true, "разве": true, "три": true, "эту": true,
	"моя": true, "впрочем": true, "хорошо": true, "свою": true, "этой": true, "перед": true,
	"иногда": true, "лучше": true, "чуть": true, "том": true, "нельзя": true, "такой": true,
	"им": true, "более": true, "всегда": true, "конечно": true, "всю": true, "между": true,
}
