package media

const (
	sqlFindSame = `SELECT id, created_at FROM media WHERE sha256 = ? AND name = ? AND content_type = ?`
	sqlInsert   = `INSERT INTO media (id, sha256, name, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlGet      = `SELECT id, sha256, name, content_type, size, data, created_at FROM media WHERE id = ?`
)
