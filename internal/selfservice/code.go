package selfservice

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// The kinds of step besides a question, a choice and the confirmation.
const (
	Upload StepKind = "file" // a file: a photo of the damage, a scanned form
	Code   StepKind = "code" // an identity check: a one-time code sent to the customer's phone or email
)

// Event kinds of identity checks. Neither carries the code.
const (
	CodeSent     event.Kind = "flow.code-sent"
	CodeVerified event.Kind = "flow.code-verified"
	CodeRefused  event.Kind = "flow.code-refused"
)

// Problems with an identity check or a file, as catalog keys.
const (
	ProblemCodeWrong   = "flow.code.wrong"   // not the code sent; tries are left
	ProblemCodeExpired = "flow.code.expired" // expired, used, or tried too often: a new one is sent
	ProblemCodeUnsent  = "flow.code.unsent"  // no channel of the customer can carry a code
	ProblemFile        = "flow.file.required"
)

// Identity checks: a code is six digits, good for ten minutes and five tries.
const (
	CodeTTL      = 10 * time.Minute
	CodeAttempts = 5
)

// ErrCodeUnsent says no channel fits the customer for sending a code.
var ErrCodeUnsent = errors.New("selfservice: no channel can carry a code to the customer")

// Verified is the answer an identity-check step keeps once its code was right.
const Verified = "verified"

// The SQL of codes.
const (
	sqlInsertCode = `INSERT INTO flow_codes (id, customer_id, service_id, digest, attempts, expires_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)`
	sqlSelectCode = `SELECT customer_id, service_id, digest, attempts, expires_at, used_at FROM flow_codes WHERE id = ?`
	sqlTryCode    = `UPDATE flow_codes SET attempts = attempts + 1 WHERE id = ?`
	sqlUseCode    = `UPDATE flow_codes SET used_at = ? WHERE id = ? AND used_at IS NULL`
)

// SendCode sends the customer a new one-time code for svc's identity-check step, on their
// fitting channel (as case notifications pick it: the one they last wrote on that fits, else
// an SMS to their phone or a mail to their address), and returns the code's id, which the
// flow keeps to check the answer against. The code is sent and a digest stored; it is never
// logged nor put in an event.
func (d *Desk) SendCode(ctx context.Context, svc Service, customerID, lang string) (string, error) {
	var id string
	err := d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cust, err := d.canonical(ctx, customerID)
		if err != nil {
			return err
		}
		ch, _, _, err := d.fittingChannel(ctx, cust)
		if err != nil {
			return err
		}
		if ch == nil {
			return ErrCodeUnsent
		}
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return fmt.Errorf("selfservice: code: %w", err)
		}
		code := fmt.Sprintf("%06d", n.Int64())
		key, err := d.signingKey(ctx)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		id = newCaseID()
		if _, err := tx.Exec(ctx, sqlInsertCode, id, cust.ID, svc.ID, codeDigest(key, id, code), now.Add(CodeTTL).UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("selfservice: store code: %w", err)
		}
		cat := d.catalog(lang)
		text := cat.T("flow.code.message", "code", code, "service", Text(svc.Name, cat.Lang), "minutes", fmt.Sprint(int(CodeTTL.Minutes())))
		if _, err := d.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: cust.ID, ChannelID: ch.ID, Text: text, Secret: true}); err != nil {
			var unfit *channel.NotFitError
			if errors.As(err, &unfit) {
				return ErrCodeUnsent
			}
			return fmt.Errorf("selfservice: send code: %w", err)
		}
		_, err = d.events.Append(ctx, event.Event{Kind: CodeSent, CustomerID: cust.ID, ChannelID: ch.ID, Actor: event.System},
			map[string]any{"code_id": id, "service_id": svc.ID})
		return err
	})
	return id, err
}

// CheckCode checks what the customer typed against the code id, for customerID: "" when it is
// the code (which then opens nothing again), else the catalog key of what is wrong. Every try
// counts, right or wrong, and is committed even when refused, so guessing runs out of tries.
// The digests are compared in constant time.
func (d *Desk) CheckCode(ctx context.Context, id, customerID, typed string) (string, error) {
	problem := ""
	err := d.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var owner, service, digest string
		var attempts int
		var expires int64
		var used *int64
		err := tx.QueryRow(ctx, sqlSelectCode, id).Scan(&owner, &service, &digest, &attempts, &expires, &used)
		if store.IsNoRows(err) {
			problem = ProblemCodeExpired
			return nil
		}
		if err != nil {
			return fmt.Errorf("selfservice: read code: %w", err)
		}
		cust, err := d.canonical(ctx, customerID)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		if used != nil || attempts >= CodeAttempts || now.UnixMilli() >= expires || (owner != customerID && owner != cust.ID) {
			problem = ProblemCodeExpired
			return nil
		}
		if _, err := tx.Exec(ctx, sqlTryCode, id); err != nil {
			return fmt.Errorf("selfservice: count try: %w", err)
		}
		key, err := d.signingKey(ctx)
		if err != nil {
			return err
		}
		want, _ := hex.DecodeString(digest)
		got, _ := hex.DecodeString(codeDigest(key, id, digitsOf(typed)))
		ev := event.Event{Kind: CodeVerified, CustomerID: cust.ID, Actor: event.Actor{Kind: event.ByCustomer, ID: cust.ID}}
		if !hmac.Equal(got, want) {
			problem = ProblemCodeWrong
			if attempts+1 >= CodeAttempts {
				problem = ProblemCodeExpired
			}
			ev.Kind = CodeRefused
		} else if _, err := tx.Exec(ctx, sqlUseCode, now.UnixMilli(), id); err != nil {
			return fmt.Errorf("selfservice: use code: %w", err)
		}
		_, err = d.events.Append(ctx, ev, map[string]any{"code_id": id, "service_id": service, "attempt": attempts + 1})
		return err
	})
	return problem, err
}

// digitsOf keeps the digits of what was typed ("123 456", "١٢٣٤٥٦"), as ASCII.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			if r > '9' {
				r = '0' + digitOf(r)
			}
			b.WriteRune(r)
		}
		if b.Len() > 12 {
			break
		}
	}
	return b.String()
}

// digitOf is the value of a decimal digit of any script: digit blocks run 0-9 in order.
func digitOf(r rune) rune {
	z := r
	for z > r-10 && unicode.IsDigit(z-1) {
		z--
	}
	return (r - z) % 10
}

func codeDigest(key []byte, id, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher flow code\x00" + id + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}
