package selfservice

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/store"
)

// StepKind is what a step of a guided flow asks.
type StepKind string

// The kinds of step.
const (
	Question StepKind = "question" // a free answer: text, or a number
	Choice   StepKind = "choice"   // one of the step's options
	Confirm  StepKind = "confirm"  // the answers so far, to confirm before the case is opened
)

// Step is one page of a guided flow. Its ID is the answer's field, the name the service's
// limits compare ("transfer_amount").
type Step struct {
	ID      string            `json:"id"`
	Kind    StepKind          `json:"kind"`
	Label   map[string]string `json:"label"`          // the question, per language
	Help    map[string]string `json:"help,omitempty"` // a line under it
	Number  bool              `json:"number,omitempty"`
	Options []Option          `json:"options,omitempty"` // a choice's options
	Simple  map[string]string `json:"simple,omitempty"`  // the question in simple language, where the author wrote one
}

// Option is one answer of a choice.
type Option struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func checkFlow(s Service) error {
	if len(s.Flow) > 30 {
		return &ValidationError{Field: "flow", Reason: "at most 30 steps"}
	}
	for i, st := range s.Flow {
		field := fmt.Sprintf("flow[%d]", i)
		if !fieldName.MatchString(st.ID) {
			return &ValidationError{Field: field + ".id", Reason: "the answer's field: lower-case letters, digits and _, starting with a letter"}
		}
		if slices.IndexFunc(s.Flow, func(o Step) bool { return o.ID == st.ID }) != i {
			return &ValidationError{Field: field + ".id", Reason: st.ID + " is asked twice"}
		}
		switch st.Kind {
		case Question, Confirm, Upload, Code:
			if len(st.Options) > 0 {
				return &ValidationError{Field: field + ".options", Reason: "only a choice has options"}
			}
		case Choice:
			if len(st.Options) < 2 || len(st.Options) > 20 {
				return &ValidationError{Field: field + ".options", Reason: "a choice has 2 to 20 options"}
			}
			for j, o := range st.Options {
				of := fmt.Sprintf("%s.options[%d]", field, j)
				if o.Value == "" || len(o.Value) > 100 {
					return &ValidationError{Field: of + ".value", Reason: "1 to 100 characters"}
				}
				if slices.IndexFunc(st.Options, func(p Option) bool { return p.Value == o.Value }) != j {
					return &ValidationError{Field: of + ".value", Reason: o.Value + " is offered twice"}
				}
				if err := checkTexts(of+".label", o.Label, true, 200); err != nil {
					return err
				}
			}
		default:
			return &ValidationError{Field: field + ".kind", Reason: "question, choice, file, code or confirm"}
		}
		if err := checkTexts(field+".label", st.Label, true, 300); err != nil {
			return err
		}
		if err := checkTexts(field+".help", st.Help, false, 500); err != nil {
			return err
		}
		if err := checkTexts(field+".simple", st.Simple, false, 300); err != nil {
			return err
		}
		if st.Kind == Confirm && i != len(s.Flow)-1 {
			return &ValidationError{Field: field + ".kind", Reason: "the confirmation is the last step"}
		}
	}
	return nil
}

// Draft is a guided flow in progress, kept by the customer's browser between pages (sealed, so
// it cannot be altered there). Pos 0 is the contact step every flow starts with; Pos i+1 is
// the service's Flow[i].
type Draft struct {
	Service string         `json:"s"`
	Pos     int            `json:"p"`
	Contact string         `json:"c,omitempty"`
	CodeID  string         `json:"k,omitempty"` // the one-time code sent for the identity-check step it is at
	Answers map[string]any `json:"a,omitempty"`
	Exp     int64          `json:"e"`
}

// DraftTTL is how long a flow may sit between two pages before it must start again.
const DraftTTL = 2 * time.Hour

// maxDraft bounds a sealed draft: it travels in a cookie, and browsers keep 4 KB per cookie.
const maxDraft = 3800

// ErrDraftTooLarge says the answers no longer fit in a draft.
var ErrDraftTooLarge = errors.New("selfservice: the answers are too long to keep")

// NewDraft starts a flow of the service.
func (d *Desk) NewDraft(service string) Draft {
	return Draft{Service: service, Answers: map[string]any{}}
}

// SealDraft signs a draft with the server's key, refreshing its expiry.
func (d *Desk) SealDraft(ctx context.Context, dr Draft) (string, error) {
	key, err := d.signingKey(ctx)
	if err != nil {
		return "", err
	}
	dr.Exp = d.clock.Now().Add(DraftTTL).Unix()
	b, err := json.Marshal(dr)
	if err != nil {
		return "", fmt.Errorf("selfservice: seal draft: %w", err)
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	out := body + "." + base64.RawURLEncoding.EncodeToString(draftMAC(key, body))
	if len(out) > maxDraft {
		return "", ErrDraftTooLarge
	}
	return out, nil
}

// OpenDraft reads a sealed draft of the service. Anything altered, expired or of another
// service is ErrNotFound.
func (d *Desk) OpenDraft(ctx context.Context, sealed, service string) (Draft, error) {
	body, sig, ok := strings.Cut(sealed, ".")
	if !ok || len(sealed) > maxDraft {
		return Draft{}, ErrNotFound
	}
	key, err := d.signingKey(ctx)
	if err != nil {
		return Draft{}, err
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, draftMAC(key, body)) {
		return Draft{}, ErrNotFound
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Draft{}, ErrNotFound
	}
	var dr Draft
	if err := json.Unmarshal(raw, &dr); err != nil || dr.Service != service || d.clock.Now().Unix() >= dr.Exp || dr.Pos < 0 {
		return Draft{}, ErrNotFound
	}
	if dr.Answers == nil {
		dr.Answers = map[string]any{}
	}
	return dr, nil
}

func draftMAC(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher flow draft\x00" + body))
	return m.Sum(nil)[:macLen]
}

// Problems with an answer, as catalog keys the form shows.
const (
	ProblemRequired = "flow.required"
	ProblemNumber   = "flow.number"
	ProblemChoose   = "flow.choose"
	ProblemContact  = "flow.contact.invalid"
)

// CheckAnswer reads what the customer typed or picked for a step: the value to keep, or the
// catalog key of what is wrong with it. A confirmation takes no answer.
func CheckAnswer(st Step, raw string) (any, string) {
	raw = strings.TrimSpace(raw)
	if utf8.RuneCountInString(raw) > 500 {
		raw = string([]rune(raw)[:500])
	}
	switch st.Kind {
	case Confirm:
		return nil, ""
	case Upload:
		// The renderer stored the file and passes its address; anything else is no file.
		if !strings.HasPrefix(raw, media.URL("")) || len(raw) == len(media.URL("")) {
			return nil, ProblemFile
		}
		return raw, ""
	case Code:
		// The code is checked against what was sent (CheckCode); kept is only that it was.
		if raw != Verified {
			return nil, ProblemCodeWrong
		}
		return raw, ""
	case Choice:
		for _, o := range st.Options {
			if o.Value == raw {
				return raw, ""
			}
		}
		return nil, ProblemChoose
	}
	if raw == "" {
		return nil, ProblemRequired
	}
	if st.Number {
		n, ok := AnswerNumber(raw)
		if !ok {
			return nil, ProblemNumber
		}
		return n, ""
	}
	return raw, ""
}

// CheckContact reads the contact step: a phone number in any usual form, or an email
// address.
func CheckContact(raw string) (customer.IdentityKind, string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", ProblemContact
	}
	kind := customer.Phone
	if strings.Contains(raw, "@") {
		kind = customer.Email
	}
	v, err := customer.Normalize(kind, raw)
	if err != nil {
		return "", "", ProblemContact
	}
	return kind, v, ""
}

// FinishFlow turns a flow into a case: the customer is found by (or created with) the contact
// they gave, and the case opened with their answers, made on the web. stoppedAt names the
// step where a limit held, if one did; the case then says which way can finish it, and the
// stop is an event.
func (d *Desk) FinishFlow(ctx context.Context, svc Service, dr Draft, stoppedAt string) (Case, error) {
	kind, value, problem := CheckContact(dr.Contact)
	if problem != "" {
		return Case{}, &ValidationError{Field: "contact", Reason: "a phone number or an email address"}
	}
	var c Case
	err := d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cust, _, err := d.customers.Resolve(ctx, kind, value, "", event.Actor{Kind: event.ByCustomer})
		if err != nil {
			return err
		}
		c, err = d.FinishFlowFor(ctx, svc, cust.ID, dr.Answers, Web, stoppedAt)
		return err
	})
	return c, err
}

// FinishFlowFor opens the case of a flow whose customer is already known — the one who wrote
// on a chat channel — exactly as the web form's FinishFlow does once it has found them: the
// same answers make the same case, whichever rendering collected them. via is the way the
// flow ran on.
func (d *Desk) FinishFlowFor(ctx context.Context, svc Service, customerID string, answers map[string]any, via Way, stoppedAt string) (Case, error) {
	var c Case
	err := d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		actor := event.Actor{Kind: event.ByCustomer, ID: customerID}
		var err error
		if c, err = d.OpenCase(ctx, CaseInput{CustomerID: customerID, ServiceID: svc.ID, Answers: answers, Via: via}, actor); err != nil {
			return err
		}
		if c.Limit == nil {
			return nil
		}
		_, err = d.events.Append(ctx, event.Event{Kind: CaseFlowStopped, CustomerID: c.CustomerID, Actor: actor},
			map[string]any{"case_id": c.ID, "service_id": svc.ID, "step": stoppedAt, "finish_on": c.FinishOn, "rule": c.Limit.Rule, "via": via})
		return err
	})
	return c, err
}
