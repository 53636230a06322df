package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/media"
)

// maxFile is the largest file downloaded: what the media store keeps. Telegram's own limit
// for bots is 20 MB.
const maxFile = media.MaxSize

// download fetches one file the way the Bot API serves it: getFile gives a file_path, and
// {api_base}/file/bot<token>/<file_path> gives the bytes. It returns the file, or, for a file
// Gesher cannot keep whatever it does (too big, or refused by Telegram for good), an
// attachment whose name says why: the message is still stored and the agent sees that a file
// came. It carries no URL, because Telegram's only URL for a file contains the bot token. An
// error means another attempt may succeed (Telegram or the network failed, or the channel's
// token is missing or wrong); the caller then does not acknowledge the update.
func (a *Adapter) download(ctx context.Context, ch channel.Channel, ref FileRef) (*channel.File, *conversation.Attachment, error) {
	if ref.Size > maxFile {
		return nil, tooBig(ref, ref.Size), nil
	}
	token, err := botToken(ch)
	if err != nil {
		return nil, nil, fmt.Errorf("telegram: cannot download %s: %w", ref.Name, err)
	}
	var file struct {
		FileSize int64  `json:"file_size"`
		FilePath string `json:"file_path"`
	}
	if err := a.call(ctx, ch, token, "getFile", map[string]string{"file_id": ref.FileID}, &file); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && !ae.temporary() && ae.Status != http.StatusUnauthorized && ae.Status != http.StatusNotFound {
			// "file is too big", "wrong file_id": no retry changes Telegram's mind. A 401
			// (revoked token) or 404 (wrong api_base) is the channel's configuration, which
			// an admin can fix while Telegram keeps re-delivering.
			return nil, notDownloaded(ref, ae.Description), nil
		}
		return nil, nil, fmt.Errorf("telegram: getFile for %s: %w", ref.Name, err)
	}
	if file.FileSize > maxFile {
		return nil, tooBig(ref, file.FileSize), nil
	}
	if err := checkFilePath(file.FilePath); err != nil {
		return nil, notDownloaded(ref, err.Error()), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiBase(ch)+"/file/bot"+token+"/"+file.FilePath, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("telegram: download %s: bad api_base: %s", ref.Name, redact(err.Error(), token))
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("telegram: download %s: %w", ref.Name, roundTripError(err, token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The link is valid for an hour after getFile, so a refusal here is Telegram's
		// trouble, and the next delivery asks for a fresh link anyway.
		return nil, nil, fmt.Errorf("telegram: download %s: Telegram's file server answered %s", ref.Name, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("telegram: download %s: %w", ref.Name, roundTripError(err, token))
	}
	if len(data) > maxFile {
		return nil, tooBig(ref, int64(len(data))), nil
	}
	return &channel.File{Name: ref.Name, ContentType: ref.ContentType, Data: data}, nil, nil
}

func tooBig(ref FileRef, size int64) *conversation.Attachment {
	what := "more than"
	if size > maxFile+1 {
		what = fmt.Sprintf("%.1f MB,", float64(size)/1e6)
	}
	return &conversation.Attachment{
		Name:        fmt.Sprintf("%s (not downloaded: %s over the %d MiB limit; ask the customer to send it another way)", ref.Name, what, maxFile>>20),
		ContentType: ref.ContentType, Size: max(size, 0),
	}
}

func notDownloaded(ref FileRef, why string) *conversation.Attachment {
	return &conversation.Attachment{Name: fmt.Sprintf("%s (not downloaded: %s)", ref.Name, limit(why)), ContentType: ref.ContentType, Size: ref.Size}
}

// checkFilePath accepts the relative paths getFile gives ("photos/file_17.jpg") and nothing
// that would make the download URL point elsewhere.
func checkFilePath(p string) error {
	if p == "" {
		return errors.New("getFile gave no file_path")
	}
	if len(p) > 512 || strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
		return errors.New("getFile gave a file_path Gesher does not follow")
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.' || c == '-' || c == '_') {
			return errors.New("getFile gave a file_path Gesher does not follow")
		}
	}
	return nil
}
