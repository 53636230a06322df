package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// parse reads a flow's form: a file step's is multipart and carries the file, bounded by
// what the media store keeps; every other form is small.
func (f *flowPages) parse(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, media.MaxSize+64<<10)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "file too large", http.StatusRequestEntityTooLarge)
				return false
			}
			http.Error(w, "bad form", http.StatusBadRequest)
			return false
		}
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	return true
}

// flowCustomer is the customer the flow's contact step names — found, or created with it, as
// finishing the flow would.
func (f *flowPages) flowCustomer(r *http.Request, dr selfservice.Draft) (customer.Customer, error) {
	kind, value, problem := selfservice.CheckContact(dr.Contact)
	if problem != "" {
		return customer.Customer{}, &selfservice.ValidationError{Field: "contact", Reason: "a phone number or an email address"}
	}
	c, _, err := f.t.s.d.Customers.Resolve(r.Context(), kind, value, "", event.Actor{Kind: event.ByCustomer})
	return c, err
}

// special turns what a file or an identity-check step sent into the answer the shared check
// (selfservice.CheckAnswer) reads: the stored file's address, or "verified" once the code
// was right. Other steps' answers pass as they are.
func (f *flowPages) special(w http.ResponseWriter, r *http.Request, svc selfservice.Service, dr *selfservice.Draft, st selfservice.Step, raw string) (string, string) {
	switch st.Kind {
	case selfservice.Upload:
		file, head, err := r.FormFile("file")
		if err != nil {
			// Going on without choosing again keeps the file sent before (after "back").
			if prev, ok := dr.Answers[st.ID].(string); ok {
				return prev, ""
			}
			return "", selfservice.ProblemFile
		}
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, media.MaxSize+1))
		if err != nil || len(data) == 0 {
			return "", selfservice.ProblemFile
		}
		stored, err := f.t.s.d.Media.Put(r.Context(), head.Filename, head.Header.Get("Content-Type"), data)
		if errors.Is(err, media.ErrTooLarge) {
			return "", selfservice.ProblemFile
		}
		if err != nil {
			f.t.s.d.Log.Error("flow: store file", "service", svc.ID, "err", err)
			return "", selfservice.ProblemFile
		}
		return media.URL(stored.ID), ""
	case selfservice.Code:
		cust, err := f.flowCustomer(r, *dr)
		if err != nil {
			return "", selfservice.ProblemCodeUnsent
		}
		problem, err := f.t.s.d.SelfService.CheckCode(r.Context(), dr.CodeID, cust.ID, raw)
		if err != nil {
			f.t.s.d.Log.Error("flow: check code", "service", svc.ID, "err", err)
			return "", selfservice.ProblemCodeWrong
		}
		if problem == selfservice.ProblemCodeExpired {
			// Expired or tried too often: a new code goes out, and the draft remembers it.
			if id, err := f.t.s.d.SelfService.SendCode(r.Context(), svc, cust.ID, f.lang(r)); err == nil {
				dr.CodeID = id
				if err := f.keep(w, r, svc, *dr); err != nil {
					f.t.s.d.Log.Error("flow: keep draft", "service", svc.ID, "err", err)
				}
			}
			return "", problem
		}
		if problem != "" {
			return "", problem
		}
		dr.CodeID = ""
		return selfservice.Verified, ""
	}
	return raw, ""
}

// arrive prepares the step the draft just moved to: an identity check sends its code now,
// to the contact the customer gave.
func (f *flowPages) arrive(r *http.Request, svc selfservice.Service, dr *selfservice.Draft) (string, error) {
	if dr.Pos < 1 || dr.Pos > len(svc.Flow) || svc.Flow[dr.Pos-1].Kind != selfservice.Code {
		return "", nil
	}
	cust, err := f.flowCustomer(r, *dr)
	if err != nil {
		return selfservice.ProblemCodeUnsent, nil
	}
	id, err := f.t.s.d.SelfService.SendCode(r.Context(), svc, cust.ID, f.lang(r))
	if errors.Is(err, selfservice.ErrCodeUnsent) {
		return selfservice.ProblemCodeUnsent, nil
	}
	if err != nil {
		return "", err
	}
	dr.CodeID = id
	return "", nil
}

// lang is the language the flow's pages are in, which the code's message is sent in too.
func (f *flowPages) lang(r *http.Request) string {
	main, _ := f.t.catalogs(r, nil)
	return main.Lang
}

// extras fills what a file or an identity-check step shows besides its question: the file
// input (and whether one was sent already), or the code box with the line saying where the
// code went. Neither shows its answer back: a file's address means nothing to the customer,
// and a code is not repeated on the page.
func extras(p *flowPage, st selfservice.Step, answered bool) {
	switch st.Kind {
	case selfservice.Upload:
		p.Value = ""
		if answered {
			p.Note = p.T("flow.file.kept")
		}
	case selfservice.Code:
		p.Value, p.Autocomplete = "", "one-time-code"
		if p.Help == "" {
			p.Help = p.T("flow.code.sent")
		}
	}
}

// reviewValue is how the confirmation lists a file's or an identity check's answer.
func reviewValue(p *flowPage, st selfservice.Step, v string) string {
	switch st.Kind {
	case selfservice.Upload:
		return p.T("flow.file.sent")
	case selfservice.Code:
		return p.T("flow.code.done")
	}
	return v
}
