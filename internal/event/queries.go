package event

const (
	sqlAppend = `INSERT INTO events (id, kind, customer_id, conversation_id, channel_id, actor_kind, actor_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`

	sqlSelect = `SELECT seq, id, kind, customer_id, conversation_id, channel_id, actor_kind, actor_id, data, created_at FROM events`
)
