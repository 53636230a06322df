package ivr

// The menus' SQL, in the subset SQLite and PostgreSQL share; queries_test.go prepares each on
// both.
const (
	sqlSelectTree = `SELECT id, data, updated_by, created_at, updated_at FROM menu_trees`
	sqlTreeExists = `SELECT created_at FROM menu_trees WHERE id = ?`
	sqlInsertTree = `INSERT INTO menu_trees (id, data, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`
	sqlUpdateTree = `UPDATE menu_trees SET data = ?, updated_by = ?, updated_at = ? WHERE id = ?`

	sqlSelectCall = `SELECT id, channel_id, call_sid, tree_id, customer_id, conversation_id, caller, lang, node, tries, step, last_answer,
state, queue, queue_position, reason, created_at, updated_at, enqueued_at, ended_at FROM menu_calls`
	sqlInsertCall = `INSERT INTO menu_calls (id, channel_id, call_sid, tree_id, customer_id, conversation_id, caller, lang, node, step, last_answer, state, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// The step condition makes a step that lost a race (the provider's retry arriving while
	// the first attempt still runs) change nothing; the loser answers what the winner stored.
	sqlUpdateCall = `UPDATE menu_calls SET lang = ?, node = ?, tries = ?, step = ?, last_answer = ?, state = ?, queue = ?, reason = ?,
updated_at = ?, enqueued_at = ?, ended_at = ? WHERE id = ? AND step = ?`
	sqlSetPosition = `UPDATE menu_calls SET queue_position = ? WHERE id = ?`
	// Callers ahead in the same line: queued earlier on the same channel and queue, still
	// waiting.
	sqlAhead        = `SELECT COUNT(*) FROM menu_calls WHERE channel_id = ? AND queue = ? AND state = 'queued' AND enqueued_at < ?`
	sqlLatestCallOf = sqlSelectCall + ` WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`
	sqlWaiting      = sqlSelectCall + ` WHERE state = 'queued' ORDER BY enqueued_at, id LIMIT ?`
)
