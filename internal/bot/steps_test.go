package bot_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// theftPhoto checks the customer's identity by a one-time code, then takes a photo.
var theftPhoto = selfservice.Input{
	Category: "car",
	Name:     map[string]string{"en": "Theft report with a photo", "he": "דיווח גניבה עם תמונה"},
	Channels: []selfservice.Way{selfservice.Web, selfservice.WhatsApp, selfservice.Phone},
	Flow: []selfservice.Step{
		{ID: "identity", Kind: selfservice.Code, Label: map[string]string{"en": "The code we sent you", "he": "הקוד ששלחנו"}},
		{ID: "photo", Kind: selfservice.Upload, Label: map[string]string{"en": "A photo of the police report", "he": "תמונה של אישור המשטרה"}},
		{ID: "confirm", Kind: selfservice.Confirm, Label: map[string]string{"en": "Send the report", "he": "שליחה"}},
	},
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// codeSent is the code in the last system message to the customer with the identity — as
// their phone shows it.
func (e *env) codeSent(kind customer.IdentityKind, value string) string {
	e.T().Helper()
	c, err := e.App.Customers.FindByIdentity(context.Background(), kind, value)
	if err != nil {
		e.T().Fatal(err)
	}
	var text string
	if err := e.App.DB.QueryRow(context.Background(), `SELECT text FROM messages WHERE customer_id = ? AND direction = 'out' AND text LIKE '%code%' ORDER BY id DESC LIMIT 1`, c.ID).Scan(&text); err != nil {
		e.T().Fatalf("no code was sent to %s: %v", value, err)
	}
	m := sixDigits.FindStringSubmatch(text)
	if m == nil {
		e.T().Fatalf("no code in %q", text)
	}
	return m[1]
}

// upload posts the file step's multipart form.
func (f *form) upload(name string, data []byte) string {
	f.e.T().Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("action", "next")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.e.URL+"/f/"+f.svc()+"?lang=en", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.do(req)
}

func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// The identity check and the file step on the web form: the code goes by SMS to the number
// given, a wrong code is refused and counted, the right one passes once; the file is stored
// and the case keeps its address.
func TestWebFormChecksACodeAndTakesAFile(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, false)
		f := &form{e: e, service: "theft-photo"}
		f.post("start", "")
		f.post("next", "050-999 8877")
		code := e.codeSent(customer.Phone, "+972509998877")
		if page := f.post("next", wrong(code)); !strings.Contains(page, "That is not the code we sent") || !strings.Contains(page, `autocomplete="one-time-code"`) {
			t.Fatalf("a wrong code:\n%s", page)
		}
		if page := f.post("next", code); strings.Contains(page, `role="alert"`) {
			t.Fatalf("the right code was refused:\n%s", page)
		}
		page := f.post("next", "")
		if !strings.Contains(page, "Choose a file to send.") || !strings.Contains(page, `enctype="multipart/form-data"`) {
			t.Fatalf("no file, no step:\n%s", page)
		}
		photo := []byte("\xff\xd8\xff\xe0 the police report, photographed")
		f.upload("report.jpg", photo)
		if page := f.post("next", ""); !strings.Contains(page, "/s/") {
			t.Fatalf("the last step shows no tracker link:\n%s", page)
		}
		c := e.caseOf(customer.Phone, "+972509998877")
		url, _ := c.Answers["photo"].(string)
		if c.Answers["identity"] != selfservice.Verified || !strings.HasPrefix(url, "/api/v1/media/") {
			t.Fatalf("answers %v", c.Answers)
		}
		if a := e.Get(url, nil); a.Status != http.StatusOK || a.Body != string(photo) {
			t.Errorf("the stored photo: %d %q", a.Status, a.Body)
		}
		// The code is in no event and no log line's data: only a digest is kept.
		if n := e.Count(`SELECT COUNT(*) FROM events WHERE data LIKE ?`, "%"+code+"%"); n != 0 {
			t.Errorf("the code is in %d events", n)
		}
		if n := e.Count(`SELECT COUNT(*) FROM flow_codes WHERE digest LIKE ?`, "%"+code+"%"); n != 0 {
			t.Errorf("the code is stored as it is")
		}
	})
}

// Codes run out: after five wrong tries even the right code is refused, and a new one is sent.
func TestCodeAttemptsAreLimited(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), false)
	f := &form{e: e, service: "theft-photo"}
	f.post("start", "")
	f.post("next", "+972509998866")
	code := e.codeSent(customer.Phone, "+972509998866")
	var page string
	for range selfservice.CodeAttempts {
		page = f.post("next", wrong(code))
	}
	if !strings.Contains(page, "no longer good") {
		t.Fatalf("after %d wrong tries:\n%s", selfservice.CodeAttempts, page)
	}
	if page := f.post("next", code); !strings.Contains(page, `role="alert"`) {
		t.Errorf("the first code still opens after it ran out of tries")
	}
	fresh := e.codeSent(customer.Phone, "+972509998866")
	if page := f.post("next", fresh); strings.Contains(page, `role="alert"`) {
		t.Errorf("the new code was refused:\n%s", page)
	}
	// Expired codes are refused too.
	f2 := &form{e: e, service: "theft-photo"}
	f2.post("start", "")
	f2.post("next", "+972509998855")
	late := e.codeSent(customer.Phone, "+972509998855")
	e.Clock.Advance(selfservice.CodeTTL)
	if page := f2.post("next", late); !strings.Contains(page, "no longer good") {
		t.Errorf("an expired code opened")
	}
}

// The same flow as a WhatsApp conversation: the code comes on WhatsApp, the photo is a
// WhatsApp image message, and the case keeps the stored photo.
func TestWhatsAppFlowChecksACodeAndTakesAPhoto(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, true)
		const phone = "972501231234"
		e.say(phone, "Theft report with a photo")
		code := e.codeSent(customer.Phone, "+"+phone)
		e.say(phone, wrong(code))
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "That is not the code we sent") {
			t.Errorf("a wrong code:\n%s", got)
		}
		e.say(phone, code)
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "A photo of the police report") || !strings.Contains(got, "as a photo or a document") {
			t.Fatalf("after the code:\n%s", got)
		}
		e.say(phone, "here it is") // words are not a file
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "Choose a file to send.") {
			t.Errorf("text for a file:\n%s", got)
		}
		photo := []byte("\xff\xd8\xff\xe0 the police report, on WhatsApp")
		e.media["1003383421387256"] = photo
		sum := sha256.Sum256(photo)
		body := string(channeltest.Fixture(t, "whatsapp-image.json"))
		body = strings.Replace(body, `"16505551234"`, `"`+phone+`"`, 2)
		body = strings.Replace(body, "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", base64.StdEncoding.EncodeToString(sum[:]), 1)
		body = strings.Replace(body, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "wamid.photo-1", 1)
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/whatsapp/"+e.wa.Name, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", signature(body))
		if a := e.Do(req); a.Status != http.StatusOK {
			t.Fatalf("photo: %d %s", a.Status, a.Body)
		}
		if got := last(e.botSaid("+" + phone)); !strings.Contains(got, "A file was sent") || !strings.Contains(got, "Identity checked") {
			t.Errorf("the confirmation:\n%s", got)
		}
		e.say(phone, "1")
		c := e.caseOf(customer.Phone, "+"+phone)
		url, _ := c.Answers["photo"].(string)
		if c.Answers["identity"] != selfservice.Verified || !strings.HasPrefix(url, "/api/v1/media/") {
			t.Fatalf("answers %v", c.Answers)
		}
		if a := e.Get(url, nil); a.Status != http.StatusOK || a.Body != string(photo) {
			t.Errorf("the stored photo: %d", a.Status)
		}
	})
}
