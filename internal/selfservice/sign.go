package selfservice

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// SignLink issues a token for another package's customer link (an appointment, a queue
// ticket) under the tracker's key, in the tracker token's shape: id, expiry, MAC. The MAC's
// input starts with purpose, so a token issued for one purpose never opens another, nor a
// case's tracker. id must be an id as store.NewID makes them.
func (d *Desk) SignLink(ctx context.Context, purpose, id string, exp time.Time) (string, error) {
	key, err := d.signingKey(ctx)
	if err != nil {
		return "", err
	}
	e := strconv.FormatInt(exp.Unix(), 36)
	return id + "." + e + "." + base64.RawURLEncoding.EncodeToString(purposeMAC(key, purpose, id, e)), nil
}

// OpenLink returns the id a token issued by SignLink for purpose carries. A token that is
// malformed, tampered with, expired or for another purpose is ErrNotFound, every one the same.
func (d *Desk) OpenLink(ctx context.Context, purpose, tok string) (string, error) {
	id, exp, sig, ok := ParseToken(tok)
	if !ok {
		return "", ErrNotFound
	}
	key, err := d.signingKey(ctx)
	if err != nil {
		return "", err
	}
	e := strings.Split(tok, ".")[1]
	if !hmac.Equal(sig, purposeMAC(key, purpose, id, e)) || !d.clock.Now().Before(exp) {
		return "", ErrNotFound
	}
	return id, nil
}

func purposeMAC(key []byte, purpose, id, exp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher link\x00" + purpose + "\x00" + id + "\x00" + exp))
	return m.Sum(nil)[:macLen]
}

// PublicURL is the server's address as customers reach it, without a trailing slash; empty
// while it is not known, and links are then paths.
func (d *Desk) PublicURL() string { return d.base() }
