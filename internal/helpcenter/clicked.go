package helpcenter

import (
	"context"
	"fmt"
	"strings"
)

// Clicked reports which of the recorded searches had a result opened from them: the help
// centre's own record, which proactive help reads instead of asking the browser.
func (s *Service) Clicked(ctx context.Context, searchIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(searchIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(searchIDs))
	for i, id := range searchIDs {
		args[i] = id
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlClickedSearches+` AND search_id IN (?`+strings.Repeat(", ?", len(searchIDs)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: clicked searches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

const sqlClickedSearches = `SELECT DISTINCT search_id FROM help_signals WHERE kind = 'click'`
