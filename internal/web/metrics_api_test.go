package web_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestMetricsOverTheAPIAndAsCSV(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	e.hook(msg("m-1", "+972501234567", "hi"))
	e.hook(msg("m-2", "+972501234568", "hi"))
	status, list := e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics", nil)
	if status != 200 || len(items(list)) < 5 {
		t.Fatalf("metric list: %d %v", status, list)
	}
	status, res := e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics/volume?from=2026-11-22&to=2026-11-23", nil)
	if status != 200 {
		t.Fatalf("volume: %d %v", status, res)
	}
	series := res["series"].([]any)
	if len(series) != 1 || series[0].(map[string]any)["points"].([]any)[0].(map[string]any)["v"] != float64(2) {
		t.Errorf("volume on 22 November: %v; want one api series with 2", series)
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/metrics/volume?from=2026-11-22&to=2026-11-23&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[auth.RoleSupervisor])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "bucket,series,value\n2026-11-22T00:00:00Z,api,2\n"
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || string(body) != want {
		t.Errorf("CSV %q (%s), want %q", body, resp.Header.Get("Content-Type"), want)
	}
	for _, bad := range []string{"/api/v1/metrics/volume?from=yesterday", "/api/v1/metrics/volume?bucket=hour", "/api/v1/metrics/volume?tz=Mars/Olympus"} {
		if status, _ := e.call(auth.RoleSupervisor, "GET", bad, nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, status)
		}
	}
	if status, _ := e.call(auth.RoleSupervisor, "GET", "/api/v1/metrics/nope", nil); status != http.StatusNotFound {
		t.Errorf("unknown metric: %d, want 404", status)
	}
}
