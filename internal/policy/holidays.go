package policy

// The Israeli week: Sunday to Thursday 08:00–17:00, a short Friday, Saturday closed.
var (
	israeliDay   = []Interval{{From: "08:00", To: "17:00"}}
	israeliShort = []Interval{{From: "08:00", To: "13:00"}}
)

// IsraeliWeek returns the opening hours of the Israeli working week.
func IsraeliWeek() Week {
	return Week{
		Sunday: israeliDay, Monday: israeliDay, Tuesday: israeliDay, Wednesday: israeliDay, Thursday: israeliDay,
		Friday: israeliShort, Saturday: []Interval{},
	}
}

// israeliHolidays are the Israeli holidays of 2026 and 2027 on which offices close, each with
// its eve, a short day (08:00–13:00, as a Friday). Rosh Hashana has two days; Sukkot and
// Pesach close on their first day and, for Pesach, its seventh (the last in Israel); Shemini
// Atzeret is Simchat Torah in Israel. Independence Day's eve is Memorial Day.
//
// Source: the dates are converted from the Hebrew calendar, where 15 Nisan 5786 is
// Thursday 2 April 2026, 1 Tishrei 5787 Saturday 12 September 2026, 15 Nisan 5787 (a leap
// year: two months of Adar) Thursday 22 April 2027 and 1 Tishrei 5788 Saturday 2 October
// 2027; every other date follows by the calendar's fixed intervals (Pesach's seventh day +6,
// Independence Day 5 Iyar +20 unless moved off a Friday, Saturday or Monday, Shavuot +50,
// Rosh Hashana +163 days from 15 Nisan; Yom Kippur +9, Sukkot +14, Simchat Torah +21 from 1
// Tishrei). holidays_test.go checks those intervals and the weekdays the Hebrew calendar
// forbids. They are the dates of the yearly list of rest days the Israeli government
// publishes; later years must be added as data (PUT /api/v1/calendars/{id}).
var israeliHolidays = []Day{
	{Date: "2026-04-01", Name: "Erev Pesach", Kind: Eve, Hours: israeliShort},
	{Date: "2026-04-02", Name: "Pesach", Kind: Holiday},
	{Date: "2026-04-07", Name: "Erev Shvi'i shel Pesach", Kind: Eve, Hours: israeliShort},
	{Date: "2026-04-08", Name: "Shvi'i shel Pesach", Kind: Holiday},
	{Date: "2026-04-21", Name: "Yom HaZikaron (Erev Yom HaAtzmaut)", Kind: Eve, Hours: israeliShort},
	{Date: "2026-04-22", Name: "Yom HaAtzmaut", Kind: Holiday},
	{Date: "2026-05-21", Name: "Erev Shavuot", Kind: Eve, Hours: israeliShort},
	{Date: "2026-05-22", Name: "Shavuot", Kind: Holiday},
	{Date: "2026-09-11", Name: "Erev Rosh Hashana", Kind: Eve, Hours: israeliShort},
	{Date: "2026-09-12", Name: "Rosh Hashana", Kind: Holiday},
	{Date: "2026-09-13", Name: "Rosh Hashana (second day)", Kind: Holiday},
	{Date: "2026-09-20", Name: "Erev Yom Kippur", Kind: Eve, Hours: israeliShort},
	{Date: "2026-09-21", Name: "Yom Kippur", Kind: Holiday},
	{Date: "2026-09-25", Name: "Erev Sukkot", Kind: Eve, Hours: israeliShort},
	{Date: "2026-09-26", Name: "Sukkot", Kind: Holiday},
	{Date: "2026-10-02", Name: "Erev Simchat Torah", Kind: Eve, Hours: israeliShort},
	{Date: "2026-10-03", Name: "Shemini Atzeret / Simchat Torah", Kind: Holiday},
	{Date: "2027-04-21", Name: "Erev Pesach", Kind: Eve, Hours: israeliShort},
	{Date: "2027-04-22", Name: "Pesach", Kind: Holiday},
	{Date: "2027-04-27", Name: "Erev Shvi'i shel Pesach", Kind: Eve, Hours: israeliShort},
	{Date: "2027-04-28", Name: "Shvi'i shel Pesach", Kind: Holiday},
	{Date: "2027-05-11", Name: "Yom HaZikaron (Erev Yom HaAtzmaut)", Kind: Eve, Hours: israeliShort},
	{Date: "2027-05-12", Name: "Yom HaAtzmaut", Kind: Holiday},
	{Date: "2027-06-10", Name: "Erev Shavuot", Kind: Eve, Hours: israeliShort},
	{Date: "2027-06-11", Name: "Shavuot", Kind: Holiday},
	{Date: "2027-10-01", Name: "Erev Rosh Hashana", Kind: Eve, Hours: israeliShort},
	{Date: "2027-10-02", Name: "Rosh Hashana", Kind: Holiday},
	{Date: "2027-10-03", Name: "Rosh Hashana (second day)", Kind: Holiday},
	{Date: "2027-10-10", Name: "Erev Yom Kippur", Kind: Eve, Hours: israeliShort},
	{Date: "2027-10-11", Name: "Yom Kippur", Kind: Holiday},
	{Date: "2027-10-15", Name: "Erev Sukkot", Kind: Eve, Hours: israeliShort},
	{Date: "2027-10-16", Name: "Sukkot", Kind: Holiday},
	{Date: "2027-10-22", Name: "Erev Simchat Torah", Kind: Eve, Hours: israeliShort},
	{Date: "2027-10-23", Name: "Shemini Atzeret / Simchat Torah", Kind: Holiday},
}

// IsraeliHolidays returns the Israeli holidays and eves of 2026 and 2027, in date order.
func IsraeliHolidays() []Day {
	out := make([]Day, len(israeliHolidays))
	for i, d := range israeliHolidays {
		d.Hours = append([]Interval{}, d.Hours...)
		out[i] = d
	}
	return out
}

// DefaultCalendarID names the calendar a policy counts in unless it names another. Until a
// supervisor stores one under this id, it is IsraeliCalendar.
const DefaultCalendarID = "default"

// IsraeliCalendar returns the Israeli business calendar under id: the Israeli week in
// Asia/Jerusalem with the holidays and eves of 2026 and 2027.
func IsraeliCalendar(id, name string) Calendar {
	c := Calendar{ID: id, Name: name, TimeZone: "Asia/Jerusalem", Week: IsraeliWeek(), Days: IsraeliHolidays()}
	if err := c.compile(); err != nil {
		panic("policy: the built-in Israeli calendar does not compile: " + err.Error())
	}
	return c
}
