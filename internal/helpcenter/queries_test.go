package helpcenter

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlArticleByID": sqlArticleByID, "sqlPublishedArticles": sqlPublishedArticles, "sqlArticlesPage": sqlArticlesPage,
		"sqlArticleVariants": sqlArticleVariants, "sqlCategories": sqlCategories, "sqlInsertArticle": sqlInsertArticle,
		"sqlUpdateArticle": sqlUpdateArticle, "sqlDeleteArticle": sqlDeleteArticle, "sqlInsertRevision": sqlInsertRevision,
		"sqlRevisions": sqlRevisions, "sqlLayPhrases": sqlLayPhrases, "sqlInsertLayPhrase": sqlInsertLayPhrase,
		"sqlUpdateLayPhrase": sqlUpdateLayPhrase, "sqlDeleteLayPhrase": sqlDeleteLayPhrase, "sqlLayPhraseID": sqlLayPhraseID,
		"sqlSignalExists": sqlSignalExists, "sqlInsertSearch": sqlInsertSearch, "sqlSearchByID": sqlSearchByID,
		"sqlInsertSignal": sqlInsertSignal, "sqlSignalsSince": sqlSignalsSince, "sqlFailedSearches": sqlFailedSearches,
	})
}
