package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/media"
)

const (
	appSecret   = "demo-whatsapp-secret"
	accessToken = "demo-whatsapp-access-token"
	ourNumberID = "106540352242922" // metadata.phone_number_id of Meta's examples
	sheena      = "16505551234"     // wa_id of Meta's examples
)

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fixtures(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	return names
}

func waChannel(apiBase string, settings ...string) channel.Channel {
	ch := channel.Channel{ID: "ch1", Name: "demo-whatsapp", Kind: Kind, Secret: appSecret, Enabled: true, Settings: map[string]string{
		SettingVerifyToken: "demo-verify", SettingAccessToken: accessToken, SettingPhoneNumberID: ourNumberID, SettingAPIBase: apiBase,
	}}
	for i := 0; i+1 < len(settings); i += 2 {
		ch.Settings[settings[i]] = settings[i+1]
	}
	return ch
}

func hookRequest(body, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/whatsapp/demo-whatsapp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if signature != "" {
		r.Header.Set(SignatureHeader, signature)
	}
	return r
}

// Known answers computed outside Go (openssl dgst -sha256 -hmac demo-whatsapp-secret < file),
// then the ways a signature can be wrong.
func TestVerify(t *testing.T) {
	a := New(nil, nil)
	ch := waChannel("")
	text, reaction := fixture(t, "text.json"), fixture(t, "reaction.json")
	tests := []struct {
		name, body, header, secret string
		ok                         bool
	}{
		{"known answer, text", text, "sha256=588d1009479ff0035790fc4160a26ef73cb33ba08a456e4735e2a41a38232166", appSecret, true},
		{"known answer, reaction with an emoji", reaction, "sha256=e3234d22c2c03b857c8e58bbdf37c6f044fd7dd3da14e39cccabb2c5ce4c4aeb", appSecret, true},
		{"upper-case hex", text, "sha256=588D1009479FF0035790FC4160A26EF73CB33BA08A456E4735E2A41A38232166", appSecret, true},
		{"computed", reaction, Signature(appSecret, []byte(reaction)), appSecret, true},
		{"tampered body", strings.Replace(text, "another color", "a refund", 1), Signature(appSecret, []byte(text)), appSecret, false},
		{"re-encoded body (the emoji escaped)", strings.Replace(reaction, "👍", `\ud83d\udc4d`, 1), Signature(appSecret, []byte(reaction)), appSecret, false},
		{"wrong secret", text, Signature("another-app-secret", []byte(text)), appSecret, false},
		{"missing header", text, "", appSecret, false},
		{"wrong prefix", text, strings.Replace(Signature(appSecret, []byte(text)), "sha256=", "sha1=", 1), appSecret, false},
		{"no prefix", text, strings.TrimPrefix(Signature(appSecret, []byte(text)), "sha256="), appSecret, false},
		{"truncated signature", text, Signature(appSecret, []byte(text))[:40], appSecret, false},
		{"not hex", text, "sha256=" + strings.Repeat("zz", 32), appSecret, false},
		{"channel without app secret", text, Signature("", []byte(text)), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ch
			c.Secret = tt.secret
			err := a.Verify(c, hookRequest(tt.body, tt.header), []byte(tt.body))
			if tt.ok && err != nil {
				t.Errorf("got %v, want accepted", err)
			}
			if !tt.ok && !errors.Is(err, channel.ErrSignature) {
				t.Errorf("got %v, want ErrSignature", err)
			}
		})
	}
}

func TestChallenge(t *testing.T) {
	a := New(nil, nil)
	get := func(ch channel.Channel, query string) (*httptest.ResponseRecorder, error) {
		w := httptest.NewRecorder()
		err := a.Challenge(w, httptest.NewRequest(http.MethodGet, "/hooks/whatsapp/demo-whatsapp?"+query, nil), ch)
		return w, err
	}
	ch := waChannel("")
	w, err := get(ch, "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=demo-verify")
	if err != nil || w.Code != http.StatusOK || w.Body.String() != "1158201444" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("correct token: %v %d %q %q, want 200 text/plain 1158201444", err, w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	for _, q := range []string{
		"hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess",
		"hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=demo-verify",
		"hub.challenge=1158201444&hub.verify_token=demo-verify",
		"hub.mode=subscribe&hub.challenge=1158201444",
	} {
		if w, err := get(ch, q); err != nil || w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "1158201444") {
			t.Errorf("%s: %v %d %q, want 403 without the challenge", q, err, w.Code, w.Body.String())
		}
	}
	noToken := waChannel("", SettingVerifyToken, "")
	if w, _ := get(noToken, "hub.mode=subscribe&hub.challenge=1&hub.verify_token="); w.Code != http.StatusForbidden {
		t.Errorf("channel without verify_token: %d, want 403", w.Code)
	}
	var pe *channel.PayloadError
	if _, err := get(ch, "hub.mode=subscribe&hub.verify_token=demo-verify&hub.challenge=%3Cscript%3E+x"); !errors.As(err, &pe) {
		t.Errorf("challenge that is not a token: %v, want a PayloadError", err)
	}
}

type wantFile struct {
	name, contentType string
}

type wantItem struct {
	id, text, name string
	at             int64
	files          []wantFile
	links          []conversation.Attachment
	status         *channel.StatusUpdate
}

var (
	imageBytes = []byte("\xff\xd8\xff\xe0 a JPEG the fake Graph API serves")
	pdfBytes   = []byte("%PDF-1.7 the receipt")
	oggBytes   = []byte("OggS a voice note")
	mp4Bytes   = []byte("\x00\x00\x00\x18ftypmp42 a video")
	webpBytes  = []byte("RIFF\x10\x00\x00\x00WEBPVP8 a sticker")
)

// The media each media fixture refers to, by Meta's media id, as the fake serves it.
func serveFixtureMedia(f *FakeGraph, file string) []byte {
	switch file {
	case "image.json":
		f.AddMedia("1003383421387256", FakeMedia{Data: imageBytes, MimeType: "image/jpeg"})
		return imageBytes
	case "video.json":
		f.AddMedia("1003383421387256", FakeMedia{Data: mp4Bytes, MimeType: "video/mp4"})
		return mp4Bytes
	case "document.json":
		f.AddMedia("622684793477189", FakeMedia{Data: pdfBytes, MimeType: "application/pdf"})
		return pdfBytes
	case "audio.json":
		f.AddMedia("1908647269898587", FakeMedia{Data: oggBytes, MimeType: "audio/ogg"})
		return oggBytes
	case "sticker.json":
		f.AddMedia("1908647269898587", FakeMedia{Data: webpBytes, MimeType: "image/webp"})
		return webpBytes
	}
	return nil
}

// Every fixture through Receive, against the fake Graph API for the media: the text an agent
// reads, who wrote, the files kept, the status reports.
func TestReceiveFixtures(t *testing.T) {
	wamidA := "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
	wamidB := "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
	table := map[string][]wantItem{
		"text.json":     {{id: wamidA, text: "Does it come in another color?", name: "Sheena Nelson", at: 1749416383}},
		"image.json":    {{id: wamidA, text: "Taj Mahal", name: "Sheena Nelson", at: 1744344496, files: []wantFile{{"image-1003383421387256.jpg", "image/jpeg"}}}},
		"document.json": {{id: wamidA, text: "my receipt", name: "Sheena Nelson", at: 1744344496, files: []wantFile{{"receipt.pdf", "application/pdf"}}}},
		"audio.json":    {{id: wamidA, text: "", name: "Sheena Nelson", at: 1744344496, files: []wantFile{{"voice-note-1908647269898587.ogg", "audio/ogg; codecs=opus"}}}},
		"video.json":    {{id: wamidA, text: "Gesher test video: the dent in the rear door", name: "Sheena Nelson", at: 1744344496, files: []wantFile{{"video-1003383421387256.mp4", "video/mp4"}}}},
		"sticker.json":  {{id: wamidA, text: "", name: "Sheena Nelson", at: 1744344496, files: []wantFile{{"sticker-1908647269898587.webp", "image/webp"}}}},
		"location.json": {{id: wamidB, name: "Sheena Nelson", at: 1744344496,
			text:  "📍 Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.44221496582, -122.16165924072)\nhttps://philzcoffee.com/",
			links: []conversation.Attachment{{Name: "Map", ContentType: "text/html", URL: "https://www.google.com/maps/search/?api=1&query=37.44221496582,-122.16165924072"}}}},
		"contacts.json":                 {{id: wamidA, name: "Sheena Nelson", at: 1744344496, text: "👤 Barbara J. Johnson — Social Tsunami\n📞 +1 (415) 555-0829 (MOBILE)"}},
		"interactive-list-reply.json":   {{id: wamidB, name: "Sheena Nelson", at: 1749854575, text: "Priority Mail Express"}},
		"interactive-button-reply.json": {{id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=", name: "Sheena Nelson", at: 1750025136, text: "Cancel"}},
		"button.json":                   {{id: wamidB, name: "Sheena Nelson", at: 1750091045, text: "Unsubscribe"}},
		"reaction.json": {{id: wamidB, name: "Sheena Nelson", at: 1749419544,
			text: "👍 (reaction to message wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=)"}},
		"unsupported.json": {{id: wamidB, name: "Sheena Nelson", at: 1750090702,
			text: "(a WhatsApp message Gesher cannot show: edit — Message type is currently not supported.)"}},
		"status-sent.json":      {{id: wamidB, at: 1750030073, status: &channel.StatusUpdate{ExternalID: wamidB, Status: conversation.StatusSent}}},
		"status-delivered.json": {{id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", at: 1750263773, status: &channel.StatusUpdate{ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", Status: conversation.StatusDelivered}}},
		"status-read.json":      {{id: wamidB, at: 1750030073, status: &channel.StatusUpdate{ExternalID: wamidB, Status: conversation.StatusRead}}},
		"status-failed.json": {{id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", at: 1751142888, status: &channel.StatusUpdate{
			ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", Status: conversation.StatusFailed,
			Reason: "This message was not delivered to maintain healthy ecosystem engagement. (WhatsApp error 131049)"}}},
		"errors.json": nil,
	}
	for _, file := range fixtures(t) {
		want, listed := table[file]
		if !listed {
			t.Errorf("%s has no row in the table", file)
			continue
		}
		t.Run(file, func(t *testing.T) {
			f := NewFakeGraph(t, accessToken)
			body := fixture(t, file)
			data := serveFixtureMedia(f, file)
			if data != nil {
				body = SetChecksum(body, data)
			}
			got, err := New(nil, nil).Receive(context.Background(), waChannel(f.URL), hookRequest(body, ""), []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d items, want %d: %+v", len(got), len(want), got)
			}
			for i, w := range want {
				g := got[i]
				if g.ExternalID != w.id || g.At.Unix() != w.at {
					t.Errorf("item %d: id %q at %d, want %q at %d", i, g.ExternalID, g.At.Unix(), w.id, w.at)
				}
				if w.status != nil {
					if g.Status == nil || *g.Status != *w.status {
						t.Errorf("status %+v, want %+v", g.Status, w.status)
					}
					continue
				}
				if g.Status != nil || g.Text != w.text || g.From.Name != w.name {
					t.Errorf("text %q from %q (status %v), want %q from %q", g.Text, g.From.Name, g.Status, w.text, w.name)
				}
				wantIDs := []channel.Identity{{Kind: customer.Phone, Value: "+" + sheena}, {Kind: customer.WhatsApp, Value: sheena}}
				if !reflect.DeepEqual(g.From.Identities, wantIDs) {
					t.Errorf("identities %v, want %v", g.From.Identities, wantIDs)
				}
				if len(g.Files) != len(w.files) {
					t.Fatalf("%d files, want %d", len(g.Files), len(w.files))
				}
				for j, wf := range w.files {
					if g.Files[j].Name != wf.name || g.Files[j].ContentType != wf.contentType || !bytes.Equal(g.Files[j].Data, data) {
						t.Errorf("file %q %q (%d bytes), want %q %q with the served bytes", g.Files[j].Name, g.Files[j].ContentType, len(g.Files[j].Data), wf.name, wf.contentType)
					}
				}
				if len(g.Attachments) != len(w.links) || (len(w.links) > 0 && !reflect.DeepEqual(g.Attachments, w.links)) {
					t.Errorf("attachments %+v, want %+v", g.Attachments, w.links)
				}
			}
		})
	}
}

// Reply ids survive parsing: the title is what an agent reads, the id what an automation
// matches on.
func TestParseKeepsReplyIDs(t *testing.T) {
	for _, tt := range []struct{ file, replyID, inReplyTo string }{
		{"interactive-list-reply.json", "priority_express", "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="},
		{"interactive-button-reply.json", "cancel-button", "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"},
		{"button.json", "Unsubscribe", "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="},
	} {
		d, err := Parse([]byte(fixture(t, tt.file)))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Messages) != 1 || d.Messages[0].ReplyID != tt.replyID || d.Messages[0].InReplyTo != tt.inReplyTo || d.Messages[0].PhoneNumberID != ourNumberID {
			t.Errorf("%s parsed as %+v", tt.file, d.Messages)
		}
	}
	d, _ := Parse([]byte(fixture(t, "errors.json")))
	if len(d.Errors) != 1 || d.Errors[0].Code != 130429 || d.Errors[0].Title != "Rate limit hit" || len(d.Messages)+len(d.Statuses) != 0 {
		t.Errorf("errors.json parsed as %+v", d)
	}
}

// Several entries, several changes, several messages and statuses in one delivery keep their
// order; changes for other webhook fields are skipped.
func TestParseBatch(t *testing.T) {
	value := func(file string) string {
		b := fixture(t, file)
		start := strings.Index(b, `"value": {`) + len(`"value": `)
		end := strings.LastIndex(b, `,
          "field": "messages"`)
		return b[start:end]
	}
	twoMessages := strings.Replace(value("text.json"), `"messages": [`, `"messages": [
{"from": "972501234567", "id": "wamid.SECOND", "timestamp": "1749416390", "type": "text", "text": {"body": "שלום"}},`, 1)
	body := `{"object": "whatsapp_business_account", "entry": [
  {"id": "102290129340398", "changes": [
    {"field": "messages", "value": ` + twoMessages + `},
    {"field": "account_update", "value": {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"}},
    {"field": "messages", "value": ` + value("status-sent.json") + `}]},
  {"id": "102290129340398", "changes": [
    {"field": "messages", "value": ` + value("location.json") + `},
    {"field": "messages", "value": ` + value("status-failed.json") + `}]}]}`
	d, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range d.Messages {
		ids = append(ids, m.ID)
	}
	want := "wamid.SECOND wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA= wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("messages in order %s, want %s", got, want)
	}
	if d.Messages[0].From != "972501234567" || d.Messages[0].Name != "" || d.Messages[1].Name != "Sheena Nelson" {
		t.Errorf("senders %+v", d.Messages[:2])
	}
	if len(d.Statuses) != 2 || d.Statuses[0].Status != "sent" || d.Statuses[1].Status != "failed" {
		t.Errorf("statuses %+v", d.Statuses)
	}
	in, err := New(nil, nil).Receive(context.Background(), waChannel(""), hookRequest(body, ""), []byte(body))
	if err != nil || len(in) != 5 {
		t.Fatalf("Receive: %d items, %v; want 5", len(in), err)
	}
	// The Israeli sender is found by their phone number in E.164.
	if in[0].From.Identities[0] != (channel.Identity{Kind: customer.Phone, Value: "+972501234567"}) {
		t.Errorf("Israeli sender %v", in[0].From.Identities)
	}
}

func TestParseRefuses(t *testing.T) {
	text := fixture(t, "text.json")
	tests := []struct{ name, body, want string }{
		{"empty", "", "not a WhatsApp webhook body"},
		{"garbage", "this is not JSON", "not a WhatsApp webhook body"},
		{"truncated", text[:len(text)/2], "not a WhatsApp webhook body"},
		{"form body", "MessageSid=SM1&From=%2B14155550100&Body=hi", "not a WhatsApp webhook body"},
		{"another object", strings.Replace(text, "whatsapp_business_account", "page", 1), `object is "page"`},
		{"no entry", `{"object": "whatsapp_business_account", "entry": []}`, "no entry"},
		{"another product", strings.Replace(text, `"messaging_product": "whatsapp"`, `"messaging_product": "instagram"`, 1), "messaging_product"},
		{"no message id", strings.Replace(text, `"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="`, `"id": ""`, 1), "messages[].id is missing"},
		{"message id with spaces", strings.Replace(text, `"id": "wamid.HBgL`, `"id": "wamid HBgL`, 1), "characters an id does not have"},
		{"no from", strings.Replace(text, `"from": "16505551234",`, ``, 1), "has no from"},
		{"from not a number", strings.Replace(text, `"from": "16505551234"`, `"from": "sheena"`, 1), "from"},
		{"timestamp not seconds", strings.Replace(text, `"1749416383"`, `"yesterday"`, 1), "timestamp"},
		{"image without image", strings.Replace(fixture(t, "image.json"), `"image": {`, `"picture": {`, 1), "no image object"},
		{"media without id", strings.Replace(fixture(t, "document.json"), `"id": "622684793477189"`, `"id": ""`, 1), "document.id is missing"},
		{"latitude off the Earth", strings.Replace(fixture(t, "location.json"), "37.44221496582", "137.4", 1), "not a place on Earth"},
		{"reaction without reaction", strings.Replace(fixture(t, "reaction.json"), `"reaction": {`, `"reactions": {`, 1), "reaction without"},
		{"status without id", strings.Replace(fixture(t, "status-sent.json"), `"id": "wamid.`, `"id": "", "x": "`, 1), "statuses[].id is missing"},
		{"status without word", strings.Replace(fixture(t, "status-sent.json"), `"status": "sent"`, `"status": ""`, 1), "not a status word"},
		{"value of the wrong shape", strings.Replace(text, `"messages": [`, `"messages": {"x": [`, 1), "not a WhatsApp webhook body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			var pe *channel.PayloadError
			if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.want) {
				t.Errorf("got %v; want a PayloadError mentioning %q", err, tt.want)
			}
		})
	}
	// A JSON body with another content type is not Meta's.
	var pe *channel.PayloadError
	r := hookRequest(text, "")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := New(nil, nil).Receive(context.Background(), waChannel(""), r, []byte(text)); !errors.As(err, &pe) {
		t.Errorf("form content type: %v, want a PayloadError", err)
	}
}

// Text is made storable: PostgreSQL refuses invalid UTF-8 and NUL bytes.
func TestParseCleansText(t *testing.T) {
	body := strings.Replace(fixture(t, "text.json"), "Does it come in another color?", `a\u0000b`+"\xff"+`c`, 1)
	d, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if d.Messages[0].Text != "ab\uFFFDc" {
		t.Errorf("text %q, want %q", d.Messages[0].Text, "ab\uFFFDc")
	}
}

// A removed reaction (no emoji) and a status word Gesher has no use for store nothing; a
// delivery for another business number of the same Meta app is still stored, never dropped.
func TestReceiveSkips(t *testing.T) {
	a := New(nil, nil)
	receive := func(ch channel.Channel, body string) []channel.Inbound {
		t.Helper()
		in, err := a.Receive(context.Background(), ch, hookRequest(body, ""), []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	removed := strings.Replace(fixture(t, "reaction.json"), `,
                  "emoji": "👍"`, "", 1)
	if in := receive(waChannel(""), removed); len(in) != 0 {
		t.Errorf("removed reaction: %+v, want nothing", in)
	}
	if in := receive(waChannel(""), strings.Replace(fixture(t, "status-sent.json"), `"status": "sent"`, `"status": "deleted"`, 1)); len(in) != 0 {
		t.Errorf("unknown status word: %+v, want nothing", in)
	}
	if in := receive(waChannel("", SettingPhoneNumberID, "100000000000001"), fixture(t, "text.json")); len(in) != 1 {
		t.Errorf("another number's message: %+v, want it kept", in)
	}
	played := strings.Replace(fixture(t, "status-read.json"), `"status": "read"`, `"status": "played"`, 1)
	if in := receive(waChannel(""), played); len(in) != 1 || in[0].Status.Status != conversation.StatusRead {
		t.Errorf("played: %+v, want read", in)
	}
}

// Media that cannot be fetched now is an error that is not a PayloadError, so Meta retries;
// media Meta no longer has, or too large to keep, becomes a link attachment that says so.
func TestReceiveMediaFailures(t *testing.T) {
	ctx := context.Background()
	image := SetChecksum(fixture(t, "image.json"), imageBytes)
	receive := func(f *FakeGraph, ch channel.Channel, body string) ([]channel.Inbound, error) {
		return New(nil, nil).Receive(ctx, ch, hookRequest(body, ""), []byte(body))
	}
	temporary := func(name string, err error) {
		t.Helper()
		var pe *channel.PayloadError
		if err == nil || errors.As(err, &pe) {
			t.Errorf("%s: %v, want an error that is not a PayloadError", name, err)
		}
	}

	f := NewFakeGraph(t, accessToken)
	f.AddMedia("1003383421387256", FakeMedia{Data: imageBytes, MimeType: "image/jpeg"})
	f.FailLookups(http.StatusServiceUnavailable)
	_, err := receive(f, waChannel(f.URL), image)
	temporary("Graph API 503", err)
	if in, err := receive(f, waChannel(f.URL), image); err != nil || len(in) != 1 || len(in[0].Files) != 1 {
		t.Errorf("after the 503: %+v %v, want the file", in, err)
	}

	_, err = receive(f, waChannel(f.URL), fixture(t, "image.json")) // Meta's checksum, not the fake's bytes'
	temporary("checksum mismatch", err)
	_, err = receive(f, waChannel(f.URL, SettingAccessToken, ""), image)
	temporary("no access token", err)
	_, err = receive(f, waChannel(f.URL, SettingAccessToken, "revoked"), image)
	temporary("token refused", err)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, err = receive(f, waChannel(dead.URL), image)
	temporary("Graph API unreachable", err)

	f.AddMedia("1003383421387256", FakeMedia{Gone: true})
	in, err := receive(f, waChannel(f.URL), image)
	if err != nil || len(in) != 1 || len(in[0].Files) != 0 || len(in[0].Attachments) != 1 || !strings.Contains(in[0].Attachments[0].Name, "WhatsApp no longer has this file") || in[0].Text != "Taj Mahal" {
		t.Errorf("media gone: %+v %v, want the caption and a note", in, err)
	}

	big := bytes.Repeat([]byte("x"), media.MaxSize+1)
	f.AddMedia("1003383421387256", FakeMedia{Data: big, MimeType: "image/jpeg"})
	before := len(f.Gets())
	in, err = receive(f, waChannel(f.URL), SetChecksum(fixture(t, "image.json"), big))
	if err != nil || len(in) != 1 || len(in[0].Files) != 0 || len(in[0].Attachments) != 1 {
		t.Fatalf("too large: %+v %v, want a link", in, err)
	}
	if at := in[0].Attachments[0]; !strings.Contains(at.Name, "16.8 MB, too large to keep") || at.URL != f.URL+"/download/1003383421387256" || at.Size != int64(len(big)) {
		t.Errorf("too large: attachment %+v", at)
	}
	for _, g := range f.Gets()[before:] {
		if strings.HasPrefix(g, "/download/") {
			t.Errorf("a file the Graph API said was too large was downloaded anyway: %s", g)
		}
	}
}

func TestDecodeSHA256(t *testing.T) {
	hex := "49f227634806293b0995459bc310b593e0400f41591efcf07e9bced335f41942"
	for _, s := range []string{"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", hex, strings.ToUpper(hex)} {
		if b, ok := decodeSHA256(s); !ok || len(b) != 32 || b[0] != 0x49 {
			t.Errorf("decodeSHA256(%q) = %x %v", s, b, ok)
		}
	}
	if _, ok := decodeSHA256("abc123"); ok {
		t.Errorf("a short value was taken for a checksum")
	}
}

func TestSecrets(t *testing.T) {
	got := New(nil, nil).Secrets(waChannel(""))
	want := []string{appSecret, accessToken, "Bearer " + accessToken, "demo-verify"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets = %v, want %v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add([]byte(fixture(f, name)))
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"x","type":"reaction","reaction":{}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"16505551234","id":"a","timestamp":1749416383,"type":"location","location":{"latitude":1e400}}]}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := Parse(body)
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		storable := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
		for _, m := range d.Messages {
			if m.ID == "" || len(m.ID) > maxID || m.From == "" || !storable(m.Text) || len(m.Text) > maxText+200 || !storable(m.Name) {
				t.Fatalf("accepted message %+v", m)
			}
			if v, err := customer.Normalize(customer.WhatsApp, m.From); err != nil || v != m.From {
				t.Fatalf("from %q is not a normalised wa_id", m.From)
			}
			if !m.Removed && m.Media == nil && strings.TrimSpace(m.Text) == "" {
				t.Fatalf("message %s of type %q has nothing to show", m.ID, m.Type)
			}
			if m.Media != nil && (m.Media.ID == "" || !storable(m.Media.Filename)) {
				t.Fatalf("media %+v", m.Media)
			}
			for _, l := range m.Links {
				if !strings.HasPrefix(l.URL, "https://") {
					t.Fatalf("link %+v", l)
				}
			}
		}
		for _, s := range d.Statuses {
			if s.ID == "" || s.Status == "" || len(s.Status) > 32 {
				t.Fatalf("accepted status %+v", s)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := []byte(fixture(b, "contacts.json"))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
