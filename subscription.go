package cxmetrics

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// IntervalUnit is the unit of a billing interval. It is the [Period] type,
// so a plan bills every Day, Week, Month, Quarter or Year.
type IntervalUnit = Period

// BillingInterval is how often a subscription charges: every Count Units
// (Count >= 1), such as {Month, 1} for monthly or {Year, 1} for yearly.
type BillingInterval struct {
	Unit  IntervalUnit
	Count int
}

// String returns "month", "3 months", "year", …
func (b BillingInterval) String() string {
	if b.Count == 1 {
		return b.Unit.String()
	}
	return strconv.Itoa(b.Count) + " " + b.Unit.String() + "s"
}

// SubscriptionSpan is a stretch of time [Start, End) during which one
// subscription charged Amount per Interval, after discounts and before
// tax, in Currency. An End of the zero time means the span is still
// running. A plan change ends one span and starts the next, so a
// subscription's spans must not overlap.
type SubscriptionSpan struct {
	CustomerID, SubscriptionID string
	Start, End                 time.Time
	Amount                     decimal.Decimal
	Interval                   BillingInterval
	Currency                   string // ISO 4217; "" for single-currency data
}

// Normalizing a charge to one month: a year is 12 months, a quarter 3, a
// week 1/52 of a year and a day 1/365 of one. These are the conventions of
// the subscription-analytics tools (ChartMogul, Baremetrics): a plan billed
// every week charges 52 times a year and one billed every day 365 times,
// so their monthly equivalent is a twelfth of that; leap days are ignored,
// so that the same plan has the same MRR in every month.
var (
	weeksPerYear = decimal.NewFromInt(52)
	daysPerYear  = decimal.NewFromInt(365)
	twelve       = decimal.NewFromInt(12)
	three        = decimal.NewFromInt(3)
)

// MRR returns the span's monthly recurring revenue: its Amount normalized
// to one month,
//
//	Month:   Amount / Count
//	Quarter: Amount / (3 × Count)
//	Year:    Amount / (12 × Count)
//	Week:    Amount × 52 / (12 × Count)
//	Day:     Amount × 365 / (12 × Count)
//
// A week is 1/52 and a day 1/365 of a year, as in the subscription-analytics
// tools (ChartMogul, Baremetrics): a weekly plan charges 52 times a year,
// a daily one 365 times, and their monthly equivalent is a twelfth of that.
// Leap days are ignored, so the same plan has the same MRR in every month
// (a daily plan's months are not 28 to 31 charges).
//
// The result is rounded half away from zero to 16 fractional digits (exact for monthly
// plans). Every MRR figure of the package is an exact sum of these
// values, so movements add up exactly. Errors as for [SubscriptionSpan.Validate].
func (s SubscriptionSpan) MRR() (decimal.Decimal, error) {
	if err := s.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	return s.mrr(), nil
}

// mrr computes the MRR of a valid span.
func (s *SubscriptionSpan) mrr() decimal.Decimal {
	count := decimal.NewFromInt(int64(s.Interval.Count))
	switch s.Interval.Unit {
	case Month:
		if s.Interval.Count == 1 {
			return s.Amount
		}
		return div(s.Amount, count)
	case Quarter:
		return div(s.Amount, three.Mul(count))
	case Year:
		return div(s.Amount, twelve.Mul(count))
	case Week:
		return div(s.Amount.Mul(weeksPerYear), twelve.Mul(count))
	}
	return div(s.Amount.Mul(daysPerYear), twelve.Mul(count))
}

// Validate checks a span: empty or invalid UTF-8 IDs, a zero Start, an End
// before Start are ErrInconsistent; a negative Amount ErrNegative; a Count
// below 1, a Unit other than the five periods, times outside the years
// 1..9999 or an Amount beyond the package's bounds on decimals
// ErrOutOfRange; an unknown currency ErrUnknownCurrency.
func (s SubscriptionSpan) Validate() error { return s.validate(-1) }

func (s *SubscriptionSpan) validate(at int) error {
	switch {
	case s.CustomerID == "" || s.SubscriptionID == "":
		return errorf(ErrInconsistent, "%s has an empty customer or subscription ID", s.ref(at))
	case !utf8.ValidString(s.CustomerID) || !utf8.ValidString(s.SubscriptionID):
		return errorf(ErrInconsistent, "%s: IDs must be valid UTF-8", s.ref(at))
	case s.Start.IsZero():
		return errorf(ErrInconsistent, "%s has a zero start", s.ref(at))
	case !s.End.IsZero() && s.End.Before(s.Start):
		return errorf(ErrInconsistent, "%s ends at %s, before it starts at %s", s.ref(at), s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
	case s.Amount.IsNegative():
		return errorf(ErrNegative, "%s has amount %s", s.ref(at), shortDecimal(s.Amount))
	case s.Interval.Count < 1:
		return errorf(ErrOutOfRange, "%s bills every %d %s: the count must be at least 1", s.ref(at), s.Interval.Count, s.Interval.Unit)
	case s.Interval.Unit.validate() != nil:
		return errorf(ErrOutOfRange, "%s: interval unit %d is not Day, Week, Month, Quarter or Year", s.ref(at), int(s.Interval.Unit))
	case s.Interval.Count > 1000:
		return errorf(ErrOutOfRange, "%s bills every %d %ss: more than 1000", s.ref(at), s.Interval.Count, s.Interval.Unit)
	}
	for _, t := range []time.Time{s.Start, s.End} {
		if y := t.UTC().Year(); !t.IsZero() && (y < 1 || y > 9999) {
			return errorf(ErrOutOfRange, "%s: time %s is outside the years 1..9999", s.ref(at), t)
		}
	}
	if !inBounds(s.Amount) {
		return checkDecimal(s.Amount, s.ref(at)+": amount")
	}
	if s.Currency != "" {
		if _, err := MinorUnits(s.Currency); err != nil {
			return errorf(ErrUnknownCurrency, "%s in %s: not an ISO 4217 code with a minor unit", s.ref(at), quote(s.Currency))
		}
	}
	return nil
}

// ref names a span in an error message.
func (s *SubscriptionSpan) ref(at int) string {
	var b strings.Builder
	b.WriteString("span of subscription " + quote(s.SubscriptionID) + " of customer " + quote(s.CustomerID))
	if at >= 0 {
		b.WriteString(" at index " + strconv.Itoa(at))
	}
	return b.String()
}
