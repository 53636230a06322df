package survey

const (
	sqlSurveyColumns = `id, kind, customer_id, conversation_id, channel_id, agent_id, lang, state, score, comment, sent_at, expires_at, answered_at`

	sqlInsert = `INSERT INTO surveys (id, kind, customer_id, conversation_id, channel_id, agent_id, lang, state, sent_at, expires_at, resolved_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	sqlSentForResolution = `SELECT COUNT(*) FROM surveys WHERE conversation_id = ? AND resolved_at = ?`

	sqlLastSent = `SELECT COALESCE(MAX(sent_at), 0) FROM surveys WHERE customer_id = ? AND kind = ?`

	sqlOptedOut = `SELECT COUNT(*) FROM survey_optouts WHERE customer_id = ?`

	sqlInsertOptOut = `INSERT INTO survey_optouts (customer_id, created_at) VALUES (?, ?) ON CONFLICT (customer_id) DO NOTHING`

	sqlPending = `SELECT ` + sqlSurveyColumns + ` FROM surveys
WHERE customer_id = ? AND channel_id = ? AND state = ? AND expires_at > ? ORDER BY sent_at DESC LIMIT 1`

	sqlUpdateState = `UPDATE surveys SET state = ?, score = ?, comment = ?, answered_at = ? WHERE id = ? AND state = ?`

	sqlSelectSurvey = `SELECT ` + sqlSurveyColumns + ` FROM surveys WHERE id = ?`

	sqlByCustomer = `SELECT ` + sqlSurveyColumns + ` FROM surveys WHERE customer_id = ? ORDER BY sent_at DESC, id DESC`
)

const sqlCallConversation = `SELECT m.conversation_id FROM channel_receipts r JOIN messages m ON m.id = r.message_id WHERE r.channel_id = ? AND r.external_id = ?`
