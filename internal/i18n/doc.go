// Package i18n owns the interface languages: the message catalogs in locales/<lang>.json,
// shared by the server's own pages and the agent console (which imports the same files at
// build time), and the rules to read them — plural forms by CLDR, {name} placeholders, and
// the writing direction each language declares.
//
// It does not decide which language a customer gets; that is the customer's profile. It only
// answers "this text, in this language".
package i18n
