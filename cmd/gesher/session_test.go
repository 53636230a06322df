package main

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/demo"
)

// agentSession signs in as the demo agent and returns a client holding the session cookie.
func agentSession(t *testing.T, url string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(url+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"`+demo.AgentEmail+`","password":"`+demo.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("demo agent sign-in: %d", resp.StatusCode)
	}
	return c
}
