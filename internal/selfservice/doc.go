// Package selfservice owns what a customer can do without waiting for an agent, told truthfully
// before they start: the service catalogue (each service's channels, and its limits as rules
// over the request — "transfer_amount > 50000 -> branch"), cases that move through a service's
// stages and tell the customer of each move on the channel that fits them, the signed status
// tracker link a customer follows, and guided flows that collect a request step by step.
//
// It does not render anything (internal/web does), send anything itself (a notification is a
// system message on the customer's conversation, delivered by the channel outbox), or decide
// which channels fit a customer (channel.Fitter does); it records and decides the rest.
package selfservice
