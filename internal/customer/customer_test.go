package customer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var agent = event.Actor{Kind: event.ByUser, ID: "agent-1"}

type fixture struct {
	db    *store.DB
	clock *clock.Manual
	log   *event.Log
	svc   *Service
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	log := event.NewLog(db, clk, nil)
	return &fixture{db: db, clock: clk, log: log, svc: NewService(db, clk, log)}
}

// resolve creates (or finds) a customer by identity and moves the clock on, so that creation
// order is visible in timestamps.
func (f *fixture) resolve(t *testing.T, kind IdentityKind, raw, name string) Customer {
	t.Helper()
	c, _, err := f.svc.Resolve(context.Background(), kind, raw, name, event.System)
	if err != nil {
		t.Fatalf("Resolve(%s, %q): %v", kind, raw, err)
	}
	f.clock.Advance(time.Second)
	return c
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) events(t *testing.T, kind event.Kind, customerID string) []event.Event {
	t.Helper()
	evs, err := f.log.List(context.Background(), event.Filter{Kinds: []event.Kind{kind}, CustomerIDs: []string{customerID}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func values(ids []Identity) []string {
	var out []string
	for _, id := range ids {
		out = append(out, string(id.Kind)+":"+id.Value)
	}
	slices.Sort(out)
	return out
}

func TestResolveCreatesOnceAndFindsByAnyFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, created, err := f.svc.Resolve(ctx, Phone, "050-123-4567", "", event.System)
		if err != nil || !created {
			t.Fatalf("first Resolve: created %v, err %v; want a new customer", created, err)
		}
		if got, want := values(c.Identities), []string{"phone:+972501234567"}; !slices.Equal(got, want) {
			t.Errorf("identities %v, want %v", got, want)
		}
		for _, raw := range []string{"+972 50-123-4567", "972501234567", "00972501234567", "(050) 1234567"} {
			again, created, err := f.svc.Resolve(ctx, Phone, raw, "Dana Levi", event.System)
			if err != nil || created || again.ID != c.ID {
				t.Errorf("Resolve(%q): id %s created %v err %v; want the existing %s", raw, again.ID, created, err, c.ID)
			}
		}
		got, err := f.svc.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Dana Levi" {
			t.Errorf("name %q, want the name the channel gave, Dana Levi", got.Name)
		}
		// A later, different display name does not overwrite the first.
		if again, _, _ := f.svc.Resolve(ctx, Phone, "0501234567", "dana", event.System); again.Name != "Dana Levi" {
			t.Errorf("name after another display name %q, want Dana Levi", again.Name)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM customers`); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
		if n := len(f.events(t, event.CustomerCreated, c.ID)); n != 1 {
			t.Errorf("%d customer.created events, want 1", n)
		}
		if n := len(f.events(t, event.IdentityAdded, c.ID)); n != 1 {
			t.Errorf("%d identity-added events, want 1", n)
		}
		if n := len(f.events(t, event.CustomerUpdated, c.ID)); n != 1 {
			t.Errorf("%d customer.updated events (the name), want 1", n)
		}
		if _, _, err := f.svc.Resolve(ctx, Phone, "12345", "", event.System); !errors.As(err, new(*InvalidIdentityError)) {
			t.Errorf("Resolve of an invalid number: %v, want *InvalidIdentityError", err)
		}
	})
}

func TestResolveJoinsCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		boom := errors.New("the ingest failed later")
		err := db.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			if _, _, err := f.svc.Resolve(ctx, Email, "dana@example.com", "Dana", event.System); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: %v", err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM customers`); n != 0 {
			t.Errorf("%d customers after the caller's rollback, want 0", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM events`); n != 0 {
			t.Errorf("%d events after the caller's rollback, want 0", n)
		}
	})
}

func TestResolveConcurrentNewNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const n = 50
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				// Half write it one way, half another: still one person.
				raw := "052-765-4321"
				if i%2 == 1 {
					raw = "+972527654321"
				}
				c, _, err := f.svc.Resolve(context.Background(), Phone, raw, "", event.System)
				ids[i], errs[i] = c.ID, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Resolve %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("Resolve %d returned customer %s, Resolve 0 returned %s", i, ids[i], ids[0])
			}
		}
		if got := f.count(t, `SELECT COUNT(*) FROM customers`); got != 1 {
			t.Errorf("%d customers, want 1", got)
		}
		if got := f.count(t, `SELECT COUNT(*) FROM identities`); got != 1 {
			t.Errorf("%d identities, want 1", got)
		}
		if got := len(f.events(t, event.CustomerCreated, ids[0])); got != 1 {
			t.Errorf("%d customer.created events, want 1", got)
		}
	})
}

func TestAddIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		dana := f.resolve(t, Phone, "050-123-4567", "Dana")
		moshe := f.resolve(t, Email, "moshe@example.com", "Moshe")

		wa, err := f.svc.AddIdentity(ctx, dana.ID, WhatsApp, "+972 50 123 4567", agent)
		if err != nil {
			t.Fatal(err)
		}
		if wa.Value != "972501234567" || wa.CustomerID != dana.ID || wa.OriginalCustomerID != dana.ID {
			t.Errorf("added %+v, want whatsapp 972501234567 on %s", wa, dana.ID)
		}
		again, err := f.svc.AddIdentity(ctx, dana.ID, WhatsApp, "972501234567", agent)
		if err != nil || again.ID != wa.ID {
			t.Errorf("adding it again: %+v, %v; want the same identity %s", again, err, wa.ID)
		}
		if n := len(f.events(t, event.IdentityAdded, dana.ID)); n != 2 {
			t.Errorf("%d identity-added events for Dana, want 2 (phone, whatsapp; the repeat adds none)", n)
		}

		_, err = f.svc.AddIdentity(ctx, moshe.ID, Phone, "0501234567", agent)
		var taken *IdentityTakenError
		if !errors.As(err, &taken) || !errors.Is(err, ErrIdentityTaken) {
			t.Fatalf("adding Dana's phone to Moshe: %v, want *IdentityTakenError", err)
		}
		if taken.CustomerID != dana.ID {
			t.Errorf("taken by %s, want Dana %s", taken.CustomerID, dana.ID)
		}
		got, _ := f.svc.Get(ctx, moshe.ID)
		if v := values(got.Identities); !slices.Equal(v, []string{"email:moshe@example.com"}) {
			t.Errorf("Moshe's identities %v, want only his email", v)
		}
		if _, err := f.svc.AddIdentity(ctx, moshe.ID, Email, "not-an-address", agent); !errors.As(err, new(*InvalidIdentityError)) {
			t.Errorf("invalid email: %v, want *InvalidIdentityError", err)
		}
		if _, err := f.svc.AddIdentity(ctx, "no-such-customer", Email, "x@example.com", agent); err != ErrNotFound {
			t.Errorf("unknown customer: %v, want ErrNotFound", err)
		}
	})
}

func TestGetAndFindByIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		dana := f.resolve(t, Email, "Dana@Example.com", "Dana")
		got, err := f.svc.FindByIdentity(ctx, Email, "dana@example.com")
		if err != nil || got.ID != dana.ID || len(got.Identities) != 1 {
			t.Errorf("FindByIdentity: %+v, %v; want %s with its email", got, err, dana.ID)
		}
		if _, err := f.svc.FindByIdentity(ctx, Email, "nobody@example.com"); err != ErrNotFound {
			t.Errorf("FindByIdentity of a stranger: %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Get(ctx, "nope"); err != ErrNotFound {
			t.Errorf("Get(nope): %v, want ErrNotFound", err)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if _, ok := m["identities"].([]any); !ok {
			t.Errorf("JSON %s: want an identities array", b)
		}
	})
}

func TestUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.resolve(t, Phone, "03-1234567", "")
		name := "  Yosef Cohen "
		langs := []string{"HE", "iw", "ru"}
		prof := Profile{
			Accessibility: []string{LargeText, ScreenReader, LargeText},
			Device:        Kosher, CoachingStage: Guided, BirthYear: 1944, City: "Bnei Brak",
			Consent: map[string]bool{"twilio-sms": true, "whatsapp": false},
		}
		got, err := f.svc.Update(ctx, c.ID, Patch{Name: &name, Languages: &langs, Profile: &prof}, agent)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Yosef Cohen" {
			t.Errorf("name %q, want Yosef Cohen", got.Name)
		}
		if !slices.Equal(got.Languages, []string{"he", "ru"}) {
			t.Errorf("languages %v, want [he ru] (canonical, no duplicates, order kept)", got.Languages)
		}
		read, _ := f.svc.Get(ctx, c.ID)
		if !slices.Equal(read.Profile.Accessibility, []string{LargeText, ScreenReader}) || read.Profile.Device != Kosher ||
			read.Profile.BirthYear != 1944 || !read.Profile.Consent["twilio-sms"] || len(read.Identities) != 1 {
			t.Errorf("stored %+v", read)
		}
		evs := f.events(t, event.CustomerUpdated, c.ID)
		if len(evs) != 1 {
			t.Fatalf("%d customer.updated events, want 1", len(evs))
		}
		var data map[string]json.RawMessage
		if err := json.Unmarshal(evs[0].Data, &data); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"name", "languages", "profile.device", "profile.birth_year", "profile.accessibility"} {
			if _, ok := data[k]; !ok {
				t.Errorf("event data %s lacks %q", evs[0].Data, k)
			}
		}
		if evs[0].Actor != agent {
			t.Errorf("actor %+v, want %+v", evs[0].Actor, agent)
		}

		// The same values again change nothing and record nothing.
		if _, err := f.svc.Update(ctx, c.ID, Patch{Name: &name, Languages: &langs, Profile: &prof}, agent); err != nil {
			t.Fatal(err)
		}
		if n := len(f.events(t, event.CustomerUpdated, c.ID)); n != 1 {
			t.Errorf("%d customer.updated events after a no-op update, want 1", n)
		}

		for _, p := range []Profile{{Device: "flip-phone"}, {Accessibility: []string{"braille"}}, {CoachingStage: "expert"}, {BirthYear: 1800}} {
			if _, err := f.svc.Update(ctx, c.ID, Patch{Profile: &p}, agent); !errors.As(err, new(*ValidationError)) {
				t.Errorf("Update(%+v): %v, want *ValidationError", p, err)
			}
		}
		bad := []string{"he", "not a language"}
		if _, err := f.svc.Update(ctx, c.ID, Patch{Languages: &bad}, agent); !errors.As(err, new(*ValidationError)) {
			t.Errorf("Update(languages %v): %v, want *ValidationError", bad, err)
		}
		if _, err := f.svc.Update(ctx, "nope", Patch{Name: &name}, agent); err != ErrNotFound {
			t.Errorf("Update(nope): %v, want ErrNotFound", err)
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		dana := f.resolve(t, Phone, "050-123-4567", "Dana Levi")
		moshe := f.resolve(t, Email, "moshe.cohen@example.com", "Moshe")
		odd := f.resolve(t, Email, "odd@example.com", "100% Pure_Name")
		dup := f.resolve(t, Email, "dana.levi@work.example", "Dana L")
		if err := f.svc.Merge(ctx, dup.ID, dana.ID, agent); err != nil {
			t.Fatal(err)
		}
		ids := func(cs []Customer) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		cases := []struct {
			q    ListQuery
			want []string
		}{
			{ListQuery{}, []string{odd.ID, moshe.ID, dana.ID}}, // newest first; the merged one is hidden
			{ListQuery{Text: "DANA"}, []string{dana.ID}},
			{ListQuery{Text: "cohen@"}, []string{moshe.ID}},
			{ListQuery{Text: "050-123-4567"}, []string{dana.ID}},
			{ListQuery{Text: "+97250123"}, []string{dana.ID}},
			{ListQuery{Text: "work.example"}, []string{dana.ID}}, // an identity the merge brought
			{ListQuery{Text: "%"}, []string{odd.ID}},
			{ListQuery{Text: "e_n"}, []string{odd.ID}},
			{ListQuery{Text: "a_l"}, nil}, // "_" is a character, not LIKE's wildcard: "Dana Levi" does not match
			{ListQuery{Text: "nobody"}, nil},
			{ListQuery{Limit: 1, Offset: 1}, []string{moshe.ID}},
		}
		for _, c := range cases {
			got, err := f.svc.List(ctx, c.q)
			if err != nil {
				t.Fatalf("List(%+v): %v", c.q, err)
			}
			if !slices.Equal(ids(got), c.want) {
				t.Errorf("List(%+v) = %v, want %v", c.q, ids(got), c.want)
			}
		}
		got, _ := f.svc.List(ctx, ListQuery{Text: "dana"})
		if len(got) == 1 && len(got[0].Identities) != 2 {
			t.Errorf("listed Dana with %d identities, want 2", len(got[0].Identities))
		}
	})
}
