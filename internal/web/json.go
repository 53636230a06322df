package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// listOf is the envelope of every list answer, so lists can grow paging fields later without
// breaking clients.
type listOf[T any] struct {
	Items []T `json:"items"`
}

// decode reads a JSON body strictly: size-limited, unknown fields refused, one value only.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.d.Limits.MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return &badRequest{msg: "the body is empty; send a JSON object"}
		}
		return &badRequest{msg: "the body is not valid JSON for this request: " + err.Error()}
	}
	if dec.More() {
		return &badRequest{msg: "send one JSON object, not several"}
	}
	return nil
}

// queryInt reads an integer query parameter within [0, max], def when absent.
func queryInt(r *http.Request, name string, def, maxVal int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &badRequest{field: name, msg: name + " must be a whole number"}
	}
	return min(n, maxVal), nil
}
