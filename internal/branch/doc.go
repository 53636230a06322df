// Package branch owns visits to a branch: each branch's hours (a business calendar of
// internal/policy), the catalogue services it offers and its desks; appointments in the
// desks' slots, with the reminder the day before; virtual queue tickets — the number, the
// live position and estimated wait, the "close to your turn" message, check-in on arrival,
// and the clerk's call, serve, done and no-show; and the waiting-time and service-time
// figures per branch and service.
//
// Two promises are kept by the database rather than by care: a desk's slot is booked at most
// once (a unique index on the live appointments), and each message this package sends —
// reminder, close-to-your-turn — is sent once, because the row that records it and the
// message are written in one transaction, guarded by the row being unset.
//
// It does not render pages (internal/web does), deliver messages (the channel outbox does,
// from a system message on the customer's conversation), or choose which channels fit a
// customer (channel.Fitter does). Other packages — the phone menu, WhatsApp flows, agents —
// book and take tickets through Service.
package branch
