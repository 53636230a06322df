package conversation

const (
	sqlSelectConversation = `SELECT id, customer_id, status, assignee_id, channel_id, subject, priority, merged_into, created_at, updated_at, last_message_at, resolved_at FROM conversations`

	sqlInsertConversation = `INSERT INTO conversations (id, customer_id, original_customer_id, status, channel_id, created_at, updated_at, last_message_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

	sqlTouch = `UPDATE conversations SET channel_id = COALESCE(?, channel_id), updated_at = ?, last_message_at = ? WHERE id = ?`

	sqlSelectMessage = `SELECT id, conversation_id, customer_id, channel_id, direction, author_id, external_id, text, attachments, status, status_reason, created_at, updated_at, template, bot, choices, secret, choice_key FROM messages`

	sqlInsertMessage = `INSERT INTO messages (id, conversation_id, customer_id, channel_id, direction, author_id, external_id, text, attachments, status, status_reason, created_at, updated_at, template, bot, choices, secret, choice_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	sqlSelectNotes = `SELECT id, conversation_id, author_id, text, mentions, created_at FROM notes WHERE conversation_id = ? ORDER BY created_at, id`
)
