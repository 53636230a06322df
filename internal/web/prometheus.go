package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gesher-cs/gesher/internal/channel"
)

// promMetrics are this server's Prometheus figures, on a registry of its own so that several
// servers in one test process do not collide.
type promMetrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	ingest   *prometheus.CounterVec
	handler  http.Handler
}

func newMetrics(d Deps) *promMetrics {
	m := &promMetrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gesher_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gesher_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route"})
	m.ingest = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gesher_ingest_items_total", Help: "Webhook items by channel kind and outcome (accepted, duplicate, bad_signature, bad_payload, too_large, error).",
	}, []string{"kind", "result"})
	m.reg.MustRegister(m.requests, m.duration, m.ingest,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(d.DB.Writer(), "writer"))
	}
	if d.Jobs != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gesher_jobs_failed", Help: "Durable jobs that gave up (a failed send, say) and wait for a person.",
		}, func() float64 { return jobCount(d, "failed") }))
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gesher_jobs_ready", Help: "Durable jobs waiting to run.",
		}, func() float64 { return jobCount(d, "ready") }))
	}
	if d.Metrics != nil {
		m.reg.MustRegister(newBusinessGauges(d.Metrics, d.Clock, d.Log))
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func jobCount(d Deps, state string) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := d.Jobs.Counts(ctx)
	if err != nil {
		return -1
	}
	return float64(counts[state])
}

func (m *promMetrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (m *promMetrics) hook(ch channel.Channel, result string) {
	m.ingest.WithLabelValues(string(ch.Kind), result).Inc()
}

func (m *promMetrics) ingested(ch channel.Channel, accepted, duplicates int) {
	m.ingest.WithLabelValues(string(ch.Kind), "accepted").Add(float64(accepted))
	m.ingest.WithLabelValues(string(ch.Kind), "duplicate").Add(float64(duplicates))
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
