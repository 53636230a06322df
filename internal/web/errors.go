package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/ivr"
	"github.com/gesher-cs/gesher/internal/journey"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// apiError is the one error shape every endpoint answers with.
type apiError struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Field     string `json:"field,omitempty"`
		Reason    string `json:"reason,omitempty"`
		RequestID string `json:"request_id,omitempty"`
	} `json:"error"`
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	e.Error.RequestID = w.Header().Get("X-Request-Id")
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// fail maps a domain error to a status and the JSON error shape. It is the only place that
// does. Unknown errors are 500s: their detail goes to the log, never to the client.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status = http.StatusInternalServerError
		code   = "internal"
		msg    = "internal error; quote request id " + requestID(r.Context())
		field  string
		reason string
	)
	var (
		cv  *conversation.ValidationError
		cuv *customer.ValidationError
		av  *auth.ValidationError
		inv *customer.InvalidIdentityError
		tk  *customer.IdentityTakenError
		pe  *channel.PayloadError
		be  *badRequest
		mbe *http.MaxBytesError
		nf  *channel.NotFitError
		cnv *canned.ValidationError
		cse *canned.SyntaxError
		pv  *policy.ValidationError
		ssv *selfservice.ValidationError
		brv *branch.ValidationError
		sre *selfservice.RuleError
		ivv *ivr.ValidationError
		aie *assist.InputError
		sgv *segment.ValidationError
		sgr *segment.RuleError
		cov *coaching.ValidationError
	)
	switch {
	case errors.As(err, &mbe):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", "the body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes"
	case errors.As(err, &nf):
		status, code, msg, field, reason = http.StatusUnprocessableEntity, "channel_does_not_fit", nf.Message, "channel_id", nf.Reason
	case errors.As(err, &be):
		status, code, msg, field = http.StatusBadRequest, "bad_request", be.msg, be.field
	case errors.As(err, &pe):
		status, code, msg = http.StatusBadRequest, "bad_payload", pe.Reason
	case errors.Is(err, channel.ErrSignature):
		status, code, msg = http.StatusUnauthorized, "bad_signature", "signature missing or wrong"
	case errors.Is(err, channel.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such channel"
	case errors.As(err, &cnv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", cnv.Reason, cnv.Field
	case errors.As(err, &cse):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", cse.Error(), "body"
	case errors.As(err, &pv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", pv.Reason, pv.Field
	case errors.As(err, &ssv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", ssv.Reason, ssv.Field
	case errors.As(err, &sre):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid_rule", sre.Error(), "limits"
	case errors.As(err, &aie):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", aie.Reason, aie.Field
	case errors.Is(err, assist.ErrBadPage):
		status, code, msg, field = http.StatusBadRequest, "bad_page", "the page token is malformed, altered or expired", "page"
	case errors.Is(err, assist.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such rule or offer"
	case errors.Is(err, assist.ErrDecided):
		status, code, msg = http.StatusConflict, "already_answered", "the offer was accepted or dismissed already"
	case errors.As(err, &ivv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", ivv.Reason, ivv.Field
	case errors.Is(err, ivr.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such menu or call"
	case errors.As(err, &brv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", brv.Reason, brv.Field
	case errors.Is(err, branch.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such branch, desk, appointment or ticket"
	case errors.Is(err, branch.ErrSlotTaken):
		status, code, msg, field = http.StatusConflict, "slot_taken", err.Error(), "start"
	case errors.Is(err, branch.ErrClosed):
		status, code, msg = http.StatusUnprocessableEntity, "branch_closed", "the branch is closed then, or the time is not one of its slots"
	case errors.Is(err, branch.ErrState):
		status, code, msg = http.StatusConflict, "wrong_state", err.Error()
	case errors.As(err, &sgv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", sgv.Reason, sgv.Field
	case errors.As(err, &sgr):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid_rule", sgr.Error(), "rule"
	case errors.As(err, &cov):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", cov.Reason, cov.Field
	case errors.Is(err, segment.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such segment"
	case errors.Is(err, segment.ErrBuiltin):
		status, code, msg = http.StatusConflict, "builtin", err.Error()
	case errors.Is(err, journey.ErrNoJourney):
		status, code, msg = http.StatusNotFound, "not_found", "the segment is not a persona: it has no journey"
	case errors.Is(err, coaching.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such tutorial or guided session"
	case errors.Is(err, selfservice.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "no such service or case"
	case errors.As(err, &cv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", cv.Error(), cv.Field
	case errors.As(err, &cuv):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", cuv.Error(), cuv.Field
	case errors.As(err, &av):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", av.Error(), av.Field
	case errors.As(err, &inv):
		status, code, msg = http.StatusUnprocessableEntity, "invalid_identity", inv.Error()
	case errors.As(err, &tk):
		status, code, msg = http.StatusConflict, "identity_taken", "that identity belongs to customer "+tk.CustomerID+"; merge the two customers instead"
	case errors.Is(err, conversation.ErrNotFound), errors.Is(err, customer.ErrNotFound), errors.Is(err, auth.ErrNotFound), errors.Is(err, media.ErrNotFound), errors.Is(err, canned.ErrNotFound), errors.Is(err, policy.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, channel.ErrNotFailed):
		status, code, msg = http.StatusConflict, "not_failed", err.Error()
	case errors.Is(err, conversation.ErrNoLabel):
		status, code, msg, field = http.StatusNotFound, "not_found", err.Error(), "label_id"
	case errors.Is(err, conversation.ErrLabelExists):
		status, code, msg, field = http.StatusConflict, "label_exists", err.Error(), "name"
	case errors.Is(err, conversation.ErrNoQueue):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", err.Error(), "queue_id"
	case errors.Is(err, conversation.ErrOpenExists):
		status, code, msg = http.StatusConflict, "open_exists", err.Error()
	case errors.Is(err, conversation.ErrNoAssignee):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", err.Error(), "assignee_id"
	case errors.Is(err, conversation.ErrEmptyText):
		status, code, msg, field = http.StatusUnprocessableEntity, "invalid", err.Error(), "text"
	case errors.Is(err, customer.ErrMergeSelf), errors.Is(err, customer.ErrAlreadyMerged), errors.Is(err, customer.ErrNotMerged):
		status, code, msg = http.StatusConflict, "merge_conflict", err.Error()
	case errors.Is(err, auth.ErrEmailTaken):
		status, code, msg, field = http.StatusConflict, "email_taken", err.Error(), "email"
	case errors.Is(err, auth.ErrTOTPRequired):
		status, code, msg, field = http.StatusUnauthorized, "totp_required", err.Error(), "code"
	case errors.Is(err, auth.ErrBadTOTP):
		status, code, msg, field = http.StatusUnauthorized, "bad_totp", err.Error(), "code"
	case errors.Is(err, auth.ErrTOTPOn), errors.Is(err, auth.ErrTOTPNotStarted):
		status, code, msg = http.StatusConflict, "totp_state", err.Error()
	case errors.Is(err, auth.ErrBadCredentials):
		status, code, msg = http.StatusUnauthorized, "bad_credentials", "wrong email or password"
	case errors.Is(err, auth.ErrUnauthenticated):
		status, code, msg = http.StatusUnauthorized, "unauthenticated", "sign in or send a valid API token"
	}
	if status >= 500 {
		s.d.Log.Error("request failed", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.d.Log.Info("request refused", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "status", status, "reason", msg)
	}
	var e apiError
	e.Error.Code, e.Error.Message, e.Error.Field, e.Error.Reason, e.Error.RequestID = code, msg, field, reason, requestID(r.Context())
	writeJSON(w, status, e)
}

// badRequest is a request the handler could not read.
type badRequest struct{ field, msg string }

func (e *badRequest) Error() string { return e.msg }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSONError(w, http.StatusNotFound, "not_found", "no such page: "+r.URL.Path)
}

func itoa(n int) string { return strconv.Itoa(n) }
