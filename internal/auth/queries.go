package auth

const (
	sqlSelectUser = `SELECT id, email, name, role, languages, availability, disabled, created_at, updated_at, totp_enabled FROM users`

	sqlUserByID    = sqlSelectUser + ` WHERE id = ?`
	sqlUserByEmail = sqlSelectUser + ` WHERE email = ?`
	sqlListUsers   = sqlSelectUser + ` ORDER BY id`

	sqlUserHashByEmail = `SELECT id, email, name, role, languages, availability, disabled, created_at, updated_at, totp_enabled, password_hash FROM users WHERE email = ?`

	sqlEmailExists = `SELECT COUNT(*) FROM users WHERE email = ?`

	sqlInsertUser = `INSERT INTO users (id, email, name, role, password_hash, languages, availability, disabled, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`

	// Each column is set only when its argument is not NULL, so two edits of different fields
	// made at the same time both survive.
	sqlPatchUser = `UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role), languages = COALESCE(?, languages),
availability = COALESCE(?, availability), disabled = COALESCE(?, disabled), password_hash = COALESCE(?, password_hash), updated_at = ?
WHERE id = ?`

	sqlSetPassword = `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`

	// The re-hash after sign-in applies only if nobody changed the password in between.
	sqlRehash = `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`

	sqlCountEnabledAdmins = `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0`

	sqlUserDisabled = `SELECT disabled FROM users WHERE id = ?`

	sqlInsertSession = `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`

	sqlSessionUser = `SELECT s.expires_at, s.last_seen_at,
u.id, u.email, u.name, u.role, u.languages, u.availability, u.disabled, u.created_at, u.updated_at, u.totp_enabled
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`

	sqlTouchSession = `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at <= ?`

	sqlDeleteSession = `DELETE FROM sessions WHERE token_hash = ?`

	sqlDeleteUserSessions = `DELETE FROM sessions WHERE user_id = ?`

	sqlPurgeSessions = `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`

	sqlInsertToken = `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`

	sqlSelectToken = `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens`

	sqlTokenByID = sqlSelectToken + ` WHERE id = ?`

	sqlListTokens = sqlSelectToken + ` WHERE user_id = ? ORDER BY created_at DESC, id DESC`

	sqlTokenUser = `SELECT t.id, t.last_used_at, t.revoked_at,
u.id, u.email, u.name, u.role, u.languages, u.availability, u.disabled, u.created_at, u.updated_at, u.totp_enabled
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`

	sqlTouchToken = `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`

	sqlTOTPState = `SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?`

	sqlSetTOTPSecret = `UPDATE users SET totp_secret = ?, totp_enabled = 0, totp_last_step = 0, updated_at = ? WHERE id = ?`

	sqlEnableTOTP = `UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE id = ? AND totp_secret = ?`

	// A code is taken once: the step only moves forward, so a replayed code updates nothing.
	sqlUseTOTPStep = `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`

	sqlDisableTOTP = `UPDATE users SET totp_secret = '', totp_enabled = 0, totp_last_step = 0, updated_at = ? WHERE id = ?`

	sqlRevokeToken = `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`
)
