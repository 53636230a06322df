package selfservice

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
)

// Signing in on the help centre without a password: the customer gives a phone number or an
// email address, gets a one-time code on a channel that fits them (the identity check's code,
// SendCode), and types it back. What proves the sign-in is then a session token under the
// tracker's key, so every node verifies it without a session table.

// The purposes of the sign-in's signed tokens; see SignLink.
const (
	purposeSignIn  = "help-sign-in"
	purposeSession = "help-customer"
)

// SignInService is the id identity-check codes for a help-centre sign-in are stored under.
const SignInService = "help-sign-in"

// Sign-in lifetimes: the pending sign-in lasts as long as its code; a session a week, so a
// customer following a claim finds it on the next visit without a new code each time.
const (
	SignInTTL  = CodeTTL
	SessionTTL = 7 * 24 * time.Hour
)

// StartSignIn sends a code to the customer an identity leads to and returns the pending
// sign-in: a signed token naming the code and the customer, which the browser keeps until the
// code is typed. name is how the code's message names the help centre, per language.
//
// An identity that leads to no customer, or to one no channel can carry a code to, gets a
// pending sign-in just the same, shaped the same, that no code will ever finish: whoever asks
// learns nothing about who is a customer.
func (d *Desk) StartSignIn(ctx context.Context, kind customer.IdentityKind, value string, name map[string]string, lang string) (string, error) {
	cust, err := d.findSignIn(ctx, kind, value)
	codeID := newCaseID()
	switch {
	case errors.Is(err, customer.ErrNotFound):
		cust = customer.Customer{ID: newCaseID()}
	case err != nil:
		return "", err
	default:
		id, err := d.SendCode(ctx, Service{ID: SignInService, Name: name}, cust.ID, lang)
		switch {
		case errors.Is(err, ErrCodeUnsent):
		case err != nil:
			return "", err
		default:
			codeID = id
		}
	}
	tok, err := d.SignLink(ctx, purposeSignIn+"\x00"+cust.ID, codeID, d.clock.Now().Add(SignInTTL))
	if err != nil {
		return "", err
	}
	return cust.ID + "." + tok, nil
}

// findSignIn is the customer an identity leads to: a phone number is also tried as the
// WhatsApp number it is, since many customers only ever wrote on WhatsApp.
func (d *Desk) findSignIn(ctx context.Context, kind customer.IdentityKind, value string) (customer.Customer, error) {
	c, err := d.customers.FindByIdentity(ctx, kind, value)
	if errors.Is(err, customer.ErrNotFound) && kind == customer.Phone {
		c, err = d.customers.FindByIdentity(ctx, customer.WhatsApp, value)
	}
	var invalid *customer.InvalidIdentityError
	if errors.As(err, &invalid) {
		return c, customer.ErrNotFound
	}
	return c, err
}

// FinishSignIn checks the code typed for a pending sign-in and returns the customer it signs
// in, or "" with the catalog key of what is wrong: a wrong code (tries are left) or one that
// expired, was used or was tried too often. A pending sign-in that is malformed, tampered with
// or expired is the expired one; one StartSignIn made for nobody is wrong until it expires.
// The help centre tells the customer both in one sentence, so neither tells who is a customer.
func (d *Desk) FinishSignIn(ctx context.Context, pending, typed string) (string, string, error) {
	custID, tok, ok := SplitPending(pending)
	if !ok {
		return "", ProblemCodeExpired, nil
	}
	codeID, err := d.OpenLink(ctx, purposeSignIn+"\x00"+custID, tok)
	if errors.Is(err, ErrNotFound) {
		return "", ProblemCodeExpired, nil
	}
	if err != nil {
		return "", "", err
	}
	problem, err := d.CheckCode(ctx, codeID, custID, typed)
	if err != nil {
		return "", "", err
	}
	if problem == ProblemCodeExpired {
		if _, err := d.customers.Get(ctx, custID); errors.Is(err, customer.ErrNotFound) {
			// No code was ever stored for nobody; answering "expired" at once would tell.
			problem = ProblemCodeWrong
		}
	}
	if problem != "" {
		return "", problem, nil
	}
	cust, err := d.canonical(ctx, custID)
	if err != nil {
		return "", "", err
	}
	return cust.ID, "", nil
}

// SplitPending splits a pending sign-in into the customer id and the signed token, checking
// only its shape. ok is false for anything not shaped like one.
func SplitPending(s string) (custID, tok string, ok bool) {
	custID, tok, found := strings.Cut(s, ".")
	if !found || len(custID) != 26 || len(tok) > 128 {
		return "", "", false
	}
	for _, r := range custID {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r) {
			return "", "", false
		}
	}
	if _, _, _, ok := ParseToken(tok); !ok {
		return "", "", false
	}
	return custID, tok, true
}

// SessionToken signs a customer in: a token saying who they are, good for SessionTTL.
func (d *Desk) SessionToken(ctx context.Context, customerID string) (string, time.Time, error) {
	exp := d.clock.Now().Add(SessionTTL)
	tok, err := d.SignLink(ctx, purposeSession, customerID, exp)
	return tok, exp, err
}

// SignedIn returns the customer a session token signs in (following merges), or ErrNotFound
// for a token that is malformed, tampered with, expired, or for a customer no longer there.
func (d *Desk) SignedIn(ctx context.Context, tok string) (customer.Customer, error) {
	id, err := d.OpenLink(ctx, purposeSession, tok)
	if err != nil {
		return customer.Customer{}, err
	}
	c, err := d.canonical(ctx, id)
	if errors.Is(err, customer.ErrNotFound) {
		return c, ErrNotFound
	}
	return c, err
}

// OpenCases are a customer's cases not yet at their last stage, newest first.
func (d *Desk) OpenCases(ctx context.Context, customerID string) ([]Case, error) {
	all, err := d.Cases(ctx, customerID, 50)
	if err != nil {
		return nil, err
	}
	out := []Case{}
	for _, c := range all {
		if c.ClosedAt == nil {
			out = append(out, c)
		}
	}
	return out, nil
}
