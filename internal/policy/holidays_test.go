package policy_test

import (
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/policy"
)

// The shipped holidays follow the fixed rules of the Hebrew calendar from each year's 15 Nisan
// and 1 Tishrei, fall on weekdays the calendar allows, and each has its eve the day before.
func TestIsraeliHolidaysFollowTheHebrewCalendar(t *testing.T) {
	byName := map[int]map[string]time.Time{}
	days := policy.IsraeliHolidays()
	for _, d := range days {
		at, err := time.Parse("2006-01-02", d.Date)
		if err != nil {
			t.Fatalf("%s: %v", d.Date, err)
		}
		if byName[at.Year()] == nil {
			byName[at.Year()] = map[string]time.Time{}
		}
		byName[at.Year()][d.Name] = at
		switch d.Kind {
		case policy.Holiday:
			if len(d.Hours) != 0 {
				t.Errorf("%s %s: a holiday is closed, has %v", d.Date, d.Name, d.Hours)
			}
		case policy.Eve:
			if len(d.Hours) != 1 || d.Hours[0] != (policy.Interval{From: "08:00", To: "13:00"}) {
				t.Errorf("%s %s: an eve is 08:00–13:00, has %v", d.Date, d.Name, d.Hours)
			}
		default:
			t.Errorf("%s: kind %q", d.Date, d.Kind)
		}
	}
	days2 := func(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }
	for _, year := range []int{2026, 2027} {
		h := byName[year]
		pesach, rosh := h["Pesach"], h["Rosh Hashana"]
		for _, rule := range []struct {
			name  string
			from  time.Time
			days  int
			other string
		}{
			{"the seventh day of Pesach", pesach, 6, "Shvi'i shel Pesach"},
			{"Independence Day, 5 Iyar", pesach, 20, "Yom HaAtzmaut"},
			{"Shavuot, 6 Sivan", pesach, 50, "Shavuot"},
			{"Rosh Hashana, 1 Tishrei", pesach, 163, "Rosh Hashana"},
			{"Rosh Hashana's second day", rosh, 1, "Rosh Hashana (second day)"},
			{"Yom Kippur, 10 Tishrei", rosh, 9, "Yom Kippur"},
			{"Sukkot, 15 Tishrei", rosh, 14, "Sukkot"},
			{"Simchat Torah, 22 Tishrei", rosh, 21, "Shemini Atzeret / Simchat Torah"},
		} {
			got, ok := h[rule.other]
			if !ok {
				t.Errorf("%d: no %s", year, rule.other)
				continue
			}
			if n := days2(rule.from, got); n != rule.days {
				t.Errorf("%d: %s is %d days after its anchor, want %d", year, rule.name, n, rule.days)
			}
		}
		// "Lo ADU Rosh": Rosh Hashana never falls on Sunday, Wednesday or Friday, so Pesach
		// (163 days before) never on Monday, Wednesday or Friday; Yom Kippur never on Friday or
		// Sunday. Independence Day is moved off Friday, Saturday and Monday.
		for name, bad := range map[string][]time.Weekday{
			"Rosh Hashana": {time.Sunday, time.Wednesday, time.Friday}, "Pesach": {time.Monday, time.Wednesday, time.Friday},
			"Yom Kippur": {time.Friday, time.Sunday}, "Yom HaAtzmaut": {time.Friday, time.Saturday, time.Monday},
		} {
			for _, wd := range bad {
				if h[name].Weekday() == wd {
					t.Errorf("%d: %s on a %s", year, name, wd)
				}
			}
		}
	}
	// Every eve is the day before a holiday.
	holiday := map[string]bool{}
	for _, d := range days {
		if d.Kind == policy.Holiday {
			holiday[d.Date] = true
		}
	}
	for _, d := range days {
		if d.Kind != policy.Eve {
			continue
		}
		at, _ := time.Parse("2006-01-02", d.Date)
		if !holiday[at.AddDate(0, 0, 1).Format("2006-01-02")] {
			t.Errorf("%s %s is not the day before a holiday", d.Date, d.Name)
		}
	}
	if len(days) != 34 {
		t.Errorf("%d days, want 17 in each of 2026 and 2027", len(days))
	}
}
