package web

import (
	"net/http"
	"time"

	"github.com/gesher-cs/gesher/internal/policy"
)

type snoozeRequest struct {
	// Until is when the conversation comes back (RFC 3339); or Preset names one of the
	// console's choices: 1h, tomorrow (09:00 on the next business day) or next-week (09:00 on
	// the first business day of next week), counted in the default business calendar.
	Until  string `json:"until,omitempty"`
	Preset string `json:"preset,omitempty"`
}

// snoozePresets is the answer of GET /api/v1/snooze-presets: the moments the console's
// snooze choices stand for now, so that it can name them ("Sunday 09:00").
type snoozePresets struct {
	Hour     time.Time `json:"1h"`
	Tomorrow time.Time `json:"tomorrow"`
	NextWeek time.Time `json:"next-week"`
	TimeZone string    `json:"time_zone"`
}

// businessMorning is the morning hour the snooze presets wake a conversation at.
const businessMorning = 9

func (s *Server) presets(r *http.Request) (snoozePresets, error) {
	cal, err := s.d.Policy.Calendar(r.Context(), policy.DefaultCalendarID)
	if err != nil {
		return snoozePresets{}, err
	}
	now := s.d.Clock.Now()
	loc := cal.Location()
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	// The next Sunday: the Israeli week, which the default calendar counts, begins on it.
	toSunday := (7 - int(today.Weekday())) % 7
	if toSunday == 0 {
		toSunday = 7
	}
	return snoozePresets{
		Hour:     now.Add(time.Hour).UTC(),
		Tomorrow: openMorning(&cal, today.AddDate(0, 0, 1)).UTC(),
		NextWeek: openMorning(&cal, today.AddDate(0, 0, toSunday)).UTC(),
		TimeZone: loc.String(),
	}, nil
}

// openMorning is 09:00 on day, or on the first day after it when the calendar is open at
// 09:00 (a Saturday or a holiday moves to the next working morning). A calendar open on no
// morning in the next fortnight leaves day's own 09:00.
func openMorning(cal *policy.Calendar, day time.Time) time.Time {
	for i := range 14 {
		d := day.AddDate(0, 0, i)
		t := time.Date(d.Year(), d.Month(), d.Day(), businessMorning, 0, 0, 0, day.Location())
		if cal.OpenAt(t) {
			return t
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), businessMorning, 0, 0, 0, day.Location())
}

func (s *Server) snoozePresets(w http.ResponseWriter, r *http.Request) {
	p, err := s.presets(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) snoozeConversation(w http.ResponseWriter, r *http.Request) {
	var req snoozeRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	var until time.Time
	switch {
	case req.Until != "" && req.Preset != "":
		s.fail(w, r, &badRequest{field: "until", msg: "give until or preset, not both"})
		return
	case req.Until != "":
		t, err := time.Parse(time.RFC3339Nano, req.Until)
		if err != nil {
			s.fail(w, r, &badRequest{field: "until", msg: "until must be an RFC 3339 time"})
			return
		}
		until = t
	default:
		p, err := s.presets(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch req.Preset {
		case "1h":
			until = p.Hour
		case "tomorrow":
			until = p.Tomorrow
		case "next-week":
			until = p.NextWeek
		default:
			s.fail(w, r, &badRequest{field: "preset", msg: "preset must be 1h, tomorrow or next-week (or give until)"})
			return
		}
	}
	c, err := s.d.Conversations.Snooze(r.Context(), r.PathValue("id"), until, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) wakeConversation(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Conversations.Wake(r.Context(), r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

type transferRequest struct {
	QueueID string `json:"queue_id"`
}

func (s *Server) transferConversation(w http.ResponseWriter, r *http.Request) {
	var req transferRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.QueueID == "" {
		s.fail(w, r, &badRequest{field: "queue_id", msg: "queue_id is required"})
		return
	}
	c, err := s.d.Conversations.TransferToQueue(r.Context(), r.PathValue("id"), req.QueueID, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
