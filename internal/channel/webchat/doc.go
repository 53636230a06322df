// Package webchat is the web chat channel behind /widget.js: kind "webchat", webhook
// POST /hooks/webchat/{channel}, the visitor's side of a conversation in a browser.
//
// It owns the visitor's identity (a random id the server issues, and a token that is the
// HMAC-SHA256 of that id under the channel secret, so the server keeps no session table), the
// parser of the widget's JSON message, and the channel settings the widget reads (greeting,
// title, allowed origins). It does not hold sockets or touch the database: internal/web issues
// sessions, verifies tokens through this package, runs the visitor's WebSocket and orders the
// webhook pipeline (verify, receive, ingest, commit, acknowledge).
//
// Channel configuration (docs/channels.md, "Web chat"):
//
//	secret           signs visitor tokens; changing it signs every visitor out
//	allowed_origins  the sites that may embed the widget: origins separated by spaces or
//	                 commas ("https://shop.example https://www.shop.example"), or "*" for any;
//	                 empty means only Gesher's own origin
//	title_<lang>     the panel's heading in a language ("title_he"); title without a language
//	                 is the fallback
//	greeting_<lang>  the first line the visitor reads ("greeting_en"); greeting is the fallback
package webchat
