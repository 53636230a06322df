package telegram

import (
	"encoding/json"
	"fmt"
	"mime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// The Bot API objects Gesher reads, with the field names of core.telegram.org/bots/api. Fields
// Gesher has no use for are left out; encoding/json skips them.

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

// Chat is the chat a message belongs to; Gesher serves only "private" ones.
type Chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID   string `json:"file_id"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	FileSize int64  `json:"file_size"`
}

// FileMeta is what Document, Audio, Voice, Video, VideoNote and Sticker have in common.
type FileMeta struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	FileSize int64  `json:"file_size"`
	// Audio only.
	Performer string `json:"performer"`
	Title     string `json:"title"`
	// Sticker only.
	Emoji      string `json:"emoji"`
	IsAnimated bool   `json:"is_animated"`
	IsVideo    bool   `json:"is_video"`
}

// Location is a point on the map.
type Location struct {
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
	LivePeriod int     `json:"live_period"`
}

// Venue is a named place.
type Venue struct {
	Location Location `json:"location"`
	Title    string   `json:"title"`
	Address  string   `json:"address"`
}

// Contact is a shared phone contact. UserID is set when the contact is a Telegram user; when it
// is the sender's own id, the sender shared their own number.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	UserID      int64  `json:"user_id"`
}

// InlineButton is one button of an inline keyboard.
type InlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// Message is a Telegram message.
type Message struct {
	MessageID int64       `json:"message_id"`
	From      *User       `json:"from"`
	Chat      Chat        `json:"chat"`
	Date      int64       `json:"date"`
	EditDate  int64       `json:"edit_date"`
	Text      string      `json:"text"`
	Caption   string      `json:"caption"`
	Photo     []PhotoSize `json:"photo"`
	Document  *FileMeta   `json:"document"`
	Audio     *FileMeta   `json:"audio"`
	Voice     *FileMeta   `json:"voice"`
	Video     *FileMeta   `json:"video"`
	VideoNote *FileMeta   `json:"video_note"`
	Sticker   *FileMeta   `json:"sticker"`
	Location  *Location   `json:"location"`
	Venue     *Venue      `json:"venue"`
	Contact   *Contact    `json:"contact"`
	// Content Gesher cannot show; the message says so instead of vanishing.
	Dice      json.RawMessage `json:"dice"`
	Poll      json.RawMessage `json:"poll"`
	Game      json.RawMessage `json:"game"`
	Story     json.RawMessage `json:"story"`
	PaidMedia json.RawMessage `json:"paid_media"`
	Invoice   json.RawMessage `json:"invoice"`

	ReplyMarkup *struct {
		InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
	} `json:"reply_markup"`
}

// CallbackQuery is a press of an inline-keyboard button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    *User    `json:"from"`
	Message *Message `json:"message"`
	Data    string   `json:"data"`
}

type wireUpdate struct {
	UpdateID      *int64         `json:"update_id"`
	Message       *Message       `json:"message"`
	EditedMessage *Message       `json:"edited_message"`
	CallbackQuery *CallbackQuery `json:"callback_query"`
}

// Item is what one update becomes: a customer's message with the files still to fetch from
// Telegram.
type Item struct {
	UpdateID   int64
	Type       string // "message", "edited_message" or "callback_query"
	ExternalID string // the de-duplication key
	From       channel.Contact
	Text       string
	At         time.Time // zero when Telegram gives no time (a button press): the ingester uses now
	Files      []FileRef
	Press      *channel.Press // a button press: which message's question, which answer
}

// FileRef is a file a message carries, as the update announces it.
type FileRef struct {
	FileID      string
	Name        string
	ContentType string
	Size        int64 // as announced; 0 when Telegram left it out
}

// Limits on what Parse accepts. Telegram sends at most 4,096 characters of text and 1,024 of
// caption, and file ids of a few dozen characters; the margins are generous, the limits are
// for a body that is not what it claims.
const (
	maxText   = 64 * 1024
	maxFileID = 256
	maxName   = 200
)

const callbackPrefix = "callback:"

// Parse decodes and checks one webhook body. It returns nil, nil for an update Gesher does not
// serve: another update type (my_chat_member, channel_post, poll …), a message in a group,
// supergroup or channel, a message from a bot, an edit that only moves a live location, or a
// service message with nothing a customer wrote. It is the whole parser, so it is what the
// fuzz test drives. Errors are *channel.PayloadError.
func Parse(body []byte) (*Item, error) {
	var u wireUpdate
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, channel.Payloadf("not a Telegram Update: %v", err)
	}
	if u.UpdateID == nil {
		return nil, channel.Payloadf("update_id is missing")
	}
	if *u.UpdateID < 0 {
		return nil, channel.Payloadf("update_id %d is negative", *u.UpdateID)
	}
	id := strconv.FormatInt(*u.UpdateID, 10)
	switch {
	case u.Message != nil:
		return fromMessage(*u.UpdateID, "message", id, u.Message)
	case u.EditedMessage != nil:
		return fromMessage(*u.UpdateID, "edited_message", id, u.EditedMessage)
	case u.CallbackQuery != nil:
		return fromCallback(*u.UpdateID, u.CallbackQuery)
	}
	return nil, nil
}

func fromMessage(updateID int64, typ, externalID string, m *Message) (*Item, error) {
	if m.Chat.Type == "" {
		return nil, channel.Payloadf("%s.chat is missing", typ)
	}
	if m.Chat.Type != "private" {
		return nil, nil
	}
	if m.From == nil {
		return nil, channel.Payloadf("%s has no sender (from)", typ)
	}
	if m.From.ID <= 0 {
		return nil, channel.Payloadf("%s.from.id %d is not a user id", typ, m.From.ID)
	}
	if m.From.IsBot {
		return nil, nil
	}
	edited := typ == "edited_message"
	if edited && m.Location != nil && m.Venue == nil {
		// A live location edits its message every few seconds while it moves; each edit
		// would be a new message in the conversation. The first one was shown already.
		return nil, nil
	}
	it := &Item{UpdateID: updateID, Type: typ, ExternalID: externalID, From: sender(*m.From), At: unixTime(m.Date)}
	if edited && m.EditDate > 0 {
		it.At = unixTime(m.EditDate)
	}
	text, err := content(m, it)
	if err != nil {
		return nil, channel.Payloadf("%s: %v", typ, err)
	}
	if text == "" && len(it.Files) == 0 {
		// A service message (a pinned message, a payment, "allowed the bot to write" …):
		// nothing the customer said.
		return nil, nil
	}
	if edited {
		text = "(edited) " + text
	}
	it.Text = text
	return it, nil
}

// content renders what the message carries as text and files, and adds the sender's own phone
// number when they shared it.
func content(m *Message, it *Item) (string, error) {
	text := channel.StorableText(m.Text, maxText)
	if text == "" {
		text = channel.StorableText(m.Caption, maxText)
	}
	file := func(meta *FileMeta, name, contentType string) error {
		if err := checkFileID(meta.FileID); err != nil {
			return err
		}
		if meta.FileName != "" {
			name = cleanName(meta.FileName)
		}
		if meta.MimeType != "" && len(meta.MimeType) <= 255 {
			contentType = meta.MimeType
		}
		it.Files = append(it.Files, FileRef{FileID: meta.FileID, Name: name, ContentType: contentType, Size: max(meta.FileSize, 0)})
		return nil
	}
	var err error
	switch {
	case len(m.Photo) > 0:
		p, ok := largestPhoto(m.Photo)
		if !ok {
			return "", fmt.Errorf("a photo without a file_id")
		}
		if err := checkFileID(p.FileID); err != nil {
			return "", err
		}
		// Telegram re-encodes every photo as JPEG.
		it.Files = append(it.Files, FileRef{FileID: p.FileID, Name: "photo.jpg", ContentType: "image/jpeg", Size: max(p.FileSize, 0)})
	case m.Document != nil:
		name := "document"
		if exts, _ := mime.ExtensionsByType(m.Document.MimeType); len(exts) > 0 {
			name += exts[0]
		}
		err = file(m.Document, name, "application/octet-stream")
	case m.Audio != nil:
		name := "audio.mp3"
		if t := cleanName(strings.TrimSpace(strings.Trim(m.Audio.Performer+" - "+m.Audio.Title, " -"))); t != "" {
			name = t + ".mp3"
		}
		err = file(m.Audio, name, "audio/mpeg")
	case m.Voice != nil:
		err = file(m.Voice, "voice.ogg", "audio/ogg")
	case m.Video != nil:
		err = file(m.Video, "video.mp4", "video/mp4")
	case m.VideoNote != nil:
		err = file(m.VideoNote, "video-note.mp4", "video/mp4")
	case m.Sticker != nil:
		name, ct := "sticker.webp", "image/webp"
		switch {
		case m.Sticker.IsAnimated:
			name, ct = "sticker.tgs", "application/x-tgsticker"
		case m.Sticker.IsVideo:
			name, ct = "sticker.webm", "video/webm"
		}
		err = file(m.Sticker, name, ct)
		if text == "" {
			text = strings.TrimSpace("[sticker " + channel.StorableText(limit(m.Sticker.Emoji), maxText) + "]")
		}
	case m.Venue != nil:
		loc, lerr := place(m.Venue.Location)
		if lerr != nil {
			return "", lerr
		}
		text = "Venue: " + channel.StorableText(strings.Trim(m.Venue.Title+", "+m.Venue.Address, ", "), maxText) + "\n" + loc
	case m.Location != nil:
		loc, lerr := place(*m.Location)
		if lerr != nil {
			return "", lerr
		}
		label := "Location: "
		if m.Location.LivePeriod > 0 {
			label = fmt.Sprintf("Live location (shared for %s): ", time.Duration(m.Location.LivePeriod)*time.Second)
		}
		text = label + loc
	case m.Contact != nil:
		text = contact(m.Contact, m.From.ID, it)
	case m.Dice != nil:
		text = unsupported("a dice roll")
	case m.Poll != nil:
		text = unsupported("a poll")
	case m.Game != nil:
		text = unsupported("a game")
	case m.Story != nil:
		text = unsupported("a story")
	case m.PaidMedia != nil:
		text = unsupported("paid media")
	case m.Invoice != nil:
		text = unsupported("an invoice")
	}
	return text, err
}

// contact renders a shared contact. The sender sharing their own number (the "share my phone
// number" button, or their own card) is a phone number Telegram vouches for: it goes first
// among the identities, so the ingester finds the customer who already wrote from that number
// by SMS, WhatsApp or the API, and the Telegram id joins them — merging the two customers when
// the Telegram user had written before they shared it.
func contact(c *Contact, senderID int64, it *Item) string {
	name := channel.StorableText(strings.TrimSpace(c.FirstName+" "+c.LastName), maxText)
	number := channel.StorableText(limit(strings.TrimSpace(c.PhoneNumber)), maxText)
	if c.UserID != senderID {
		return "Contact: " + strings.Trim(name+", "+number, ", ")
	}
	phone, ok := phoneOf(c.PhoneNumber)
	if !ok {
		return "Shared their phone number: " + number
	}
	it.From.Identities = append([]channel.Identity{{Kind: customer.Phone, Value: phone}}, it.From.Identities...)
	// Telegram puts a contact's user_id only on the account that owns the number: the two
	// identities are one person, and a customer holding either is merged with the other.
	it.From.Proven = true
	return "Shared their phone number: " + phone
}

// phoneOf normalises a number from a Telegram contact. Telegram's apps send the user's own
// number in international form, often without the "+"; read without it, a number like
// 972501234567 would be taken as a local Israeli one.
func phoneOf(raw string) (string, bool) {
	s := strings.TrimSpace(raw)
	if s != "" && !strings.HasPrefix(s, "+") && strings.Trim(s, "0123456789") == "" {
		s = "+" + s
	}
	phone, err := customer.Normalize(customer.Phone, s)
	return phone, err == nil
}

func fromCallback(updateID int64, q *CallbackQuery) (*Item, error) {
	if q.ID == "" {
		return nil, channel.Payloadf("callback_query.id is missing")
	}
	if len(q.ID) > 128 {
		return nil, channel.Payloadf("callback_query.id is longer than 128 characters")
	}
	if q.From == nil || q.From.ID <= 0 {
		return nil, channel.Payloadf("callback_query has no sender (from)")
	}
	if q.From.IsBot {
		return nil, nil
	}
	// A press on a message sent in inline mode has no message, and one in a group is not a
	// private conversation; a game's button carries no data. None of them is a customer
	// writing to the service.
	if q.Message == nil || (q.Message.Chat.Type != "" && q.Message.Chat.Type != "private") || q.Data == "" {
		return nil, nil
	}
	press := channel.ReadButton(q.Data)
	if press.N > maxChoices {
		press = channel.Press{} // more than a keyboard of Gesher's holds
	}
	text := channel.StorableText(q.Data, maxText)
	if press.N > 0 {
		text = strconv.Itoa(press.N)
	}
	if q.Message.ReplyMarkup != nil {
	rows:
		for _, row := range q.Message.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == q.Data && strings.TrimSpace(b.Text) != "" {
					text = channel.StorableText(b.Text, maxText)
					break rows
				}
			}
		}
	}
	return &Item{UpdateID: updateID, Type: "callback_query", ExternalID: callbackPrefix + channel.StorableText(q.ID, maxText), From: sender(*q.From), Text: text, Press: &press}, nil
}

// sender is the customer's identity: the Telegram user id, which is also the chat id of their
// private chat with the bot, and the name they gave Telegram.
func sender(u User) channel.Contact {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.Username
	}
	name = channel.StorableText(name, maxText)
	if len(name) > maxName {
		name = strings.ToValidUTF8(name[:maxName], "")
	}
	return channel.Contact{
		Identities: []channel.Identity{{Kind: customer.Telegram, Value: strconv.FormatInt(u.ID, 10)}},
		Name:       name,
	}
}

// largestPhoto picks the biggest size of a photo that fits the media store; Telegram lists the
// sizes smallest first, but that order is not promised.
func largestPhoto(sizes []PhotoSize) (PhotoSize, bool) {
	valid := make([]PhotoSize, 0, len(sizes))
	for _, p := range sizes {
		if p.FileID != "" {
			valid = append(valid, p)
		}
	}
	if len(valid) == 0 {
		return PhotoSize{}, false
	}
	sort.SliceStable(valid, func(i, j int) bool {
		return int64(valid[i].Width)*int64(valid[i].Height) > int64(valid[j].Width)*int64(valid[j].Height)
	})
	for _, p := range valid {
		if p.FileSize <= maxFile {
			return p, true
		}
	}
	return valid[0], true
}

// place renders coordinates, and on the next line a map link the agent can open.
func place(l Location) (string, error) {
	if l.Latitude < -90 || l.Latitude > 90 || l.Longitude < -180 || l.Longitude > 180 {
		return "", fmt.Errorf("coordinates %v, %v are off the map", l.Latitude, l.Longitude)
	}
	lat, lon := strconv.FormatFloat(l.Latitude, 'f', -1, 64), strconv.FormatFloat(l.Longitude, 'f', -1, 64)
	return fmt.Sprintf("%s, %s\nhttps://www.openstreetmap.org/?mlat=%s&mlon=%s#map=17/%s/%s", lat, lon, lat, lon, lat, lon), nil
}

func unsupported(what string) string {
	return "(sent " + what + " on Telegram, which Gesher cannot show)"
}

// checkFileID accepts Telegram's file ids (URL-safe base64) and nothing that could not be one:
// it goes into the getFile call.
func checkFileID(id string) error {
	if id == "" {
		return fmt.Errorf("file_id is missing")
	}
	if len(id) > maxFileID {
		return fmt.Errorf("file_id is longer than %d characters", maxFileID)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("file_id %q has characters a file id does not have", limit(id))
		}
	}
	return nil
}

func unixTime(s int64) time.Time {
	// Telegram's dates are positive Unix seconds; anything else (or past year 9999) is not a
	// date, and the message is stamped with the time it arrived.
	if s <= 0 || s > 253402300799 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// cleanName keeps a sender's file name as a name: no path, no control characters.
func cleanName(s string) string {
	s = channel.StorableText(s, maxText)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > maxName {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// limit shortens a caller's value for a message.
func limit(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
