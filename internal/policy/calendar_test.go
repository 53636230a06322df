package policy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/policy"
)

var jerusalem = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		panic(err)
	}
	return loc
}()

// il is a wall-clock time in Israel.
func il(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, jerusalem)
}

func israel() *policy.Calendar {
	c := policy.IsraeliCalendar("israel", "Israel")
	return &c
}

// alwaysOpen is a calendar open round the clock, in Israel's zone, to see daylight-saving
// changes in elapsed time.
func alwaysOpen(t *testing.T) *policy.Calendar {
	t.Helper()
	day := []policy.Interval{{From: "00:00", To: "24:00"}}
	raw, _ := json.Marshal(policy.Calendar{ID: "always", TimeZone: "Asia/Jerusalem", Week: policy.Week{
		Sunday: day, Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day, Saturday: day}})
	c, err := policy.ParseCalendar(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// When a target falls due, on real dates of the Israeli calendar: weekends, short Fridays,
// holiday eves and holidays do not count, and daylight-saving changes do not shift the hours.
func TestAddCountsOnlyBusinessHours(t *testing.T) {
	cal := israel()
	for _, tc := range []struct {
		name   string
		start  time.Time
		target time.Duration
		want   time.Time
	}{
		{"within a day", il(2026, 11, 22, 9, 0), 2 * time.Hour, il(2026, 11, 22, 11, 0)},
		{"over the evening", il(2026, 11, 23, 16, 0), 2 * time.Hour, il(2026, 11, 24, 9, 0)},
		{"over the weekend: Friday's short day, Saturday closed", il(2026, 11, 20, 12, 0), 3 * time.Hour, il(2026, 11, 22, 10, 0)},
		{"Thursday evening into Friday", il(2026, 11, 19, 16, 0), 3 * time.Hour, il(2026, 11, 20, 10, 0)},
		{"Saturday night waits for Sunday morning", il(2026, 11, 21, 20, 0), 30 * time.Minute, il(2026, 11, 22, 8, 30)},
		{"at closing time, the next opening", il(2026, 11, 19, 17, 0), time.Hour, il(2026, 11, 20, 9, 0)},
		// Thursday 17 September 2026, 16:00: one hour left that day, Friday 5, Sunday 20
		// September is the eve of Yom Kippur (08:00–13:00), Monday is Yom Kippur (closed).
		{"into the eve of Yom Kippur", il(2026, 9, 17, 16, 0), 8 * time.Hour, il(2026, 9, 20, 10, 0)},
		{"over the eve and Yom Kippur", il(2026, 9, 17, 16, 0), 12 * time.Hour, il(2026, 9, 22, 9, 0)},
		// Tuesday 31 March 2026: Wednesday is the eve of Pesach, Thursday Pesach.
		{"over Erev Pesach and Pesach", il(2026, 3, 31, 16, 0), 10 * time.Hour, il(2026, 4, 3, 12, 0)},
		// Rosh Hashana 5787: the eve is Friday 11 September, the two days Saturday and Sunday.
		{"over Rosh Hashana's two days", il(2026, 9, 10, 16, 0), 7 * time.Hour, il(2026, 9, 14, 9, 0)},
		// Israel moves its clocks forward at 02:00 on Friday 27 March 2026: Friday still
		// opens at 08:00 on the wall, which is 05:00 UTC instead of 06:00.
		{"over the spring daylight-saving change", il(2026, 3, 26, 16, 0), 3 * time.Hour, time.Date(2026, 3, 27, 7, 0, 0, 0, time.UTC)},
		// And back at 02:00 on Sunday 25 October 2026: Sunday opens at 08:00 = 06:00 UTC.
		{"over the autumn daylight-saving change", il(2026, 10, 22, 16, 0), 7 * time.Hour, time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC)},
		{"zero", il(2026, 11, 21, 20, 0), 0, il(2026, 11, 21, 20, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cal.Add(tc.start, tc.target)
			if !got.Equal(tc.want) {
				t.Errorf("Add(%s, %s) = %s, want %s", tc.start, tc.target, got.In(jerusalem), tc.want.In(jerusalem))
			}
			if tc.target > 0 {
				if back := cal.Between(tc.start, got); back != tc.target {
					t.Errorf("Between(start, due) = %s, want the target %s", back, tc.target)
				}
			}
		})
	}
}

func TestBetweenCountsOnlyBusinessHours(t *testing.T) {
	cal := israel()
	for _, tc := range []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"a whole week", il(2026, 11, 22, 0, 0), il(2026, 11, 29, 0, 0), 5*9*time.Hour + 5*time.Hour},
		{"Friday noon to Sunday ten", il(2026, 11, 20, 12, 0), il(2026, 11, 22, 10, 0), 3 * time.Hour},
		{"the week of Yom Kippur 2026", il(2026, 9, 20, 0, 0), il(2026, 9, 27, 0, 0), 5*time.Hour + 3*9*time.Hour + 5*time.Hour},
		{"Shavuot 2027: Thursday is its eve, Friday the holiday", il(2027, 6, 6, 0, 0), il(2027, 6, 13, 0, 0), 4*9*time.Hour + 5*time.Hour},
		{"inside a closed Saturday", il(2026, 11, 21, 9, 0), il(2026, 11, 21, 18, 0), 0},
		{"backwards is nothing", il(2026, 11, 22, 12, 0), il(2026, 11, 22, 10, 0), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.Between(tc.a, tc.b); got != tc.want {
				t.Errorf("Between = %s, want %s", got, tc.want)
			}
		})
	}
}

// A calendar open all day counts real elapsed time: the spring-forward night has 23 hours,
// the autumn one 25.
func TestDaylightSavingChangesCountRealTime(t *testing.T) {
	cal := alwaysOpen(t)
	if got := cal.Between(il(2026, 3, 27, 0, 0), il(2026, 3, 27, 12, 0)); got != 11*time.Hour {
		t.Errorf("27 March 2026 00:00–12:00 = %s, want 11h (the clocks jump forward)", got)
	}
	if got := cal.Between(il(2026, 10, 25, 0, 0), il(2026, 10, 25, 12, 0)); got != 13*time.Hour {
		t.Errorf("25 October 2026 00:00–12:00 = %s, want 13h (the clocks fall back)", got)
	}
	if got := cal.Add(il(2026, 3, 27, 0, 0), 24*time.Hour); !got.Equal(il(2026, 3, 28, 1, 0)) {
		t.Errorf("24h after midnight on 27 March = %s, want 01:00 the next day", got.In(jerusalem))
	}
}

// Add and Between undo each other at any start, across both years of holidays.
func TestAddAndBetweenAgree(t *testing.T) {
	cal := israel()
	start := il(2026, 1, 1, 0, 0)
	for i := 0; i < 2000; i++ {
		a := start.Add(time.Duration(i*7919) * time.Minute)
		d := time.Duration(1+(i*37)%(3*9*60)) * time.Minute
		due := cal.Add(a, d)
		if got := cal.Between(a, due); got != d {
			t.Fatalf("Between(%s, Add(%s)) = %s, want %s", a, d, got, d)
		}
		if !cal.OpenAt(due.Add(-time.Millisecond)) {
			t.Fatalf("Add(%s, %s) = %s, which is not the end of an open moment", a, d, due)
		}
	}
}

func TestCalendarValidation(t *testing.T) {
	good := policy.IsraeliCalendar("x", "")
	for _, tc := range []struct {
		name  string
		edit  func(c *policy.Calendar)
		field string
	}{
		{"bad zone", func(c *policy.Calendar) { c.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"no zone", func(c *policy.Calendar) { c.TimeZone = "" }, "time_zone"},
		{"closed week", func(c *policy.Calendar) { c.Week = policy.Week{} }, "week"},
		{"reversed hours", func(c *policy.Calendar) { c.Week.Monday = []policy.Interval{{From: "17:00", To: "08:00"}} }, "week.monday"},
		{"overlap", func(c *policy.Calendar) {
			c.Week.Monday = []policy.Interval{{From: "08:00", To: "12:00"}, {From: "11:00", To: "13:00"}}
		}, "week.monday"},
		{"bad time", func(c *policy.Calendar) { c.Week.Monday = []policy.Interval{{From: "8", To: "24:30"}} }, "week.monday"},
		{"bad date", func(c *policy.Calendar) { c.Days = []policy.Day{{Date: "2026-02-30", Kind: policy.Holiday}} }, "days[0].date"},
		{"bad kind", func(c *policy.Calendar) { c.Days = []policy.Day{{Date: "2026-02-03", Kind: "party"}} }, "days[0].kind"},
		{"twice", func(c *policy.Calendar) {
			c.Days = []policy.Day{{Date: "2026-02-03", Kind: policy.Holiday}, {Date: "2026-02-03", Kind: policy.Eve}}
		}, "days[1].date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Days = policy.IsraeliHolidays()
			tc.edit(&c)
			raw, _ := json.Marshal(c)
			_, err := policy.ParseCalendar(raw)
			ve, ok := err.(*policy.ValidationError)
			if !ok || ve.Field != tc.field {
				t.Errorf("ParseCalendar = %v, want a validation error on %s", err, tc.field)
			}
		})
	}
}

// FuzzCalendar: any calendar JSON either is refused or counts consistently: Add never goes
// back, and Between undoes it.
func FuzzCalendar(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int64(0), uint16(90))
	}
	f.Add([]byte(`{"id":"x","time_zone":"UTC","week":{"monday":[{"from":"00:00","to":"00:01"}]}}`), int64(3600_000), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, offsetMS int64, minutes uint16) {
		c, err := policy.ParseCalendar(data)
		if err != nil {
			return
		}
		if c.Location() == nil {
			t.Fatal("an accepted calendar has no time zone")
		}
		start := il(2026, 6, 1, 0, 0).Add(time.Duration(offsetMS%(400*24*3600_000)) * time.Millisecond)
		d := time.Duration(minutes%240) * time.Minute
		due := c.Add(start, d)
		if due.Before(start) {
			t.Fatalf("Add(%s, %s) = %s, before the start", start, d, due)
		}
		if got := c.Between(start, due); got != d {
			t.Fatalf("Between(start, Add(start, %s)) = %s", d, got)
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	cal := israel()
	start := il(2026, 9, 17, 16, 0)
	for b.Loop() {
		cal.Add(start, 12*time.Hour)
	}
}
