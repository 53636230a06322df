// Package whatsapp is the WhatsApp Cloud API channel (Meta's Graph API): kind "whatsapp",
// webhook GET and POST /hooks/whatsapp/{channel}.
//
// It owns the X-Hub-Signature-256 check, the hub.challenge answer that Meta's App Dashboard
// asks for when the callback URL is saved, the parser for the messages webhook (messages,
// statuses and errors, batched over several entries and changes), the download of the media a
// customer sends (so that the files live in Gesher, not behind a Graph token that expires), and
// the call to the Messages API that sends a reply, free-form inside the 24-hour customer
// service window or as an approved template outside it. It does not touch the database: the
// web pipeline verifies, receives, ingests and acknowledges in that order.
//
// Channel configuration (docs/channels.md, "WhatsApp (Cloud API)"):
//
//	secret           the Meta app secret: signs every webhook POST (X-Hub-Signature-256)
//	verify_token     what Meta sends as hub.verify_token when the callback URL is saved
//	access_token     a system-user token: the bearer of every Graph API call (required to send
//	                 and to fetch media)
//	phone_number_id  the business number's id: replies are sent from it
//	api_base         default https://graph.facebook.com; a test fake's
//	api_version      default v21.0
//	templates        the approved templates, a JSON array of {"name","language","body"}
package whatsapp
