package selfservice

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Jerusalem on machines without a zone database

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/signing"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package writes.
const (
	ServiceSaved      event.Kind = "service.saved"
	CaseOpened        event.Kind = "case.opened"
	CaseStageChanged  event.Kind = "case.stage-changed"
	CaseNotifySkipped event.Kind = "case.notification-skipped"
	CaseTrackerViewed event.Kind = "case.tracker-viewed"
	CaseFlowStopped   event.Kind = "case.flow-stopped"
)

// defaultTrackerDays is how long a tracker link outlives the case's expected end.
const defaultTrackerDays = 90

// Langs are the languages a service is described in and a customer is told in.
var Langs = []string{"he", "ar", "en", "ru", "am", "fr"}

// Options tune the desk.
type Options struct {
	// Lang is the language of a customer whose profile names none the catalogs have; "he" when
	// empty.
	Lang string
	// TrackerGrace is how long a tracker link stays good after the case's expected end; 90 days
	// when zero.
	TrackerGrace time.Duration
	// Location is where dates on the tracker are told; Asia/Jerusalem when nil.
	Location *time.Location
}

// Desk runs the self-service desk: the catalogue, cases and their notifications, tracker
// links and guided flows.
type Desk struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	customers *customer.Service
	convs     *conversation.Service
	fitter    *channel.Fitter
	catalogs  *i18n.Bundle
	opt       Options

	mu        sync.Mutex
	publicURL string
	key       *signing.Key // the tracker signing key
}

// NewDesk returns the desk over the services it records through.
func NewDesk(db *store.DB, clk clock.Clock, events *event.Log, customers *customer.Service, convs *conversation.Service, fitter *channel.Fitter, opt Options) (*Desk, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("selfservice: catalogs: %w", err)
	}
	if opt.Lang == "" {
		opt.Lang = "he"
	}
	if opt.TrackerGrace == 0 {
		opt.TrackerGrace = defaultTrackerDays * 24 * time.Hour
	}
	if opt.Location == nil {
		if opt.Location, err = time.LoadLocation("Asia/Jerusalem"); err != nil {
			return nil, fmt.Errorf("selfservice: time zone: %w", err)
		}
	}
	return &Desk{db: db, clock: clk, events: events, customers: customers, convs: convs, fitter: fitter, catalogs: b, opt: opt, key: signing.NewKey(db, clk, keyName)}, nil
}

// SetPublicURL sets the server's address as customers reach it (https://help.example.com),
// which tracker links in notifications start with. The web server sets it when it is built;
// until then links are paths.
func (d *Desk) SetPublicURL(u string) {
	d.mu.Lock()
	d.publicURL = trimSlash(u)
	d.mu.Unlock()
}

func (d *Desk) base() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.publicURL
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// Catalogs are the message catalogs the desk tells customers in.
func (d *Desk) Catalogs() *i18n.Bundle { return d.catalogs }

// Location is where the desk tells dates.
func (d *Desk) Location() *time.Location { return d.opt.Location }

// catalog returns the catalog of the first of langs the catalogs have, then the desk's
// default language, then English.
func (d *Desk) catalog(langs ...string) *i18n.Catalog {
	for _, l := range append(langs, d.opt.Lang, "en") {
		if c, err := d.catalogs.Catalog(l); err == nil {
			return c
		}
	}
	c, _ := d.catalogs.Catalog(d.catalogs.Languages()[0])
	return c
}
