package branch

// The package's SQL, in the subset SQLite and PostgreSQL share; queries_test.go prepares each
// on both.
const (
	sqlSelectBranch = `SELECT b.id, b.name, b.city, b.address, b.phone, COALESCE(p.slug, ''), COALESCE(p.names, '{}'),
  COALESCE(p.calendar_id, 'default'), COALESCE(p.notify_ahead, 3) FROM branches b LEFT JOIN branch_profiles p ON p.branch_id = b.id`
	sqlUpdateBranch  = `UPDATE branches SET name = ?, city = ?, address = ?, phone = ? WHERE id = ?`
	sqlUpsertProfile = `INSERT INTO branch_profiles (branch_id, slug, names, calendar_id, notify_ahead, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (branch_id) DO UPDATE SET slug = excluded.slug, names = excluded.names, calendar_id = excluded.calendar_id,
  notify_ahead = excluded.notify_ahead, updated_by = excluded.updated_by, updated_at = excluded.updated_at`
	sqlSlugOwner = `SELECT branch_id FROM branch_profiles WHERE slug = ?`

	sqlSelectOffers = `SELECT service_id, minutes FROM branch_services WHERE branch_id = ? ORDER BY service_id`
	sqlDeleteOffers = `DELETE FROM branch_services WHERE branch_id = ?`
	sqlInsertOffer  = `INSERT INTO branch_services (branch_id, service_id, minutes) VALUES (?, ?, ?)`

	sqlSelectDesks = `SELECT id, branch_id, name, services, slot_minutes, fast, appointments, position FROM branch_desks`
	sqlInsertDesk  = `INSERT INTO branch_desks (id, branch_id, name, services, slot_minutes, fast, appointments, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateDesk  = `UPDATE branch_desks SET services = ?, slot_minutes = ?, fast = ?, appointments = ?, position = ? WHERE id = ?`
	sqlDeskInUse   = `SELECT (SELECT COUNT(*) FROM appointments WHERE desk_id = ?) + (SELECT COUNT(*) FROM queue_tickets WHERE desk_id = ?)`
	sqlDeleteDesk  = `DELETE FROM branch_desks WHERE id = ?`

	apptColumns   = `id, branch_id, service_id, desk_id, customer_id, name, phone, lang, via, starts_at, ends_at, created_by, created_at, cancelled_at, reminded_at`
	sqlSelectAppt = `SELECT ` + apptColumns + ` FROM appointments`
	// ON CONFLICT DO NOTHING with no target covers the partial unique index on (desk_id,
	// starts_at): the loser of a race inserts nothing and learns it from the row count, and
	// its transaction stays usable on PostgreSQL (a raised unique violation would abort it).
	sqlInsertAppt = `INSERT INTO appointments (` + apptColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING`
	sqlCancelAppt = `UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL`
	sqlRemindAppt = `UPDATE appointments SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND cancelled_at IS NULL`
	sqlBookedIn   = `SELECT desk_id, starts_at FROM appointments WHERE branch_id = ? AND starts_at >= ? AND starts_at < ? AND cancelled_at IS NULL`

	ticketColumns   = `id, branch_id, service_id, day, number, code, pickup, customer_id, phone, lang, via, status, desk_id, created_at, checked_in_at, called_at, served_at, done_at, near_sent_at`
	sqlSelectTicket = `SELECT ` + ticketColumns + ` FROM queue_tickets`
	// The number counter: the update locks the branch's row until the taker commits (on
	// PostgreSQL; SQLite has one writer), so numbers are given out one at a time.
	sqlNextNumber = `UPDATE branch_profiles SET ticket_number = CASE WHEN ticket_day = ? THEN ticket_number + 1 ELSE 1 END, ticket_day = ?
WHERE branch_id = ? RETURNING ticket_number`
	sqlCodeTaken    = `SELECT COUNT(*) FROM queue_tickets WHERE branch_id = ? AND day = ? AND code = ?`
	sqlInsertTicket = `INSERT INTO queue_tickets (` + ticketColumns + `, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, NULL, ?, ?)`
	sqlWaiting      = sqlSelectTicket + ` WHERE branch_id = ? AND day = ? AND status = 'waiting' ORDER BY number`
	sqlAtDesk       = sqlSelectTicket + ` WHERE desk_id = ? AND status IN ('called', 'serving') ORDER BY called_at DESC`
	sqlCalledToday  = sqlSelectTicket + ` WHERE branch_id = ? AND day = ? AND status IN ('called', 'serving') ORDER BY called_at DESC`
	// Each state change names the states it leaves, so of two clerks (or nodes) acting on one
	// ticket at once exactly one changes it.
	sqlCallTicket  = `UPDATE queue_tickets SET status = 'called', desk_id = ?, called_at = ?, updated_at = ? WHERE id = ? AND status = 'waiting'`
	sqlServeTicket = `UPDATE queue_tickets SET status = 'serving', served_at = ?, updated_at = ? WHERE id = ? AND status = 'called'`
	sqlEndTicket   = `UPDATE queue_tickets SET status = ?, done_at = ?, updated_at = ? WHERE id = ? AND status IN ('called', 'serving')`
	sqlLeaveTicket = `UPDATE queue_tickets SET status = 'cancelled', done_at = ?, updated_at = ? WHERE id = ? AND status = 'waiting'`
	sqlCheckIn     = `UPDATE queue_tickets SET checked_in_at = ?, updated_at = ? WHERE id = ? AND checked_in_at IS NULL AND status IN ('waiting', 'called', 'serving')`
	sqlNearSent    = `UPDATE queue_tickets SET near_sent_at = ?, updated_at = ? WHERE id = ? AND near_sent_at IS NULL`
	// The service times the estimate learns from: the most recent tickets of the service
	// served at the branch.
	sqlServiceTimes = `SELECT done_at - COALESCE(served_at, called_at) FROM queue_tickets
WHERE branch_id = ? AND service_id = ? AND status = 'done' AND done_at >= ? AND called_at IS NOT NULL ORDER BY done_at DESC LIMIT 30`
	sqlFigureTickets = `SELECT service_id, status, created_at, called_at, served_at, done_at FROM queue_tickets
WHERE branch_id = ? AND created_at >= ? AND created_at < ?`
	sqlFigureAppts = `SELECT service_id, cancelled_at FROM appointments WHERE branch_id = ? AND starts_at >= ? AND starts_at < ?`
)
