package ivr

import (
	"context"
	"fmt"
	"strings"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// A case's reference is the first eight characters of its id (selfservice.RefOf), so the
// cases a reference can name are found by that prefix. The cases table is the self-service
// desk's; the menu only reads it, to find the id, and asks the desk for the rest.
const sqlCasesByPrefix = `SELECT id, customer_id FROM cases WHERE id LIKE ? ORDER BY created_at DESC LIMIT 5`

// lookupKey is how a reference is compared: lower case, without the dash or spaces people add
// when they copy it.
func lookupKey(ref string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(ref) {
		switch {
		case r == '-' || r == ' ':
		case strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != 8 {
		return "", false
	}
	return b.String(), true
}

// CaseByRef finds a case by its reference and a check — the last four digits of a phone
// number of the customer it belongs to — for a caller asking about a request made from
// another phone (a parent's, a child's). Without both matching, nothing is found, and
// nothing says which one was wrong. Each look-up is recorded on the call, found or not.
func (s *Service) CaseByRef(ctx context.Context, v Visit, ref, check, lang string) (CaseLine, bool, error) {
	key, ok := lookupKey(ref)
	check = strings.TrimSpace(check)
	if !ok || len(check) != 4 || strings.Trim(check, "0123456789") != "" {
		return CaseLine{}, false, s.Tried(ctx, v, "case-lookup", map[string]any{"found": false})
	}
	rows, err := s.db.Query(ctx, sqlCasesByPrefix, key+"%")
	if err != nil {
		return CaseLine{}, false, fmt.Errorf("ivr: cases by reference: %w", err)
	}
	type hit struct{ id, customer string }
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.customer); err != nil {
			rows.Close()
			return CaseLine{}, false, fmt.Errorf("ivr: cases by reference: %w", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return CaseLine{}, false, err
	}
	for _, h := range hits {
		cust, err := s.customers.Get(ctx, h.customer)
		if err != nil {
			continue
		}
		if !phoneEndsWith(cust, check) {
			continue
		}
		k, err := s.desk.Case(ctx, h.id)
		if err != nil {
			return CaseLine{}, false, err
		}
		svc, err := s.desk.GetService(ctx, k.ServiceID)
		if err != nil {
			return CaseLine{}, false, err
		}
		st, _, _ := svc.Stage(k.Stage)
		line := CaseLine{ID: k.ID, Ref: k.Ref, Service: selfservice.Text(svc.Name, lang), Stage: s.desk.StageName(st, lang), Done: k.ClosedAt != nil}
		return line, true, s.Tried(ctx, v, "case-lookup", map[string]any{"found": true, "case_id": k.ID})
	}
	return CaseLine{}, false, s.Tried(ctx, v, "case-lookup", map[string]any{"found": false})
}

func phoneEndsWith(c customer.Customer, last4 string) bool {
	for _, id := range c.Identities {
		if id.Kind == customer.Phone && strings.HasSuffix(id.Value, last4) {
			return true
		}
	}
	return false
}
