package customer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Errors. ErrNotFound is returned as is (not wrapped), so callers may compare it directly.
var (
	ErrNotFound      = errors.New("customer not found")
	ErrIdentityTaken = errors.New("the identity belongs to another customer")
	ErrMergeSelf     = errors.New("a customer cannot be merged into itself")
	ErrAlreadyMerged = errors.New("the customer is already merged into another")
	ErrNotMerged     = errors.New("the customer is not merged")
)

// IdentityTakenError says which customer already holds an identity. It matches
// ErrIdentityTaken with errors.Is.
type IdentityTakenError struct {
	CustomerID string
	Kind       IdentityKind
	Value      string
}

func (e *IdentityTakenError) Error() string {
	return fmt.Sprintf("customer: %s %s belongs to customer %s", e.Kind, e.Value, e.CustomerID)
}

// Unwrap makes errors.Is(err, ErrIdentityTaken) true.
func (e *IdentityTakenError) Unwrap() error { return ErrIdentityTaken }

// ValidationError names a field of a customer or profile that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "customer: " + e.Field + ": " + e.Reason }

// Accessibility needs a customer can have.
const (
	ScreenReader   = "screen-reader"
	LargeText      = "large-text"
	ReadAloud      = "read-aloud"
	SimpleLanguage = "simple-language"
	HighContrast   = "high-contrast"
)

// Devices: what the customer's phone can do decides which channels fit them.
const (
	Smartphone = "smartphone"
	Kosher     = "kosher" // calls and SMS only: no browser, no WhatsApp
	Landline   = "landline"
)

// Digital-coaching stages, from "does not use digital channels" to "serves themself".
const (
	NotDigital  = "not-digital"
	Guided      = "guided"
	Supported   = "supported"
	Independent = "independent"
)

// Profile is what the service knows about a customer beyond their identities. It is stored as
// JSON, so adding a field needs no migration.
type Profile struct {
	Accessibility []string        `json:"accessibility,omitempty"`
	Device        string          `json:"device,omitempty"`
	Consent       map[string]bool `json:"consent,omitempty"` // per channel kind: may we contact them there
	CoachingStage string          `json:"coaching_stage,omitempty"`
	BirthYear     int             `json:"birth_year,omitempty"`
	City          string          `json:"city,omitempty"`
	Segments      []string        `json:"segments,omitempty"`
	Notes         string          `json:"notes,omitempty"`
}

// Customer is one person, however many channels they use. A merged customer has MergedInto
// set and no identities of its own: they live with the customer it was merged into.
type Customer struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Languages  []string   `json:"languages"`
	Profile    Profile    `json:"profile"`
	MergedInto string     `json:"merged_into,omitempty"`
	Identities []Identity `json:"identities"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// MergeHook is told about merges in the merge's transaction, so that what other packages keep
// per customer (conversations) follows. An error undoes the merge.
type MergeHook interface {
	CustomerMerged(ctx context.Context, sourceID, targetID string) error
	CustomerUnmerged(ctx context.Context, sourceID, targetID string) error
}

// Service finds, creates, edits and merges customers.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	events *event.Log
	hook   MergeHook
}

// NewService returns the customer service.
func NewService(db *store.DB, clk clock.Clock, events *event.Log) *Service {
	return &Service{db: db, clock: clk, events: events}
}

// SetMergeHook sets who is told about merges. Call it while wiring, before the service is used.
func (s *Service) SetMergeHook(h MergeHook) { s.hook = h }

// maxMergeChain bounds how far a lookup follows merged_into, so that a damaged table (a cycle)
// fails a request instead of hanging it.
const maxMergeChain = 64

// Resolve finds the customer an identity belongs to, or creates one with that identity. It runs
// in the transaction carried by ctx, if any. name, when given, names a customer that has none.
//
// Two Resolves of the same new identity can race on PostgreSQL; the loser's unique violation is
// returned as is, and the store retries its whole transaction, which then finds the winner's.
func (s *Service) Resolve(ctx context.Context, kind IdentityKind, raw, name string, actor event.Actor) (c Customer, created bool, err error) {
	value, err := Normalize(kind, raw)
	if err != nil {
		return Customer{}, false, err
	}
	name = cleanText(name, 200)
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		created = false
		id, err := s.findIdentity(ctx, kind, value)
		if err == nil {
			c, err = s.canonical(ctx, id.CustomerID)
			if err != nil {
				return err
			}
			// Only a missing name is filled in: a provider's display name ("Mom", an emoji)
			// must not overwrite what an agent typed.
			if c.Name == "" && name != "" {
				c, err = s.update(ctx, tx, c, Patch{Name: &name}, actor)
			}
			return err
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		// A unique violation here means another transaction created this identity first. It
		// is returned, not handled: this transaction is already aborted on PostgreSQL, and the
		// store's retry of the outermost transaction will find the other's customer.
		c, err = s.create(ctx, tx, kind, value, name, actor)
		created = err == nil
		return err
	})
	if err != nil {
		return Customer{}, false, err
	}
	return c, created, nil
}

func (s *Service) create(ctx context.Context, tx *store.Tx, kind IdentityKind, value, name string, actor event.Actor) (Customer, error) {
	now := s.clock.Now()
	ms := now.UnixMilli()
	c := Customer{ID: store.NewID(now), Name: name, Languages: []string{}, CreatedAt: time.UnixMilli(ms).UTC(), UpdatedAt: time.UnixMilli(ms).UTC()}
	if _, err := tx.Exec(ctx, sqlInsertCustomer, c.ID, c.Name, "", "{}", ms, ms); err != nil {
		return c, fmt.Errorf("customer: create: %w", err)
	}
	if _, err := s.events.Append(ctx, event.Event{Kind: event.CustomerCreated, CustomerID: c.ID, Actor: actor},
		map[string]any{"name": c.Name, "identity": map[string]string{"kind": string(kind), "value": value}}); err != nil {
		return c, err
	}
	id, err := s.insertIdentity(ctx, tx, c.ID, c.ID, kind, value, actor)
	if err != nil {
		return c, err
	}
	c.Identities = []Identity{id}
	return c, nil
}

// insertIdentity adds an identity and its event. A unique violation (someone else added it
// first) is returned wrapped, so the store's retry still recognises it.
func (s *Service) insertIdentity(ctx context.Context, tx *store.Tx, customerID, originalID string, kind IdentityKind, value string, actor event.Actor) (Identity, error) {
	now := s.clock.Now()
	id := Identity{ID: store.NewID(now), CustomerID: customerID, OriginalCustomerID: originalID, Kind: kind, Value: value, CreatedAt: time.UnixMilli(now.UnixMilli()).UTC()}
	if _, err := tx.Exec(ctx, sqlInsertIdentity, id.ID, id.CustomerID, id.OriginalCustomerID, string(kind), value, now.UnixMilli()); err != nil {
		return id, fmt.Errorf("customer: add %s identity: %w", kind, err)
	}
	_, err := s.events.Append(ctx, event.Event{Kind: event.IdentityAdded, CustomerID: originalID, Actor: actor},
		map[string]string{"identity_id": id.ID, "kind": string(kind), "value": value})
	return id, err
}

// Get returns a customer with its identities, merged or not.
func (s *Service) Get(ctx context.Context, id string) (Customer, error) {
	c, err := s.load(ctx, id)
	if err != nil {
		return c, err
	}
	c.Identities, err = s.identitiesOf(ctx, c.ID)
	return c, err
}

// FindByIdentity returns the customer an identity leads to (following merges), or ErrNotFound.
func (s *Service) FindByIdentity(ctx context.Context, kind IdentityKind, value string) (Customer, error) {
	v, err := Normalize(kind, value)
	if err != nil {
		return Customer{}, err
	}
	id, err := s.findIdentity(ctx, kind, v)
	if err != nil {
		return Customer{}, err
	}
	return s.canonical(ctx, id.CustomerID)
}

// ListQuery selects customers for the console's list.
type ListQuery struct {
	Text          string // part of a name or an identity; a phone number in any format
	Limit, Offset int    // Limit defaults to 50 and is at most 200
}

// List returns customers that are not merged, newest first.
func (s *Service) List(ctx context.Context, q ListQuery) ([]Customer, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 200)
	q.Offset = max(q.Offset, 0)
	var rows *sql.Rows
	var err error
	text := strings.TrimSpace(q.Text)
	if text == "" {
		rows, err = s.db.Q(ctx).Query(ctx, sqlListAllCustomers, q.Limit, q.Offset)
	} else {
		phone, _ := Normalize(Phone, text)
		like := "%" + escapeLike(text) + "%"
		rows, err = s.db.Q(ctx).Query(ctx, sqlListCustomers, like, like, phone, q.Limit, q.Offset)
	}
	if err != nil {
		return nil, fmt.Errorf("customer: list: %w", err)
	}
	var out []Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer: list: %w", err)
	}
	// One query per customer: a page is at most 200 rows, and the console asks for 50.
	for i := range out {
		if out[i].Identities, err = s.identitiesOf(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AddIdentity gives a customer another identity. It is idempotent when the customer already has
// it, and fails with *IdentityTakenError when another customer has it: that is a merge, which an
// agent decides. An identity added to a merged customer lives with the customer it was merged
// into, and goes back to it on un-merge.
func (s *Service) AddIdentity(ctx context.Context, customerID string, kind IdentityKind, raw string, actor event.Actor) (Identity, error) {
	value, err := Normalize(kind, raw)
	if err != nil {
		return Identity{}, err
	}
	var out Identity
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		owner, err := s.canonical(ctx, customerID)
		if err != nil {
			return err
		}
		existing, err := s.findIdentity(ctx, kind, value)
		if err == nil {
			// Compare canonical customers: an identity held by a customer merged into this
			// one already belongs to this person.
			holder, err := s.canonical(ctx, existing.CustomerID)
			if err != nil {
				return err
			}
			if holder.ID != owner.ID {
				return &IdentityTakenError{CustomerID: holder.ID, Kind: kind, Value: value}
			}
			out = existing
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		out, err = s.insertIdentity(ctx, tx, owner.ID, customerID, kind, value, actor)
		return err
	})
	if err != nil {
		return Identity{}, err
	}
	return out, nil
}

// Patch is a change to a customer; nil fields are left as they are.
type Patch struct {
	Name      *string
	Languages *[]string
	Profile   *Profile // replaces the whole profile
}

// Update changes a customer and records what changed (before and after) as customer.updated.
// Nothing is written when nothing changes.
func (s *Service) Update(ctx context.Context, id string, p Patch, actor event.Actor) (Customer, error) {
	var out Customer
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if out, err = s.update(ctx, tx, c, p, actor); err != nil {
			return err
		}
		out.Identities, err = s.identitiesOf(ctx, out.ID)
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	return out, nil
}

// change is one field's before and after, as customer.updated records it.
type change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

func (s *Service) update(ctx context.Context, tx *store.Tx, c Customer, p Patch, actor event.Actor) (Customer, error) {
	changes := map[string]change{}
	if p.Name != nil {
		name := cleanText(*p.Name, 200)
		if name != c.Name {
			changes["name"] = change{c.Name, name}
			c.Name = name
		}
	}
	if p.Languages != nil {
		langs, err := normalizeLanguages(*p.Languages)
		if err != nil {
			return c, err
		}
		if !slices.Equal(langs, c.Languages) {
			changes["languages"] = change{c.Languages, langs}
			c.Languages = langs
		}
	}
	if p.Profile != nil {
		prof, err := normalizeProfile(*p.Profile, s.clock.Now().Year())
		if err != nil {
			return c, err
		}
		diff, err := profileChanges(c.Profile, prof)
		if err != nil {
			return c, err
		}
		if len(diff) > 0 {
			maps.Copy(changes, diff)
			c.Profile = prof
		}
	}
	if len(changes) == 0 {
		return c, nil
	}
	profile, err := json.Marshal(c.Profile)
	if err != nil {
		return c, fmt.Errorf("customer: encode profile: %w", err)
	}
	now := s.clock.Now().UnixMilli()
	res, err := tx.Exec(ctx, sqlUpdateCustomer, c.Name, strings.Join(c.Languages, ","), string(profile), now, c.ID)
	if err != nil {
		return c, fmt.Errorf("customer: update %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return c, ErrNotFound
	}
	c.UpdatedAt = time.UnixMilli(now).UTC()
	_, err = s.events.Append(ctx, event.Event{Kind: event.CustomerUpdated, CustomerID: c.ID, Actor: actor}, changes)
	return c, err
}

// profileChanges lists the profile fields that differ, as "profile.device" and so on, so the
// timeline says what an agent changed rather than repeating the whole profile.
func profileChanges(before, after Profile) (map[string]change, error) {
	fields := func(p Profile) (map[string]json.RawMessage, error) {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("customer: encode profile: %w", err)
		}
		m := map[string]json.RawMessage{}
		return m, json.Unmarshal(b, &m)
	}
	b, err := fields(before)
	if err != nil {
		return nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, err
	}
	out := map[string]change{}
	for k, v := range a {
		if string(v) != string(b[k]) {
			out["profile."+k] = change{orNull(b[k]), v}
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out["profile."+k] = change{v, nil}
		}
	}
	return out, nil
}

func orNull(m json.RawMessage) any {
	if m == nil {
		return nil
	}
	return m
}

// normalizeLanguages canonicalises BCP 47 tags ("HE" → "he", "iw" → "he") and drops
// duplicates, keeping the customer's order: the first is the one routing and pages use.
func normalizeLanguages(in []string) ([]string, error) {
	out := []string{}
	for _, l := range in {
		tag, err := language.Parse(strings.TrimSpace(l))
		if err != nil || tag == language.Und {
			return nil, &ValidationError{Field: "languages", Reason: fmt.Sprintf("%q is not a language tag such as he, ar, ru or en", cleanText(l, 32))}
		}
		if s := tag.String(); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > 20 {
		return nil, &ValidationError{Field: "languages", Reason: "at most 20 languages"}
	}
	return out, nil
}

func normalizeProfile(p Profile, thisYear int) (Profile, error) {
	invalid := func(field, reason string) (Profile, error) {
		return Profile{}, &ValidationError{Field: "profile." + field, Reason: reason}
	}
	var acc []string
	for _, a := range p.Accessibility {
		switch a {
		case ScreenReader, LargeText, ReadAloud, SimpleLanguage, HighContrast:
			if !slices.Contains(acc, a) {
				acc = append(acc, a)
			}
		default:
			return invalid("accessibility", "must be screen-reader, large-text, high-contrast, read-aloud or simple-language")
		}
	}
	slices.Sort(acc)
	p.Accessibility = acc
	switch p.Device {
	case "", Smartphone, Kosher, Landline:
	default:
		return invalid("device", "must be smartphone, kosher or landline")
	}
	switch p.CoachingStage {
	case "", NotDigital, Guided, Supported, Independent:
	default:
		return invalid("coaching_stage", "must be not-digital, guided, supported or independent")
	}
	for k := range p.Consent {
		if strings.TrimSpace(k) == "" || len(k) > 64 {
			return invalid("consent", "keys are channel kinds such as whatsapp or twilio-sms")
		}
	}
	if len(p.Consent) == 0 {
		p.Consent = nil
	}
	if p.BirthYear != 0 && (p.BirthYear < 1900 || p.BirthYear > thisYear) {
		return invalid("birth_year", fmt.Sprintf("must be between 1900 and %d", thisYear))
	}
	var segs []string
	for _, sg := range p.Segments {
		sg = cleanText(sg, 100)
		if sg != "" && !slices.Contains(segs, sg) {
			segs = append(segs, sg)
		}
	}
	p.Segments = segs
	p.City = cleanText(p.City, 200)
	if utf8.RuneCountInString(p.Notes) > 10000 {
		return invalid("notes", "at most 10000 characters")
	}
	p.Notes = strings.ToValidUTF8(p.Notes, "\uFFFD")
	return p, nil
}

// cleanText trims s, makes it valid UTF-8 without control characters (PostgreSQL refuses NUL
// and invalid UTF-8 in TEXT, and a provider's display name can hold either), and cuts it to max
// characters.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = strings.TrimSpace(string([]rune(s)[:max]))
	}
	return s
}

// load reads one customer, without identities.
func (s *Service) load(ctx context.Context, id string) (Customer, error) {
	c, err := scanCustomer(s.db.Q(ctx).QueryRow(ctx, sqlCustomerByID, id))
	if store.IsNoRows(err) {
		return Customer{}, ErrNotFound
	}
	return c, err
}

// canonical follows merged_into from id to the customer that is not merged, and returns it with
// its identities.
func (s *Service) canonical(ctx context.Context, id string) (Customer, error) {
	for range maxMergeChain {
		c, err := s.load(ctx, id)
		if err != nil {
			return c, err
		}
		if c.MergedInto == "" {
			c.Identities, err = s.identitiesOf(ctx, c.ID)
			return c, err
		}
		id = c.MergedInto
	}
	return Customer{}, fmt.Errorf("customer: merge chain from %s is longer than %d", id, maxMergeChain)
}

func (s *Service) findIdentity(ctx context.Context, kind IdentityKind, value string) (Identity, error) {
	id, err := scanIdentity(s.db.Q(ctx).QueryRow(ctx, sqlIdentityByValue, string(kind), value))
	if store.IsNoRows(err) {
		return Identity{}, ErrNotFound
	}
	return id, err
}

func (s *Service) identitiesOf(ctx context.Context, customerID string) ([]Identity, error) {
	return s.queryIdentities(ctx, sqlIdentitiesOf, customerID)
}

func (s *Service) queryIdentities(ctx context.Context, q string, args ...any) ([]Identity, error) {
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("customer: identities: %w", err)
	}
	defer rows.Close()
	out := []Identity{}
	for rows.Next() {
		id, err := scanIdentity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer: identities: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanCustomer(r scanner) (Customer, error) {
	var c Customer
	var langs, profile string
	var merged sql.NullString
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Name, &langs, &profile, &merged, &created, &updated); err != nil {
		if store.IsNoRows(err) {
			return c, err
		}
		return c, fmt.Errorf("customer: scan: %w", err)
	}
	// Languages are stored comma-separated, as users' are, so that routing can read the
	// first one with plain SQL; empty slices rather than nil keep the API's JSON arrays.
	c.Languages = []string{}
	if langs != "" {
		c.Languages = strings.Split(langs, ",")
	}
	if profile != "" {
		if err := json.Unmarshal([]byte(profile), &c.Profile); err != nil {
			return c, fmt.Errorf("customer: %s has an unreadable profile: %w", c.ID, err)
		}
	}
	c.MergedInto = merged.String
	c.Identities = []Identity{}
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return c, nil
}

func scanIdentity(r scanner) (Identity, error) {
	var id Identity
	var kind string
	var created int64
	if err := r.Scan(&id.ID, &id.CustomerID, &id.OriginalCustomerID, &kind, &id.Value, &created); err != nil {
		if store.IsNoRows(err) {
			return id, err
		}
		return id, fmt.Errorf("customer: scan identity: %w", err)
	}
	id.Kind = IdentityKind(kind)
	id.CreatedAt = time.UnixMilli(created).UTC()
	return id, nil
}
