package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	// Go embeds the zone database only when asked. Service levels count business hours in
	// Asia/Jerusalem, and a container without /usr/share/zoneinfo must count them the same.
	_ "time/tzdata"
)

// Interval is a stretch of opening hours within one day, in the calendar's local time:
// From "08:00" To "17:00". To may be "24:00", the end of the day.
type Interval struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Week is the opening hours of each weekday; a day without intervals is closed.
type Week struct {
	Sunday    []Interval `json:"sunday"`
	Monday    []Interval `json:"monday"`
	Tuesday   []Interval `json:"tuesday"`
	Wednesday []Interval `json:"wednesday"`
	Thursday  []Interval `json:"thursday"`
	Friday    []Interval `json:"friday"`
	Saturday  []Interval `json:"saturday"`
}

// day returns the intervals of a weekday. The week is a struct, not a map, so the API
// document names the seven days and a misspelt day is an unknown field, refused.
func (w *Week) day(d time.Weekday) []Interval {
	return [...][]Interval{w.Sunday, w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday}[d]
}

// The kinds of special day.
const (
	Holiday = "holiday" // closed, unless Hours says otherwise
	Eve     = "eve"     // a holiday eve: short hours
)

// Day is a date whose hours differ from its weekday's: a holiday (usually closed) or a holiday
// eve (usually a short day).
type Day struct {
	Date  string     `json:"date"` // 2026-09-20, in the calendar's time zone
	Name  string     `json:"name"`
	Kind  string     `json:"kind"`  // holiday or eve
	Hours []Interval `json:"hours"` // empty: closed all day
}

// Calendar is a business calendar: the hours during which service-level time counts.
type Calendar struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	TimeZone  string     `json:"time_zone"`
	Week      Week       `json:"week"`
	Days      []Day      `json:"days"`
	BuiltIn   bool       `json:"built_in,omitempty"` // not stored: the default every installation has
	UpdatedAt *time.Time `json:"updated_at,omitempty"`

	loc   *time.Location
	week  [7][]span
	dates map[civil][]span
}

// span is an interval in minutes since local midnight, [from, to).
type span struct{ from, to int }

// civil is a calendar date without a zone.
type civil struct {
	y int
	m time.Month
	d int
}

// maxDays bounds every walk over the calendar. A valid calendar has open hours every week, so
// a walk that finds none in ten years has been given a calendar that is not valid.
const maxDays = 3660

var (
	calendarIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	clockRE      = regexp.MustCompile(`^([01][0-9]|2[0-4]):([0-5][0-9])$`)
)

// compile checks the calendar and prepares it for counting. It is the only way a Calendar
// becomes usable: Add and Between on an uncompiled calendar would have no time zone.
func (c *Calendar) compile() error {
	bad := func(field, format string, a ...any) error {
		return &ValidationError{Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	if !calendarIDRE.MatchString(c.ID) {
		return bad("id", "a calendar id is 1 to 40 lower-case letters, digits and dashes")
	}
	c.Name = strings.TrimSpace(c.Name)
	if len(c.Name) > 200 {
		return bad("name", "at most 200 characters")
	}
	if c.TimeZone == "" {
		return bad("time_zone", "name the time zone the hours are in, such as Asia/Jerusalem")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "Local" {
		return bad("time_zone", "%q is not an IANA time zone name such as Asia/Jerusalem", c.TimeZone)
	}
	c.loc = loc
	open := 0
	for d := time.Sunday; d <= time.Saturday; d++ {
		spans, err := compileHours(c.Week.day(d))
		if err != nil {
			return bad("week."+strings.ToLower(d.String()), "%s", err)
		}
		c.week[d] = spans
		open += len(spans)
	}
	if open == 0 {
		return bad("week", "the week has no open hours: service-level time would never count")
	}
	if len(c.Days) > 1000 {
		return bad("days", "at most 1000 special days")
	}
	c.dates = make(map[civil][]span, len(c.Days))
	for i := range c.Days {
		d := &c.Days[i]
		field := "days[" + strconv.Itoa(i) + "]"
		t, err := time.Parse("2006-01-02", d.Date)
		if err != nil {
			return bad(field+".date", "%q is not a date like 2026-09-21", d.Date)
		}
		if d.Kind != Holiday && d.Kind != Eve {
			return bad(field+".kind", "kind is holiday or eve")
		}
		d.Name = strings.TrimSpace(d.Name)
		if len(d.Name) > 200 {
			return bad(field+".name", "at most 200 characters")
		}
		spans, err := compileHours(d.Hours)
		if err != nil {
			return bad(field+".hours", "%s", err)
		}
		key := civil{t.Year(), t.Month(), t.Day()}
		if _, dup := c.dates[key]; dup {
			return bad(field+".date", "%s is listed twice", d.Date)
		}
		c.dates[key] = spans
		if d.Hours == nil {
			d.Hours = []Interval{}
		}
	}
	slices.SortFunc(c.Days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) })
	for _, p := range []*[]Interval{&c.Week.Sunday, &c.Week.Monday, &c.Week.Tuesday, &c.Week.Wednesday, &c.Week.Thursday, &c.Week.Friday, &c.Week.Saturday} {
		if *p == nil {
			*p = []Interval{}
		}
	}
	if c.Days == nil {
		c.Days = []Day{}
	}
	return nil
}

// compileHours turns intervals into sorted spans, refusing overlaps and empty stretches.
func compileHours(in []Interval) ([]span, error) {
	if len(in) > 12 {
		return nil, fmt.Errorf("at most 12 intervals a day")
	}
	out := make([]span, 0, len(in))
	for _, iv := range in {
		from, ok1 := minutes(iv.From)
		to, ok2 := minutes(iv.To)
		if !ok1 || !ok2 || from == 24*60 {
			return nil, fmt.Errorf("%q–%q: times are HH:MM from 00:00 to 24:00", iv.From, iv.To)
		}
		if to <= from {
			return nil, fmt.Errorf("%s–%s ends before it begins", iv.From, iv.To)
		}
		out = append(out, span{from, to})
	}
	slices.SortFunc(out, func(a, b span) int { return a.from - b.from })
	for i := 1; i < len(out); i++ {
		if out[i].from < out[i-1].to {
			return nil, fmt.Errorf("intervals overlap")
		}
	}
	return out, nil
}

// minutes reads "HH:MM" as minutes since midnight; "24:00" is the end of the day, so a day
// can be open until midnight without a "23:59" that loses a minute.
func minutes(s string) (int, bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h == 24 && mm != 0 {
		return 0, false
	}
	return h*60 + mm, true
}

// ParseCalendar reads a calendar from its JSON and checks it.
func ParseCalendar(data []byte) (Calendar, error) {
	var c Calendar
	if err := json.Unmarshal(data, &c); err != nil {
		return Calendar{}, &ValidationError{Field: "body", Reason: "not a calendar: " + err.Error()}
	}
	if err := c.compile(); err != nil {
		return Calendar{}, err
	}
	return c, nil
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// spansOn returns the open hours of a local date: its special day's if it has one (a holiday
// with no hours is closed), else its weekday's.
func (c *Calendar) spansOn(d civil) []span {
	if s, ok := c.dates[d]; ok {
		return s
	}
	return c.week[time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()]
}

// walk calls fn with each open stretch [from, to) as instants, in order, from the local day
// of start onwards, until fn returns false or maxDays have passed. Each stretch is built with
// time.Date in the calendar's zone, so "08:00" is eight o'clock on the wall on either side of
// a daylight-saving change, and the length of a stretch is real elapsed time.
func (c *Calendar) walk(start time.Time, fn func(from, to time.Time) bool) {
	local := start.In(c.loc)
	y, m, d := local.Date()
	var prev time.Time
	for i := 0; i < maxDays; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, c.loc)
		dy, dm, dd := day.Date()
		for _, s := range c.spansOn(civil{dy, dm, dd}) {
			from := time.Date(dy, dm, dd, s.from/60, s.from%60, 0, 0, c.loc)
			to := time.Date(dy, dm, dd, s.to/60, s.to%60, 0, 0, c.loc)
			// Around a change of clocks, wall times can repeat; never count an instant twice.
			if from.Before(prev) {
				from = prev
			}
			if !to.After(from) {
				continue
			}
			prev = to
			if !fn(from, to) {
				return
			}
		}
	}
}

// Add returns the instant at which d of business time has passed since start: when a target
// of d set at start falls due. Time outside the calendar's hours does not count.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	due := start.AddDate(10, 0, 0) // a calendar without hours for ten years never falls due
	c.walk(start, func(from, to time.Time) bool {
		if !to.After(start) {
			return true
		}
		if from.Before(start) {
			from = start
		}
		if avail := to.Sub(from); d <= avail {
			due = from.Add(d)
			return false
		} else {
			d -= avail
		}
		return true
	})
	return due
}

// Between returns the business time between a and b (zero when b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var sum time.Duration
	c.walk(a, func(from, to time.Time) bool {
		if !from.Before(b) {
			return false
		}
		if from.Before(a) {
			from = a
		}
		if to.After(b) {
			to = b
		}
		if to.After(from) {
			sum += to.Sub(from)
		}
		return true
	})
	return sum
}

// OpenAt reports whether t falls within the calendar's hours.
func (c *Calendar) OpenAt(t time.Time) bool {
	return c.Between(t, t.Add(time.Millisecond)) > 0
}
