// Package telegram is the Telegram Bot API channel: kind "telegram", webhook
// POST /hooks/telegram/{channel}, where Telegram delivers one JSON Update per request.
//
// It owns the check of the webhook's secret token, the parser for the Update objects Gesher
// serves (private messages with text, media, locations, venues and contacts, their edits, and
// inline-keyboard button presses), the download of a message's file through getFile, and the
// calls that send a reply (sendMessage, sendPhoto, sendDocument). It does not touch the
// database: the web pipeline verifies, receives, ingests and acknowledges, in that order.
//
// Channel configuration (docs/channels.md, "Telegram"):
//
//	secret     the secret_token given to setWebhook, sent back in X-Telegram-Bot-Api-Secret-Token
//	bot_token  the bot's token from @BotFather (downloads files and sends replies)
//	api_base   default https://api.telegram.org; a local Bot API server's or a test fake's
//
// The bot token is part of every Bot API URL, so it is a secret twice over: Secrets returns it,
// and no error this package returns carries a URL with it.
package telegram
