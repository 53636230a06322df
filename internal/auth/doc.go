// Package auth owns who may do what: users and their roles, the permissions each role has,
// password hashing, browser sessions and API tokens.
//
// It answers "who is this?" (Authenticate, SessionUser, TokenUser) and "may they?" (Role.Can),
// and records user administration on the event log. It does not own HTTP: cookies, headers and
// the route table live in internal/web, which asks this package for a User and a Permission.
// Secrets it issues (session and API tokens) are stored only as SHA-256 digests, and
// passwords only as argon2id hashes.
package auth
