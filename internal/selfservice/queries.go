package selfservice

// The desk's SQL, in the subset SQLite and PostgreSQL share; queries_test.go prepares each on
// both.
const (
	sqlSelectService  = `SELECT id, category, data, updated_by, created_at, updated_at FROM services`
	sqlServiceCreated = `SELECT created_at FROM services WHERE id = ?`
	sqlInsertService  = `INSERT INTO services (id, category, data, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`
	sqlUpdateService  = `UPDATE services SET category = ?, data = ?, updated_by = ?, updated_at = ? WHERE id = ?`

	sqlSelectCase = `SELECT id, service_id, customer_id, stage, stage_seq, answers, via, finish_on, limit_hit, created_by, created_at, updated_at, stage_at, closed_at FROM cases`
	sqlInsertCase = `INSERT INTO cases (id, service_id, customer_id, stage, stage_seq, answers, via, finish_on, limit_hit, created_by, created_at, updated_at, stage_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`
	// The stage_seq condition makes a stage change that lost a race change nothing.
	sqlMoveCase = `UPDATE cases SET stage = ?, stage_seq = ?, stage_at = ?, updated_at = ?, closed_at = ? WHERE id = ? AND stage_seq = ?`

	// A case's stages as it went through them. (case_id, seq) is the primary key: the one row
	// per stage change, and so the idempotency key of its notification.
	sqlInsertStage = `INSERT INTO case_stages (case_id, seq, stage, actor_kind, actor_id, event_id, message_id, channel_id, with_link, skipped, entered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlSelectStages = `SELECT seq, stage, actor_kind, actor_id, event_id, message_id, channel_id, with_link, skipped, entered_at FROM case_stages WHERE case_id = ? ORDER BY seq`

	// The channels a customer (and everyone merged into them) last wrote on, most recent
	// first: "their fitting channel" is the most recent of these that fits.
	sqlRecentChannels = `SELECT channel_id, MAX(created_at) AS last FROM messages
WHERE customer_id IN (WITH RECURSIVE fam(id) AS (SELECT id FROM customers WHERE id = ? UNION SELECT c.id FROM customers c JOIN fam ON c.merged_into = fam.id) SELECT id FROM fam)
AND direction = 'in' AND channel_id IS NOT NULL GROUP BY channel_id ORDER BY last DESC, channel_id`

	sqlCasesOfCustomer = sqlSelectCase + ` WHERE customer_id IN (WITH RECURSIVE fam(id) AS (SELECT id FROM customers WHERE id = ? UNION SELECT c.id FROM customers c JOIN fam ON c.merged_into = fam.id) SELECT id FROM fam)`
)
