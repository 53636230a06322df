package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gesher-cs/gesher/internal/conversation"
)

// The inbox's filters, which combine with each other and with any view: the channel the
// customer last used, the customer's language, the conversation's queue and label, and a
// segment the customer is in. They are query parameters, so the console keeps them in its
// address and a filtered view can be bookmarked.
const (
	sqlFilterChannel = "c.channel_id = ?"
	// Languages are stored comma-separated ("he,en"); wrapping both sides in commas matches
	// whole codes only.
	sqlFilterLanguage = "(',' || COALESCE(cu.languages, '') || ',') LIKE ?"
	sqlFilterQueue    = "c.queue_id = ?"
	sqlFilterLabel    = "EXISTS (SELECT 1 FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = c.id AND l.name = ?)"
	sqlFilterSegment  = "EXISTS (SELECT 1 FROM segment_members sm WHERE sm.customer_id = c.customer_id AND sm.segment_id = ?)"

	sqlFilterQueues    = `SELECT q.id, q.name, EXISTS (SELECT 1 FROM queue_members qm WHERE qm.queue_id = q.id AND qm.user_id = ?) FROM queues q ORDER BY q.name, q.id`
	sqlFilterSegments  = `SELECT id, name FROM segments ORDER BY name, id`
	sqlFilterLanguages = `SELECT languages FROM customers WHERE languages <> '' AND merged_into IS NULL GROUP BY languages`
)

// langCode is what a language filter accepts: a BCP 47 primary tag, perhaps with a region.
// It also keeps LIKE's wildcards out of the pattern.
var langCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// inboxFilters reads the filters of an inbox request as SQL conditions over conversations c
// and customers cu, with their arguments.
func inboxFilters(q url.Values) ([]string, []any, error) {
	var where []string
	var args []any
	if v := q.Get("channel"); v != "" {
		where, args = append(where, sqlFilterChannel), append(args, v)
	}
	if v := q.Get("lang"); v != "" {
		if !langCode.MatchString(v) {
			return nil, nil, &badRequest{field: "lang", msg: "lang must be a language code such as he or ar"}
		}
		where, args = append(where, sqlFilterLanguage), append(args, "%,"+v+",%")
	}
	if v := q.Get("queue"); v != "" {
		where, args = append(where, sqlFilterQueue), append(args, v)
	}
	if v := q.Get("label"); v != "" {
		name, err := conversation.NormalizeLabel(v)
		if err != nil {
			return nil, nil, &badRequest{field: "label", msg: "label must be a label's name"}
		}
		where, args = append(where, sqlFilterLabel), append(args, name)
	}
	if v := q.Get("segment"); v != "" {
		where, args = append(where, sqlFilterSegment), append(args, v)
	}
	return where, args, nil
}

// queueBrief is a queue as the inbox's filter and the transfer menu show it.
type queueBrief struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Member bool   `json:"member"` // the signed-in user answers this queue
}

// segmentBrief is a segment as the inbox's filter shows it.
type segmentBrief struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// inboxFilterOptions is the answer of GET /api/v1/inbox/filters: what each filter offers.
type inboxFilterOptions struct {
	Queues    []queueBrief         `json:"queues"`
	Labels    []conversation.Label `json:"labels"`
	Segments  []segmentBrief       `json:"segments"`
	Languages []string             `json:"languages"` // the customers' languages, sorted
}

func (s *Server) inboxFilterOptions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := principalFrom(ctx)
	out := inboxFilterOptions{Queues: []queueBrief{}, Segments: []segmentBrief{}, Languages: []string{}}
	rows, err := s.d.DB.Query(ctx, sqlFilterQueues, p.user.ID)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
		return
	}
	for rows.Next() {
		var q queueBrief
		if err := rows.Scan(&q.ID, &q.Name, &q.Member); err != nil {
			rows.Close()
			s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
			return
		}
		out.Queues = append(out.Queues, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
		return
	}
	if out.Labels, err = s.d.Conversations.Labels(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if rows, err = s.d.DB.Query(ctx, sqlFilterSegments); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
		return
	}
	for rows.Next() {
		var sg segmentBrief
		if err := rows.Scan(&sg.ID, &sg.Name); err != nil {
			rows.Close()
			s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
			return
		}
		out.Segments = append(out.Segments, sg)
	}
	rows.Close()
	if rows, err = s.d.DB.Query(ctx, sqlFilterLanguages); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
		return
	}
	for rows.Next() {
		var list string
		if err := rows.Scan(&list); err != nil {
			rows.Close()
			s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
			return
		}
		for _, l := range strings.Split(list, ",") {
			if l = strings.TrimSpace(l); langCode.MatchString(l) && !slices.Contains(out.Languages, l) {
				out.Languages = append(out.Languages, l)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox filters: %w", err))
		return
	}
	slices.Sort(out.Languages)
	writeJSON(w, http.StatusOK, out)
}
