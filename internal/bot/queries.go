package bot

// The bot's SQL, in the subset SQLite and PostgreSQL share; queries_test.go prepares each on
// both.
const (
	sqlSelectFlow = `SELECT customer_id, service_id, channel_id, conversation_id, pos, answers, lang, started_by, code_id, started_at, updated_at FROM chat_flows WHERE customer_id = ?`
	sqlInsertFlow = `INSERT INTO chat_flows (customer_id, service_id, channel_id, conversation_id, pos, answers, lang, started_by, started_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateFlow = `UPDATE chat_flows SET pos = ?, answers = ?, channel_id = ?, conversation_id = ?, code_id = ?, updated_at = ? WHERE customer_id = ?`
	sqlDeleteFlow = `DELETE FROM chat_flows WHERE customer_id = ?`

	sqlSelectThread = `SELECT state, article_id, service_id, query, lang FROM bot_threads WHERE conversation_id = ?`
	sqlUpsertThread = `INSERT INTO bot_threads (conversation_id, state, article_id, service_id, query, lang, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, article_id = excluded.article_id, service_id = excluded.service_id, query = excluded.query, lang = excluded.lang, updated_at = excluded.updated_at`
	sqlDeleteThread = `DELETE FROM bot_threads WHERE conversation_id = ?`

	// An agent has joined once any outbound message of the conversation has an author: the
	// bot's and the system's have none.
	sqlAgentWrote = `SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND direction = 'out' AND author_id IS NOT NULL`
)
