package conversation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Label kinds on the log. Labels are the team's own words for what a conversation is about
// ("claim", "vip", "complaint"); supervisors keep the list so that one idea has one label.
const (
	LabelCreated        event.Kind = "label.created"
	LabelDeleted        event.Kind = "label.deleted"
	ConversationLabel   event.Kind = "conversation.labelled"
	ConversationUnlabel event.Kind = "conversation.unlabelled"
)

// Label errors.
var (
	ErrNoLabel     = errors.New("no such label")
	ErrLabelExists = errors.New("a label with this name exists")
)

// maxLabelRunes bounds a label: it must fit on an inbox row beside the others.
const maxLabelRunes = 40

// Label is one entry of the team's label list.
type Label struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

const (
	sqlLabels        = `SELECT id, name, created_at FROM labels ORDER BY name`
	sqlLabelByID     = `SELECT id, name, created_at FROM labels WHERE id = ?`
	sqlInsertLabel   = `INSERT INTO labels (id, name, created_by, created_at) VALUES (?, ?, ?, ?)`
	sqlAddLabel      = `INSERT INTO conversation_labels (conversation_id, label_id, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlRemoveLabel   = `DELETE FROM conversation_labels WHERE conversation_id = ? AND label_id = ?`
	sqlLabelsOfConvs = `SELECT cl.conversation_id, l.id, l.name, l.created_at FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id`
)

// NormalizeLabel is how a label is stored and compared: spaces trimmed and collapsed, lower
// case, at most 40 characters, no control characters. "  VIP  Customer" is "vip customer".
func NormalizeLabel(s string) (string, error) {
	// Checked before lower-casing, which would turn invalid bytes into U+FFFD.
	if !utf8.ValidString(s) {
		return "", &ValidationError{Field: "name", Reason: "a label is plain text"}
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return "", &ValidationError{Field: "name", Reason: "a label needs a name"}
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", &ValidationError{Field: "name", Reason: "a label is plain text"}
	}
	if utf8.RuneCountInString(s) > maxLabelRunes {
		return "", &ValidationError{Field: "name", Reason: fmt.Sprintf("a label has at most %d characters", maxLabelRunes)}
	}
	return s, nil
}

// Labels returns the label list, by name.
func (s *Service) Labels(ctx context.Context) ([]Label, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlLabels)
	if err != nil {
		return nil, fmt.Errorf("conversation: labels: %w", err)
	}
	defer rows.Close()
	out := []Label{}
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CreateLabel adds a label to the list.
func (s *Service) CreateLabel(ctx context.Context, name string, actor event.Actor) (Label, error) {
	n, err := NormalizeLabel(name)
	if err != nil {
		return Label{}, err
	}
	now := s.clock.Now()
	l := Label{ID: store.NewID(now), Name: n, CreatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Exec(ctx, sqlInsertLabel, l.ID, l.Name, actor.ID, now.UnixMilli()); err != nil {
			if store.IsUniqueViolation(err) {
				return ErrLabelExists
			}
			return fmt.Errorf("conversation: create label: %w", err)
		}
		_, err := s.events.Append(ctx, event.Event{Kind: LabelCreated, Actor: actor}, map[string]string{"label_id": l.ID, "name": l.Name})
		return err
	})
	return l, err
}

// DeleteLabel takes a label off the list and off every conversation that carries it.
func (s *Service) DeleteLabel(ctx context.Context, id string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		l, err := scanLabel(tx.QueryRow(ctx, sqlLabelByID, id))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM conversation_labels WHERE label_id = ?`, id); err != nil {
			return fmt.Errorf("conversation: delete label: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM labels WHERE id = ?`, id); err != nil {
			return fmt.Errorf("conversation: delete label: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: LabelDeleted, Actor: actor}, map[string]string{"label_id": l.ID, "name": l.Name})
		return err
	})
}

// AddLabel puts a label of the list on a conversation. Adding one it carries already changes
// nothing and records nothing.
func (s *Service) AddLabel(ctx context.Context, conversationID, labelID string, actor event.Actor) (Conversation, error) {
	return s.changeLabel(ctx, conversationID, labelID, actor, true)
}

// RemoveLabel takes a label off a conversation.
func (s *Service) RemoveLabel(ctx context.Context, conversationID, labelID string, actor event.Actor) (Conversation, error) {
	return s.changeLabel(ctx, conversationID, labelID, actor, false)
}

func (s *Service) changeLabel(ctx context.Context, conversationID, labelID string, actor event.Actor, add bool) (Conversation, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		l, err := scanLabel(tx.QueryRow(ctx, sqlLabelByID, labelID))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		kind := ConversationLabel
		var res sql.Result
		if add {
			res, err = tx.Exec(ctx, sqlAddLabel, c.ID, l.ID, actor.ID, now.UnixMilli())
		} else {
			kind = ConversationUnlabel
			res, err = tx.Exec(ctx, sqlRemoveLabel, c.ID, l.ID)
		}
		if err != nil {
			return fmt.Errorf("conversation: label: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET updated_at = ? WHERE id = ?`, now.UnixMilli(), c.ID); err != nil {
			return fmt.Errorf("conversation: label: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: kind, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor},
			map[string]string{"label_id": l.ID, "name": l.Name})
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, conversationID)
}

// LabelsOf returns the labels of each of the conversations, by name.
func (s *Service) LabelsOf(ctx context.Context, ids []string) (map[string][]Label, error) {
	out := map[string][]Label{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := sqlLabelsOfConvs + ` WHERE cl.conversation_id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `) ORDER BY l.name`
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("conversation: labels of conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid string
		var l Label
		var at int64
		if err := rows.Scan(&cid, &l.ID, &l.Name, &at); err != nil {
			return nil, err
		}
		l.CreatedAt = time.UnixMilli(at).UTC()
		out[cid] = append(out[cid], l)
	}
	return out, rows.Err()
}

func scanLabel(r scanner) (Label, error) {
	var l Label
	var at int64
	err := r.Scan(&l.ID, &l.Name, &at)
	if store.IsNoRows(err) {
		return l, ErrNoLabel
	}
	if err != nil {
		return l, fmt.Errorf("conversation: scan label: %w", err)
	}
	l.CreatedAt = time.UnixMilli(at).UTC()
	return l, nil
}
