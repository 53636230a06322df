package signing

const (
	sqlInsertKey = `INSERT INTO signing_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`
	sqlSelectKey = `SELECT secret FROM signing_keys WHERE name = ?`
)
