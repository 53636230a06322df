package main

import (
	"io"
	"log/slog"
	"strings"
)

// sensitiveKeys are log attribute names whose values never reach a log.
var sensitiveKeys = []string{"password", "secret", "token", "authorization", "cookie", "signature", "api_key"}

// newLogger returns the process logger. Whatever the caller passes, attributes whose names
// say they hold a secret are replaced, so a careless log line cannot leak one.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: redactAttr}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range sensitiveKeys {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	return a
}
