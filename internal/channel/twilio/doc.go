// Package twilio is the SMS channel for Twilio and the providers that copy its wire format
// (SignalWire's compatibility API, among others): kind "sms", webhook POST /hooks/sms/{channel}.
//
// It owns the X-Twilio-Signature algorithm, the parser for Twilio's form-encoded inbound
// message and status-callback requests, the TwiML acknowledgement, and the call to the Messages
// API that sends a reply. It does not fetch MMS media (the attachment keeps Twilio's URL),
// count segments (package sms does), or touch the database: the web pipeline verifies,
// receives, ingests and acknowledges in that order.
//
// Channel configuration (docs/channels.md, "SMS (Twilio)"):
//
//	secret                 the account's auth token: signs webhooks and authenticates API calls
//	account_sid            AC…, the account the Messages API is called on (required to send)
//	from                   the sending number in E.164, or
//	messaging_service_sid  MG…, a Messaging Service that picks the number (wins over from)
//	status_callback_url    where Twilio reports delivery, or
//	public_url             Gesher's public base URL; the callback is {public_url}/hooks/sms/{channel}
//	api_base               default https://api.twilio.com; another provider's or a test fake's
package twilio
