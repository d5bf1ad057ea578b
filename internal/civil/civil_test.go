package civil

import (
	"testing"
	"time"
)

// Days agrees with time.Date on every date of the years -1..10000, the
// four-digit years a file can spell and one beyond each end.
func TestDaysEveryDate(t *testing.T) {
	want := time.Date(-1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	for y := -1; y <= 10000; y++ {
		for m := time.January; m <= time.December; m++ {
			days := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // the month's last day
			for d := 1; d <= days; d++ {
				if got := Days(y, int(m), d); got != want {
					t.Fatalf("%04d-%02d-%02d: %d days, time.Date %d", y, m, d, got, want)
				}
				want++
			}
		}
	}
	if end := time.Date(10001, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400; want != end {
		t.Fatalf("the days run to %d, time.Date says %d", want, end)
	}
}

func TestBoundsAreTheYears1To9999(t *testing.T) {
	if got := time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix(); got != MinSec {
		t.Fatalf("0001-01-01 is %d, MinSec %d", got, MinSec)
	}
	if got := time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC).Unix(); got != EndSec {
		t.Fatalf("10000-01-01 is %d, EndSec %d", got, EndSec)
	}
	if Days(1, 1, 1)*86400 != MinSec || Days(10000, 1, 1)*86400 != EndSec {
		t.Fatal("Days disagrees with the bounds")
	}
}
