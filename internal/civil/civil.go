// Package civil numbers the days of the proleptic Gregorian calendar, for
// the library's periods and exchange-rate days and for the CSV reader's
// fast time parser, which must agree on them.
package civil

// MinSec and EndSec are the Unix seconds of 0001-01-01 and 10000-01-01 in
// UTC: an instant is in the years 1..9999 of UTC when MinSec <= its
// seconds < EndSec.
const (
	MinSec = -62135596800
	EndSec = 253402300800
)

// Days returns the days from 1970-01-01 to the valid proleptic Gregorian
// date y-m-d, for any year (Howard Hinnant's days_from_civil). It is what
// time.Date works out, without its normalization of out-of-range fields or
// its zone lookup.
func Days(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                     // 0..399
	doy := (153*((m+9)%12)+2)/5 + d - 1    // 0..365, from March 1st
	doe := yoe*365 + yoe/4 - yoe/100 + doy // 0..146096
	return int64(era)*146097 + int64(doe) - 719468
}
