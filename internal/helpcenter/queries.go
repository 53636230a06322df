package helpcenter

// The SQL of the package, in the subset SQLite and PostgreSQL both accept ('?' placeholders are
// rebound by the store). queries_test.go prepares every one of them on both databases.
const (
	sqlSelectArticle = `SELECT id, group_key, lang, title, body, category, tags, services, visibility, status, revision, updated_by, created_at, updated_at, published_at FROM articles`

	sqlArticleByID = sqlSelectArticle + ` WHERE id = ?`

	// The index loads every published article, in ID order, so every node numbers them alike.
	sqlPublishedArticles = sqlSelectArticle + ` WHERE status = 'published' ORDER BY id`

	sqlArticlesPage = sqlSelectArticle + ` WHERE (? = '' OR lang = ?) AND (? = '' OR status = ?) AND (? = '' OR category = ?) AND id > ? ORDER BY id LIMIT ?`

	sqlArticleVariants = sqlSelectArticle + ` WHERE group_key = ? ORDER BY lang`

	sqlCategories = `SELECT category, COUNT(*) FROM articles WHERE status = 'published' AND visibility = 'public' AND lang = ? AND category <> '' GROUP BY category ORDER BY category`

	sqlInsertArticle = `INSERT INTO articles (id, group_key, lang, title, body, category, tags, services, visibility, status, revision, updated_by, created_at, updated_at, published_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`

	// The revision in the WHERE clause makes a concurrent edit lose instead of overwrite.
	sqlUpdateArticle = `UPDATE articles SET group_key = ?, lang = ?, title = ?, body = ?, category = ?, tags = ?, services = ?, visibility = ?, status = ?,
revision = revision + 1, updated_by = ?, updated_at = ?, published_at = ? WHERE id = ? AND revision = ?`

	sqlDeleteArticle = `DELETE FROM articles WHERE id = ?`

	sqlInsertRevision = `INSERT INTO article_revisions (article_id, revision, title, body, category, tags, services, visibility, status, author, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	sqlRevisions = `SELECT revision, title, body, category, tags, services, visibility, status, author, created_at FROM article_revisions WHERE article_id = ? ORDER BY revision DESC`

	sqlLayPhrases = `SELECT id, lang, phrase, terms, weight FROM lay_phrases ORDER BY lang, phrase`

	sqlInsertLayPhrase = `INSERT INTO lay_phrases (id, lang, phrase, terms, weight, updated_at) VALUES (?, ?, ?, ?, ?, ?)`

	sqlUpdateLayPhrase = `UPDATE lay_phrases SET terms = ?, weight = ?, updated_at = ? WHERE lang = ? AND phrase = ?`

	sqlDeleteLayPhrase = `DELETE FROM lay_phrases WHERE id = ?`

	sqlLayPhraseID = `SELECT id FROM lay_phrases WHERE lang = ? AND phrase = ?`

	sqlSignalExists = `SELECT COUNT(*) FROM help_signals WHERE search_id = ? AND article_id = ? AND kind = ?`

	sqlInsertSearch = `INSERT INTO help_searches (id, at, lang, query, norm, results, top_article, visitor, network, customer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	sqlSearchByID = `SELECT id, at, lang, query, visitor, network FROM help_searches WHERE id = ?`

	sqlInsertSignal = `INSERT INTO help_signals (id, search_id, article_id, kind, at) VALUES (?, ?, ?, ?, ?)`

	// The learner replays signals in the order they happened; the ID breaks ties the same way
	// on every node.
	sqlSignalsSince = `SELECT s.id, s.article_id, s.kind, s.at, h.query, h.visitor, h.network
FROM help_signals s JOIN help_searches h ON h.id = s.search_id WHERE s.at >= ? ORDER BY s.at, s.id`

	// A failed search found nothing, or found something nobody opened. Grouped by the
	// analysed query, so "Car accident" and "car accidents" are one line of the report.
	sqlFailedSearches = `SELECT h.lang, h.norm, COUNT(*), SUM(CASE WHEN h.results = 0 THEN 1 ELSE 0 END), MAX(h.at), MIN(h.query)
FROM help_searches h
WHERE h.at >= ? AND h.at < ? AND h.norm <> ''
  AND NOT EXISTS (SELECT 1 FROM help_signals s WHERE s.search_id = h.id AND s.kind IN ('click', 'helpful'))
GROUP BY h.lang, h.norm
ORDER BY COUNT(*) DESC, h.lang, h.norm
LIMIT ?`
)
