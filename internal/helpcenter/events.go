package helpcenter

import "github.com/gesher-cs/gesher/internal/event"

// The event kinds the help centre appends. Searches, clicks, reads and feedback are part of
// the customer's journey (searched → read → asked for help); article changes let every node
// keep its index current.
const (
	ArticleCreated  event.Kind = "article.created"
	ArticleUpdated  event.Kind = "article.updated"
	ArticleDeleted  event.Kind = "article.deleted"
	SearchPerformed event.Kind = "search.performed"
	SearchClicked   event.Kind = "search.clicked"
	ArticleRead     event.Kind = "article.read"
	ArticleFeedback event.Kind = "article.feedback"
	LayMapChanged   event.Kind = "helpcenter.lay-map-changed"
)

// articleEvent is the data of the article.* events.
type articleEvent struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
	Lang     string `json:"lang"`
	Group    string `json:"group"`
	Status   Status `json:"status"`
}

// searchEvent is the data of search.performed.
type searchEvent struct {
	SearchID string `json:"search_id"`
	Query    string `json:"query"`
	Lang     string `json:"lang"`
	Results  int    `json:"results"`
	Top      string `json:"top,omitempty"`
	Visitor  string `json:"visitor,omitempty"`
}

// signalEvent is the data of search.clicked, article.read and article.feedback.
type signalEvent struct {
	SignalID  string `json:"signal_id,omitempty"`
	SearchID  string `json:"search_id,omitempty"`
	ArticleID string `json:"article_id"`
	Kind      string `json:"kind"`
	Rank      int    `json:"rank,omitempty"`
	Helpful   *bool  `json:"helpful,omitempty"`
	Visitor   string `json:"visitor,omitempty"`
}
