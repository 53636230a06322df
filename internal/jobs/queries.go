package jobs

import (
	"fmt"
	"strings"

	"github.com/gesher-cs/gesher/internal/store"
)

const (
	jobColumns = `id, kind, payload, state, attempt, max_attempts, run_at, last_error, created_at, updated_at`

	// ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
	// violation aborts the caller's whole transaction, and the job is usually enqueued inside
	// one. No row comes back on a conflict; sqlIDByKey then finds the existing job.
	sqlInsert = `INSERT INTO jobs (kind, payload, unique_key, state, attempt, max_attempts, run_at, created_at, updated_at)
VALUES (?, ?, ?, 'ready', 0, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING RETURNING id`

	sqlIDByKey = `SELECT id FROM jobs WHERE unique_key = ?`

	// sqlClaimTmpl takes the kinds placeholders and the row-lock clause. A running job whose
	// lease has expired is claimable again: its node stopped or lost the database.
	sqlClaimTmpl = `UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?, attempt = attempt + 1, updated_at = ?
WHERE id IN (
  SELECT id FROM jobs
  WHERE ((state = 'ready' AND run_at <= ?) OR (state = 'running' AND locked_until <= ? AND attempt < max_attempts))
    AND kind IN (%s)
  ORDER BY run_at, id LIMIT ? %s)
RETURNING ` + jobColumns

	// sqlFailAbandonedTmpl fails jobs whose node died during their last attempt. Without it a
	// job that kills its node (a poison payload) would be retried for ever.
	sqlFailAbandonedTmpl = `UPDATE jobs SET state = 'failed', last_error = ?, locked_until = 0, updated_at = ?
WHERE id IN (
  SELECT id FROM jobs WHERE state = 'running' AND locked_until <= ? AND attempt >= max_attempts %s)`

	// The outcome statements touch the job only while this node still holds this attempt: after
	// a lease expiry another node may have claimed it, and its outcome wins.
	sqlDone = `UPDATE jobs SET state = 'done', locked_until = 0, updated_at = ?
WHERE id = ? AND state = 'running' AND locked_by = ? AND attempt = ?`

	sqlRetryLater = `UPDATE jobs SET state = 'ready', run_at = ?, last_error = ?, locked_by = '', locked_until = 0, updated_at = ?
WHERE id = ? AND state = 'running' AND locked_by = ? AND attempt = ?`

	sqlFail = `UPDATE jobs SET state = 'failed', last_error = ?, locked_until = 0, updated_at = ?
WHERE id = ? AND state = 'running' AND locked_by = ? AND attempt = ?`

	sqlGet = `SELECT ` + jobColumns + ` FROM jobs WHERE id = ?`

	sqlList = `SELECT ` + jobColumns + ` FROM jobs ORDER BY id DESC LIMIT ?`

	sqlListState = `SELECT ` + jobColumns + ` FROM jobs WHERE state = ? ORDER BY id DESC LIMIT ?`

	sqlRetryFailed = `UPDATE jobs SET state = 'ready', attempt = 0, run_at = ?, locked_by = '', locked_until = 0, updated_at = ?
WHERE id = ? AND state = 'failed'`

	sqlCounts = `SELECT state, COUNT(*) FROM jobs GROUP BY state`

	sqlPrune = `DELETE FROM jobs WHERE state = 'done' AND updated_at < ?`
)

// lockClause is the only dialect difference in this package. PostgreSQL nodes claim
// concurrently, and SKIP LOCKED lets each pass over rows another node is claiming instead of
// waiting for them. SQLite has a single writer, so a claim never races another.
func lockClause(d store.Dialect) string {
	if d == store.Postgres {
		return "FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// claimSQL returns the claim statement for nkinds registered kinds.
func claimSQL(d store.Dialect, nkinds int) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", nkinds), ", ")
	return fmt.Sprintf(sqlClaimTmpl, marks, lockClause(d))
}

// failAbandonedSQL returns the statement that fails jobs abandoned on their last attempt.
func failAbandonedSQL(d store.Dialect) string {
	return fmt.Sprintf(sqlFailAbandonedTmpl, lockClause(d))
}
