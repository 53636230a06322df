-- Two-step sign-in: a user's TOTP secret (RFC 6238) once they set it up, whether it is on,
-- and the last time step accepted, so a code seen over someone's shoulder cannot be used twice.

ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
