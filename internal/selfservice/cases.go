package selfservice

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Case is one customer's request for one service, moving through the service's stages.
type Case struct {
	ID         string         `json:"id"`
	Ref        string         `json:"ref"` // what a person reads out on the phone: K3F9-2QXA
	ServiceID  string         `json:"service_id"`
	CustomerID string         `json:"customer_id"`
	Stage      string         `json:"stage"`
	StageSeq   int            `json:"stage_seq"` // how many stages the case has entered
	Answers    map[string]any `json:"answers"`
	// Via is the way the request was made; FinishOn, when set, is the only way that can
	// finish it, because a limit held (Limit says which and what the customer is told).
	Via       Way          `json:"via,omitempty"`
	FinishOn  Way          `json:"finish_on,omitempty"`
	Limit     *LimitHit    `json:"limit,omitempty"`
	History   []StageEntry `json:"history"`
	CreatedBy string       `json:"created_by,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	StageAt   time.Time    `json:"stage_at"` // when the case entered its stage
	ClosedAt  *time.Time   `json:"closed_at,omitempty"`
}

// LimitHit is the limit that held for a case's answers.
type LimitHit struct {
	Rule    string            `json:"rule"`
	Then    Way               `json:"then"`
	Message map[string]string `json:"message"`
}

// StageEntry is one stage the case entered, and the notification it sent.
type StageEntry struct {
	Seq     int         `json:"seq"`
	Stage   string      `json:"stage"`
	At      time.Time   `json:"at"`
	Actor   event.Actor `json:"actor"`
	EventID string      `json:"event_id"`
	Notice  Notice      `json:"notice"`
}

// Notice is the notification a stage change sent: the message queued on the customer's
// conversation and its channel, or why none could go.
type Notice struct {
	MessageID string `json:"message_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	// Link says the message carries the tracker link (never to a phone that cannot open one).
	Link    bool   `json:"link"`
	Skipped string `json:"skipped,omitempty"`
}

// CaseInput opens a case.
type CaseInput struct {
	CustomerID string         `json:"customer_id"`
	ServiceID  string         `json:"service_id"`
	Answers    map[string]any `json:"answers"`
	// Via is the way the request is made (phone, chat …); a limit that sends it to the same
	// way does not stop it. Empty: an agent's channel, not a branch.
	Via Way `json:"via,omitempty"`
}

const maxAnswers = 50

// checkAnswers keeps answers to plain values a person could have typed or picked.
func checkAnswers(in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	if len(in) > maxAnswers {
		return nil, &ValidationError{Field: "answers", Reason: fmt.Sprintf("at most %d", maxAnswers)}
	}
	for k, v := range in {
		field := "answers." + k
		if !fieldName.MatchString(k) {
			return nil, &ValidationError{Field: field, Reason: "a field name is lower-case letters, digits and _, starting with a letter"}
		}
		// Only flat values: answers are shown back to the customer and to agents as they
		// are, and a rule compares one value, never a structure.
		switch t := v.(type) {
		case nil:
			continue
		case string:
			t = strings.TrimSpace(t)
			if !utf8.ValidString(t) || utf8.RuneCountInString(t) > 1000 {
				return nil, &ValidationError{Field: field, Reason: "at most 1000 characters of text"}
			}
			out[k] = t
		case float64:
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return nil, &ValidationError{Field: field, Reason: "not a number"}
			}
			out[k] = t
		case bool:
			out[k] = t
		default:
			return nil, &ValidationError{Field: field, Reason: "a text, a number or true/false"}
		}
	}
	return out, nil
}

// newCaseID is 128 random bits in the store's alphabet: a case id is half of what makes a
// tracker link unguessable, so unlike store.NewID it carries no clock and no sequence.
func newCaseID() string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var b [26]byte
	var r [26]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic("selfservice: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[r[i]&31]
	}
	return string(b[:])
}

// RefOf is the short reference of a case id a person can read out.
func RefOf(id string) string {
	if len(id) < 8 {
		return strings.ToUpper(id)
	}
	return strings.ToUpper(id[:4] + "-" + id[4:8])
}

// canonical is the customer id follows its merges to.
func (d *Desk) canonical(ctx context.Context, id string) (customer.Customer, error) {
	for range 64 {
		c, err := d.customers.Get(ctx, id)
		if err != nil || c.MergedInto == "" {
			return c, err
		}
		id = c.MergedInto
	}
	return customer.Customer{}, fmt.Errorf("selfservice: merge chain of %s too long", id)
}

// OpenCase opens a case in the service's first stage and tells the customer, all in one
// transaction. A limit that holds does not refuse the request: the case keeps the answers and
// says which way can finish it, and the customer is told so.
func (d *Desk) OpenCase(ctx context.Context, in CaseInput, actor event.Actor) (Case, error) {
	answers, err := checkAnswers(in.Answers)
	if err != nil {
		return Case{}, err
	}
	if in.Via != "" && !in.Via.Valid() {
		return Case{}, &ValidationError{Field: "via", Reason: "one of " + waysList()}
	}
	var c Case
	err = d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		svc, err := d.GetService(ctx, in.ServiceID)
		if errors.Is(err, ErrNotFound) {
			return &ValidationError{Field: "service_id", Reason: "no such service"}
		}
		if err != nil {
			return err
		}
		cust, err := d.canonical(ctx, in.CustomerID)
		if errors.Is(err, customer.ErrNotFound) {
			return &ValidationError{Field: "customer_id", Reason: "no such customer"}
		}
		if err != nil {
			return err
		}
		// The limit is decided once, at opening, from the answers as given: a later change
		// of the catalogue does not move a case to another channel behind the customer's back.
		hit, err := svc.Check(answers, in.Via)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		c = Case{ID: newCaseID(), ServiceID: svc.ID, CustomerID: cust.ID, Stage: svc.Stages[0].ID, StageSeq: 1,
			Answers: answers, Via: in.Via, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now, StageAt: now}
		c.Ref = RefOf(c.ID)
		limitJSON := ""
		if hit != nil {
			c.FinishOn = hit.Then
			c.Limit = &LimitHit{Rule: hit.Rule, Then: hit.Then, Message: hit.Message}
			b, _ := json.Marshal(c.Limit)
			limitJSON = string(b)
		}
		ans, _ := json.Marshal(answers)
		if _, err := tx.Exec(ctx, sqlInsertCase, c.ID, c.ServiceID, c.CustomerID, c.Stage, string(ans), string(c.Via), string(c.FinishOn), limitJSON,
			actor.ID, now.UnixMilli(), now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("selfservice: insert case: %w", err)
		}
		data := map[string]any{"case_id": c.ID, "service_id": c.ServiceID, "stage": c.Stage, "via": c.Via}
		if hit != nil {
			data["finish_on"], data["rule"] = hit.Then, hit.Rule
		}
		ev, err := d.events.Append(ctx, event.Event{Kind: CaseOpened, CustomerID: c.CustomerID, Actor: actor}, data)
		if err != nil {
			return err
		}
		entry, err := d.enter(ctx, tx, &c, svc, cust, ev, actor, now)
		if err != nil {
			return err
		}
		c.History = []StageEntry{entry}
		return nil
	})
	return c, err
}

// SetStage moves a case to the service's stage id, records the move as an event and tells the
// customer, in one transaction. Moving a case to the stage it is in changes nothing and tells
// nobody (changed is false), so a request sent twice notifies once.
func (d *Desk) SetStage(ctx context.Context, id, stage string, actor event.Actor) (c Case, changed bool, err error) {
	err = d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		changed = false
		q := sqlSelectCase + ` WHERE id = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE` // two agents moving one case are serialised, not interleaved
		}
		var err error
		if c, err = scanCase(tx.QueryRow(ctx, q, id)); err != nil {
			return err
		}
		// The stage it is in already: a retried request, a double click. Nothing is
		// recorded and nobody is told again.
		if c.Stage == stage {
			return nil
		}
		svc, err := d.GetService(ctx, c.ServiceID)
		if err != nil {
			return err
		}
		_, pos, ok := svc.Stage(stage)
		if !ok {
			ids := make([]string, len(svc.Stages))
			for i, st := range svc.Stages {
				ids[i] = st.ID
			}
			return &ValidationError{Field: "stage", Reason: "not a stage of " + svc.ID + ": " + strings.Join(ids, ", ")}
		}
		cust, err := d.canonical(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		from, seq := c.Stage, c.StageSeq
		// Any stage may follow any other (a case waits for the customer, then goes back to
		// review); reaching the last one closes it, and leaving it reopens it.
		var closed any
		c.ClosedAt = nil
		if pos == len(svc.Stages)-1 {
			closed = now.UnixMilli()
			c.ClosedAt = &now
		}
		res, err := tx.Exec(ctx, sqlMoveCase, stage, seq+1, now.UnixMilli(), now.UnixMilli(), closed, c.ID, seq)
		if err != nil {
			return fmt.Errorf("selfservice: move case %s: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("selfservice: case %s moved meanwhile", c.ID)
		}
		c.Stage, c.StageSeq, c.StageAt, c.UpdatedAt = stage, seq+1, now, now
		ev, err := d.events.Append(ctx, event.Event{Kind: CaseStageChanged, CustomerID: c.CustomerID, Actor: actor},
			map[string]any{"case_id": c.ID, "service_id": c.ServiceID, "from": from, "to": stage, "seq": c.StageSeq})
		if err != nil {
			return err
		}
		if _, err := d.enter(ctx, tx, &c, svc, cust, ev, actor, now); err != nil {
			return err
		}
		changed = true
		return nil
	})
	if err != nil {
		return Case{}, false, err
	}
	c.History, err = d.history(ctx, c.ID)
	return c, changed, err
}

// enter records that the case entered its current stage: the notification, then the history
// row. The row's key (case, seq) is unique, so a concurrent duplicate of the same move fails
// here and its transaction — notification included — is undone.
func (d *Desk) enter(ctx context.Context, tx *store.Tx, c *Case, svc Service, cust customer.Customer, ev event.Event, actor event.Actor, now time.Time) (StageEntry, error) {
	notice, err := d.notify(ctx, *c, svc, cust)
	if err != nil {
		return StageEntry{}, err
	}
	e := StageEntry{Seq: c.StageSeq, Stage: c.Stage, At: now, Actor: actor, EventID: ev.ID, Notice: notice}
	link := 0
	if notice.Link {
		link = 1
	}
	if _, err := tx.Exec(ctx, sqlInsertStage, c.ID, e.Seq, e.Stage, string(actor.Kind), actor.ID, ev.ID, nullStr(notice.MessageID), nullStr(notice.ChannelID), link, notice.Skipped, now.UnixMilli()); err != nil {
		return e, fmt.Errorf("selfservice: record stage of %s: %w", c.ID, err)
	}
	return e, nil
}

// Case returns one case with its history.
func (d *Desk) Case(ctx context.Context, id string) (Case, error) {
	c, err := scanCase(d.db.Q(ctx).QueryRow(ctx, sqlSelectCase+` WHERE id = ?`, id))
	if err != nil {
		return c, err
	}
	c.History, err = d.history(ctx, id)
	return c, err
}

// Cases lists cases, newest first: a customer's (and those of everyone merged into them), or
// everyone's when customerID is empty. limit is at most 200.
func (d *Desk) Cases(ctx context.Context, customerID string, limit int) ([]Case, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q, args := sqlSelectCase, []any{}
	if customerID != "" {
		q, args = sqlCasesOfCustomer, []any{customerID}
	}
	rows, err := d.db.Q(ctx).Query(ctx, q+fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("selfservice: list cases: %w", err)
	}
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].History, err = d.history(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// history is a case's stage entries, oldest first.
func (d *Desk) history(ctx context.Context, id string) ([]StageEntry, error) {
	rows, err := d.db.Q(ctx).Query(ctx, sqlSelectStages, id)
	if err != nil {
		return nil, fmt.Errorf("selfservice: history of %s: %w", id, err)
	}
	defer rows.Close()
	out := []StageEntry{}
	for rows.Next() {
		var e StageEntry
		var msg, ch sql.NullString
		var link int
		var at int64
		if err := rows.Scan(&e.Seq, &e.Stage, &e.Actor.Kind, &e.Actor.ID, &e.EventID, &msg, &ch, &link, &e.Notice.Skipped, &at); err != nil {
			return nil, fmt.Errorf("selfservice: scan stage: %w", err)
		}
		e.Notice.MessageID, e.Notice.ChannelID, e.Notice.Link = msg.String, ch.String, link != 0
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, rows.Err()
}

// scanCase reads a row of sqlSelectCase. The reference is derived, not stored: it is the id's
// first eight characters, so it can never disagree with the id.
func scanCase(r scanner) (Case, error) {
	var c Case
	var answers, via, finish, limit string
	var created, updated, stageAt int64
	var closed sql.NullInt64
	err := r.Scan(&c.ID, &c.ServiceID, &c.CustomerID, &c.Stage, &c.StageSeq, &answers, &via, &finish, &limit, &c.CreatedBy, &created, &updated, &stageAt, &closed)
	if store.IsNoRows(err) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("selfservice: scan case: %w", err)
	}
	c.Ref, c.Via, c.FinishOn = RefOf(c.ID), Way(via), Way(finish)
	c.Answers = map[string]any{}
	_ = json.Unmarshal([]byte(answers), &c.Answers)
	if limit != "" {
		c.Limit = &LimitHit{}
		_ = json.Unmarshal([]byte(limit), c.Limit)
	}
	c.CreatedAt, c.UpdatedAt, c.StageAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC(), time.UnixMilli(stageAt).UTC()
	if closed.Valid {
		t := time.UnixMilli(closed.Int64).UTC()
		c.ClosedAt = &t
	}
	return c, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
