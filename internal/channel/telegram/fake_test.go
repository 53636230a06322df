package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// FakeBotAPI is a local Bot API server speaking Telegram's wire format: method calls at
// /bot<token>/<method> with a JSON body, answered {"ok":true,"result":…} or {"ok":false,
// "error_code":…,"description":…}; files at /file/bot<token>/<file_path>. A wrong token gets
// 401 Unauthorized, as from Telegram. It is exported (from a test file) so that the end-to-end
// tests in package telegram_test use the same fake.
type FakeBotAPI struct {
	Token string

	mu      sync.Mutex
	files   map[string]fakeFile // by file_id
	answers map[string][]func(w http.ResponseWriter)
	calls   []FakeCall
	fetched []string // file paths downloaded
	nextID  int64
}

// FakeCall is one method call the fake received.
type FakeCall struct {
	Method string
	Params map[string]any
}

type fakeFile struct {
	path string
	data []byte
	size int64 // what getFile reports; the data's length unless set
}

// NewFakeBotAPI returns a fake for the bot with token.
func NewFakeBotAPI(token string) *FakeBotAPI {
	return &FakeBotAPI{Token: token, files: map[string]fakeFile{}, answers: map[string][]func(http.ResponseWriter){}, nextID: 1219}
}

// AddFile makes a file available under file_id at file_path.
func (f *FakeBotAPI) AddFile(fileID, filePath string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[fileID] = fakeFile{path: filePath, data: data, size: int64(len(data))}
}

// ReportSize makes getFile report size for file_id, whatever its bytes are.
func (f *FakeBotAPI) ReportSize(fileID string, size int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	file := f.files[fileID]
	file.size = size
	f.files[fileID] = file
}

// Answer queues answers for method, used one per call before the fake's own behaviour resumes.
func (f *FakeBotAPI) Answer(method string, answers ...func(w http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[method] = append(f.answers[method], answers...)
}

// Calls returns the method calls received, in order; with names, only those methods.
func (f *FakeBotAPI) Calls(methods ...string) []FakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FakeCall
	for _, c := range f.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Fetched returns the file paths downloaded, in order.
func (f *FakeBotAPI) Fetched() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fetched...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FakeError answers like the Bot API refusing a call; retryAfter > 0 adds
// parameters.retry_after and a Retry-After header.
func FakeError(status int, description string, retryAfter int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		doc := map[string]any{"ok": false, "error_code": status, "description": description}
		if retryAfter > 0 {
			doc["parameters"] = map[string]int{"retry_after": retryAfter}
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(doc)
	}
}

func (f *FakeBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+f.Token+"/"); ok {
		f.serveFile(w, rest)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+f.Token+"/")
	if !ok {
		FakeError(http.StatusUnauthorized, "Unauthorized", 0)(w)
		return
	}
	var params map[string]any
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || mt != "application/json" || json.Unmarshal(body, &params) != nil {
		FakeError(http.StatusBadRequest, "Bad Request: the fake takes JSON POSTs only", 0)(w)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, FakeCall{Method: method, Params: params})
	var answer func(http.ResponseWriter)
	if q := f.answers[method]; len(q) > 0 {
		answer, f.answers[method] = q[0], q[1:]
	}
	f.mu.Unlock()
	if answer != nil {
		answer(w)
		return
	}
	switch method {
	case "getFile":
		f.getFile(w, params)
	case "sendMessage", "sendPhoto", "sendDocument":
		f.send(w, method, params)
	default:
		FakeError(http.StatusNotFound, "Not Found", 0)(w)
	}
}

func (f *FakeBotAPI) getFile(w http.ResponseWriter, params map[string]any) {
	id, _ := params["file_id"].(string)
	f.mu.Lock()
	file, ok := f.files[id]
	f.mu.Unlock()
	if !ok {
		FakeError(http.StatusBadRequest, "Bad Request: invalid file_id", 0)(w)
		return
	}
	ok200(w, map[string]any{"file_id": id, "file_unique_id": "AgAD" + strconv.Itoa(len(id)), "file_size": file.size, "file_path": file.path})
}

func (f *FakeBotAPI) send(w http.ResponseWriter, method string, params map[string]any) {
	chat, ok := params["chat_id"].(float64)
	if !ok || chat <= 0 {
		FakeError(http.StatusBadRequest, "Bad Request: chat not found", 0)(w)
		return
	}
	f.mu.Lock()
	f.nextID++
	id := f.nextID
	f.mu.Unlock()
	msg := map[string]any{
		"message_id": id, "date": 1795338700,
		"from": map[string]any{"id": 7012345678, "is_bot": true, "first_name": "Gesher Insurance", "username": "GesherInsuranceBot"},
		"chat": map[string]any{"id": int64(chat), "type": "private"},
	}
	switch method {
	case "sendMessage":
		msg["text"] = params["text"]
	case "sendPhoto":
		msg["photo"] = []map[string]any{{"file_id": fmt.Sprintf("AgACAgQAAx%d", id), "file_unique_id": "AQAD", "width": 1280, "height": 960}}
		msg["caption"] = params["caption"]
	case "sendDocument":
		msg["document"] = map[string]any{"file_id": fmt.Sprintf("BQACAgQAAx%d", id), "file_unique_id": "AgAD"}
		msg["caption"] = params["caption"]
	}
	ok200(w, msg)
}

func (f *FakeBotAPI) serveFile(w http.ResponseWriter, filePath string) {
	f.mu.Lock()
	f.fetched = append(f.fetched, filePath)
	var data []byte
	found := false
	for _, file := range f.files {
		if file.path == filePath {
			data, found = file.data, true
		}
	}
	f.mu.Unlock()
	if !found {
		http.Error(w, `{"ok":false,"error_code":404,"description":"Not Found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

func ok200(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}
