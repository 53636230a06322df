package web_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// FuzzAPIBodies sends arbitrary bodies to every route that reads JSON, as an admin (who may
// call them all): bad input is a 4xx, never a 5xx, never a panic.
func FuzzAPIBodies(f *testing.F) {
	f.Add([]byte(`{"text":"hello"}`))
	f.Add([]byte(`{"status":"resolved"}`))
	f.Add([]byte(`{"assignee_id":""}`))
	f.Add([]byte(`{"into":"x"}`))
	f.Add([]byte(`{"name":"a","profile":{"device":"kosher","consent":{"sms":true}}}`))
	f.Add([]byte(`{"email":"a@b.c","password":"0123456789","role":"agent"}`))
	f.Add([]byte(`{"kind":"phone","value":"050-123-4567"}`))
	f.Add([]byte(`{"channel_id":"x","action":"offer","text":"t"}`))
	f.Add([]byte(`{"id":"m","from":{"phone":"050"},"text":"x"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{}]`))
	e := newEnv(f, storetest.SQLitePath(f))
	_, body := e.hook(msg("seed-1", "+972501234567", "hi"))
	res := items(map[string]any{"items": body["results"]})[0]
	conv, cust := res["conversation_id"].(string), res["customer_id"].(string)
	user := e.users[auth.RoleAgent].ID
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/conversations/" + conv + "/messages"},
		{"POST", "/api/v1/conversations/" + conv + "/notes"},
		{"POST", "/api/v1/conversations/" + conv + "/assign"},
		{"POST", "/api/v1/conversations/" + conv + "/status"},
		{"POST", "/api/v1/conversations/" + conv + "/move"},
		{"PATCH", "/api/v1/customers/" + cust},
		{"POST", "/api/v1/customers/" + cust + "/identities"},
		{"POST", "/api/v1/customers/" + cust + "/merge"},
		{"POST", "/api/v1/users"},
		{"PATCH", "/api/v1/users/" + user},
		{"POST", "/api/v1/users/" + user + "/tokens"},
		{"PUT", "/api/v1/me/availability"},
		{"POST", "/api/v1/auth/login"},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tg := range targets {
			req, _ := http.NewRequest(tg.method, e.http.URL+tg.path, bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleAdmin])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s with %q: %d", tg.method, tg.path, b, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("POST", e.http.URL+"/hooks/api/"+e.channel.Name, bytes.NewReader(b))
		req.Header.Set("X-Gesher-Signature", apiSign(string(b)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("signed webhook %q: %d", b, resp.StatusCode)
		}
	})
}
