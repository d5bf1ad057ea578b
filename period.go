package cxmetrics

import (
	"math"
	"strconv"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/civil"
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
		return int32(floorDiv(int(civil.Days(y, int(m), d))+3, 7))
	case Day:
		return int32(civil.Days(y, int(m), d))
	case Quarter:
		return int32(y*4 + (int(m)-1)/3)
	case Year:
		return int32(y)
	}
	return int32(y*12 + int(m) - 1)
}

// start returns the first instant of period i in o's location: midnight
// of its first day, or, where a daylight-saving change skips midnight
// (America/Sao_Paulo on 2018-11-04), the instant the day begins.
func (o CohortOptions) start(i int32) time.Time {
	loc, n := o.location(), int(i)
	y, m, d := 1970, time.January, 1
	switch o.Period {
	case Week:
		d = 1 + 7*n - 3
	case Day:
		d = 1 + n
	case Quarter:
		y, m = n/4, time.Month(n%4*3+1)
	case Year:
		y = n
	default:
		y, m = n/12, time.Month(n%12+1)
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 {
		// Midnight does not exist that day: time.Date normalised it with the
		// offset before the change, into the evening before. The day begins
		// where that offset's span ends.
		if _, end := t.ZoneBounds(); !end.IsZero() && end.After(t) {
			t = end
		}
	}
	return t
}

// Zone identity. Two builders cut time the same way when their calendars
// follow the same rules, whatever the names of their *time.Location
// values: time.FixedZone("UTC", 5*3600) is not UTC, and FixedZone("X", 0)
// is. Encodings write the identity, so a payload means the same calendar on
// every machine.

// maxZoneOffset bounds a fixed zone's offset: RFC 3339 and Go's own JSON
// encoding of times take offsets of less than 24 hours.
const maxZoneOffset = 24*3600 - 1

// zoneIdentity returns the identity of loc: "UTC" for a zone that is UTC at
// every instant, "+05:30" (or "-04:56:02", seconds when there are any) for
// another fixed offset, the IANA name otherwise. A zone with no portable
// identity (time.Local when it changes offsets, a zone built under a name
// that the time zone database gives other rules) or a fixed offset of 24
// hours or more is ErrOutOfRange.
func zoneIdentity(loc *time.Location) (string, error) {
	if loc == nil || loc == time.UTC {
		return "UTC", nil
	}
	probe := time.Unix(0, 0).In(loc)
	if start, end := probe.ZoneBounds(); start.IsZero() && end.IsZero() {
		_, off := probe.Zone()
		if off > maxZoneOffset || off < -maxZoneOffset {
			return "", errorf(ErrOutOfRange, "time zone %s: offset %+d s is 24 hours or more", quote(loc.String()), off)
		}
		return offsetName(off), nil
	}
	name := loc.String()
	if name == "Local" || name == "" {
		return "", errorf(ErrOutOfRange, "time zone %s has no portable name: load it by its IANA name, as time.LoadLocation(\"Europe/Berlin\")", quote(name))
	}
	named, err := time.LoadLocation(name)
	if err != nil || !sameRules(loc, named) {
		return "", errorf(ErrOutOfRange, "time zone %s is not the IANA zone of that name", quote(name))
	}
	return name, nil
}

// offsetName writes a fixed offset as "UTC", "+05:30" or "-04:56:02".
func offsetName(off int) string {
	if off == 0 {
		return "UTC"
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b := []byte{sign}
	b = append(b, twoDigits(off/3600)...)
	b = append(b, ':')
	b = append(b, twoDigits(off/60%60)...)
	if off%60 != 0 {
		b = append(b, ':')
		b = append(b, twoDigits(off%60)...)
	}
	return string(b)
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// zoneFromIdentity returns the location an identity names, or
// ErrOutOfRange for an unknown or non-canonical one.
func zoneFromIdentity(id string) (*time.Location, error) {
	if id == "UTC" {
		return time.UTC, nil
	}
	var loc *time.Location
	if off, ok := parseOffsetName(id); ok {
		loc = time.FixedZone(id, off)
	} else if id != "" && id != "Local" {
		loc, _ = time.LoadLocation(id)
	}
	if loc == nil {
		return nil, errorf(ErrOutOfRange, "time zone %s: not UTC, a fixed offset or an IANA zone", quote(id))
	}
	if canon, err := zoneIdentity(loc); err != nil || canon != id {
		return nil, errorf(ErrOutOfRange, "time zone %s: not in canonical form (%s)", quote(id), quote(canon))
	}
	return loc, nil
}

// parseOffsetName parses "+hh:mm" or "+hh:mm:ss" (or "-…").
func parseOffsetName(s string) (int, bool) {
	if (len(s) != 6 && len(s) != 9) || (s[0] != '+' && s[0] != '-') || s[3] != ':' || len(s) == 9 && s[6] != ':' {
		return 0, false
	}
	num := func(i int) (int, bool) {
		a, b := s[i], s[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	h, ok1 := num(1)
	m, ok2 := num(4)
	sec, ok3 := 0, true
	if len(s) == 9 {
		sec, ok3 = num(7)
	}
	if !ok1 || !ok2 || !ok3 || m > 59 || sec > 59 {
		return 0, false
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// sameRules reports whether two locations give the same offsets at the
// first of every month from 1900 to 2100: enough to tell a zone from
// another one that borrowed its name.
func sameRules(a, b *time.Location) bool {
	for y := 1900; y <= 2100; y++ {
		for m := time.January; m <= time.December; m++ {
			t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
			_, oa := t.In(a).Zone()
			_, ob := t.In(b).Zone()
			if oa != ob {
				return false
			}
		}
	}
	return true
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// calendar numbers periods like CohortOptions.index, fast: it reads the
// instant's Unix seconds, adds the zone's offset (cached for the span of
// time over which the zone keeps it, so a lookup in the time zone database
// happens only when an instant falls outside that span) and computes the
// civil date arithmetically. The zero value is not ready: use newCalendar.
type calendar struct {
	period Period
	loc    *time.Location
	offset int64 // seconds east of UTC in [lo, hi)
	lo, hi int64 // Unix seconds where offset holds
}

func newCalendar(o CohortOptions) calendar {
	return calendar{period: o.Period, loc: o.location(), hi: math.MinInt64}
}

// index returns the number of the period that contains t, as
// CohortOptions.index does.
func (c *calendar) index(t time.Time) (int32, bool) {
	sec := t.Unix()
	if sec < c.lo || sec >= c.hi {
		lt := t.In(c.loc)
		_, off := lt.Zone()
		start, end := lt.ZoneBounds()
		c.offset, c.lo, c.hi = int64(off), math.MinInt64, math.MaxInt64
		if !start.IsZero() {
			c.lo = start.Unix()
		}
		if !end.IsZero() {
			c.hi = end.Unix()
		}
	}
	local := sec + c.offset
	if local < civil.MinSec || local >= civil.EndSec {
		return 0, false
	}
	days := floorDiv64(local, 86400)
	switch c.period {
	case Day:
		return int32(days), true
	case Week:
		return int32(floorDiv64(days+3, 7)), true
	}
	y, m, _ := civilFromDays(days)
	return c.period.indexOfDate(y, time.Month(m), 1), true
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civilFromDays returns the proleptic Gregorian date of a day number (days
// since 1970-01-01), the inverse of civil.Days (Howard Hinnant's
// algorithm).
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv64(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}
