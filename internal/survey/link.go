package survey

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// linkPurpose is what survey links are signed for: a token made for a case's tracker, an
// appointment or a sign-in never opens a survey, nor the other way round.
const linkPurpose = "survey"

var (
	// ErrNotFound is a survey link that opens no survey: malformed, tampered with, expired,
	// or for a survey that no longer exists — every one the same, so a guesser learns nothing.
	ErrNotFound = errors.New("survey: not found")
	// ErrClosed is an answer to a survey that has one already, or that the customer opted
	// out of: the first answer stands.
	ErrClosed = errors.New("survey: already answered")
)

// link is the address of sv's answer page, signed to expire with the survey.
func (s *Service) link(ctx context.Context, sv Survey) (string, error) {
	tok, err := s.opt.Links.SignLink(ctx, linkPurpose, sv.ID, sv.ExpiresAt)
	if err != nil {
		return "", fmt.Errorf("survey: sign link: %w", err)
	}
	return s.opt.Links.PublicURL() + "/r/" + tok, nil
}

// ByLink returns the survey a link's token opens, in whatever state it is: the page shows the
// question while it is pending and what became of it after.
func (s *Service) ByLink(ctx context.Context, tok string) (Survey, error) {
	if s.opt.Links == nil {
		return Survey{}, ErrNotFound
	}
	id, err := s.opt.Links.OpenLink(ctx, linkPurpose, tok)
	if errors.Is(err, selfservice.ErrNotFound) {
		return Survey{}, ErrNotFound
	}
	if err != nil {
		return Survey{}, fmt.Errorf("survey: open link: %w", err)
	}
	sv, err := scanSurvey(s.db.Q(ctx).QueryRow(ctx, sqlSelectSurvey, id))
	if store.IsNoRows(err) {
		return Survey{}, ErrNotFound
	}
	return sv, err
}

// AnswerByLink records the answer given on the page a survey's link opens, as a reply on its
// channel would be recorded (the same survey.answered event, with via "link"), but without
// the thank-you message: the page says it. A survey answered already is ErrClosed, the
// first answer kept; a score outside the survey's range is no answer.
func (s *Service) AnswerByLink(ctx context.Context, tok string, a Answer) (Survey, error) {
	sv, err := s.ByLink(ctx, tok)
	if err != nil {
		return sv, err
	}
	if lo, hi := sv.Kind.Range(); !a.OptOut && (a.Score < lo || a.Score > hi) {
		return sv, fmt.Errorf("survey: score %d outside %d..%d", a.Score, lo, hi)
	}
	if sv.State != statePending {
		return sv, ErrClosed
	}
	a.Comment = comment(a.Comment)
	if _, err := s.answer(ctx, sv, a, "link"); err != nil {
		return sv, err
	}
	return s.ByLink(ctx, tok)
}
