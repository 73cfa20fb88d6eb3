package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch/report"
)

func TestISOWeek(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		from, to string
		wantErr  string
	}{
		{"march_2025", "2025-W13", "2025-03-24", "2025-03-30", ""},
		{"lowercase_w", "2025-w13", "2025-03-24", "2025-03-30", ""},
		{"week1_starts_in_previous_year", "2025-W01", "2024-12-30", "2025-01-05", ""},
		{"week1_starts_in_year", "2024-W01", "2024-01-01", "2024-01-07", ""},
		{"week53_ends_in_next_year", "2020-W53", "2020-12-28", "2021-01-03", ""},
		{"week53_of_2015", "2015-W53", "2015-12-28", "2016-01-03", ""},
		{"last_week_of_52", "2025-W52", "2025-12-22", "2025-12-28", ""},
		{"week53_of_2026", "2026-W53", "2026-12-28", "2027-01-03", ""},
		{"no_week53_in_2025", "2025-W53", "", "", "2025 has weeks 01 to 52"},
		{"week0", "2025-W00", "", "", "2025 has weeks 01 to 52"},
		{"week54", "2020-W54", "", "", "2020 has weeks 01 to 53"},
		{"year0", "0000-W01", "", "", "no year 0"},
		{"one_digit_week", "2025-W7", "", "", "want YYYY-Www"},
		{"no_dash", "2025W13", "", "", "want YYYY-Www"},
		{"date", "2025-03-24", "", "", "want YYYY-Www"},
		{"sign", "2025-W+1", "", "", "want YYYY-Www"},
		{"empty", "", "", "", "want YYYY-Www"},
		{"weekday_suffix", "2025-W13-1", "", "", "want YYYY-Www"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := report.ISOWeek(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ISOWeek(%q) = %s, %s, %v; want error %q", tt.in, from, to, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ISOWeek(%q): %v", tt.in, err)
			}
			if from.String() != tt.from || to.String() != tt.to {
				t.Errorf("ISOWeek(%q) = %s..%s, want %s..%s", tt.in, from, to, tt.from, tt.to)
			}
			if from.Weekday() != time.Monday || to.Weekday() != time.Sunday {
				t.Errorf("ISOWeek(%q) = %s (%s)..%s (%s)", tt.in, from, from.Weekday(), to, to.Weekday())
			}
		})
	}
}

// TestISOWeek_RoundTrip checks every week of 1999-2031 against the
// standard library's ISOWeek.
func TestISOWeek_RoundTrip(t *testing.T) {
	for d := time.Date(1999, 1, 4, 0, 0, 0, 0, time.UTC); d.Year() < 2032; d = d.AddDate(0, 0, 7) {
		y, w := d.ISOWeek()
		label := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-W" + twoDigits(w)
		from, _, err := report.ISOWeek(label)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		monday := d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
		if !from.Equal(monday) {
			t.Fatalf("%s starts %s, want %s", label, from, monday.Format(time.DateOnly))
		}
	}
}

func twoDigits(n int) string {
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

func TestLastCompleteWeek(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	tests := []struct {
		name     string
		now      time.Time
		label    string
		from, to string
	}{
		{"monday_morning", time.Date(2025, 3, 31, 8, 0, 0, 0, ny), "2025-W13", "2025-03-24", "2025-03-30"},
		{"sunday_night", time.Date(2025, 4, 6, 23, 59, 0, 0, ny), "2025-W13", "2025-03-24", "2025-03-30"},
		{"sunday_is_not_complete", time.Date(2025, 3, 30, 12, 0, 0, 0, time.UTC), "2025-W12", "2025-03-17", "2025-03-23"},
		{"new_year_week53", time.Date(2021, 1, 5, 9, 0, 0, 0, time.UTC), "2020-W53", "2020-12-28", "2021-01-03"},
		{"week1_in_previous_year", time.Date(2025, 1, 8, 9, 0, 0, 0, time.UTC), "2025-W01", "2024-12-30", "2025-01-05"},
		{"local_date_counts", time.Date(2025, 3, 30, 22, 0, 0, 0, ny), "2025-W12", "2025-03-17", "2025-03-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, label := report.LastCompleteWeek(tt.now)
			if label != tt.label || from.String() != tt.from || to.String() != tt.to {
				t.Errorf("LastCompleteWeek(%s) = %s %s..%s, want %s %s..%s", tt.now, label, from, to, tt.label, tt.from, tt.to)
			}
		})
	}
}
