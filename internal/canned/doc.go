// Package canned keeps canned responses: the answers agents send again and again, written
// once by a supervisor, found in the composer by typing "/" and a few letters, and filled in
// for the conversation at hand ({{customer.first_name}}, {{agent.first_name}}).
//
// A response may be limited to a language and to kinds of channel, and may be marked as a
// WhatsApp template that Meta approved: only those may be sent once the customer's 24-hour
// window has closed. Whether a reply may go out at all is the channel package's decision
// (channel.Fitter); this package only stores and renders text.
package canned
