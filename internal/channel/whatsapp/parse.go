package whatsapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Delivery is one webhook POST, parsed: what customers sent, what Meta reports about messages
// Gesher sent, and the errors Meta reports about the app or account. One delivery can carry
// several entries, changes and messages; they keep Meta's order.
type Delivery struct {
	Messages []Message
	Statuses []Status
	Errors   []Error
}

// Message is one message a customer sent, with its text already rendered for an agent.
type Message struct {
	PhoneNumberID string // the business number it was sent to (metadata.phone_number_id)
	ID            string // wamid…, the de-duplication key
	From          string // the sender's wa_id: international digits without "+"
	Name          string // the sender's WhatsApp profile name, when Meta sent it
	At            time.Time
	Type          string // Meta's message type: text, image, location, interactive …
	Text          string
	// ReplyID is the id of the button or list row the customer tapped (interactive replies
	// and template quick replies): the title is in Text, this is what automations match on.
	ReplyID string
	// Press is the tap on an interactive message's button or list row read as Gesher wrote
	// its id (channel.ButtonData); nil for a template's quick reply, which Gesher did not number.
	Press *channel.Press
	// InReplyTo is the wamid of the message this one answers or reacts to, when Meta says.
	InReplyTo string
	Media     *Media                    // image, audio, video, document, sticker: to download
	Links     []conversation.Attachment // links that are not files, such as a map
	// Removed says the customer took back a reaction: there is nothing to store.
	Removed bool
}

// Media is a file attached to a message, known by Meta's media id until it is downloaded.
type Media struct {
	ID       string
	MimeType string
	SHA256   string // as Meta sent it: base64 in current payloads, hex in older ones
	Filename string // documents only
	Voice    bool   // an audio recorded in WhatsApp (a voice note), not an uploaded file
	Animated bool   // stickers only
}

// Status is Meta's report on a message Gesher sent.
type Status struct {
	PhoneNumberID string
	ID            string // the wamid the Messages API returned when Gesher sent the message
	Status        string // Meta's word, lower-cased: sent, delivered, read, played, failed …
	RecipientID   string
	At            time.Time
	Errors        []Error
}

// Error is one of Meta's error objects, in a failed status, an unsupported message or a
// change's value.
type Error struct {
	Code    int
	Title   string
	Message string
	Details string
	Href    string
}

// Limits on what Parse accepts. Meta batches at most 1,000 updates and a text has at most
// 4,096 characters; the limits are for a body that is not what it claims.
const (
	maxItems = 2000
	maxText  = 64 * 1024
	maxID    = 512
	maxField = 1024
)

// Parse decodes a messages-webhook body and checks it. It is the whole parser, so it is what
// the fuzz test drives. Changes for other webhook fields (account_update, template status …)
// are skipped. Errors are *channel.PayloadError.
func Parse(body []byte) (Delivery, error) {
	var d Delivery
	var hook struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string          `json:"field"`
				Value json.RawMessage `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &hook); err != nil {
		return d, channel.Payloadf("not a WhatsApp webhook body: %v", err)
	}
	if hook.Object != "whatsapp_business_account" {
		return d, channel.Payloadf("object is %q, not whatsapp_business_account", limit(hook.Object))
	}
	if len(hook.Entry) == 0 {
		return d, channel.Payloadf("the delivery has no entry")
	}
	for _, e := range hook.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			if err := d.addValue(c.Value); err != nil {
				return d, err
			}
			if len(d.Messages)+len(d.Statuses)+len(d.Errors) > maxItems {
				return d, channel.Payloadf("more than %d items in one delivery", maxItems)
			}
		}
	}
	return d, nil
}

type wireValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []wireMessage `json:"messages"`
	Statuses []wireStatus  `json:"statuses"`
	Errors   []wireError   `json:"errors"`
}

type wireMessage struct {
	From      string   `json:"from"`
	ID        string   `json:"id"`
	Timestamp unixTime `json:"timestamp"`
	Type      string   `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *wireMedia `json:"image"`
	Audio    *wireMedia `json:"audio"`
	Video    *wireMedia `json:"video"`
	Document *wireMedia `json:"document"`
	Sticker  *wireMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
		URL       string  `json:"url"`
	} `json:"location"`
	Contacts    []sharedContact `json:"contacts"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		MessageID string  `json:"message_id"`
		Emoji     *string `json:"emoji"`
	} `json:"reaction"`
	System *struct {
		Body string `json:"body"`
	} `json:"system"`
	Unsupported *struct {
		Type string `json:"type"`
	} `json:"unsupported"`
	Context *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Errors []wireError `json:"errors"`
}

type wireMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
	Animated bool   `json:"animated"`
}

type sharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		MiddleName    string `json:"middle_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Org struct {
		Company string `json:"company"`
	} `json:"org"`
	Phones []struct {
		Phone string `json:"phone"`
		Type  string `json:"type"`
	} `json:"phones"`
	Emails []struct {
		Email string `json:"email"`
	} `json:"emails"`
}

type wireStatus struct {
	ID          string      `json:"id"`
	Status      string      `json:"status"`
	Timestamp   unixTime    `json:"timestamp"`
	RecipientID string      `json:"recipient_id"`
	Errors      []wireError `json:"errors"`
}

type wireError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href"`
}

func (e wireError) parsed() Error {
	return Error{Code: e.Code, Title: channel.StorableText(e.Title, maxField), Message: channel.StorableText(e.Message, maxField),
		Details: channel.StorableText(e.ErrorData.Details, maxField), Href: channel.StorableText(e.Href, maxField)}
}

// unixTime is Meta's timestamp: Unix seconds, as a string in messages and statuses (and as a
// number in some other webhooks, which is accepted too).
type unixTime struct{ t time.Time }

func (u *unixTime) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	// Before 2001 or after 5138 is not a WhatsApp message.
	if err != nil || n < 1e9 || n > 1e11 {
		return fmt.Errorf("timestamp %q is not Unix seconds", limit(s))
	}
	u.t = time.Unix(n, 0).UTC()
	return nil
}

func (d *Delivery) addValue(raw json.RawMessage) error {
	var v wireValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return channel.Payloadf("a messages change: %v", err)
	}
	if v.MessagingProduct != "" && v.MessagingProduct != "whatsapp" {
		return channel.Payloadf("messaging_product is %q, not whatsapp", limit(v.MessagingProduct))
	}
	pnid := channel.StorableText(v.Metadata.PhoneNumberID, maxID)
	names := map[string]string{}
	for _, c := range v.Contacts {
		names[c.WaID] = channel.StorableText(c.Profile.Name, 256)
	}
	for _, wm := range v.Messages {
		m, err := parseMessage(wm, names)
		if err != nil {
			return err
		}
		if m.Name == "" && len(v.Contacts) == 1 && len(v.Messages) == 1 {
			// A contact whose wa_id differs from the message's from is still the sender
			// when there is one of each: Meta notes the two need not match.
			m.Name = channel.StorableText(v.Contacts[0].Profile.Name, 256)
		}
		m.PhoneNumberID = pnid
		d.Messages = append(d.Messages, m)
	}
	for _, ws := range v.Statuses {
		if err := checkID("statuses[].id", ws.ID); err != nil {
			return err
		}
		word := strings.ToLower(strings.TrimSpace(ws.Status))
		if word == "" || len(word) > 32 {
			return channel.Payloadf("status %q is not a status word", limit(ws.Status))
		}
		s := Status{PhoneNumberID: pnid, ID: ws.ID, Status: word, RecipientID: channel.StorableText(ws.RecipientID, maxID), At: ws.Timestamp.t}
		for _, e := range ws.Errors {
			s.Errors = append(s.Errors, e.parsed())
		}
		d.Statuses = append(d.Statuses, s)
	}
	for _, e := range v.Errors {
		d.Errors = append(d.Errors, e.parsed())
	}
	return nil
}

// checkID accepts what a wamid or media id is made of (base64 and a few separators), and
// nothing that could not be an id: it becomes a de-duplication key.
func checkID(field, id string) error {
	if id == "" {
		return channel.Payloadf("%s is missing", field)
	}
	if len(id) > maxID {
		return channel.Payloadf("%s is longer than %d characters", field, maxID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+/=._:-", c) >= 0) {
			return channel.Payloadf("%s %q has characters an id does not have", field, limit(id))
		}
	}
	return nil
}

func parseMessage(wm wireMessage, names map[string]string) (Message, error) {
	m := Message{ID: wm.ID, At: wm.Timestamp.t, Type: strings.ToLower(strings.TrimSpace(wm.Type))}
	if err := checkID("messages[].id", wm.ID); err != nil {
		return m, err
	}
	if wm.From == "" {
		// Meta leaves from out for a user who adopted a username and hid the number; they
		// are known only by a business-scoped user id, which Gesher does not support yet.
		return m, channel.Payloadf("message %s has no from (a sender without a phone number is not supported)", limit(wm.ID))
	}
	from, err := customer.Normalize(customer.WhatsApp, wm.From)
	if err != nil {
		return m, channel.Payloadf("message %s: from: %v", limit(wm.ID), err)
	}
	m.From, m.Name = from, names[wm.From]
	if wm.Context != nil {
		m.InReplyTo = channel.StorableText(wm.Context.ID, maxID)
	}
	if len(m.Type) > 64 {
		return m, channel.Payloadf("message %s: type is not a type", limit(wm.ID))
	}
	switch m.Type {
	case "text":
		if wm.Text != nil {
			m.Text = channel.StorableText(wm.Text.Body, maxText)
		}
		if strings.TrimSpace(m.Text) == "" {
			m.Text = "(an empty WhatsApp message)"
		}
	case "image", "audio", "video", "document", "sticker":
		wmm := map[string]*wireMedia{"image": wm.Image, "audio": wm.Audio, "video": wm.Video, "document": wm.Document, "sticker": wm.Sticker}[m.Type]
		if wmm == nil {
			return m, channel.Payloadf("message %s is of type %s but has no %s object", limit(wm.ID), m.Type, m.Type)
		}
		if err := checkID(m.Type+".id", wmm.ID); err != nil {
			return m, err
		}
		m.Media = &Media{ID: wmm.ID, MimeType: channel.StorableText(wmm.MimeType, 255), SHA256: channel.StorableText(wmm.SHA256, 128),
			Filename: channel.StorableText(wmm.Filename, 255), Voice: wmm.Voice, Animated: wmm.Animated}
		m.Text = channel.StorableText(wmm.Caption, maxText)
	case "location":
		if wm.Location == nil {
			return m, channel.Payloadf("message %s is a location without a location object", limit(wm.ID))
		}
		l := wm.Location
		if math.IsNaN(l.Latitude) || l.Latitude < -90 || l.Latitude > 90 || math.IsNaN(l.Longitude) || l.Longitude < -180 || l.Longitude > 180 {
			return m, channel.Payloadf("message %s: latitude %v, longitude %v is not a place on Earth", limit(wm.ID), l.Latitude, l.Longitude)
		}
		m.Text, m.Links = renderLocation(l.Latitude, l.Longitude, channel.StorableText(l.Name, maxField), channel.StorableText(l.Address, maxField), channel.StorableText(l.URL, 2048))
	case "contacts":
		m.Text = renderContacts(wm.Contacts)
	case "interactive":
		switch {
		case wm.Interactive != nil && wm.Interactive.ButtonReply != nil:
			m.Text, m.ReplyID = channel.StorableText(wm.Interactive.ButtonReply.Title, maxField), channel.StorableText(wm.Interactive.ButtonReply.ID, maxField)
			p := channel.ReadButton(m.ReplyID)
			m.Press = &p
		case wm.Interactive != nil && wm.Interactive.ListReply != nil:
			m.Text, m.ReplyID = channel.StorableText(wm.Interactive.ListReply.Title, maxField), channel.StorableText(wm.Interactive.ListReply.ID, maxField)
			p := channel.ReadButton(m.ReplyID)
			m.Press = &p
		}
		if strings.TrimSpace(m.Text) == "" {
			kind := "interactive"
			if wm.Interactive != nil && wm.Interactive.Type != "" {
				kind = channel.StorableText(wm.Interactive.Type, 64)
			}
			m.Text = fmt.Sprintf("(a WhatsApp %s reply that Gesher does not show yet)", kind)
		}
	case "button":
		if wm.Button != nil {
			m.Text, m.ReplyID = channel.StorableText(wm.Button.Text, maxField), channel.StorableText(wm.Button.Payload, maxField)
			if strings.TrimSpace(m.Text) == "" {
				m.Text = m.ReplyID
			}
		}
		if strings.TrimSpace(m.Text) == "" {
			m.Text = "(a tap on a template's quick-reply button)"
		}
	case "reaction":
		if wm.Reaction == nil {
			return m, channel.Payloadf("message %s is a reaction without a reaction object", limit(wm.ID))
		}
		m.InReplyTo = channel.StorableText(wm.Reaction.MessageID, maxID)
		if wm.Reaction.Emoji == nil || strings.TrimSpace(*wm.Reaction.Emoji) == "" {
			m.Removed = true
			break
		}
		m.Text = fmt.Sprintf("%s (reaction to message %s)", channel.StorableText(*wm.Reaction.Emoji, 64), m.InReplyTo)
	case "system":
		if wm.System != nil {
			m.Text = channel.StorableText(wm.System.Body, maxField)
		}
		if strings.TrimSpace(m.Text) == "" {
			m.Text = "(a WhatsApp system notice)"
		}
	case "unsupported":
		kind := "unknown"
		if wm.Unsupported != nil && wm.Unsupported.Type != "" {
			kind = channel.StorableText(wm.Unsupported.Type, 64)
		}
		m.Text = fmt.Sprintf("(a WhatsApp message Gesher cannot show: %s%s)", kind, errorNote(wm.Errors))
	default:
		kind := m.Type
		if kind == "" {
			kind = "unknown"
		}
		m.Text = fmt.Sprintf("(a WhatsApp message of type %q, which Gesher does not show yet%s)", channel.StorableText(kind, 64), errorNote(wm.Errors))
	}
	return m, nil
}

// errorNote is Meta's explanation of an unsupported message, for the placeholder text.
func errorNote(errs []wireError) string {
	if len(errs) == 0 {
		return ""
	}
	e := errs[0].parsed()
	switch {
	case e.Details != "":
		return " — " + e.Details
	case e.Message != "":
		return " — " + e.Message
	case e.Title != "":
		return " — " + e.Title
	}
	return ""
}

// renderLocation writes a shared location as a line an agent can read aloud to a colleague,
// and a map link that opens in any browser: "📍 Philz Coffee, 101 Forest Ave (37.44, -122.16)".
func renderLocation(lat, lon float64, name, address, url string) (string, []conversation.Attachment) {
	coords := strconv.FormatFloat(lat, 'f', -1, 64) + "," + strconv.FormatFloat(lon, 'f', -1, 64)
	var parts []string
	for _, p := range []string{name, address} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	text := "📍 "
	if len(parts) > 0 {
		text += strings.Join(parts, ", ") + " "
	}
	text += "(" + strings.ReplaceAll(coords, ",", ", ") + ")"
	if u := strings.TrimSpace(url); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		text += "\n" + u
	}
	links := []conversation.Attachment{{Name: "Map", ContentType: "text/html", URL: "https://www.google.com/maps/search/?api=1&query=" + coords}}
	return text, links
}

// renderContacts writes the shared vCards as the names, companies, phones and emails an agent
// needs, one contact after another.
func renderContacts(cs []sharedContact) string {
	var b strings.Builder
	for i, c := range cs {
		if i >= 20 {
			fmt.Fprintf(&b, "… and %d more contacts\n", len(cs)-i)
			break
		}
		name := channel.StorableText(c.Name.FormattedName, 256)
		if strings.TrimSpace(name) == "" {
			var parts []string
			for _, p := range []string{c.Name.FirstName, c.Name.MiddleName, c.Name.LastName} {
				if p = strings.TrimSpace(channel.StorableText(p, 128)); p != "" {
					parts = append(parts, p)
				}
			}
			name = strings.Join(parts, " ")
		}
		if strings.TrimSpace(name) == "" {
			name = "(no name)"
		}
		b.WriteString("👤 " + strings.TrimSpace(name))
		if co := strings.TrimSpace(channel.StorableText(c.Org.Company, 256)); co != "" {
			b.WriteString(" — " + co)
		}
		b.WriteString("\n")
		for j, p := range c.Phones {
			if j >= 10 {
				break
			}
			if ph := strings.TrimSpace(channel.StorableText(p.Phone, 64)); ph != "" {
				b.WriteString("📞 " + ph)
				if t := strings.TrimSpace(channel.StorableText(p.Type, 32)); t != "" {
					b.WriteString(" (" + t + ")")
				}
				b.WriteString("\n")
			}
		}
		for j, e := range c.Emails {
			if j >= 10 {
				break
			}
			if em := strings.TrimSpace(channel.StorableText(e.Email, 256)); em != "" {
				b.WriteString("✉️ " + em + "\n")
			}
		}
	}
	if b.Len() == 0 {
		return "(a shared contact without details)"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// limit shortens a caller's value for an error message.
func limit(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
