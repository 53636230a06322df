package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A supervisor sees each channel's configuration but none of its secrets: not the secret
// itself, and not a token or password kept among the settings.
func TestChannelListHidesSecretSettings(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	if _, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "crm-out", Kind: "api", Secret: "the-hmac-secret", Enabled: true, Settings: map[string]string{
		"outbound_url": "https://crm.example/hook", "access_token": "EAAG-very-secret", "smtp_password": "hunter2-long", "api_key": "k-123456",
	}}); err != nil {
		t.Fatal(err)
	}
	status, body := e.call(auth.RoleSupervisor, "GET", "/api/v1/channels", nil)
	if status != 200 {
		t.Fatalf("list channels: %d", status)
	}
	raw, _ := json.Marshal(body)
	for _, secret := range []string{"the-hmac-secret", "EAAG-very-secret", "hunter2-long", "k-123456"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the channel list shows %q", secret)
		}
	}
	if !strings.Contains(string(raw), "https://crm.example/hook") {
		t.Errorf("the channel list hides the outbound URL, which is not a secret: %s", raw)
	}
}

// An admin adds a channel and changes it; a secret setting sent back masked keeps its value,
// and nobody but an admin may do either.
func TestAdminConfiguresAChannel(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		status, created := e.call(auth.RoleAdmin, "POST", "/api/v1/channels", map[string]any{
			"name": "partner-crm", "kind": "api", "secret": "s3cret-value", "settings": map[string]string{"outbound_url": "https://a.example/hook", "access_token": "tok-1"},
		})
		if status != 201 || created["secret_set"] != true || created["settings"].(map[string]any)["access_token"] != "••••••" {
			t.Fatalf("create: %d %v; want 201, the secret set, the token masked", status, created)
		}
		if status, _ := e.call(auth.RoleAdmin, "POST", "/api/v1/channels", map[string]any{"name": "partner-crm", "kind": "api"}); status != 409 {
			t.Errorf("a second channel of the same name: %d; want 409", status)
		}
		if status, _ := e.call(auth.RoleAdmin, "POST", "/api/v1/channels", map[string]any{"name": "fax-line", "kind": "fax"}); status != 400 {
			t.Errorf("a kind no adapter serves: %d; want 400", status)
		}
		id := created["id"].(string)
		status, updated := e.call(auth.RoleAdmin, "PUT", "/api/v1/channels/"+id, map[string]any{
			"settings": map[string]string{"outbound_url": "https://b.example/hook", "access_token": "••••••"}, "enabled": false,
		})
		if status != 200 || updated["enabled"] != false {
			t.Fatalf("update: %d %v", status, updated)
		}
		ch, err := e.chans.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Settings["outbound_url"] != "https://b.example/hook" || ch.Settings["access_token"] != "tok-1" || ch.Secret != "s3cret-value" {
			t.Errorf("stored after the update: %+v; want the new URL, the token and secret kept", ch)
		}
		if status, _ := e.call(auth.RoleSupervisor, "PUT", "/api/v1/channels/"+id, map[string]any{"enabled": true}); status != 403 {
			t.Errorf("a supervisor changing a channel: %d; want 403", status)
		}
	})
}
