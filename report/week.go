package report

import (
	"fmt"
	"strconv"
	"time"

	"github.com/entitywatch/entitywatch"
)

// ISOWeek returns the Monday and Sunday of an ISO 8601 week written
// YYYY-Www ("2025-W13" is 2025-03-24 to 2025-03-30). The week-numbering
// year may differ from the calendar year of its days: 2020-W53 ends on
// 2021-01-03, and 2025-W01 starts on 2024-12-30. A "w" is accepted for the
// "W"; a week the year does not have is an error.
func ISOWeek(s string) (from, to entitywatch.Date, err error) {
	bad := func(why string) (entitywatch.Date, entitywatch.Date, error) {
		return entitywatch.Date{}, entitywatch.Date{}, fmt.Errorf("week %q: %s", s, why)
	}
	if len(s) != 8 || s[4] != '-' || (s[5] != 'W' && s[5] != 'w') {
		return bad("want YYYY-Www, such as 2025-W13")
	}
	year, err1 := strconv.Atoi(s[:4])
	week, err2 := strconv.Atoi(s[6:])
	if err1 != nil || err2 != nil || !digits(s[:4]) || !digits(s[6:]) {
		return bad("want YYYY-Www, such as 2025-W13")
	}
	if year < 1 {
		return bad("no year 0")
	}
	if n := weeksIn(year); week < 1 || week > n {
		return bad(fmt.Sprintf("%d has weeks 01 to %02d", year, n))
	}
	monday := week1Monday(year).AddDate(0, 0, 7*(week-1))
	return entitywatch.Date{Time: monday}, entitywatch.Date{Time: monday.AddDate(0, 0, 6)}, nil
}

// LastCompleteWeek returns the ISO week before the one holding now (in
// now's location): its Monday, its Sunday and its label ("2025-W13").
// On any day of 2025-W14 it returns 2025-W13.
func LastCompleteWeek(now time.Time) (from, to entitywatch.Date, label string) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
	from = entitywatch.Date{Time: monday.AddDate(0, 0, -7)}
	to = entitywatch.Date{Time: monday.AddDate(0, 0, -1)}
	y, w := from.ISOWeek()
	return from, to, weekLabel(y, w)
}

// weekLabel writes an ISO week: "2025-W13".
func weekLabel(year, week int) string { return fmt.Sprintf("%04d-W%02d", year, week) }

// week1Monday returns the Monday of ISO week 1 of year: the week that
// holds January 4.
func week1Monday(year int) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	return jan4.AddDate(0, 0, -(int(jan4.Weekday())+6)%7)
}

// weeksIn returns the number of ISO weeks of year, 52 or 53: December 28
// always falls in the year's last week.
func weeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
