package canned

const (
	sqlSelect = `SELECT id, shortcut, title, body, lang, channel_kinds, approved_template, updated_by, created_at, updated_at FROM canned_responses`
	sqlInsert = `INSERT INTO canned_responses (id, shortcut, title, body, lang, channel_kinds, approved_template, updated_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdate = `UPDATE canned_responses SET shortcut = ?, title = ?, body = ?, lang = ?, channel_kinds = ?, approved_template = ?, updated_by = ?, updated_at = ? WHERE id = ?`
	sqlDelete = `DELETE FROM canned_responses WHERE id = ?`
)
