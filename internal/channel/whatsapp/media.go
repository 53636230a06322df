package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/media"
)

// mediaInfo is the Graph API's answer to GET /{media-id}: where the bytes are (a URL that
// itself needs the access token, valid for a few minutes) and what they are.
type mediaInfo struct {
	URL      string      `json:"url"`
	MimeType string      `json:"mime_type"`
	SHA256   string      `json:"sha256"`
	FileSize json.Number `json:"file_size"`
	ID       string      `json:"id"`
}

// fetchMedia downloads a message's file. It returns the file, or — for a file too large to
// keep, or one Meta says no longer exists — a link attachment whose name says why the bytes
// are not in Gesher. An error means another attempt may succeed (the network, Meta's 5xx, a
// missing or refused access token, a checksum that does not match): the delivery is refused
// and Meta sends it again.
func (a *Adapter) fetchMedia(ctx context.Context, ch channel.Channel, m Message) (*channel.File, *conversation.Attachment, error) {
	md := m.Media
	name := mediaName(m)
	token := ch.Settings[SettingAccessToken]
	if token == "" {
		return nil, nil, fmt.Errorf("whatsapp: media %s: the channel has no access_token to download it with", md.ID)
	}
	infoURL := apiBase(ch) + "/" + url.PathEscape(md.ID)
	raw, status, err := a.get(ctx, infoURL, token, 64*1024)
	if err != nil {
		return nil, nil, fmt.Errorf("whatsapp: media %s: look up: %w", md.ID, err)
	}
	if gone(status) {
		return nil, &conversation.Attachment{Name: name + " (WhatsApp no longer has this file: " + graphReason(status, raw) + ")", ContentType: contentType(md.MimeType, "")}, nil
	}
	if status < 200 || status > 299 {
		return nil, nil, fmt.Errorf("whatsapp: media %s: look up: HTTP %d: %s", md.ID, status, graphReason(status, raw))
	}
	var info mediaInfo
	if err := json.Unmarshal(raw, &info); err != nil || !httpURL(info.URL) {
		return nil, nil, fmt.Errorf("whatsapp: media %s: the Graph API's answer has no download URL", md.ID)
	}
	ct := contentType(md.MimeType, info.MimeType)
	tooLarge := func(size int64) *conversation.Attachment {
		return &conversation.Attachment{Name: fmt.Sprintf("%s (%.1f MB, too large to keep in Gesher: open it in WhatsApp)", name, float64(size)/1e6),
			ContentType: ct, Size: size, URL: info.URL}
	}
	if size, err := strconv.ParseInt(info.FileSize.String(), 10, 64); err == nil && size > media.MaxSize {
		return nil, tooLarge(size), nil
	}
	data, status, err := a.get(ctx, info.URL, token, media.MaxSize+1)
	if err != nil {
		return nil, nil, fmt.Errorf("whatsapp: media %s: download: %w", md.ID, err)
	}
	if gone(status) {
		return nil, &conversation.Attachment{Name: name + " (WhatsApp no longer has this file: " + graphReason(status, data) + ")", ContentType: ct}, nil
	}
	if status < 200 || status > 299 {
		return nil, nil, fmt.Errorf("whatsapp: media %s: download: HTTP %d", md.ID, status)
	}
	if len(data) > media.MaxSize {
		return nil, tooLarge(int64(len(data))), nil
	}
	want := md.SHA256
	if want == "" {
		want = info.SHA256
	}
	if sum, ok := decodeSHA256(want); ok {
		if got := sha256.Sum256(data); !bytes.Equal(got[:], sum) {
			// A truncated or corrupted transfer: Meta's retry fetches it again.
			return nil, nil, fmt.Errorf("whatsapp: media %s: downloaded %d bytes whose SHA-256 is not the one Meta sent", md.ID, len(data))
		}
	}
	return &channel.File{Name: name, ContentType: ct, Data: data}, nil, nil
}

// get fetches u with the access token and returns at most max bytes of the body.
func (a *Adapter) get(ctx context.Context, u, token string, max int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, max))
	if err != nil {
		return nil, 0, err
	}
	return body, resp.StatusCode, nil
}

// gone says Meta will never serve the file: the media id is unknown or expired (media ids
// live 30 days). Another attempt cannot help, so the message is kept without it.
func gone(status int) bool {
	return status == http.StatusNotFound || status == http.StatusGone || status == http.StatusBadRequest
}

// mediaName is the file's name as the agent sees it: the customer's file name for a
// document, else what it is and Meta's id, with the extension its type implies.
func mediaName(m Message) string {
	if m.Media.Filename != "" {
		return m.Media.Filename
	}
	kind := m.Type
	if m.Type == "audio" && m.Media.Voice {
		kind = "voice-note"
	}
	return kind + "-" + m.Media.ID + extension(m.Media.MimeType)
}

func extension(mimeType string) string {
	mt, _, _ := strings.Cut(strings.ToLower(mimeType), ";")
	switch strings.TrimSpace(mt) {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/aac":
		return ".aac"
	case "audio/amr":
		return ".amr"
	case "audio/mp4":
		return ".m4a"
	case "video/mp4":
		return ".mp4"
	case "video/3gpp":
		return ".3gp"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

func contentType(fromWebhook, fromGraph string) string {
	if fromWebhook != "" {
		return fromWebhook
	}
	if fromGraph != "" {
		return fromGraph
	}
	return "application/octet-stream"
}

// decodeSHA256 reads Meta's checksum: base64 in current webhooks, hex in older ones and in
// some Graph answers. ok is false for anything that is not 32 bytes either way.
func decodeSHA256(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == sha256.Size {
			return b, true
		}
	}
	return nil, false
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// apiBase is {api_base}/{api_version}, without a trailing slash.
func apiBase(ch channel.Channel) string {
	base := strings.TrimSuffix(strings.TrimSpace(ch.Settings[SettingAPIBase]), "/")
	if base == "" {
		base = DefaultAPIBase
	}
	version := strings.Trim(strings.TrimSpace(ch.Settings[SettingAPIVersion]), "/")
	if version == "" {
		version = DefaultAPIVersion
	}
	return base + "/" + version
}
