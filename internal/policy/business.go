package policy

import "context"

// CalendarFor returns the business calendar a channel's service levels count in (the default
// calendar for a channel without a policy of its own), so that figures computed elsewhere — the
// metrics' response and resolution times — count business time exactly as the SLA clocks do.
func (s *Service) CalendarFor(ctx context.Context, channelID string) (*Calendar, error) {
	set, err := s.settingFor(ctx, channelID)
	if err != nil {
		return nil, err
	}
	return set.cal, nil
}
