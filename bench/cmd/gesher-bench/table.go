package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// row is one line of the printed table: a figure, its value, the goal of issue 11 and whether
// this run met it. The goals are reported, never asserted.
type row struct {
	name, value, goal, met string
}

func num(v *float64, unit string, places int) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%.*f%s", places, *v, unit)
}

func verdict(ok bool, known bool) string {
	switch {
	case !known:
		return "—"
	case ok:
		return "met"
	}
	return "MISSED"
}

func printTable(w io.Writer, r *Report) {
	var rows []row
	add := func(name, value, goal, met string) { rows = append(rows, row{name, value, goal, met}) }

	add("ceiling.req_per_s", num(r.Ceiling.ReqPerS, "/s", 0), "the machine's limit for this work", "")
	for _, f := range []struct {
		key string
		f   ingestFigures
	}{{"ingest", r.Ingest}, {"ingest_pg", r.IngestPG}} {
		of := ""
		if f.f.OfCeiling != nil {
			of = fmt.Sprintf(" (%.0f%% of ceiling)", *f.f.OfCeiling*100)
		}
		goal, met := "", ""
		if f.key == "ingest" {
			goal = "≥ 50% of the ceiling"
			met = verdict(f.f.OfCeiling != nil && *f.f.OfCeiling >= 0.5, f.f.OfCeiling != nil)
		}
		add(f.key+".msgs_per_s", num(f.f.MsgsPerS, "/s", 0)+of, goal, met)
		add(f.key+".p50_ms", num(f.f.P50MS, " ms", 2), "at peak", "")
		add(f.key+".p99_ms", num(f.f.P99MS, " ms", 2), "at peak", "")
		h := f.f.HalfRate
		add(f.key+".half_rate.p99_ms", num(h.P99MS, " ms", 2)+fmt.Sprintf(" at %s", num(h.ReqPerS, "/s", 0)), "< 10 ms at half of peak",
			verdict(h.P99MS != nil && *h.P99MS < 10, h.P99MS != nil))
	}
	add("fanout.p99_ms", num(r.Fanout.P99MS, " ms", 1)+fmt.Sprintf(" (%d/%d arrivals)", r.Fanout.Delivered, r.Fanout.Expected), "< 100 ms to 1,000 sockets",
		verdict(r.Fanout.P99MS != nil && *r.Fanout.P99MS < 100, r.Fanout.P99MS != nil))
	add("search.p99_ms", num(r.Search.P99MS, " ms", 2), "< 5 ms, 100,000 articles", r.Search.Note)
	for _, d := range dashboardNames {
		v, ok := r.Dashboards.LoadMS[d]
		value := "null"
		if ok {
			value = fmt.Sprintf("%.1f ms", v)
		}
		add("dashboards."+d+"_ms", value, fmt.Sprintf("< 1 s, %d events", r.Dashboards.Events), verdict(ok && v < 1000, ok))
	}
	timers := "null"
	if r.SLA.Timers != nil {
		timers = fmt.Sprint(*r.SLA.Timers)
	}
	add("sla.timers / rss_mb / lag_ms", timers+" / "+num(r.SLA.RSSMB, " MB", 1)+" / "+num(r.SLA.LagMS, " ms", 0), "10⁶ clocks, < 1 GiB, lag < 1 s",
		verdict(r.SLA.Timers != nil && *r.SLA.Timers >= 1_000_000 && r.SLA.RSSMB != nil && *r.SLA.RSSMB < 1024 && r.SLA.LagMS != nil && *r.SLA.LagMS < 1000, r.SLA.LagMS != nil))
	add("startup_ms", num(r.StartupMS, " ms", 1), "< 1 s", verdict(r.StartupMS != nil && *r.StartupMS < 1000, r.StartupMS != nil))
	add("idle_rss_mb", num(r.IdleRSSMB, " MB", 1), "< 50 MB", verdict(r.IdleRSSMB != nil && *r.IdleRSSMB < 50, r.IdleRSSMB != nil))
	add("binary_mb", num(r.BinaryMB, " MB", 1), "", "")

	fmt.Fprintf(w, "\nGesher load figures (%s run) on %d × %s, %.1f GB RAM, %s\n\n", r.Plan.Mode, r.Machine.CPUs, r.Machine.CPU, r.Machine.RAMGB, r.Machine.Go)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tgoal\tthis run")
	fmt.Fprintln(tw, "------\t-----\t----\t--------")
	for _, x := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.name, x.value, x.goal, x.met)
	}
	tw.Flush()
	for _, e := range r.Errors {
		fmt.Fprintln(w, "error:", e)
	}
}
