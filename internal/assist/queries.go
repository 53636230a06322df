package assist

// The package's SQL, in the subset SQLite and PostgreSQL both accept.
const (
	sqlInsertVisitor = `INSERT INTO assist_visitors (channel_id, visitor_id) VALUES (?, ?) ON CONFLICT (channel_id, visitor_id) DO NOTHING`
	// sqlLockVisitor takes the visitor's row lock: a second transaction of the same visitor
	// waits here on PostgreSQL (SQLite has one writer anyway).
	sqlLockVisitor   = `UPDATE assist_visitors SET touches = touches + 1 WHERE channel_id = ? AND visitor_id = ?`
	sqlSelectVisitor = `SELECT visit_id, last_at FROM assist_visitors WHERE channel_id = ? AND visitor_id = ?`
	sqlSetVisitor    = `UPDATE assist_visitors SET visit_id = ?, last_at = ? WHERE channel_id = ? AND visitor_id = ?`

	sqlInsertVisit     = `INSERT INTO assist_visits (id, channel_id, visitor_id, customer_id, lang, started_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlSelectVisit     = `SELECT customer_id, lang FROM assist_visits WHERE id = ?`
	sqlSelectVisitFull = `SELECT id, channel_id, visitor_id, customer_id, lang FROM assist_visits WHERE id = ?`
	sqlTouchVisit      = `UPDATE assist_visits SET last_at = ?, lang = ? WHERE id = ?`
	sqlLinkVisit       = `UPDATE assist_visits SET customer_id = ? WHERE id = ?`

	sqlInsertSignal = `INSERT INTO assist_signals (id, visit_id, kind, ref, detail, category, value, dedupe, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (visit_id, dedupe) DO NOTHING`
	sqlSelectSignals = `SELECT id, kind, ref, detail, category, value, dedupe, at FROM assist_signals WHERE visit_id = ? ORDER BY at, id`

	sqlInsertOffer = `INSERT INTO assist_offers (id, visit_id, rule_id, kind, article_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlSelectOffer = `SELECT o.id, o.visit_id, o.rule_id, o.kind, o.article_id, o.status, o.outcome, o.conversation_id, o.created_at FROM assist_offers o`
	sqlDecideOffer = `UPDATE assist_offers SET status = ?, conversation_id = ?, phone = ?, decided_at = ? WHERE id = ? AND status = 'made'`
	sqlSetOutcome  = `UPDATE assist_offers SET outcome = ? WHERE id = ? AND outcome = ''`

	sqlUpsertRule = `INSERT INTO assist_rules (id, name, condition, offer, article_id, priority, enabled, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, condition = excluded.condition, offer = excluded.offer, article_id = excluded.article_id,
		priority = excluded.priority, enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at`
	sqlDeleteRule  = `DELETE FROM assist_rules WHERE id = ?`
	sqlSelectRules = `SELECT id, name, condition, offer, article_id, priority, enabled, updated_by, updated_at FROM assist_rules ORDER BY priority DESC, id`
)
