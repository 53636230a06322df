// Package customer owns customers and their identities: the phone numbers, email addresses,
// WhatsApp and Telegram ids, web-visitor tokens and CRM ids by which one person reaches the
// service on every channel. It normalises identities so that "050-123-4567" on SMS and
// "972501234567" on WhatsApp find the same customer, keeps the profile (languages,
// accessibility, device, consent, coaching stage), and merges and un-merges customers with an
// audit trail on the event log.
//
// It does not own conversations: a merge calls a MergeHook (the conversation package) in the
// same transaction, so that the customer's conversations follow them.
package customer
