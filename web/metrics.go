package web

import (
	"context"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The metrics read from the store at each scrape.
var (
	descRuns = prometheus.NewDesc("entitywatch_runs_total",
		"Ingestion runs recorded.", nil, nil)
	descLastRun = prometheus.NewDesc("entitywatch_last_run_timestamp_seconds",
		"When the latest ingestion run finished (Unix time; 0 if none).", nil, nil)
	descLastRunFailed = prometheus.NewDesc("entitywatch_last_run_failed",
		"1 when the latest ingestion run failed, else 0.", nil, nil)
	descLastSuccess = prometheus.NewDesc("entitywatch_last_success_timestamp_seconds",
		"When the latest successful ingestion run finished (Unix time; 0 if none).", nil, nil)
	descDocuments = prometheus.NewDesc("entitywatch_documents",
		"Stored Federal Register documents by status.", []string{"status"}, nil)
	descAlerts = prometheus.NewDesc("entitywatch_alerts",
		"Alerts of the outbox by state: queued, delivered, failed.", []string{"state"}, nil)
	descListEntries = prometheus.NewDesc("entitywatch_list_entries",
		"Entries on the Entity List in effect today, by destination (ISO 3166-1 alpha-2).", []string{"destination"}, nil)
)

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 10 * time.Second

// storeCollector reads the store's health and today's list at each
// scrape.
type storeCollector struct{ s *Server }

// Describe implements prometheus.Collector.
func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRuns, descLastRun, descLastRunFailed, descLastSuccess, descDocuments, descAlerts, descListEntries} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	h, err := c.s.store.Health(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descRuns, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, float64(h.Runs))
		ch <- prometheus.MustNewConstMetric(descLastRun, prometheus.GaugeValue, unix(h.LastRun))
		failed := 0.0
		if h.LastRunError != "" {
			failed = 1
		}
		ch <- prometheus.MustNewConstMetric(descLastRunFailed, prometheus.GaugeValue, failed)
		ch <- prometheus.MustNewConstMetric(descLastSuccess, prometheus.GaugeValue, unix(h.LastSuccess))
		for _, st := range sortedKeys(h.Documents) {
			ch <- prometheus.MustNewConstMetric(descDocuments, prometheus.GaugeValue, float64(h.Documents[st]), st)
		}
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(h.Alerts.Queued), "queued")
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(h.Alerts.Delivered), "delivered")
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(h.Alerts.Failed), "failed")
	}
	snap, err := c.s.snapshot(ctx, c.s.today(), ByEffective)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descListEntries, err)
		return
	}
	by := map[string]int{}
	for i := range snap.listed {
		by[snap.listed[i].CountryCode]++
	}
	for _, d := range sortedKeys(by) {
		ch <- prometheus.MustNewConstMetric(descListEntries, prometheus.GaugeValue, float64(by[d]), d)
	}
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
