// Package sms knows how a text travels as SMS: which encoding a carrier must use for it
// (GSM-7 or UCS-2), how many encoding units it takes, and into how many segments it is split
// and billed. The console's composer shows this to the agent before sending, because a
// single Hebrew, Arabic or Russian character halves what one SMS can hold.
//
// It does not send anything (the twilio channel adapter does), and it does not rewrite text
// to fit GSM-7 the way some providers' "smart encoding" replaces curly quotes.
package sms
