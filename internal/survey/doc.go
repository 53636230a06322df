// Package survey asks customers how it went — CSAT after a resolution, NPS now and then — on
// the channel that fits them, in their language, and records their answers as events, which
// the metrics package reads (SPEC C15: "surveys sent on the customer's own channel after
// resolution").
//
// It owns the surveys and survey_optouts tables. A survey is offered by a durable job enqueued
// in the transaction that resolves the conversation, so a resolution that commits is asked
// about and one that rolls back is not. While a survey is pending for a customer on a channel,
// the ingest path hands that customer's messages on that channel to Take first: an answer
// ("4", "٥", "⭐⭐⭐", "stop surveys") becomes a survey event instead of a message that would
// reopen the conversation. The package does not render pages or speak HTTP; the phone's
// keypad answer arrives through AnswerKeypad from the voice path.
package survey
