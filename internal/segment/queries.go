package segment

const (
	sqlSegmentColumns = `id, name, description, rule, matrix, target_share, journey, builtin, updated_by, created_at, updated_at`
	sqlSelectSegments = `SELECT ` + sqlSegmentColumns + ` FROM segments ORDER BY name`
	sqlSelectSegment  = `SELECT ` + sqlSegmentColumns + ` FROM segments WHERE id = ?`
	sqlSegmentByName  = `SELECT ` + sqlSegmentColumns + ` FROM segments WHERE name = ?`
	sqlSelectTargeted = `SELECT id, name, target_share FROM segments WHERE target_share IS NOT NULL ORDER BY name`
	sqlInsertSegment  = `INSERT INTO segments (` + sqlSegmentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertBuiltin  = `INSERT INTO segments (` + sqlSegmentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`
	sqlUpdateSegment  = `UPDATE segments SET name = ?, description = ?, rule = ?, matrix = ?, target_share = ?, journey = ?, updated_by = ?, updated_at = ? WHERE id = ?`
	sqlDeleteSegment  = `DELETE FROM segments WHERE id = ?`
	sqlDeleteMembers  = `DELETE FROM segment_members WHERE segment_id = ?`

	// Membership changes go through the primary key: an insert that finds the row, or a
	// delete that finds none, changes nothing and so records no event.
	sqlJoin         = `INSERT INTO segment_members (segment_id, customer_id, since) VALUES (?, ?, ?) ON CONFLICT (segment_id, customer_id) DO NOTHING`
	sqlLeave        = `DELETE FROM segment_members WHERE segment_id = ? AND customer_id = ?`
	sqlMembersOf    = `SELECT segment_id, since FROM segment_members WHERE customer_id = ?`
	sqlSegmentsOf   = `SELECT s.id, s.name, s.matrix, s.target_share, m.since FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.customer_id = ? ORDER BY s.name`
	sqlMembers      = `SELECT m.customer_id, c.name, m.since FROM segment_members m JOIN customers c ON c.id = m.customer_id WHERE m.segment_id = ? AND m.customer_id > ? ORDER BY m.customer_id LIMIT ?`
	sqlMemberIDs    = `SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY customer_id`
	sqlMemberCounts = `SELECT segment_id, COUNT(*) FROM segment_members GROUP BY segment_id`
	sqlMemberCount  = `SELECT COUNT(*) FROM segment_members WHERE segment_id = ?`
	sqlCustomerPage = `SELECT id FROM customers WHERE merged_into IS NULL AND id > ? ORDER BY id LIMIT ?`
	sqlLockCustomer = `SELECT id FROM customers WHERE id = ? FOR UPDATE`
	sqlChannelKinds = `SELECT id, kind FROM channels`
)
