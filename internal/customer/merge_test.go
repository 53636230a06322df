package customer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// recordingHook stands in for the conversation package.
type recordingHook struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (h *recordingHook) CustomerMerged(ctx context.Context, src, dst string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "merged "+src+" "+dst)
	return h.fail
}

func (h *recordingHook) CustomerUnmerged(ctx context.Context, src, dst string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "unmerged "+src+" "+dst)
	return h.fail
}

func TestMergeMovesIdentitiesAndTimeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		hook := &recordingHook{}
		f.svc.SetMergeHook(hook)
		ctx := context.Background()
		// Dana wrote on SMS, then by email; the agent sees it is one person.
		sms := f.resolve(t, Phone, "050-123-4567", "Dana")
		mail := f.resolve(t, Email, "dana@example.com", "Dana Levi")
		if err := f.svc.Merge(ctx, sms.ID, mail.ID, agent); err != nil {
			t.Fatal(err)
		}
		c, created, err := f.svc.Resolve(ctx, Phone, "+972501234567", "", event.System)
		if err != nil || created || c.ID != mail.ID {
			t.Errorf("Resolve of the source's phone: %s created %v err %v; want the target %s", c.ID, created, err, mail.ID)
		}
		if got, want := values(c.Identities), []string{"email:dana@example.com", "phone:+972501234567"}; !slices.Equal(got, want) {
			t.Errorf("target's identities %v, want %v", got, want)
		}
		src, _ := f.svc.Get(ctx, sms.ID)
		if src.MergedInto != mail.ID || len(src.Identities) != 0 {
			t.Errorf("source after merge: merged_into %q, %d identities; want %s and none", src.MergedInto, len(src.Identities), mail.ID)
		}
		if want := []string{"merged " + sms.ID + " " + mail.ID}; !slices.Equal(hook.calls, want) {
			t.Errorf("hook calls %v, want %v", hook.calls, want)
		}
		for _, id := range []string{sms.ID, mail.ID} {
			evs := f.events(t, event.CustomerMerged, id)
			if len(evs) != 1 {
				t.Fatalf("%d customer.merged events on %s, want 1", len(evs), id)
			}
			var d mergeData
			if err := json.Unmarshal(evs[0].Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Source != sms.ID || d.Target != mail.ID || len(d.Identities) != 1 || d.Identities[0].Value != "+972501234567" {
				t.Errorf("merge event data %s", evs[0].Data)
			}
		}

		fam, err := f.svc.Family(ctx, mail.ID)
		if err != nil || !slices.Equal(fam, []string{mail.ID, sms.ID}) {
			t.Errorf("Family = %v, %v; want [%s %s]", fam, err, mail.ID, sms.ID)
		}
		tl, err := f.svc.Timeline(ctx, mail.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var smsCreated bool
		for i, e := range tl {
			if i > 0 && e.Seq >= tl[i-1].Seq {
				t.Errorf("timeline not newest first at %d", i)
			}
			smsCreated = smsCreated || (e.Kind == event.CustomerCreated && e.CustomerID == sms.ID)
		}
		if !smsCreated {
			t.Errorf("the target's timeline lacks the source's customer.created event: %v", tl)
		}
		// Paging back from the second-newest event continues where the first page ended.
		page, err := f.svc.Timeline(ctx, mail.ID, tl[0].Seq, 2)
		if err != nil || len(page) != 2 || page[0].Seq != tl[1].Seq {
			t.Errorf("Timeline(before %d, 2) = %d events, %v; want from seq %d", tl[0].Seq, len(page), err, tl[1].Seq)
		}
		// The source's own timeline is only its own events: nothing was rewritten.
		own, _ := f.svc.Timeline(ctx, sms.ID, 0, 100)
		for _, e := range own {
			if e.CustomerID != sms.ID {
				t.Errorf("source timeline holds %s of %s", e.Kind, e.CustomerID)
			}
		}
	})
}

func TestUnmergeGivesBackOnlyOriginalIdentities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		hook := &recordingHook{}
		f.svc.SetMergeHook(hook)
		ctx := context.Background()
		a := f.resolve(t, Phone, "050-123-4567", "Dana")
		older := f.resolve(t, Visitor, "visitor-token-1", "") // merged into a first
		b := f.resolve(t, Email, "dana@example.com", "Dana")
		if err := f.svc.Merge(ctx, older.ID, a.ID, agent); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Merge(ctx, a.ID, b.ID, agent); err != nil {
			t.Fatal(err)
		}
		// While merged: one identity on the target, one on the merged source.
		if _, err := f.svc.AddIdentity(ctx, b.ID, Telegram, "4242", agent); err != nil {
			t.Fatal(err)
		}
		wa, err := f.svc.AddIdentity(ctx, a.ID, WhatsApp, "972501234567", agent)
		if err != nil {
			t.Fatal(err)
		}
		if wa.CustomerID != b.ID {
			t.Errorf("identity added to a merged customer lives on %s, want the target %s", wa.CustomerID, b.ID)
		}
		if fam, _ := f.svc.Family(ctx, b.ID); len(fam) != 3 {
			t.Errorf("Family(b) = %v, want b, a and the customer merged into a", fam)
		}

		if err := f.svc.Unmerge(ctx, a.ID, agent); err != nil {
			t.Fatal(err)
		}
		gotA, _ := f.svc.Get(ctx, a.ID)
		gotB, _ := f.svc.Get(ctx, b.ID)
		if gotA.MergedInto != "" {
			t.Errorf("a still merged into %s", gotA.MergedInto)
		}
		if got, want := values(gotA.Identities), []string{"phone:+972501234567", "visitor:visitor-token-1", "whatsapp:972501234567"}; !slices.Equal(got, want) {
			t.Errorf("a's identities after unmerge %v, want %v", got, want)
		}
		if got, want := values(gotB.Identities), []string{"email:dana@example.com", "telegram:4242"}; !slices.Equal(got, want) {
			t.Errorf("b's identities after unmerge %v, want %v", got, want)
		}
		if c, _, _ := f.svc.Resolve(ctx, Phone, "0501234567", "", event.System); c.ID != a.ID {
			t.Errorf("Resolve of a's phone after unmerge: %s, want a %s", c.ID, a.ID)
		}
		if o, _ := f.svc.Get(ctx, older.ID); o.MergedInto != a.ID {
			t.Errorf("the customer merged into a earlier now points to %q, want a", o.MergedInto)
		}
		if fam, _ := f.svc.Family(ctx, b.ID); !slices.Equal(fam, []string{b.ID}) {
			t.Errorf("Family(b) after unmerge = %v, want only b", fam)
		}
		if want := "unmerged " + a.ID + " " + b.ID; hook.calls[len(hook.calls)-1] != want {
			t.Errorf("last hook call %q, want %q", hook.calls[len(hook.calls)-1], want)
		}
		for _, id := range []string{a.ID, b.ID} {
			if n := len(f.events(t, event.CustomerUnmerged, id)); n != 1 {
				t.Errorf("%d customer.unmerged events on %s, want 1", n, id)
			}
		}
		// Merge events written before stay: the log is append-only.
		if n := len(f.events(t, event.CustomerMerged, b.ID)); n != 1 {
			t.Errorf("%d customer.merged events on b after unmerge, want 1", n)
		}
	})
}

func TestMergeErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a := f.resolve(t, Phone, "050-123-4567", "")
		b := f.resolve(t, Phone, "052-765-4321", "")
		c := f.resolve(t, Phone, "03-1234567", "")
		if err := f.svc.Merge(ctx, a.ID, a.ID, agent); !errors.Is(err, ErrMergeSelf) {
			t.Errorf("merge into itself: %v, want ErrMergeSelf", err)
		}
		if err := f.svc.Merge(ctx, a.ID, "ghost", agent); !errors.Is(err, ErrNotFound) {
			t.Errorf("merge into a missing customer: %v, want ErrNotFound", err)
		}
		if err := f.svc.Merge(ctx, "ghost", a.ID, agent); !errors.Is(err, ErrNotFound) {
			t.Errorf("merge of a missing customer: %v, want ErrNotFound", err)
		}
		if err := f.svc.Unmerge(ctx, a.ID, agent); !errors.Is(err, ErrNotMerged) {
			t.Errorf("unmerge of a customer never merged: %v, want ErrNotMerged", err)
		}
		if err := f.svc.Merge(ctx, a.ID, b.ID, agent); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Merge(ctx, a.ID, c.ID, agent); !errors.Is(err, ErrAlreadyMerged) {
			t.Errorf("merge of a merged source: %v, want ErrAlreadyMerged", err)
		}
		if err := f.svc.Merge(ctx, c.ID, a.ID, agent); !errors.Is(err, ErrAlreadyMerged) {
			t.Errorf("merge into a merged target: %v, want ErrAlreadyMerged", err)
		}
		if err := f.svc.Merge(ctx, b.ID, a.ID, agent); !errors.Is(err, ErrAlreadyMerged) {
			t.Errorf("merge back into the merged source (a cycle): %v, want ErrAlreadyMerged", err)
		}

		// A hook that fails undoes the whole merge.
		f.svc.SetMergeHook(&recordingHook{fail: errors.New("conversations are locked")})
		if err := f.svc.Merge(ctx, c.ID, b.ID, agent); err == nil {
			t.Fatal("merge with a failing hook succeeded")
		}
		got, _ := f.svc.Get(ctx, c.ID)
		if got.MergedInto != "" || len(got.Identities) != 1 {
			t.Errorf("after a failed merge c is merged into %q with %d identities; want untouched", got.MergedInto, len(got.Identities))
		}
		if n := len(f.events(t, event.CustomerMerged, c.ID)); n != 0 {
			t.Errorf("%d merge events after a failed merge, want 0", n)
		}
		if err := f.svc.Unmerge(ctx, a.ID, agent); err == nil {
			t.Fatal("unmerge with a failing hook succeeded")
		}
		if got, _ := f.svc.Get(ctx, a.ID); got.MergedInto != b.ID {
			t.Errorf("after a failed unmerge a is merged into %q, want still %s", got.MergedInto, b.ID)
		}
	})
}

func TestConcurrentOpposingMerges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for round := range 5 {
			a := f.resolve(t, Telegram, string(rune('1'+round))+"01", "")
			b := f.resolve(t, Telegram, string(rune('1'+round))+"02", "")
			var errs [2]error
			var wg sync.WaitGroup
			wg.Go(func() { errs[0] = f.svc.Merge(ctx, a.ID, b.ID, agent) })
			wg.Go(func() { errs[1] = f.svc.Merge(ctx, b.ID, a.ID, agent) })
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: merge a→b: %v, b→a: %v; want exactly one to succeed", round, errs[0], errs[1])
			}
			for _, err := range errs {
				if err != nil && !errors.Is(err, ErrAlreadyMerged) {
					t.Errorf("round %d: the losing merge: %v, want ErrAlreadyMerged", round, err)
				}
			}
			if n := f.count(t, `SELECT COUNT(*) FROM customers WHERE id IN (?, ?) AND merged_into IS NULL`, a.ID, b.ID); n != 1 {
				t.Errorf("round %d: %d canonical customers of the pair, want 1", round, n)
			}
		}
	})
}
