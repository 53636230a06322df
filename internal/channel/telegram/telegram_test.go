package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

const (
	testToken  = "123456:AAH-demo_Tok3n-xZ9qwerty"
	testSecret = "s3cret-Token_for-the-webhook"
	photoID    = "AgACAgQAAxkBAAIEuGdQk3Xq0s1Wm2yDk9v1c8RkAAFvAAL4xTEbq6ZIUpN4AAEuT4s9AQADAgADeAADNgQ"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var dana = channel.Contact{Identities: []channel.Identity{{Kind: customer.Telegram, Value: "5012345678"}}, Name: "Dana Cohen"}

func at(unix int64) time.Time { return time.Unix(unix, 0).UTC() }

// Every update in testdata, parsed: what Gesher stores, or nil for what it ignores.
func TestParseTestdata(t *testing.T) {
	msg := func(updateID int64, text string, date int64, files ...FileRef) *Item {
		return &Item{UpdateID: updateID, Type: "message", ExternalID: itoa(updateID), From: dana, Text: text, At: at(date), Files: files}
	}
	want := map[string]*Item{
		"message-text.json": msg(815204431, "שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?", 1795337700),
		"message-edited.json": {UpdateID: 815204432, Type: "edited_message", ExternalID: "815204432", From: dana, At: at(1795337760),
			Text: "(edited) שלום, הפוליסה שלי (מספר 4521) לא הגיעה במייל. אפשר לשלוח שוב?"},
		"message-photo.json": msg(815204433, "הנזק לדלת האחורית, כמו שביקשתם", 1795337820,
			FileRef{FileID: photoID, Name: "photo.jpg", ContentType: "image/jpeg", Size: 84022}),
		"message-document.json": msg(815204434, "טופס התביעה החתום", 1795337880,
			FileRef{FileID: "BQACAgQAAxkBAAIEuWdQk5UNpVb1sZB9AAG6t30O4V9WAAJcFgACq6ZIUgAB12OLQdJwVzYE", Name: "claim-form-4521.pdf", ContentType: "application/pdf", Size: 48213}),
		"message-voice.json": msg(815204435, "", 1795337940,
			FileRef{FileID: "AwACAgQAAxkBAAIEumdQk9KmV3c0ZnU5AAFyPq2mXkPZAAJdFgACq6ZIUvYqz2KBHqSNNgQ", Name: "voice.ogg", ContentType: "audio/ogg", Size: 23154}),
		"message-audio.json": msg(815204436, "", 1795338000,
			FileRef{FileID: "CQACAgQAAxkBAAIEu2dQlA2u7V1Zp3d6AAGk1Wm0X9kqAAJeFgACq6ZIUiI3qJw2oFc2NgQ", Name: "call-recording.mp3", ContentType: "audio/mpeg", Size: 1502877}),
		"message-video.json": msg(815204437, "ככה נשמע המנוע מאז התיקון", 1795338060,
			FileRef{FileID: "BAACAgQAAxkBAAIEvGdQlEUAAYc-5NcAAeJkt12xAAHe6D6dAAJfFgACq6ZIUpWIPFs0aR67NgQ", Name: "VID_20261122_105901.mp4", ContentType: "video/mp4", Size: 2284105}),
		"message-video-note.json": msg(815204438, "", 1795338090,
			FileRef{FileID: "DQACAgQAAxkBAAIEvWdQlHEFd3BuZQABlW9Zl9IAAaUFAAJgFgACq6ZIUsM0u6taGEOINgQ", Name: "video-note.mp4", ContentType: "video/mp4", Size: 612390}),
		"message-sticker.json": msg(815204439, "[sticker 👍]", 1795338120,
			FileRef{FileID: "CAACAgIAAxkBAAIEvmdQlJhceZBNSuqUAAHzO5N29gABUAACAwEAAladvQoAAdj39lKd1C42BA", Name: "sticker.webp", ContentType: "image/webp", Size: 18322}),
		"message-location.json": msg(815204440, "Location: 32.794044, 34.989571\nhttps://www.openstreetmap.org/?mlat=32.794044&mlon=34.989571#map=17/32.794044/34.989571", 1795338180),
		"message-venue.json":    msg(815204441, "Venue: Azrieli Center, Derech Menachem Begin 132, Tel Aviv\n32.0736, 34.792\nhttps://www.openstreetmap.org/?mlat=32.0736&mlon=34.792#map=17/32.0736/34.792", 1795338240),
		"message-contact-self.json": {UpdateID: 815204442, Type: "message", ExternalID: "815204442", At: at(1795338300), Text: "Shared their phone number: +972500000001",
			From: channel.Contact{Name: "Dana Cohen", Identities: []channel.Identity{{Kind: customer.Phone, Value: "+972500000001"}, {Kind: customer.Telegram, Value: "5012345678"}}, Proven: true}},
		"message-contact-other.json": msg(815204443, "Contact: Moshe Garage, +972541234567", 1795338360),
		"callback-query.json":        {UpdateID: 815204444, Type: "callback_query", ExternalID: "callback:21530573828310441", From: dana, Text: "כן, מחר בבוקר", Press: &channel.Press{}},
		"my-chat-member.json":        nil,
		"channel-post.json":          nil,
		"message-group.json":         nil,
		"poll.json":                  nil,
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "api-") {
			continue // Bot API answers, served by the fake
		}
		seen++
		w, ok := want[name]
		if !ok {
			t.Errorf("%s has no expectation in this table", name)
			continue
		}
		got, err := Parse(fixture(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, deref(got), deref(w))
		}
	}
	if seen != len(want) {
		t.Errorf("%d update files in testdata, %d expectations", seen, len(want))
	}
}

func deref(it *Item) any {
	if it == nil {
		return nil
	}
	return *it
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

const private = `"chat":{"id":5012345678,"type":"private"},"from":{"id":5012345678,"is_bot":false,"first_name":"Dana"},"date":1795337700`

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"empty", ``, "not a Telegram Update"},
		{"garbage", `update_id=1&text=hi`, "not a Telegram Update"},
		{"array", `[{"update_id":1}]`, "not a Telegram Update"},
		{"truncated", `{"update_id":815204431,"message":{"message_id":1207,`, "not a Telegram Update"},
		{"no update_id", `{"message":{"message_id":1,` + private + `,"text":"hi"}}`, "update_id is missing"},
		{"null", `null`, "update_id is missing"},
		{"update_id as text", `{"update_id":"815204431"}`, "not a Telegram Update"},
		{"update_id fractional", `{"update_id":1.5}`, "not a Telegram Update"},
		{"update_id negative", `{"update_id":-3,"message":{"message_id":1,` + private + `,"text":"hi"}}`, "negative"},
		{"message not an object", `{"update_id":1,"message":5}`, "not a Telegram Update"},
		{"message without chat", `{"update_id":1,"message":{"message_id":1,"from":{"id":5,"first_name":"D"},"date":1,"text":"hi"}}`, "chat is missing"},
		{"private message without sender", `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,"text":"hi"}}`, "no sender"},
		{"sender id zero", `{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":0,"first_name":"D"},"date":1,"text":"hi"}}`, "not a user id"},
		{"file id with a path", `{"update_id":1,"message":{"message_id":1,` + private + `,"document":{"file_id":"../../getMe","file_unique_id":"x"}}}`, "characters"},
		{"file id missing", `{"update_id":1,"message":{"message_id":1,` + private + `,"voice":{"file_unique_id":"x","duration":3}}}`, "file_id is missing"},
		{"photo without ids", `{"update_id":1,"message":{"message_id":1,` + private + `,"photo":[{"width":90,"height":60}]}}`, "photo without a file_id"},
		{"off the map", `{"update_id":1,"message":{"message_id":1,` + private + `,"location":{"latitude":91,"longitude":34}}}`, "off the map"},
		{"callback without id", `{"update_id":1,"callback_query":{"from":{"id":5,"first_name":"D"},"chat_instance":"1","data":"x"}}`, "id is missing"},
		{"callback without sender", `{"update_id":1,"callback_query":{"id":"77","chat_instance":"1","data":"x"}}`, "no sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			var pe *channel.PayloadError
			if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.want) {
				t.Errorf("Parse(%s) = %v; want a PayloadError mentioning %q", tt.body, err, tt.want)
			}
		})
	}
}

// Updates that are valid but not a customer writing to the service store nothing.
func TestParseIgnores(t *testing.T) {
	tests := []struct{ name, body string }{
		{"only an update_id", `{"update_id":9}`},
		{"inline query", `{"update_id":9,"inline_query":{"id":"1","from":{"id":5,"first_name":"D"},"query":"x","offset":""}}`},
		{"live location moving", `{"update_id":9,"edited_message":{"message_id":1,` + private + `,"edit_date":1795337800,"location":{"latitude":32.1,"longitude":34.8,"live_period":900}}}`},
		{"message from a bot", `{"update_id":9,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":true,"first_name":"B"},"date":1,"text":"hi"}}`},
		{"supergroup", `{"update_id":9,"message":{"message_id":1,"chat":{"id":-1001,"type":"supergroup","title":"T"},"from":{"id":5,"first_name":"D"},"date":1,"text":"hi"}}`},
		{"service message", `{"update_id":9,"message":{"message_id":1,` + private + `,"pinned_message":{"message_id":2,"chat":{"id":5,"type":"private"},"date":0}}}`},
		{"button in a group", `{"update_id":9,"callback_query":{"id":"1","from":{"id":5,"first_name":"D"},"message":{"message_id":1,"chat":{"id":-5,"type":"group","title":"G"},"date":1},"chat_instance":"1","data":"x"}}`},
		{"button in inline mode", `{"update_id":9,"callback_query":{"id":"1","from":{"id":5,"first_name":"D"},"inline_message_id":"AAA","chat_instance":"1","data":"x"}}`},
		{"game button", `{"update_id":9,"callback_query":{"id":"1","from":{"id":5,"first_name":"D"},"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1},"chat_instance":"1","game_short_name":"quiz"}}`},
	}
	for _, tt := range tests {
		if it, err := Parse([]byte(tt.body)); err != nil || it != nil {
			t.Errorf("%s: got %+v, %v; want nothing and no error", tt.name, deref(it), err)
		}
	}
}

func TestParseDetails(t *testing.T) {
	parse := func(body string) *Item {
		t.Helper()
		it, err := Parse([]byte(body))
		if err != nil || it == nil {
			t.Fatalf("Parse(%s) = %v, %v", body, it, err)
		}
		return it
	}
	// PostgreSQL refuses NUL in text; JSON may carry one.
	if it := parse(`{"update_id":1,"message":{"message_id":1,` + private + `,"text":"a\u0000b"}}`); it.Text != "ab" {
		t.Errorf("text %q, want %q", it.Text, "ab")
	}
	// No first name is possible for some accounts; the username names them then.
	it := parse(`{"update_id":1,"message":{"message_id":1,"chat":{"id":77,"type":"private"},"from":{"id":77,"first_name":"","username":"noa_k"},"date":1,"text":"hi"}}`)
	if it.From.Name != "noa_k" || it.From.Identities[0].Value != "77" {
		t.Errorf("sender %+v", it.From)
	}
	// A dice is shown as what it is, not dropped.
	if it := parse(`{"update_id":1,"message":{"message_id":1,` + private + `,"dice":{"emoji":"🎲","value":4}}}`); !strings.Contains(it.Text, "a dice roll") {
		t.Errorf("dice text %q", it.Text)
	}
	// A photo whose largest size is over the limit is fetched in the largest size that fits.
	it = parse(`{"update_id":1,"message":{"message_id":1,` + private + `,"photo":[{"file_id":"small","width":90,"height":90,"file_size":900},{"file_id":"mid","width":800,"height":800,"file_size":90000},{"file_id":"huge","width":9000,"height":9000,"file_size":20000000}]}}`)
	if len(it.Files) != 1 || it.Files[0].FileID != "mid" {
		t.Errorf("photo files %+v, want the 800x800 size", it.Files)
	}
	// A self-share with a number that is not a phone number adds no identity.
	it = parse(`{"update_id":1,"message":{"message_id":1,` + private + `,"contact":{"phone_number":"12","first_name":"Dana","user_id":5012345678}}}`)
	if len(it.From.Identities) != 1 || it.From.Identities[0].Kind != customer.Telegram {
		t.Errorf("identities %+v, want only the Telegram id", it.From.Identities)
	}
	// An edited photo caption is an edit too; a document without a name is named by its type.
	it = parse(`{"update_id":1,"edited_message":{"message_id":1,` + private + `,"edit_date":1795337999,"caption":"new caption","document":{"file_id":"BQAC","file_unique_id":"x","mime_type":"application/pdf"}}}`)
	if it.Text != "(edited) new caption" || it.At != at(1795337999) || len(it.Files) != 1 || it.Files[0].Name != "document.pdf" {
		t.Errorf("edited document %+v", *it)
	}
	// A button on a message the bot can no longer read: its data is all there is.
	it = parse(`{"update_id":1,"callback_query":{"id":"9","from":{"id":5,"first_name":"D"},"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":0},"chat_instance":"1","data":"renew:yes"}}`)
	if it.Text != "renew:yes" || *it.Press != (channel.Press{}) {
		t.Errorf("callback text %q, press %+v; want the data, and a press of no question of Gesher's", it.Text, *it.Press)
	}
	// Gesher's own buttons: the press names the question (the message's key) and the answer,
	// and reads as the button's label, or as the number when the message is out of reach.
	callback := func(data, markup string) string {
		return `{"update_id":1,"callback_query":{"id":"9","from":{"id":5,"first_name":"D"},"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":0` + markup + `},"chat_instance":"1","data":"` + data + `"}}`
	}
	keyboard := `,"reply_markup":{"inline_keyboard":[[{"text":"1. Yes","callback_data":"step-0a1b:1"},{"text":"2. No","callback_data":"step-0a1b:2"}]]}`
	for _, c := range []struct {
		data, markup, text string
		press              channel.Press
	}{
		{"step-0a1b:2", keyboard, "2. No", channel.Press{Key: "step-0a1b", N: 2}},
		{"step-0a1b:2", "", "2", channel.Press{Key: "step-0a1b", N: 2}},
		{"3", "", "3", channel.Press{N: 3}}, // a message without a key, or a keyboard sent before keys
		{"step-0a1b:0", "", "step-0a1b:0", channel.Press{}},
		{"step-0a1b:02", "", "step-0a1b:02", channel.Press{}},
		{"a:b:2", "", "a:b:2", channel.Press{}},
		{"step 1:2", "", "step 1:2", channel.Press{}},
	} {
		it := parse(callback(c.data, c.markup))
		if it.Text != c.text || it.Press == nil || *it.Press != c.press {
			t.Errorf("callback %q: text %q, press %+v; want %q, %+v", c.data, it.Text, it.Press, c.text, c.press)
		}
	}
	// A file name is a name, not a path.
	it = parse(`{"update_id":1,"message":{"message_id":1,` + private + `,"document":{"file_id":"BQAC","file_unique_id":"x","file_name":"../../etc/passwd"}}}`)
	if it.Files[0].Name != "passwd" {
		t.Errorf("file name %q", it.Files[0].Name)
	}
}

func TestVerify(t *testing.T) {
	a := New(nil)
	ch := channel.Channel{Name: "tg", Kind: Kind, Secret: testSecret}
	req := func(header ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/hooks/telegram/tg", nil)
		if len(header) > 0 {
			r.Header.Set(SecretHeader, header[0])
		}
		return r
	}
	if err := a.Verify(ch, req(testSecret), nil); err != nil {
		t.Errorf("the right secret: %v", err)
	}
	for name, r := range map[string]*http.Request{
		"wrong secret": req("s3cret-Token_for-the-webhoo"), "longer secret": req(testSecret + "x"), "empty header": req(""), "no header": req(),
	} {
		if err := a.Verify(ch, r, nil); !errors.Is(err, channel.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	if err := a.Verify(channel.Channel{Name: "tg", Kind: Kind}, req(""), nil); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("a channel without a secret accepted a request without one: %v", err)
	}
}

func tgChannel(apiBase string) channel.Channel {
	return channel.Channel{Name: "demo-telegram", Kind: Kind, Secret: testSecret, Enabled: true,
		Settings: map[string]string{SettingBotToken: testToken, SettingAPIBase: apiBase}}
}

func newFake(t *testing.T) (*FakeBotAPI, *httptest.Server) {
	t.Helper()
	f := NewFakeBotAPI(testToken)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func receive(t *testing.T, a *Adapter, ch channel.Channel, body []byte) ([]channel.Inbound, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hooks/telegram/"+ch.Name, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return a.Receive(context.Background(), ch, r, body)
}

func TestReceiveDownloadsTheFile(t *testing.T) {
	f, srv := newFake(t)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("damaged door "), 500)...)
	f.AddFile(photoID, "photos/file_17.jpg", jpeg)
	a := New(srv.Client())
	in, err := receive(t, a, tgChannel(srv.URL), fixture(t, "message-photo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || len(in[0].Files) != 1 || len(in[0].Attachments) != 0 {
		t.Fatalf("got %+v, want one item with one file", in)
	}
	file := in[0].Files[0]
	if file.Name != "photo.jpg" || file.ContentType != "image/jpeg" || !bytes.Equal(file.Data, jpeg) {
		t.Errorf("file %s %s with %d bytes, want photo.jpg image/jpeg with the %d bytes served", file.Name, file.ContentType, len(file.Data), len(jpeg))
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Method != "getFile" || calls[0].Params["file_id"] != photoID {
		t.Errorf("calls %+v, want getFile for the largest size", calls)
	}
	if got := f.Fetched(); len(got) != 1 || got[0] != "photos/file_17.jpg" {
		t.Errorf("downloads %v", got)
	}
	if in[0].ExternalID != "815204433" || in[0].Text != "הנזק לדלת האחורית, כמו שביקשתם" || !reflect.DeepEqual(in[0].From, dana) {
		t.Errorf("item %+v", in[0])
	}
}

// A file Gesher cannot keep still leaves a trace the agent sees; a failure another attempt may
// cure is an error (not a PayloadError), so Telegram delivers the update again.
func TestReceiveFileProblems(t *testing.T) {
	body := fixture(t, "message-photo.json")
	var pe *channel.PayloadError
	t.Run("Telegram fails: retry later", func(t *testing.T) {
		f, srv := newFake(t)
		f.AddFile(photoID, "photos/file_17.jpg", []byte("jpeg"))
		f.Answer("getFile", FakeError(http.StatusBadGateway, "Bad Gateway", 0))
		_, err := receive(t, New(srv.Client()), tgChannel(srv.URL), body)
		if err == nil || errors.As(err, &pe) {
			t.Fatalf("got %v, want an error that is not a PayloadError", err)
		}
		if in, err := receive(t, New(srv.Client()), tgChannel(srv.URL), body); err != nil || len(in[0].Files) != 1 {
			t.Errorf("second delivery: %v %v", in, err)
		}
	})
	t.Run("file server fails: retry later", func(t *testing.T) {
		f := NewFakeBotAPI(testToken)
		f.AddFile(photoID, "photos/file_17.jpg", []byte("jpeg"))
		mux := http.NewServeMux()
		mux.Handle("/bot"+testToken+"/", f)
		mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) })
		srv := httptest.NewServer(mux)
		defer srv.Close()
		_, err := receive(t, New(srv.Client()), tgChannel(srv.URL), body)
		if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "500") {
			t.Errorf("got %v, want a non-payload error naming the 500", err)
		}
	})
	t.Run("no bot token: retry once configured", func(t *testing.T) {
		f, srv := newFake(t)
		ch := tgChannel(srv.URL)
		delete(ch.Settings, SettingBotToken)
		_, err := receive(t, New(srv.Client()), ch, body)
		if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "bot_token") {
			t.Errorf("got %v, want a non-payload error about the bot_token", err)
		}
		if n := len(f.Calls()); n != 0 {
			t.Errorf("%d calls without a token", n)
		}
	})
	t.Run("revoked token: retry once fixed", func(t *testing.T) {
		_, srv := newFake(t)
		ch := tgChannel(srv.URL)
		ch.Settings[SettingBotToken] = "123456:revoked"
		_, err := receive(t, New(srv.Client()), ch, body)
		if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "Unauthorized") {
			t.Errorf("got %v, want a non-payload error saying Unauthorized", err)
		}
	})
	note := func(t *testing.T, f *FakeBotAPI, srv *httptest.Server, want string) {
		t.Helper()
		in, err := receive(t, New(srv.Client()), tgChannel(srv.URL), body)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 || len(in[0].Files) != 0 || len(in[0].Attachments) != 1 {
			t.Fatalf("got %+v, want the message with one note attachment", in)
		}
		att := in[0].Attachments[0]
		if !strings.HasPrefix(att.Name, "photo.jpg (not downloaded: ") || !strings.Contains(att.Name, want) || att.URL != "" || att.ContentType != "image/jpeg" {
			t.Errorf("attachment %+v, want a note mentioning %q and no URL", att, want)
		}
		if in[0].Text == "" {
			t.Errorf("the caption was lost")
		}
	}
	t.Run("Telegram says too big", func(t *testing.T) {
		f, srv := newFake(t)
		f.Answer("getFile", FakeError(http.StatusBadRequest, "Bad Request: file is too big", 0))
		note(t, f, srv, "file is too big")
	})
	t.Run("getFile reports more than 16 MiB", func(t *testing.T) {
		f, srv := newFake(t)
		f.AddFile(photoID, "photos/file_17.jpg", []byte("jpeg"))
		f.ReportSize(photoID, 19_500_000)
		note(t, f, srv, "19.5 MB, over the 16 MiB limit")
		if n := len(f.Fetched()); n != 0 {
			t.Errorf("downloaded a file announced too big")
		}
	})
	t.Run("file server sends more than 16 MiB", func(t *testing.T) {
		f, srv := newFake(t)
		f.AddFile(photoID, "photos/file_17.jpg", make([]byte, maxFile+10))
		f.ReportSize(photoID, 0)
		note(t, f, srv, "over the 16 MiB limit")
	})
	t.Run("update announces more than 16 MiB", func(t *testing.T) {
		f, srv := newFake(t)
		big := strings.Replace(string(fixture(t, "message-video.json")), `"file_size": 2284105`, `"file_size": 19000000`, 1)
		in, err := receive(t, New(srv.Client()), tgChannel(srv.URL), []byte(big))
		if err != nil || len(in[0].Attachments) != 1 || !strings.Contains(in[0].Attachments[0].Name, "19.0 MB") || len(f.Calls()) != 0 {
			t.Errorf("got %+v %v with %d calls; want a note and no call", in, err, len(f.Calls()))
		}
	})
	t.Run("file_path that leaves the file tree", func(t *testing.T) {
		f, srv := newFake(t)
		f.AddFile(photoID, "../bot123/getMe", []byte("x"))
		note(t, f, srv, "file_path")
	})
}

func TestReceiveRefusesOtherContentTypes(t *testing.T) {
	body := fixture(t, "message-text.json")
	r := httptest.NewRequest(http.MethodPost, "/hooks/telegram/tg", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var pe *channel.PayloadError
	if _, err := New(nil).Receive(context.Background(), tgChannel(""), r, body); !errors.As(err, &pe) {
		t.Errorf("form content type: %v, want a PayloadError", err)
	}
}

var toDana = []channel.Identity{{Kind: customer.Phone, Value: "+972500000001"}, {Kind: customer.Telegram, Value: "5012345678"}}

func TestSend(t *testing.T) {
	f, srv := newFake(t)
	a := New(srv.Client())
	ch := tgChannel(srv.URL)
	ctx := context.Background()
	rec, err := a.Send(ctx, ch, channel.Outbound{ID: "m1", To: toDana, Text: "שלחנו את הפוליסה שוב, תבדקי גם בתיקיית הספאם."})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	want := map[string]any{"chat_id": float64(5012345678), "text": "שלחנו את הפוליסה שוב, תבדקי גם בתיקיית הספאם."}
	if len(calls) != 1 || calls[0].Method != "sendMessage" || !reflect.DeepEqual(calls[0].Params, want) {
		t.Errorf("calls %+v, want sendMessage %v", calls, want)
	}
	if rec.ExternalID != "5012345678:1220" {
		t.Errorf("receipt %q, want 5012345678:1220", rec.ExternalID)
	}

	// One picture and a short text: one sendPhoto with the text as its caption.
	photo := conversation.Attachment{Name: "label.png", ContentType: "image/png", URL: "https://files.example.com/label.png"}
	if rec, err = a.Send(ctx, ch, channel.Outbound{ID: "m2", To: toDana, Text: "התווית למשלוח", Attachments: []conversation.Attachment{photo}}); err != nil {
		t.Fatal(err)
	}
	calls = f.Calls()[1:]
	if len(calls) != 1 || calls[0].Method != "sendPhoto" || calls[0].Params["photo"] != photo.URL || calls[0].Params["caption"] != "התווית למשלוח" {
		t.Errorf("calls %+v, want one sendPhoto with the caption", calls)
	}
	if rec.ExternalID != "5012345678:1221" {
		t.Errorf("receipt %q", rec.ExternalID)
	}

	// A long text goes first on its own; a PDF and an image without a type (but a .jpg name)
	// follow, without captions.
	long := strings.Repeat("א", MaxCaptionChars+1)
	pdf := conversation.Attachment{Name: "policy.pdf", ContentType: "application/pdf", URL: "https://files.example.com/policy.pdf"}
	jpg := conversation.Attachment{URL: "https://files.example.com/car.JPG?sig=1"}
	if rec, err = a.Send(ctx, ch, channel.Outbound{ID: "m3", To: toDana, Text: long, Attachments: []conversation.Attachment{pdf, jpg}}); err != nil {
		t.Fatal(err)
	}
	calls = f.Calls()[2:]
	if len(calls) != 3 || calls[0].Method != "sendMessage" || calls[0].Params["text"] != long ||
		calls[1].Method != "sendDocument" || calls[1].Params["document"] != pdf.URL || calls[1].Params["caption"] != nil ||
		calls[2].Method != "sendPhoto" || calls[2].Params["photo"] != jpg.URL {
		t.Errorf("calls %+v", calls)
	}
	if rec.ExternalID != "5012345678:1222" {
		t.Errorf("receipt %q names the first message, want 5012345678:1222", rec.ExternalID)
	}
	// A GIF goes as a document, which keeps it animated.
	if _, err = a.Send(ctx, ch, channel.Outbound{ID: "m4", To: toDana, Attachments: []conversation.Attachment{{ContentType: "image/gif", URL: "https://files.example.com/a.gif"}}}); err != nil {
		t.Fatal(err)
	}
	if c := f.Calls()[5]; c.Method != "sendDocument" {
		t.Errorf("a GIF went by %s", c.Method)
	}
}

func TestSendRefusesBeforeCalling(t *testing.T) {
	f, srv := newFake(t)
	a := New(srv.Client())
	ctx := context.Background()
	ch := tgChannel(srv.URL)
	if _, err := a.Send(ctx, ch, channel.Outbound{ID: "m", To: []channel.Identity{{Kind: customer.Phone, Value: "+972500000001"}}, Text: "hi"}); !errors.Is(err, channel.ErrNoAddress) {
		t.Errorf("customer without Telegram: %v, want ErrNoAddress", err)
	}
	permanent := func(name string, ch channel.Channel, m channel.Outbound, want string) {
		t.Helper()
		_, err := a.Send(ctx, ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Reason, want) {
			t.Errorf("%s: got %v, want a permanent SendError mentioning %q", name, err, want)
		}
	}
	permanent("too long", ch, channel.Outbound{ID: "m", To: toDana, Text: strings.Repeat("a", MaxTextChars+1)}, "4097 characters")
	// An emoji outside the BMP is two of Telegram's characters.
	permanent("too long in UTF-16", ch, channel.Outbound{ID: "m", To: toDana, Text: strings.Repeat("😀", MaxTextChars/2) + "a"}, "4097 characters")
	permanent("nothing to send", ch, channel.Outbound{ID: "m", To: toDana, Text: "  "}, "nothing to send")
	permanent("attachment Telegram cannot fetch", ch, channel.Outbound{ID: "m", To: toDana, Text: "hi", Attachments: []conversation.Attachment{{Name: "scan.pdf", URL: "/api/v1/media/0193"}}}, `"scan.pdf" has no public http(s) URL`)
	noToken := tgChannel(srv.URL)
	delete(noToken.Settings, SettingBotToken)
	permanent("no token", noToken, channel.Outbound{ID: "m", To: toDana, Text: "hi"}, "no bot_token")
	badToken := tgChannel(srv.URL)
	badToken.Settings[SettingBotToken] = "123/../../x"
	permanent("token that changes the URL", badToken, channel.Outbound{ID: "m", To: toDana, Text: "hi"}, "bot_token")
	if n := len(f.Calls()); n != 0 {
		t.Errorf("Telegram was called %d times for messages that cannot be sent", n)
	}
	if _, err := a.Send(ctx, ch, channel.Outbound{ID: "m", To: toDana, Text: strings.Repeat("😀", MaxTextChars/2)}); err != nil {
		t.Errorf("exactly 4096 characters: %v", err)
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name       string
		answer     func(w http.ResponseWriter)
		temporary  bool
		retryAfter time.Duration
		reason     string
	}{
		{"flood control", FakeError(429, "Too Many Requests: retry after 5", 5), true, 5 * time.Second, "Too Many Requests: retry after 5"},
		{"flood control, longer header", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "9")
			w.WriteHeader(429)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`))
		}, true, 9 * time.Second, "Too Many Requests: retry after 3"},
		{"blocked", FakeError(403, "Forbidden: bot was blocked by the user", 0), false, 0, "Forbidden: bot was blocked by the user"},
		{"never started", FakeError(400, "Bad Request: chat not found", 0), false, 0, "Bad Request: chat not found"},
		{"revoked token", FakeError(401, "Unauthorized", 0), false, 0, "Unauthorized (Telegram refused the channel's bot_token)"},
		{"Telegram down", FakeError(500, "Internal Server Error", 0), true, 0, "Internal Server Error"},
		{"proxy page", func(w http.ResponseWriter) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html><body>Bad gateway</body></html>"))
		}, true, 0, "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.Answer("sendMessage", tt.answer)
			_, err := New(srv.Client()).Send(context.Background(), tgChannel(srv.URL), channel.Outbound{ID: "m1", To: toDana, Text: "hi"})
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SendError", err)
			}
			if se.Temporary != tt.temporary || se.RetryAfter != tt.retryAfter || se.Reason != tt.reason {
				t.Errorf("got temporary=%v retryAfter=%v reason=%q; want %v %v %q", se.Temporary, se.RetryAfter, se.Reason, tt.temporary, tt.retryAfter, tt.reason)
			}
		})
	}
}

// A reply of two parts whose second part hit flood control is retried from that part: the
// customer does not get the text twice.
func TestSendRetryResumesAfterTheDeliveredPart(t *testing.T) {
	f, srv := newFake(t)
	f.Answer("sendPhoto", FakeError(429, "Too Many Requests: retry after 2", 2))
	a := New(srv.Client())
	m := channel.Outbound{ID: "m1", To: toDana, Text: strings.Repeat("ב", MaxCaptionChars+1),
		Attachments: []conversation.Attachment{{ContentType: "image/jpeg", URL: "https://files.example.com/a.jpg"}}}
	_, err := a.Send(context.Background(), tgChannel(srv.URL), m)
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Temporary || se.RetryAfter != 2*time.Second {
		t.Fatalf("first attempt: %v, want a temporary error after 2s", err)
	}
	rec, err := a.Send(context.Background(), tgChannel(srv.URL), m)
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, c := range f.Calls() {
		methods = append(methods, c.Method)
	}
	if strings.Join(methods, " ") != "sendMessage sendPhoto sendPhoto" {
		t.Errorf("calls %v, want the text once and the photo twice", methods)
	}
	if rec.ExternalID != "5012345678:1220" {
		t.Errorf("receipt %q, want the text's message 5012345678:1220", rec.ExternalID)
	}
}

func TestSecrets(t *testing.T) {
	got := New(nil).Secrets(tgChannel(""))
	if len(got) != 2 || got[0] != testSecret || got[1] != testToken {
		t.Errorf("Secrets = %v, want the secret token and the bot token", got)
	}
}

// The bot token is in every Bot API URL; net/http puts URLs in its errors. None of that may
// reach an error message, the channel log or the agent.
func TestNoTokenInErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: no such method at " + r.URL.Path})
	}))
	defer echo.Close()
	secretPart := testToken[strings.Index(testToken, ":")+1:]
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		msgs := []string{err.Error()}
		var se *channel.SendError
		if errors.As(err, &se) {
			msgs = append(msgs, se.Reason)
		}
		for _, m := range msgs {
			if strings.Contains(m, secretPart) {
				t.Errorf("%s: the token is in %q", name, m)
			}
		}
	}
	out := channel.Outbound{ID: "m", To: toDana, Text: "hi"}
	for name, base := range map[string]string{"refused": closedURL, "bad api_base": "http://bad host", "echoed path": echo.URL} {
		_, err := New(nil).Send(context.Background(), tgChannel(base), out)
		check("send, "+name, err)
		in, err := receive(t, New(nil), tgChannel(base), fixture(t, "message-photo.json"))
		if name == "echoed path" {
			// Telegram's 400 on getFile is final: the message keeps a note saying why.
			if err != nil || len(in) != 1 || len(in[0].Attachments) != 1 {
				t.Fatalf("receive, echoed path: %+v %v", in, err)
			}
			check("receive, echoed path", errors.New(in[0].Attachments[0].Name))
			continue
		}
		check("receive, "+name, err)
	}
	// A download cut short by a timeout.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/file/") {
			<-r.Context().Done()
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": map[string]any{"file_id": photoID, "file_path": "photos/file_17.jpg"}})
	}))
	defer slow.Close()
	_, err := receive(t, New(&http.Client{Timeout: 200 * time.Millisecond}), tgChannel(slow.URL), fixture(t, "message-photo.json"))
	check("download timeout", err)
}

func TestAck(t *testing.T) {
	a := New(nil)
	w := httptest.NewRecorder()
	if err := a.Ack(w, tgChannel(""), []channel.Inbound{{ExternalID: "callback:21530573828310441"}}, []channel.Result{{ExternalID: "callback:21530573828310441"}}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 || got["method"] != "answerCallbackQuery" || got["callback_query_id"] != "21530573828310441" {
		t.Errorf("button press answer: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	if err := a.Ack(w, tgChannel(""), []channel.Inbound{{ExternalID: "815204431"}}, []channel.Result{{ExternalID: "815204431", Duplicate: true}}); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 || got["method"] != nil || got["duplicates"] != float64(1) {
		t.Errorf("message answer: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	if err := a.Ack(w, tgChannel(""), nil, nil); err != nil || w.Code != 200 {
		t.Errorf("ignored update: %d %v", w.Code, err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, path := range files {
		f.Add(fixture(f, filepath.Base(path)))
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,` + private + `,"text":"a\u0000b\udc00"}}`))
	f.Add([]byte(`{"update_id":1,"callback_query":{"id":"9","from":{"id":5,"first_name":"D"},"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":0},"chat_instance":"1","data":"x"}}`))
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,` + private + `,"contact":{"phone_number":"+1 (415) 555-0100","first_name":"D","user_id":5012345678}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		it, err := Parse(body)
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		if it == nil {
			return
		}
		if it.ExternalID == "" || len(it.From.Identities) == 0 {
			t.Fatalf("accepted %+v without an id or a sender", *it)
		}
		last := it.From.Identities[len(it.From.Identities)-1]
		if v, err := customer.Normalize(customer.Telegram, last.Value); last.Kind != customer.Telegram || err != nil || v != last.Value {
			t.Fatalf("sender %+v is not a Telegram user id", it.From.Identities)
		}
		if len(it.From.Identities) == 2 {
			p := it.From.Identities[0]
			if v, err := customer.Normalize(customer.Phone, p.Value); p.Kind != customer.Phone || err != nil || v != p.Value {
				t.Fatalf("extra identity %+v is not a normalised phone", p)
			}
		} else if len(it.From.Identities) > 2 {
			t.Fatalf("identities %+v", it.From.Identities)
		}
		for _, s := range []string{it.Text, it.From.Name} {
			if strings.ContainsRune(s, 0) || !utf8.ValidString(s) || len(s) > maxText+64 {
				t.Fatalf("text %q is not storable", s)
			}
		}
		if it.Text == "" && len(it.Files) == 0 {
			t.Fatalf("accepted an item with nothing in it")
		}
		if len(it.Files) > 1 {
			t.Fatalf("%d files in one message", len(it.Files))
		}
		for _, fr := range it.Files {
			if checkFileID(fr.FileID) != nil || fr.Name == "" || fr.ContentType == "" || fr.Size < 0 {
				t.Fatalf("file %+v", fr)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := fixture(b, "message-photo.json")
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// The recorded Bot API answers in testdata, served as they are, read as Telegram means them.
func TestRecordedAnswers(t *testing.T) {
	verbatim := func(status int, name string) func(w http.ResponseWriter) {
		body := fixture(t, name)
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	ctx := context.Background()
	f, srv := newFake(t)
	f.Answer("sendMessage", verbatim(200, "api-sendmessage.json"), verbatim(429, "api-error-429.json"), verbatim(403, "api-error-403.json"))
	a := New(srv.Client())
	out := channel.Outbound{ID: "m1", To: toDana, Text: "שלחנו את הפוליסה שוב, תבדקי גם בתיקיית הספאם."}
	if rec, err := a.Send(ctx, tgChannel(srv.URL), out); err != nil || rec.ExternalID != "5012345678:1220" {
		t.Errorf("sendMessage answer: %+v %v, want receipt 5012345678:1220", rec, err)
	}
	var se *channel.SendError
	if _, err := a.Send(ctx, tgChannel(srv.URL), out); !errors.As(err, &se) || !se.Temporary || se.RetryAfter != 5*time.Second {
		t.Errorf("429 answer: %v, want temporary after 5s", err)
	}
	if _, err := a.Send(ctx, tgChannel(srv.URL), out); !errors.As(err, &se) || se.Temporary || se.Reason != "Forbidden: bot was blocked by the user" {
		t.Errorf("403 answer: %v, want permanent with Telegram's reason", err)
	}

	f.AddFile(photoID, "photos/file_17.jpg", []byte("jpeg bytes"))
	f.Answer("getFile", verbatim(200, "api-getfile.json"), verbatim(400, "api-error-400-file-too-big.json"))
	in, err := receive(t, a, tgChannel(srv.URL), fixture(t, "message-photo.json"))
	if err != nil || len(in[0].Files) != 1 || string(in[0].Files[0].Data) != "jpeg bytes" {
		t.Errorf("getFile answer: %+v %v, want the file at its file_path", in, err)
	}
	in, err = receive(t, a, tgChannel(srv.URL), fixture(t, "message-photo.json"))
	if err != nil || len(in[0].Attachments) != 1 || !strings.Contains(in[0].Attachments[0].Name, "Bad Request: file is too big") {
		t.Errorf("file too big answer: %+v %v, want a note", in, err)
	}
}

// A reply that offers answers carries them as an inline keyboard on its last message: short
// pairs side by side, long labels a row each (cut with an ellipsis), a bare scale in rows of
// six, and nothing when there are more answers than buttons should hold.
func TestSendOffersChoicesAsButtons(t *testing.T) {
	f, srv := newFake(t)
	a := New(srv.Client())
	ch := tgChannel(srv.URL)
	ctx := context.Background()
	buttons := func(i int) [][]map[string]any {
		t.Helper()
		rm, _ := f.Calls()[i].Params["reply_markup"].(map[string]any)
		if rm == nil {
			return nil
		}
		raw, _ := json.Marshal(rm["inline_keyboard"])
		var rows [][]map[string]any
		if err := json.Unmarshal(raw, &rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	labels := func(rows [][]map[string]any) (out [][]string) {
		for _, r := range rows {
			var l []string
			for _, b := range r {
				l = append(l, b["text"].(string)+"="+b["callback_data"].(string))
			}
			out = append(out, l)
		}
		return out
	}
	send := func(id string, m channel.Outbound) {
		t.Helper()
		m.ID, m.To = id, toDana
		if _, err := a.Send(ctx, ch, m); err != nil {
			t.Fatal(err)
		}
	}

	send("c1", channel.Outbound{Text: "Did this help?\n1. Yes\n2. No", Choices: []string{"Yes", "No"}, ChoiceKey: "ask-3f9c0e"})
	if got := labels(buttons(0)); !reflect.DeepEqual(got, [][]string{{"1. Yes=ask-3f9c0e:1", "2. No=ask-3f9c0e:2"}}) {
		t.Errorf("a short pair: %v", got)
	}
	long := "לא, אני רוצה לדבר עם נציג אנושי עכשיו בבקשה, זה דחוף"
	key := strings.Repeat("k", channel.MaxChoiceKey) // the longest key, on the most answers
	send("c2", channel.Outbound{Text: "?", Choices: []string{"תאונה", "גניבה", long}, ChoiceKey: key})
	got := labels(buttons(1))
	if len(got) != 3 || got[0][0] != "1. תאונה="+key+":1" || got[2][0] != "3. "+string([]rune(long)[:maxButtonLabel-4])+"…="+key+":3" {
		t.Errorf("long labels: %v", got)
	}
	// A message whose answers name no question (a survey's scores) sends the bare number.
	scale := []string{"1", "2", "3", "4", "5", "6", "7"}
	send("c3", channel.Outbound{Text: "From 1 to 7?", Choices: scale})
	if got := labels(buttons(2)); len(got) != 2 || len(got[0]) != 6 || got[0][0] != "1=1" || got[1][0] != "7=7" {
		t.Errorf("a scale: %v", got)
	}
	many := make([]string, maxChoices+1)
	for i := range many {
		many[i] = fmt.Sprint("option ", i+1)
	}
	send("c4", channel.Outbound{Text: "Pick one", Choices: many})
	if buttons(3) != nil {
		t.Error("more answers than buttons hold still went as a keyboard")
	}
	// With a photo, the buttons go under the last thing sent.
	photo := conversation.Attachment{Name: "car.png", ContentType: "image/png", URL: "https://files.example.com/car.png"}
	send("c5", channel.Outbound{Text: strings.Repeat("א", MaxCaptionChars+1), Attachments: []conversation.Attachment{photo}, Choices: []string{"Yes", "No"}})
	if calls := f.Calls(); len(calls) != 6 || buttons(4) != nil || calls[5].Method != "sendPhoto" || len(buttons(5)) != 1 {
		t.Errorf("with a photo: %d calls, keyboard on the text %v and on the photo %v", len(calls), buttons(4), buttons(5))
	}
	// A key that would not fit in callback_data, or could not be read back, sends no
	// keyboard: buttons whose every press read as stale would be worse than typing the number.
	send("c6", channel.Outbound{Text: "?", Choices: []string{"Yes", "No"}, ChoiceKey: key + "k"})
	send("c7", channel.Outbound{Text: "?", Choices: []string{"Yes", "No"}, ChoiceKey: "step:1"})
	if buttons(6) != nil || buttons(7) != nil {
		t.Errorf("keyboards for keys that do not fit: %v, %v", buttons(6), buttons(7))
	}
	// Every button sent reads back as the press it is, within Telegram's 64 bytes.
	for i, want := range []string{"ask-3f9c0e", key, ""} {
		for _, row := range buttons(i) {
			for _, b := range row {
				data := b["callback_data"].(string)
				if p := channel.ReadButton(data); len(data) > 64 || p.Key != want || !strings.HasPrefix(b["text"].(string), strconv.Itoa(p.N)) {
					t.Errorf("callback_data %q (%d bytes) reads back as %+v; want key %q and the label's number", data, len(data), p, want)
				}
			}
		}
	}
}
