package web

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/metrics"
)

// The business gauges are the figures of internal/metrics that read well as a current value
// (SLA compliance, response times, satisfaction, containment), computed over a rolling
// window that ends now, so an alert can say "CSAT over the last 7 days fell under 70 %".
//
// /metrics is public (an internal scraper reads it without credentials), so the only labels
// are channel kinds, SLA clocks, self-service ways, help-centre languages and branch names:
// short lists that an admin sets up. Nothing is labelled per agent, customer or segment. Such
// labels would show anyone who can reach /metrics how each agent scores, and one label value
// per person grows Prometheus' series without bound. Those figures stay behind the API's
// permissions.

const (
	// businessEvery is how long computed gauges are served again: several Prometheus
	// replicas, or a short scrape interval, would otherwise scan the event log on each scrape.
	businessEvery = 15 * time.Second
	// businessTimeout bounds one computation of every family, well under Prometheus' default
	// 10-second scrape timeout.
	businessTimeout = 5 * time.Second

	lastDay   = 24 * time.Hour
	lastWeek  = 7 * lastDay
	lastMonth = 30 * lastDay
)

// computer is what the gauges need of the metrics service (a test gives a fake).
type computer interface {
	Compute(ctx context.Context, name string, q metrics.Query) (metrics.Result, error)
}

var (
	descSLACompliance = prometheus.NewDesc("gesher_sla_compliance_ratio",
		`SLA targets met over the last 24 hours as a share of those met or breached (0..1), per channel kind and clock; channel="all" is every channel.`,
		[]string{"channel", "clock"}, nil)
	descSLAMet = prometheus.NewDesc("gesher_sla_met",
		"SLA targets met (sla.met) over the last 24 hours, per channel kind and clock.", []string{"channel", "clock"}, nil)
	descSLABreached = prometheus.NewDesc("gesher_sla_breached",
		"SLA targets breached (sla.breached) over the last 24 hours, per channel kind and clock.", []string{"channel", "clock"}, nil)
	descFirstResponse = prometheus.NewDesc("gesher_first_response_seconds",
		"First response time in business seconds (the opening channel's SLA calendar) of the conversations opened over the last 24 hours and answered, median and 90th percentile, per opening channel kind.",
		[]string{"channel", "quantile"}, nil)
	descUnanswered = prometheus.NewDesc("gesher_first_response_unanswered",
		"Conversations opened over the last 24 hours that no agent has answered yet, per opening channel kind.", []string{"channel"}, nil)
	descCSAT = prometheus.NewDesc("gesher_csat_ratio",
		"CSAT over the last 7 days: the share of answers that were 4 or 5 (0..1), per channel kind asked on.", []string{"channel"}, nil)
	descCSATResponses = prometheus.NewDesc("gesher_csat_responses",
		"CSAT answers over the last 7 days, per channel kind asked on.", []string{"channel"}, nil)
	descNPS = prometheus.NewDesc("gesher_nps_score",
		"Net promoter score over the last 30 days (% promoters - % detractors, -100..100), per channel kind asked on.", []string{"channel"}, nil)
	descNPSResponses = prometheus.NewDesc("gesher_nps_responses",
		"NPS answers over the last 30 days, per channel kind asked on.", []string{"channel"}, nil)
	descDigitalShare = prometheus.NewDesc("gesher_digital_share_ratio",
		"Share of inbound messages over the last 24 hours that came on digital channels (all but voice and branch), 0..1.", nil, nil)
	descContainment = prometheus.NewDesc("gesher_selfservice_containment_ratio",
		"Self-service cases opened 7 to 14 days ago (each has had its 7 days to draw an agent contact) that needed no agent and hit no limit, as a share (0..1), per way.",
		[]string{"way"}, nil)
	descCases = prometheus.NewDesc("gesher_selfservice_cases",
		"Self-service cases customers opened 7 to 14 days ago, per way.", []string{"way"}, nil)
	descBotContainment = prometheus.NewDesc("gesher_bot_containment_ratio",
		"Conversations the bot took part in over the last 7 days that it kept (not handed over, no agent reply), as a share (0..1), per channel kind.",
		[]string{"channel"}, nil)
	descBotConversations = prometheus.NewDesc("gesher_bot_conversations",
		"Conversations the bot answered or ran a flow in over the last 7 days, per channel kind.", []string{"channel"}, nil)
	descSearchSuccess = prometheus.NewDesc("gesher_search_success_ratio",
		"Help-centre searches over the last 7 days after which a result was opened and no agent was contacted within 24 hours, as a share (0..1), per language.",
		[]string{"lang"}, nil)
	descSearches = prometheus.NewDesc("gesher_searches",
		"Help-centre searches over the last 7 days, per language.", []string{"lang"}, nil)
	descBranchWait = prometheus.NewDesc("gesher_branch_wait_seconds",
		"Branch queue waiting time (ticket taken to called) over the last 24 hours, median and 90th percentile, per branch name.",
		[]string{"branch", "quantile"}, nil)
	descBranchTickets = prometheus.NewDesc("gesher_branch_tickets",
		"Branch queue tickets taken over the last 24 hours, per branch name.", []string{"branch"}, nil)
)

// gaugeFamily is the gauges computed from one metric.
type gaugeFamily struct {
	metric  string // the internal/metrics figure it reads, for the log
	descs   []*prometheus.Desc
	compute func(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error)
}

func businessFamilies() []gaugeFamily {
	return []gaugeFamily{
		{"sla_compliance", []*prometheus.Desc{descSLACompliance, descSLAMet, descSLABreached}, slaGauges},
		{"first_response_time", []*prometheus.Desc{descFirstResponse, descUnanswered}, firstResponseGauges},
		{"csat", []*prometheus.Desc{descCSAT, descCSATResponses}, csatGauges},
		{"nps", []*prometheus.Desc{descNPS, descNPSResponses}, npsGauges},
		{"volume", []*prometheus.Desc{descDigitalShare}, digitalShareGauges},
		{"containment", []*prometheus.Desc{descContainment, descCases}, containmentGauges},
		{"bot_containment", []*prometheus.Desc{descBotContainment, descBotConversations}, botGauges},
		{"search_success", []*prometheus.Desc{descSearchSuccess, descSearches}, searchGauges},
		{"branch_service", []*prometheus.Desc{descBranchWait, descBranchTickets}, branchGauges},
	}
}

// businessGauges is the prometheus.Collector of the business figures.
type businessGauges struct {
	metrics  computer
	clock    clock.Clock
	log      *slog.Logger
	families []gaugeFamily

	mu       sync.Mutex // held through a computation, so scrapes at once wait for one and share it
	computed time.Time  // when the families were last computed; zero before the first scrape
	last     [][]prometheus.Metric
}

func newBusinessGauges(m computer, clk clock.Clock, log *slog.Logger) *businessGauges {
	if clk == nil {
		clk = clock.System{}
	}
	fs := businessFamilies()
	return &businessGauges{metrics: m, clock: clk, log: log, families: fs, last: make([][]prometheus.Metric, len(fs))}
}

// Describe implements prometheus.Collector.
func (b *businessGauges) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range b.families {
		for _, d := range f.descs {
			ch <- d
		}
	}
}

// Collect implements prometheus.Collector.
func (b *businessGauges) Collect(ch chan<- prometheus.Metric) {
	for _, ms := range b.current() {
		for _, m := range ms {
			ch <- m
		}
	}
}

// current returns every family's samples, computing them again when the last computation is
// businessEvery old. A family that fails keeps the samples it last computed (none, if it never
// succeeded): one broken figure must not fail the scrape of all the others.
func (b *businessGauges) current() [][]prometheus.Metric {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if !b.computed.IsZero() && !now.Before(b.computed) && now.Sub(b.computed) < businessEvery {
		return slices.Clone(b.last)
	}
	// Collect has no request context; the deadline bounds the whole computation instead, so
	// a slow database costs a scrape its business gauges, not its timeout.
	ctx, cancel := context.WithTimeout(context.Background(), businessTimeout)
	defer cancel()
	for i, f := range b.families {
		ms, err := f.compute(ctx, b.metrics, now)
		if err != nil {
			b.log.Warn("prometheus: business gauges kept at their last values", "metric", f.metric, "err", err)
			continue
		}
		b.last[i] = ms
	}
	b.computed = now
	// The families' slices are replaced, never changed, so a shallow copy is safe to range
	// over after the lock is released.
	return slices.Clone(b.last)
}

// window is the range of d ending at now.
func window(now time.Time, d time.Duration) metrics.Query {
	return metrics.Query{From: now.Add(-d), To: now, Fresh: true}
}

// gauges gathers one family's samples. A label set already added is dropped: the registry
// fails the whole scrape on a repeated one (a branch deleted since, whose id is shown in
// place of its name, could read like another's name).
type gauges struct {
	out  []prometheus.Metric
	seen map[gaugeKey]bool
}

type gaugeKey struct {
	desc   *prometheus.Desc
	labels string
}

func (g *gauges) add(d *prometheus.Desc, v float64, labels ...string) {
	k := gaugeKey{d, strings.Join(labels, "\x00")}
	if g.seen == nil {
		g.seen = map[gaugeKey]bool{}
	}
	if g.seen[k] {
		return
	}
	g.seen[k] = true
	g.out = append(g.out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...))
}

// share adds part/whole, or nothing when whole is zero: a ratio of nothing is no sample, not 0.
func (g *gauges) share(d *prometheus.Desc, part, whole float64, labels ...string) {
	if whole > 0 {
		g.add(d, part/whole, labels...)
	}
}

// rowNumber reads a count or a figure from a result row.
func rowNumber(r metrics.Row, key string) float64 {
	switch v := r[key].(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

func rowString(r metrics.Row, key string) string {
	s, _ := r[key].(string)
	return s
}

// slaGauges sums the queues of each channel kind and clock: queues are the admins' own
// list, and compliance by queue is the API's.
func slaGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "sla_compliance", window(now, lastDay))
	if err != nil {
		return nil, err
	}
	type key struct{ channel, clock string }
	met, breached := map[key]float64{}, map[key]float64{}
	var keys []key
	for _, row := range r.Rows {
		k := key{rowString(row, "channel"), rowString(row, "clock")}
		if _, ok := met[k]; !ok {
			keys = append(keys, k)
		}
		met[k] += rowNumber(row, "met")
		breached[k] += rowNumber(row, "breached")
	}
	var g gauges
	for _, k := range keys {
		g.add(descSLAMet, met[k], k.channel, k.clock)
		g.add(descSLABreached, breached[k], k.channel, k.clock)
		g.share(descSLACompliance, met[k], met[k]+breached[k], k.channel, k.clock)
	}
	return g.out, nil
}

func firstResponseGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "first_response_time", window(now, lastDay))
	if err != nil {
		return nil, err
	}
	var g gauges
	for ch, d := range r.Distribution {
		g.add(descUnanswered, float64(d.Unanswered), ch)
		if d.Count > 0 {
			g.add(descFirstResponse, d.P50Sec, ch, "0.5")
			g.add(descFirstResponse, d.P90Sec, ch, "0.9")
		}
	}
	return g.out, nil
}

// surveyChannel is the channel label of a CSAT or NPS row: "all", or the kind of a by-channel
// row. Rows by agent and by segment are not exported (see the top of this file).
func surveyChannel(row metrics.Row) (string, bool) {
	switch rowString(row, "by") {
	case "all":
		return "all", true
	case "channel":
		return rowString(row, "key"), true
	}
	return "", false
}

func csatGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	// The row's percent, as the dashboards round it, as a ratio.
	return surveyGauges(ctx, m, "csat", window(now, lastWeek), descCSATResponses, descCSAT, func(row metrics.Row) float64 { return rowNumber(row, "csat") / 100 })
}

func npsGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	return surveyGauges(ctx, m, "nps", window(now, lastMonth), descNPSResponses, descNPS, func(row metrics.Row) float64 { return rowNumber(row, "nps") })
}

// surveyGauges are a survey metric's answers per channel and its score where there were any.
func surveyGauges(ctx context.Context, m computer, name string, q metrics.Query, responses, score *prometheus.Desc, value func(metrics.Row) float64) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, name, q)
	if err != nil {
		return nil, err
	}
	var g gauges
	for _, row := range r.Rows {
		ch, ok := surveyChannel(row)
		if !ok {
			continue
		}
		n := rowNumber(row, "responses")
		g.add(responses, n, ch)
		if n > 0 {
			g.add(score, value(row), ch)
		}
	}
	return g.out, nil
}

// digitalShareGauges counts from volume rather than digital_share: that one is a percentage
// per calendar day, and 24 hours ending now span two days of unequal volume.
func digitalShareGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "volume", window(now, lastDay))
	if err != nil {
		return nil, err
	}
	var all, digital float64
	for _, s := range r.Series {
		for _, p := range s.Points {
			all += p.V
			if metrics.Digital(s.Label) {
				digital += p.V
			}
		}
	}
	var g gauges
	g.share(descDigitalShare, digital, all)
	return g.out, nil
}

// containmentGauges reads the week that ended a week ago: a case counts as contained only once
// seven days have passed without an agent contact, so over the last 7 days every recent case
// would look contained. Services are summed per way (web, whatsapp …), a fixed list; the
// service catalogue is the admins' and stays in the API.
func containmentGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "containment", metrics.Query{From: now.Add(-2 * lastWeek), To: now.Add(-lastWeek), Fresh: true})
	if err != nil {
		return nil, err
	}
	opened, contained := map[string]float64{}, map[string]float64{}
	var ways []string
	for _, row := range r.Rows {
		w := rowString(row, "via")
		if _, ok := opened[w]; !ok {
			ways = append(ways, w)
		}
		opened[w] += rowNumber(row, "opened")
		contained[w] += rowNumber(row, "contained")
	}
	var g gauges
	for _, w := range ways {
		g.add(descCases, opened[w], w)
		g.share(descContainment, contained[w], opened[w], w)
	}
	return g.out, nil
}

func botGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "bot_containment", window(now, lastWeek))
	if err != nil {
		return nil, err
	}
	var g gauges
	for _, row := range r.Rows {
		ch, n := rowString(row, "channel"), rowNumber(row, "conversations")
		g.add(descBotConversations, n, ch)
		g.share(descBotContainment, rowNumber(row, "contained"), n, ch)
	}
	return g.out, nil
}

func searchGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "search_success", window(now, lastWeek))
	if err != nil {
		return nil, err
	}
	var g gauges
	for _, row := range r.Rows {
		lang, n := rowString(row, "lang"), rowNumber(row, "searches")
		g.add(descSearches, n, lang)
		g.share(descSearchSuccess, rowNumber(row, "successful"), n, lang)
	}
	return g.out, nil
}

// branchGauges labels branches by name (unique, and what staff call them); there are few.
func branchGauges(ctx context.Context, m computer, now time.Time) ([]prometheus.Metric, error) {
	r, err := m.Compute(ctx, "branch_service", window(now, lastDay))
	if err != nil {
		return nil, err
	}
	var g gauges
	for _, row := range r.Rows {
		b := rowString(row, "branch_name")
		g.add(descBranchTickets, rowNumber(row, "tickets"), b)
		// A branch whose tickets were not called yet has a wait of 0 in its row, which would
		// read as a perfect branch; waits of exactly 0 ms are no real queue, so 0 means none.
		if p90 := rowNumber(row, "wait_p90_sec"); p90 > 0 {
			g.add(descBranchWait, rowNumber(row, "wait_p50_sec"), b, "0.5")
			g.add(descBranchWait, p90, b, "0.9")
		}
	}
	return g.out, nil
}
