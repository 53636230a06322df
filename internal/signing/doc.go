// Package signing keeps the secret keys that sign customer links (the case tracker, the
// visual menu, the widget's page tokens, and through the tracker's key appointments, tickets
// and emailed surveys): one random key per purpose, made on first use and
// stored in signing_keys, so every node of a deployment signs and checks with the same one
// and a restart keeps every link that was sent good.
package signing
