package web

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// benchQueries are searches a person types: right, misspelt, partial,
// transliterated, with legal forms.
var benchQueries = []string{
	"Suma Techology", "Inspur", "inspur taiwan", "Beijing Zhiputek Technology", "Shanghai Rosvolk Electronics Co., Ltd.",
	"Hangzhou", "Tsenyun", "navkor", "Moscow Mirdar Precision Instruments", "Semiconductor Research Institute",
	"Technolgy", "Feng", "Dubai Trading FZE", "Xinlong Optoelectronics", "kamsev",
}

// benchLatency runs the request target b.N times through h and reports
// the median and 99th percentile latency in milliseconds.
func benchLatency(b *testing.B, h http.Handler, target func(i int) string) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		rec := do(b, h, "GET", target(i))
		lat = append(lat, time.Since(start))
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkSearch measures GET /api/v1/entries?q= over 3,500 entries with
// aliases (about 11,000 names), the index already built for the date.
// The target is a p99 under 10 ms.
func BenchmarkSearch(b *testing.B) {
	st := newSyntheticStore(3500)
	names := 0
	for _, l := range st.lists {
		names += 1 + len(l.Aliases)
	}
	h, _ := newTestServer(b, st, Options{})
	start := time.Now()
	do(b, h, "GET", "/api/v1/entries?q=warm")
	build := time.Since(start)
	benchLatency(b, h, func(i int) string {
		return "/api/v1/entries?q=" + url.QueryEscape(benchQueries[i%len(benchQueries)])
	})
	b.ReportMetric(float64(build)/float64(time.Millisecond), "index-build-ms")
	b.ReportMetric(float64(names), "names")
}

// BenchmarkSnapshot measures GET /api/v1/snapshot over 3,500 entries:
// "cached" is the list already read for the date, "uncached" reads it
// from the store every time (an in-memory store here, so it measures the
// server's own work). The target is under 20 ms.
func BenchmarkSnapshot(b *testing.B) {
	for _, tt := range []struct {
		name string
		ttl  time.Duration
		q    string
	}{
		{"cached", time.Hour, "?as_of=2025-03-25"},
		{"uncached", -1, "?as_of=2025-03-25"},
		{"cached_csv", time.Hour, "?as_of=2025-03-25&format=csv"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			h, _ := newTestServer(b, newSyntheticStore(3500), Options{IndexTTL: tt.ttl})
			do(b, h, "GET", "/api/v1/snapshot"+tt.q)
			benchLatency(b, h, func(int) string { return "/api/v1/snapshot" + tt.q })
		})
	}
}
