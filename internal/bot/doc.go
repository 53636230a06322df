// Package bot answers customers on chat channels (WhatsApp, Telegram, web chat) before an
// agent joins: it runs a service's guided flow as a conversation — the same flow definition
// the web form at /f/{service} renders, with the same answer checks and the same limits —
// and it answers a question from the help centre and the service catalogue, asks whether
// that helped, and hands the conversation to the agents on request, on "not helpful", or
// when it finds nothing.
//
// It runs inside the ingest transaction of each new inbound message (channel.Responder), so
// what it says and the flow's progress commit with the message, and a provider's retry of
// the same message, recognised by its receipt, answers nothing twice. Its state — a flow in
// progress, what it last asked — is in the database, so a restart or another node carries
// on. Every message it writes is marked as the bot's, for the agent who takes over.
//
// It does not own the flows' definitions, cases or limits (selfservice), the help centre's
// search (helpcenter), nor delivery (the channel package's outbox).
package bot
