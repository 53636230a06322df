package coaching

const (
	sqlInsertSession   = `INSERT INTO coaching_sessions (id, customer_id, user_id, service_id, channel_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlCompleteSession = `UPDATE coaching_sessions SET completed_at = ?, case_id = ? WHERE id = ? AND completed_at IS NULL`
	sqlSessionColumns  = `id, customer_id, user_id, service_id, channel_id, started_at, expires_at, completed_at, case_id`
	sqlSelectSession   = `SELECT ` + sqlSessionColumns + ` FROM coaching_sessions WHERE id = ?`
	sqlSessionsOf      = `SELECT ` + sqlSessionColumns + ` FROM coaching_sessions WHERE customer_id = ? ORDER BY started_at, id`
	sqlLockCustomer    = `SELECT id FROM customers WHERE id = ? FOR UPDATE`

	sqlTutorialColumns = `id, task, lang, title, body, video_url, created_at, updated_at`
	sqlSelectTutorials = `SELECT ` + sqlTutorialColumns + ` FROM tutorials ORDER BY task, lang`
	sqlTutorialsOfTask = `SELECT ` + sqlTutorialColumns + ` FROM tutorials WHERE task = ? ORDER BY lang`
	sqlSelectTutorial  = `SELECT ` + sqlTutorialColumns + ` FROM tutorials WHERE task = ? AND lang = ?`
	sqlInsertTutorial  = `INSERT INTO tutorials (` + sqlTutorialColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlUpdateTutorial  = `UPDATE tutorials SET title = ?, body = ?, video_url = ?, updated_at = ? WHERE task = ? AND lang = ?`

	// Customers with something to fold lately: the sweep looks at them.
	sqlRecentlyActive = `SELECT customer_id FROM coaching_sessions WHERE started_at >= ?
UNION SELECT customer_id FROM cases WHERE via IN ('web', 'whatsapp') AND created_at >= ?`
	sqlCustomerProfiles = `SELECT profile FROM customers WHERE merged_into IS NULL`
)
