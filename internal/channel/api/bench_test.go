package api_test

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/channel/api"
)

// BenchmarkParse decodes and checks one typical inbound body: the adapter's share of every
// API-channel webhook.
func BenchmarkParse(b *testing.B) {
	body := []byte(`{"id":"crm-81734","from":{"phone":"+972 50-123-4567","name":"Dana Levi"},"text":"שלום, I sent the photos of the damage yesterday — did you get them?","timestamp":"2026-11-22T09:00:00Z"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := api.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
