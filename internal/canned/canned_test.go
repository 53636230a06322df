package canned_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func newService(t *testing.T, db *store.DB) (*canned.Service, *event.Log) {
	clk := clock.NewManual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	events := event.NewLog(db, clk, bus.NewLocal(nil))
	return canned.NewService(db, clk, events), events
}

func TestCannedResponsesAreFoundByWordsLanguageAndChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, events := newService(t, db)
		michal := event.Actor{Kind: event.ByUser, ID: "michal"}
		for _, in := range []canned.Input{
			{Shortcut: "claim-received", Title: "Claim received", Body: "Hello {{customer.first_name}}, we received your claim.", Language: "en"},
			{Shortcut: "claim-received-he", Title: "קיבלנו את התביעה", Body: "שלום {{customer.first_name}}, קיבלנו את התביעה.", Language: "he"},
			{Shortcut: "follow-up", Title: "Follow-up template", Body: "Hello {{customer.first_name}}, we have an update on your claim.", Channels: []string{"whatsapp"}, ApprovedTemplate: true},
			{Shortcut: "thanks", Title: "Thanks", Body: "Thank you, {{customer.first_name}}!", Channels: []string{"email", "sms"}},
		} {
			if _, err := s.Create(ctx, in, michal); err != nil {
				t.Fatalf("create %s: %v", in.Shortcut, err)
			}
		}
		names := func(f canned.Filter) []string {
			rs, err := s.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, r := range rs {
				out = append(out, r.Shortcut)
			}
			return out
		}
		for _, c := range []struct {
			f    canned.Filter
			want []string
		}{
			{canned.Filter{Query: "claim"}, []string{"claim-received", "claim-received-he", "follow-up"}},
			{canned.Filter{Query: "תביעה"}, []string{"claim-received-he"}},
			{canned.Filter{Language: "he", ChannelKind: "whatsapp"}, []string{"claim-received-he", "follow-up"}},
			{canned.Filter{Language: "en", ChannelKind: "sms"}, []string{"claim-received", "thanks"}},
			{canned.Filter{Query: "CLAIM update"}, []string{"follow-up"}},
		} {
			if got := names(c.f); !slices.Equal(got, c.want) {
				t.Errorf("List(%+v) = %v; want %v", c.f, got, c.want)
			}
		}
		if n, _ := events.Count(ctx, canned.Created); n != 4 {
			t.Errorf("%d canned.created events; want 4", n)
		}
	})
}

func TestCannedResponsesAreValidatedAndEdited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		admin := event.Actor{Kind: event.ByUser, ID: "admin"}
		r, err := s.Create(ctx, canned.Input{Shortcut: " Greeting ", Title: "Greeting", Body: "Hi {{customer.first_name}}"}, admin)
		if err != nil || r.Shortcut != "greeting" {
			t.Fatalf("create: %+v, %v; want the shortcut trimmed and lower-cased", r, err)
		}
		for field, in := range map[string]canned.Input{
			"shortcut":          {Shortcut: "greeting", Title: "Again", Body: "x"},
			"body":              {Shortcut: "bad-var", Title: "Bad", Body: "Hi {{customer.password}}"},
			"channels":          {Shortcut: "fax", Title: "Fax", Body: "x", Channels: []string{"fax"}},
			"approved_template": {Shortcut: "sms-tpl", Title: "SMS", Body: "x", Channels: []string{"sms"}, ApprovedTemplate: true},
		} {
			_, err := s.Create(ctx, in, admin)
			var ve *canned.ValidationError
			if !errors.As(err, &ve) || ve.Field != field {
				t.Errorf("create %+v: %v; want a validation error on %s", in, err, field)
			}
		}
		up, err := s.Update(ctx, r.ID, canned.Input{Shortcut: "greeting", Title: "Greeting", Body: "Hello {{customer.first_name}}", Language: "en"}, admin)
		if err != nil || up.Body != "Hello {{customer.first_name}}" || up.Language != "en" {
			t.Fatalf("update: %+v, %v", up, err)
		}
		if got, _ := s.Get(ctx, r.ID); got.Body != up.Body {
			t.Errorf("after update the stored body is %q", got.Body)
		}
		if err := s.Delete(ctx, r.ID, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, r.ID); !errors.Is(err, canned.ErrNotFound) {
			t.Errorf("after delete: %v; want ErrNotFound", err)
		}
		if err := s.Delete(ctx, r.ID, admin); !errors.Is(err, canned.ErrNotFound) {
			t.Errorf("second delete: %v; want ErrNotFound", err)
		}
	})
}
