// Package assist is help before the customer asks: the signals a visitor's browser and the
// server's own pages report (a search with no click, the same search again, a form step
// refused, a long read, an article opened twice, a flow left half-way), the rules supervisors
// write over them, and the one offer of help a visit may get — a chat, an article or a
// callback — with its acceptance, dismissal and outcome, all of them events.
//
// The browser is trusted with as little as possible. What the server rendered (which search
// the page shows and what it found, which article and its topic, which flow step and whether
// it refused the answer) reaches the widget only inside a page token the server signed, and
// whether a search was clicked is read from the help centre's own record, never from the
// browser. Only the seconds a page stayed on screen come from the browser, bounded.
package assist
