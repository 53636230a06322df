// Package email is the email channel, kind "email": mail to a channel's address arrives over
// SMTP (Server, the listener `gesher serve --smtp-addr` starts) or from a relay that posts the
// raw message to POST /hooks/email/{channel}; replies leave through the channel's SMTP server.
//
// It owns the one parser of inbound mail (Parse: MIME, charsets including visual Hebrew,
// attachments, sanitised HTML, folded quotes and signatures, auto-replies, delivery reports),
// the listener's SMTP conversation, and the composition and delivery of replies with their
// Message-ID and threading headers. It does not touch the database: the listener hands parsed
// messages to channel.Ingester and answers 250 only after it has committed, as the web
// pipeline does for webhooks. It does not check SPF, DKIM or DMARC.
//
// Channel configuration (docs/channels.md, "Email"):
//
//	secret             the SMTP password, and the HMAC key of the HTTP route
//	address            the channel's address; inbound mail to it belongs to the channel
//	from_name          the display name replies are sent under
//	smtp_host          the server replies are handed to
//	smtp_port          default 25 (none), 587 (starttls) or 465 (tls)
//	smtp_username      empty: no SMTP AUTH
//	smtp_tls           none, starttls (the default) or tls
//	message_id_domain  the right-hand side of reply Message-IDs; default the address's domain
package email
