package selfservice

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Service is one thing a customer can ask for — file a car claim, change an address — with the
// ways it can be done and the limits that send a request elsewhere, told before they start.
type Service struct {
	ID          string            `json:"id"` // a slug: car-claim
	Category    string            `json:"category"`
	Name        map[string]string `json:"name"`        // per language: he, ar, en, ru, am, fr
	Description map[string]string `json:"description"` // per language
	Channels    []Way             `json:"channels"`    // the ways the service can be done
	Limits      []Limit           `json:"limits"`
	Stages      []Stage           `json:"stages"` // a case's stages, in order; the last one ends it
	Flow        []Step            `json:"flow,omitempty"`
	UpdatedBy   string            `json:"updated_by,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Limit is a rule over a request and what the customer is told when it holds.
type Limit struct {
	Rule    string            `json:"rule"` // canonical: transfer_amount > 50000 -> branch
	Field   string            `json:"field"`
	Op      Op                `json:"op"`
	Value   any               `json:"value"` // a number or a text
	Then    Way               `json:"then"`  // the only way that can finish such a request
	Message map[string]string `json:"message"`
	rule    Rule
}

// Stage is one step of a case's life. Who says whose move it is: "us" (the insurer reviews)
// or "customer" (we wait for them), which the tracker tells the customer.
type Stage struct {
	ID   string            `json:"id"`
	Name map[string]string `json:"name,omitempty"` // empty for a built-in stage: the catalogs name it
	Who  string            `json:"who"`
	// Owes is what the customer must do or send while the stage is theirs.
	Owes map[string]string `json:"owes,omitempty"`
	// ExpectedHours is how long the stage usually takes; the tracker shows when the next one
	// is expected. Zero: no estimate.
	ExpectedHours int `json:"expected_hours,omitempty"`
}

// Whose move a stage is.
const (
	WhoUs       = "us"
	WhoCustomer = "customer"
)

// DefaultStages are a case's stages when its service names none.
func DefaultStages() []Stage {
	return []Stage{
		{ID: "received", Who: WhoUs, ExpectedHours: 24},
		{ID: "in-review", Who: WhoUs, ExpectedHours: 72},
		{ID: "waiting-for-you", Who: WhoCustomer},
		{ID: "approved", Who: WhoUs, ExpectedHours: 48},
		{ID: "done", Who: WhoUs},
	}
}

func builtinStage(id string) bool {
	return slices.ContainsFunc(DefaultStages(), func(s Stage) bool { return s.ID == id })
}

// Input is a service as a supervisor writes it.
type Input struct {
	Category    string            `json:"category"`
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description,omitempty"`
	Channels    []Way             `json:"channels"`
	Limits      []LimitInput      `json:"limits,omitempty"`
	Stages      []Stage           `json:"stages,omitempty"`
	Flow        []Step            `json:"flow,omitempty"`
}

// LimitInput is a limit as written: the rule and its message per language.
type LimitInput struct {
	Rule    string            `json:"rule"`
	Message map[string]string `json:"message"`
}

var slug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func checkTexts(field string, m map[string]string, required bool, maxLen int) error {
	if required && len(m) == 0 {
		return &ValidationError{Field: field, Reason: "give it in at least one of he, ar, en, ru, am, fr"}
	}
	for lang, text := range m {
		if !slices.Contains(Langs, lang) {
			return &ValidationError{Field: field + "." + lang, Reason: "not a language of the catalogue (he, ar, en, ru, am, fr)"}
		}
		if strings.TrimSpace(text) == "" {
			return &ValidationError{Field: field + "." + lang, Reason: "is empty"}
		}
		if utf8.RuneCountInString(text) > maxLen {
			return &ValidationError{Field: field + "." + lang, Reason: fmt.Sprintf("longer than %d characters", maxLen)}
		}
	}
	return nil
}

// build checks in and turns it into the service id.
func build(id string, in Input) (Service, error) {
	s := Service{ID: id, Category: strings.TrimSpace(in.Category), Name: in.Name, Description: in.Description, Channels: in.Channels, Stages: in.Stages, Flow: in.Flow}
	if !slug.MatchString(id) {
		return s, &ValidationError{Field: "id", Reason: "lower-case letters, digits and -, at most 64"}
	}
	if utf8.RuneCountInString(s.Category) > 100 {
		return s, &ValidationError{Field: "category", Reason: "longer than 100 characters"}
	}
	if err := checkTexts("name", s.Name, true, 200); err != nil {
		return s, err
	}
	if err := checkTexts("description", s.Description, false, 2000); err != nil {
		return s, err
	}
	if len(s.Channels) == 0 {
		return s, &ValidationError{Field: "channels", Reason: "name at least one way the service can be done: " + waysList()}
	}
	for i, w := range s.Channels {
		if !w.Valid() {
			return s, &ValidationError{Field: fmt.Sprintf("channels[%d]", i), Reason: fmt.Sprintf("%q is not a way; use one of %s", w, waysList())}
		}
		if slices.Index(s.Channels, w) != i {
			return s, &ValidationError{Field: fmt.Sprintf("channels[%d]", i), Reason: string(w) + " is listed twice"}
		}
	}
	if len(in.Limits) > 20 {
		return s, &ValidationError{Field: "limits", Reason: "at most 20"}
	}
	for i, li := range in.Limits {
		field := fmt.Sprintf("limits[%d]", i)
		r, err := ParseRule(li.Rule)
		if err != nil {
			return s, err
		}
		if !slices.Contains(s.Channels, r.Then) {
			return s, &ValidationError{Field: field + ".rule", Reason: fmt.Sprintf("sends the request to %s, which is not one of the service's channels", r.Then)}
		}
		if err := checkTexts(field+".message", li.Message, true, 500); err != nil {
			return s, err
		}
		s.Limits = append(s.Limits, limitOf(r, li.Message))
	}
	if s.Limits == nil {
		s.Limits = []Limit{}
	}
	// No stages is a choice, not a mistake: the default five fit most requests, and their
	// names then follow the catalogs instead of being frozen into the service.
	if err := checkStages(s.Stages); err != nil {
		return s, err
	}
	if len(s.Stages) == 0 {
		s.Stages = DefaultStages()
	}
	if err := checkFlow(s); err != nil {
		return s, err
	}
	return s, nil
}

func limitOf(r Rule, message map[string]string) Limit {
	l := Limit{Rule: r.String(), Field: r.Field, Op: r.Op, Then: r.Then, Message: message, rule: r}
	if r.IsNum {
		l.Value = r.Num
	} else {
		l.Value = r.Str
	}
	return l
}

func checkStages(stages []Stage) error {
	if len(stages) == 0 {
		return nil
	}
	if len(stages) < 2 || len(stages) > 20 {
		return &ValidationError{Field: "stages", Reason: "between 2 and 20 stages, or none for the default ones"}
	}
	for i, st := range stages {
		// Stage ids are what the API and the history name, so they are slugs; their names
		// are per language and optional for the built-in ids, which the catalogs name.
		field := fmt.Sprintf("stages[%d]", i)
		if !slug.MatchString(st.ID) {
			return &ValidationError{Field: field + ".id", Reason: "lower-case letters, digits and -, at most 64"}
		}
		if slices.IndexFunc(stages, func(o Stage) bool { return o.ID == st.ID }) != i {
			return &ValidationError{Field: field + ".id", Reason: st.ID + " is listed twice"}
		}
		if st.Who != WhoUs && st.Who != WhoCustomer {
			return &ValidationError{Field: field + ".who", Reason: "us or customer"}
		}
		if err := checkTexts(field+".name", st.Name, !builtinStage(st.ID), 100); err != nil {
			return err
		}
		if err := checkTexts(field+".owes", st.Owes, false, 500); err != nil {
			return err
		}
		if st.ExpectedHours < 0 || st.ExpectedHours > 24*365 {
			return &ValidationError{Field: field + ".expected_hours", Reason: "between 0 and a year"}
		}
	}
	return nil
}

// Check applies the service's limits to a request's answers, in order, and returns the first
// that holds, or nil. via is the way the request is being made: a limit that sends it to the
// very same way does not stop it.
func (s Service) Check(answers map[string]any, via Way) (*Limit, error) {
	for _, l := range s.Limits {
		hit, _, err := l.rule.Eval(answers)
		if err != nil {
			return nil, err
		}
		if hit && l.Then != via {
			return &l, nil
		}
	}
	return nil, nil
}

// Stage returns the stage id of the service, and its position.
func (s Service) Stage(id string) (Stage, int, bool) {
	for i, st := range s.Stages {
		if st.ID == id {
			return st, i, true
		}
	}
	return Stage{}, -1, false
}

// Text picks the text of m in lang, else English, else Hebrew, else any.
func Text(m map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "he"} {
		if t := m[l]; t != "" {
			return t
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		return m[keys[0]]
	}
	return ""
}

// StageName is a stage's name in lang: its own, or the catalogs' for a built-in stage.
func (d *Desk) StageName(st Stage, lang string) string {
	if t := st.Name[lang]; t != "" {
		return t
	}
	if builtinStage(st.ID) {
		return d.catalog(lang).T("case.stage." + st.ID)
	}
	if t := Text(st.Name, lang); t != "" {
		return t
	}
	return st.ID
}

// storedService is what the data column holds.
type storedService struct {
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description,omitempty"`
	Channels    []Way             `json:"channels"`
	Limits      []LimitInput      `json:"limits"`
	Stages      []Stage           `json:"stages"`
	Flow        []Step            `json:"flow,omitempty"`
}

// PutService creates or replaces the service id.
func (d *Desk) PutService(ctx context.Context, id string, in Input, actor event.Actor) (Service, error) {
	s, err := build(id, in)
	if err != nil {
		return s, err
	}
	st := storedService{Name: s.Name, Description: s.Description, Channels: s.Channels, Stages: s.Stages, Flow: s.Flow, Limits: []LimitInput{}}
	for _, l := range s.Limits {
		st.Limits = append(st.Limits, LimitInput{Rule: l.Rule, Message: l.Message})
	}
	data, err := json.Marshal(st)
	if err != nil {
		return s, fmt.Errorf("selfservice: encode service %s: %w", id, err)
	}
	err = d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// A replace keeps the creation time: "since when do we offer this" outlives edits.
		now := d.clock.Now()
		s.CreatedAt, s.UpdatedAt, s.UpdatedBy = now, now, actor.ID
		var created int64
		err := tx.QueryRow(ctx, sqlServiceCreated, id).Scan(&created)
		isNew := store.IsNoRows(err)
		switch {
		case isNew:
			if _, err := tx.Exec(ctx, sqlInsertService, id, s.Category, string(data), actor.ID, now.UnixMilli(), now.UnixMilli()); err != nil {
				return fmt.Errorf("selfservice: insert service %s: %w", id, err)
			}
		case err != nil:
			return fmt.Errorf("selfservice: read service %s: %w", id, err)
		default:
			s.CreatedAt = time.UnixMilli(created).UTC()
			if _, err := tx.Exec(ctx, sqlUpdateService, s.Category, string(data), actor.ID, now.UnixMilli(), id); err != nil {
				return fmt.Errorf("selfservice: update service %s: %w", id, err)
			}
		}
		_, err = d.events.Append(ctx, event.Event{Kind: ServiceSaved, Actor: actor}, map[string]any{"service_id": id, "created": isNew})
		return err
	})
	if err != nil {
		return Service{}, err
	}
	return d.withNames(s), nil
}

// GetService returns one service.
func (d *Desk) GetService(ctx context.Context, id string) (Service, error) {
	s, err := scanService(d.db.Q(ctx).QueryRow(ctx, sqlSelectService+` WHERE id = ?`, id))
	if err != nil {
		return s, err
	}
	return d.withNames(s), nil
}

// Services lists the catalogue by category, then id.
func (d *Desk) Services(ctx context.Context) ([]Service, error) {
	rows, err := d.db.Q(ctx).Query(ctx, sqlSelectService+` ORDER BY category, id`)
	if err != nil {
		return nil, fmt.Errorf("selfservice: list services: %w", err)
	}
	defer rows.Close()
	out := []Service{}
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d.withNames(s))
	}
	return out, rows.Err()
}

// withNames fills the built-in stages' names from the catalogs, so API clients see every
// stage named in every language.
func (d *Desk) withNames(s Service) Service {
	stages := make([]Stage, len(s.Stages))
	for i, st := range s.Stages {
		if builtinStage(st.ID) {
			names := map[string]string{}
			for _, l := range Langs {
				names[l] = d.StageName(st, l)
			}
			st.Name = names
		}
		stages[i] = st
	}
	s.Stages = stages
	return s
}

type scanner interface{ Scan(dest ...any) error }

func scanService(r scanner) (Service, error) {
	var s Service
	var data string
	var created, updated int64
	err := r.Scan(&s.ID, &s.Category, &data, &s.UpdatedBy, &created, &updated)
	if store.IsNoRows(err) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("selfservice: scan service: %w", err)
	}
	var st storedService
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return s, fmt.Errorf("selfservice: service %s: %w", s.ID, err)
	}
	s.Name, s.Description, s.Channels, s.Stages, s.Flow = st.Name, st.Description, st.Channels, st.Stages, st.Flow
	// Rules are stored as text and parsed again on every read: the parsed form never goes
	// stale when the language grows, and a stored rule the parser now refuses is an error
	// here rather than a limit silently ignored.
	s.Limits = []Limit{}
	for _, li := range st.Limits {
		r, err := ParseRule(li.Rule)
		if err != nil {
			return s, fmt.Errorf("selfservice: service %s: stored %w", s.ID, err)
		}
		s.Limits = append(s.Limits, limitOf(r, li.Message))
	}
	if len(s.Stages) == 0 {
		s.Stages = DefaultStages()
	}
	s.CreatedAt, s.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return s, nil
}
