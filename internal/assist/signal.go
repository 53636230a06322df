package assist

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// What the widget may report. A page report says "the visitor is on this page" (the page
// token says what the server rendered there); a dwell report says how long it has been on
// screen.
const (
	ReportPage  = "page"
	ReportDwell = "dwell"
)

// MaxSignalBody bounds a signal's body: a page token and a few small fields.
const MaxSignalBody = 4 << 10

// maxDwell bounds the seconds a browser may claim for one page.
const maxDwell = 4 * 3600

// SignalInput is one report from the widget, parsed.
type SignalInput struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"token"`
	Kind      string `json:"kind"`
	Page      string `json:"page"`
	Seconds   int    `json:"seconds,omitempty"`
	Lang      string `json:"lang,omitempty"`
}

// ParseSignal reads the widget's report: one JSON object of known fields, nothing after it.
// Everything wrong is an *InputError naming the field; the visitor's token is checked by the
// caller, against the channel.
func ParseSignal(body []byte) (SignalInput, error) {
	var in SignalInput
	if len(body) > MaxSignalBody {
		return in, &InputError{"body", fmt.Sprintf("larger than %d bytes", MaxSignalBody)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return SignalInput{}, &InputError{"body", "not a JSON object of visitor_id, token, kind, page, seconds, lang"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return SignalInput{}, &InputError{"body", "one JSON object only"}
	}
	if in.VisitorID == "" || in.Token == "" {
		return SignalInput{}, &InputError{"token", "visitor_id and token are required"}
	}
	switch in.Kind {
	case ReportPage:
		if in.Seconds != 0 {
			return SignalInput{}, &InputError{"seconds", "only a dwell report has seconds"}
		}
	case ReportDwell:
		if in.Seconds < 1 || in.Seconds > maxDwell {
			return SignalInput{}, &InputError{"seconds", "from 1 to " + strconv.Itoa(maxDwell)}
		}
	default:
		return SignalInput{}, &InputError{"kind", "page or dwell"}
	}
	if in.Page == "" || len(in.Page) > maxPageToken {
		return SignalInput{}, &InputError{"page", "the page token of the page the widget is on"}
	}
	if !validLang(in.Lang) {
		return SignalInput{}, &InputError{"lang", "a language code such as he or en"}
	}
	return in, nil
}

func validLang(l string) bool {
	if len(l) > 8 {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

// Answer is what a signal leads to: the visit's offer, if it has one not yet answered.
type Answer struct {
	Offer *Offer
	// New says this signal made the offer.
	New bool
}

// Record stores a report of a visitor whose token the caller has checked, derives the
// signals the server knows (a flow left half-way), and, when the visit has no offer yet and
// a rule holds, makes the visit's one offer — all in one transaction, behind the visitor's
// row, so that two tabs' reports are decided one after the other and a visit never gets two.
func (s *Service) Record(ctx context.Context, channelID string, in SignalInput) (Answer, error) {
	page, err := s.OpenPage(ctx, in.Page)
	if err != nil {
		return Answer{}, err
	}
	var ans Answer
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		ans = Answer{}
		now := s.clock.Now()
		v, err := s.touchVisit(ctx, tx, channelID, in.VisitorID, in.Lang, now)
		if err != nil {
			return err
		}
		past, err := s.signalsOf(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		fresh := derive(page, in, past, now)
		for _, sg := range fresh {
			res, err := tx.Exec(ctx, sqlInsertSignal, sg.ID, v.ID, sg.Kind, sg.Ref, sg.Detail, sg.Category, sg.Value, sg.Dedupe, now.UnixMilli())
			if err != nil {
				return fmt.Errorf("assist: record signal: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // reported before (a reload, a second tab): counted once
			}
			if _, err := s.events.Append(ctx, event.Event{Kind: SignalRecorded, CustomerID: v.CustomerID, ChannelID: channelID, Actor: customerActor(v.CustomerID)},
				signalData{VisitID: v.ID, Visitor: in.VisitorID, Signal: sg.Kind, Ref: sg.Ref, Detail: sg.Detail, Category: sg.Category, Value: sg.Value}); err != nil {
				return err
			}
			past = append(past, sg)
		}
		o, err := s.offerOf(ctx, tx, v.ID)
		if err == nil {
			if err := s.noteOutcome(ctx, tx, v, o, page); err != nil {
				return err
			}
			if o.Status == StatusMade {
				ans.Offer = &o
			}
			return nil
		}
		if err != ErrNotFound {
			return err
		}
		made, err := s.decide(ctx, tx, v, past)
		if err != nil || made == nil {
			return err
		}
		ans.Offer, ans.New = made, true
		return nil
	})
	return ans, err
}

// touchVisit locks the visitor's row and returns their current visit, starting a new one
// after VisitIdle of silence. The row is written first (an insert that does nothing when it
// exists, then an update), so that on PostgreSQL a concurrent report of the same visitor waits
// here until this transaction ends, and then sees what it wrote.
func (s *Service) touchVisit(ctx context.Context, tx *store.Tx, channelID, visitorID, lang string, now time.Time) (visit, error) {
	v := visit{ChannelID: channelID, VisitorID: visitorID, Lang: lang}
	if _, err := tx.Exec(ctx, sqlInsertVisitor, channelID, visitorID); err != nil {
		return v, fmt.Errorf("assist: visitor: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlLockVisitor, channelID, visitorID); err != nil {
		return v, fmt.Errorf("assist: lock visitor: %w", err)
	}
	var last int64
	if err := tx.QueryRow(ctx, sqlSelectVisitor, channelID, visitorID).Scan(&v.ID, &last); err != nil {
		return v, fmt.Errorf("assist: read visitor: %w", err)
	}
	if v.ID != "" && now.Sub(time.UnixMilli(last)) <= VisitIdle {
		var storedLang string
		if err := tx.QueryRow(ctx, sqlSelectVisit, v.ID).Scan(&v.CustomerID, &storedLang); err != nil {
			return v, fmt.Errorf("assist: read visit: %w", err)
		}
		if lang == "" {
			v.Lang = storedLang
		}
		if _, err := tx.Exec(ctx, sqlTouchVisit, now.UnixMilli(), v.Lang, v.ID); err != nil {
			return v, fmt.Errorf("assist: touch visit: %w", err)
		}
		_, err := tx.Exec(ctx, sqlSetVisitor, v.ID, now.UnixMilli(), channelID, visitorID)
		return v, err
	}
	// A new visit. A visitor who has written before is a customer already: the visit's
	// signals go on their timeline from the first one.
	if c, err := s.customers.FindByIdentity(ctx, customer.Visitor, visitorID); err == nil {
		v.CustomerID = c.ID
	}
	v.ID = store.NewID(now)
	if _, err := tx.Exec(ctx, sqlInsertVisit, v.ID, channelID, visitorID, v.CustomerID, lang, now.UnixMilli(), now.UnixMilli()); err != nil {
		return v, fmt.Errorf("assist: start visit: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlSetVisitor, v.ID, now.UnixMilli(), channelID, visitorID); err != nil {
		return v, fmt.Errorf("assist: set visit: %w", err)
	}
	return v, nil
}

// derive turns one report into the signals it means, given what the visit reported before.
// A page report is the page itself (a search, an article, a flow step); a dwell report is the
// seconds on it. Leaving a flow for a page that is not its next step is a flow left half-way:
// the server sees that, the browser does not have to say it.
func derive(p Page, in SignalInput, past []signal, now time.Time) []signal {
	mk := func(kind, ref, detail, category string, value int64, dedupe string) signal {
		return signal{ID: store.NewID(now), Kind: kind, Ref: ref, Detail: detail, Category: category, Value: value, Dedupe: dedupe, At: now}
	}
	if in.Kind == ReportDwell {
		return []signal{mk(sigDwell, p.Ref, string(p.Kind), p.Category, int64(in.Seconds), "dwell:"+p.Nonce+":"+strconv.Itoa(in.Seconds))}
	}
	var out []signal
	if last, ok := lastFlowStep(past); ok && !(p.Kind == PageFlow && p.Ref == last.Ref) {
		out = append(out, mk(sigAbandoned, last.Ref, last.Detail, "", 0, "abandoned:"+last.ID))
	}
	switch p.Kind {
	case PageSearch:
		out = append(out, mk(sigSearch, p.Ref, p.Query, "", int64(p.Results), "search:"+p.Ref))
	case PageArticle:
		out = append(out, mk(sigArticle, p.Ref, "", p.Category, 0, "page:"+p.Nonce))
	case PageFlow:
		if p.Done {
			out = append(out, mk(sigFlowDone, p.Ref, p.Step, "", 0, "page:"+p.Nonce))
		} else {
			e := int64(0)
			if p.Error {
				e = 1
			}
			out = append(out, mk(sigFlowStep, p.Ref, p.Step, "", e, "page:"+p.Nonce))
		}
	default:
		out = append(out, mk(sigPage, p.Ref, "", "", 0, "page:"+p.Nonce))
	}
	return out
}

// lastFlowStep is the visit's last flow signal, when it is a step (the flow is under way) and
// has not been counted as left already.
func lastFlowStep(past []signal) (signal, bool) {
	for i := len(past) - 1; i >= 0; i-- {
		switch past[i].Kind {
		case sigFlowDone:
			return signal{}, false
		case sigAbandoned:
			return signal{}, false
		case sigFlowStep:
			return past[i], true
		}
	}
	return signal{}, false
}

func (s *Service) signalsOf(ctx context.Context, q store.Querier, visitID string) ([]signal, error) {
	rows, err := q.Query(ctx, sqlSelectSignals, visitID)
	if err != nil {
		return nil, fmt.Errorf("assist: read signals: %w", err)
	}
	defer rows.Close()
	var out []signal
	for rows.Next() {
		var sg signal
		var at int64
		if err := rows.Scan(&sg.ID, &sg.Kind, &sg.Ref, &sg.Detail, &sg.Category, &sg.Value, &sg.Dedupe, &at); err != nil {
			return nil, fmt.Errorf("assist: scan signal: %w", err)
		}
		sg.At = time.UnixMilli(at).UTC()
		out = append(out, sg)
	}
	return out, rows.Err()
}

// factsOf adds a visit's signals up. Whether a search was clicked is the help centre's record.
func (s *Service) factsOf(ctx context.Context, sigs []signal) (Facts, error) {
	var searches []string
	for _, sg := range sigs {
		if sg.Kind == sigSearch {
			searches = append(searches, sg.Ref)
		}
	}
	clicked := map[string]bool{}
	if len(searches) > 0 && s.clicks != nil {
		var err error
		if clicked, err = s.clicks.Clicked(ctx, searches); err != nil {
			return Facts{}, err
		}
	}
	return computeFacts(sigs, clicked), nil
}

// computeFacts is factsOf without the database: the table tests' entry.
func computeFacts(sigs []signal, clicked map[string]bool) Facts {
	f := newFacts()
	views := map[string]float64{}
	maxTo := func(k string, v float64) {
		if v > f.Nums[k] {
			f.Nums[k] = v
		}
	}
	for _, sg := range sigs {
		switch sg.Kind {
		case sigSearch:
			f.Nums[FactSearches]++
			if !clicked[sg.Ref] {
				f.Nums[FactSearchesNoClick]++
			}
			if sg.Value == 0 {
				f.Nums[FactSearchesNoResult]++
			}
		case sigFlowStep:
			f.Nums[FactFormErrors] += float64(sg.Value)
		case sigArticle:
			views[sg.Ref]++
			maxTo(FactArticleRevisits, views[sg.Ref]-1)
		case sigDwell:
			maxTo(FactDwell, float64(sg.Value))
			if sg.Category != "" {
				maxTo(FactDwell+":"+sg.Category, float64(sg.Value))
			}
		case sigAbandoned:
			f.Nums[FactAbandoned]++
			if f.Sets[FactAbandonedAt] == nil {
				f.Sets[FactAbandonedAt] = map[string]bool{}
			}
			f.Sets[FactAbandonedAt][sg.Detail] = true
			f.Sets[FactAbandonedAt][sg.Ref+"/"+sg.Detail] = true
		}
	}
	return f
}
