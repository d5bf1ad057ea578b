package cxmetrics

import (
	"strconv"
	"time"
)

// Period is the calendar unit that cuts time into cohorts and table columns.
type Period int

// The periods. Month, the zero value, is the usual choice for retention
// tables.
const (
	Month   Period = iota // calendar months
	Week                  // ISO 8601 weeks, Monday to Sunday
	Day                   // calendar days
	Quarter               // calendar quarters, starting January, April, July, October
	Year                  // calendar years
)

var periodNames = [...]string{Month: "month", Week: "week", Day: "day", Quarter: "quarter", Year: "year"}

// String returns "month", "week", "day", "quarter" or "year".
func (p Period) String() string {
	if p >= 0 && int(p) < len(periodNames) {
		return periodNames[p]
	}
	return "Period(" + strconv.Itoa(int(p)) + ")"
}

// ParsePeriod returns the Period named s, as written by String. Another name
// is ErrOutOfRange.
func ParsePeriod(s string) (Period, error) {
	for p, name := range periodNames {
		if s == name {
			return Period(p), nil
		}
	}
	return 0, errorf(ErrOutOfRange, "period %s is not one of month, week, day, quarter, year", quote(s))
}

// MarshalText returns the period's name, as String; a Period other than the
// five constants is ErrOutOfRange. With UnmarshalText it makes a Period a
// JSON string and a flag value.
func (p Period) MarshalText() ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return []byte(p.String()), nil
}

// UnmarshalText sets p to the period named text (see [ParsePeriod]).
func (p *Period) UnmarshalText(text []byte) error {
	v, err := ParsePeriod(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

func (p Period) validate() error {
	if p < Month || p > Year {
		return errorf(ErrOutOfRange, "period %d is not one of Month, Week, Day, Quarter, Year", int(p))
	}
	return nil
}

// CohortOptions say how a cohort table cuts time.
type CohortOptions struct {
	Period   Period
	Location *time.Location // the calendar that cuts periods; nil means UTC
}

func (o CohortOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o CohortOptions) validate() error { return o.Period.validate() }

// sameAs reports whether o and p cut time the same way. Locations compare
// by name, since two loads of one zone are different pointers.
func (o CohortOptions) sameAs(p CohortOptions) bool {
	return o.Period == p.Period && o.location().String() == p.location().String()
}

// index returns the number of the period that contains t, counted from a
// fixed origin, in the calendar of o's location. The calendar fields of t in
// that location decide, so a daylight-saving change never moves a boundary.
func (o CohortOptions) index(t time.Time) (int32, bool) {
	y, m, d := t.In(o.location()).Date()
	if y < 1 || y > 9999 {
		return 0, false
	}
	return o.Period.indexOfDate(y, m, d), true
}

// indexRange returns the first and last period numbers of the years
// 1..9999, the only ones index gives.
func (p Period) indexRange() (lo, hi int32) {
	return p.indexOfDate(1, time.January, 1), p.indexOfDate(9999, time.December, 31)
}

// indexOfDate returns the number of the period that contains the calendar
// date y-m-d.
func (p Period) indexOfDate(y int, m time.Month, d int) int32 {
	switch p {
	case Week:
		// 1970-01-01 was a Thursday: day -3 is the Monday of week 0.
		return int32(floorDiv(daysFromCivil(y, int(m), d)+3, 7))
	case Day:
		return int32(daysFromCivil(y, int(m), d))
	case Quarter:
		return int32(y*4 + (int(m)-1)/3)
	case Year:
		return int32(y)
	}
	return int32(y*12 + int(m) - 1)
}

// start returns the first instant of period i in o's location.
func (o CohortOptions) start(i int32) time.Time {
	loc, n := o.location(), int(i)
	switch o.Period {
	case Week:
		return time.Date(1970, time.January, 1+7*n-3, 0, 0, 0, 0, loc)
	case Day:
		return time.Date(1970, time.January, 1+n, 0, 0, 0, 0, loc)
	case Quarter:
		return time.Date(n/4, time.Month(n%4*3+1), 1, 0, 0, 0, 0, loc)
	case Year:
		return time.Date(n, time.January, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(n/12, time.Month(n%12+1), 1, 0, 0, 0, 0, loc)
}

// daysFromCivil returns the days from 1970-01-01 to the proleptic Gregorian
// date y-m-d (Howard Hinnant's algorithm), for y >= 1.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
