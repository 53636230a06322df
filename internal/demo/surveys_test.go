package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unicode"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo's satisfaction dashboard has figures: answers taken by the survey path over past
// weeks, with verbatim comments in several languages, none of them reopening a conversation,
// and a second seed adds no answer.
func TestSeedAnswersSurveysOverPastWeeks(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon()})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
		if _, err := demo.Seed(ctx, svc); err != nil {
			t.Fatal(err)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := a.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		answered := count(`SELECT COUNT(*) FROM surveys WHERE state = 'answered'`)
		if answered < 15 {
			t.Errorf("%d answered surveys; want the demo's 15 or more", answered)
		}
		// (The journeys' seeding writes answers of its own, at their stages: segments.go.)
		if n := count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered' AND data LIKE '%survey_id%'`); n != answered {
			t.Errorf("%d answer events for %d answered surveys", n, answered)
		}
		now := a.Clock.Now()
		if n := count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered' AND data LIKE '%survey_id%' AND created_at < ?`, now.Add(-14*24*time.Hour).UnixMilli()); n < 4 {
			t.Errorf("%d answers older than two weeks; want them spread over past weeks", n)
		}
		// Asked on the customers' own channels, and NPS of those who came back a week later.
		if n := count(`SELECT COUNT(DISTINCT c.kind) FROM surveys s JOIN channels c ON c.id = s.channel_id WHERE s.state = 'answered'`); n < 3 {
			t.Errorf("answers on %d kinds of channel; want WhatsApp, SMS and the API at least", n)
		}
		if n := count(`SELECT COUNT(*) FROM surveys WHERE state = 'answered' AND kind = 'nps'`); n < 3 {
			t.Errorf("%d NPS answers; want the returning customers' 3 or more", n)
		}
		// An answer is no message: nothing was received from the customer when they answered.
		if n := count(`SELECT COUNT(*) FROM events a JOIN events m ON m.customer_id = a.customer_id AND m.created_at = a.created_at AND m.kind = 'message.received'
			WHERE a.kind = 'survey.answered' AND a.data LIKE '%survey_id%'`); n != 0 {
			t.Errorf("%d answers were also stored as messages", n)
		}
		res, err := a.Metrics.Compute(ctx, "survey_comments", metrics.Query{From: now.Add(-40 * 24 * time.Hour), To: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		// The comments' scripts: Hebrew, Arabic, Cyrillic and Latin.
		langs := map[string]bool{}
		for _, r := range res.Rows {
			for _, c := range fmt.Sprint(r["comment"]) {
				switch {
				case unicode.Is(unicode.Hebrew, c):
					langs["he"] = true
				case unicode.Is(unicode.Arabic, c):
					langs["ar"] = true
				case unicode.Is(unicode.Cyrillic, c):
					langs["ru"] = true
				case c >= 'a' && c <= 'z':
					langs["en"] = true
				}
			}
		}
		for _, l := range []string{"he", "ar", "ru", "en"} {
			if !langs[l] {
				t.Errorf("no demo comment in %s (comments %v)", l, res.Rows)
			}
		}
		if _, err := demo.Seed(ctx, svc); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT COUNT(*) FROM surveys WHERE state = 'answered'`); n != answered {
			t.Errorf("a second seed changed the surveys")
		}
	})
}
