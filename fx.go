package cxmetrics

import (
	"cmp"
	"slices"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/civil"
	"github.com/shopspring/decimal"
)

// RateTable holds dated exchange rates into one base currency, so that
// orders in several currencies can be added up: a rate for currency X
// dated D says that from D on, until X's next dated rate, one unit of X is
// rate units of the base. Dates are calendar days in the table's location.
// Create one with [NewRateTable]; it is not safe for concurrent use while
// rates are added.
type RateTable struct {
	base  string
	loc   *time.Location
	rates map[string][]datedRate // by currency, sorted by day
}

// datedRate is a rate effective from a day (days since 1970-01-01).
type datedRate struct {
	day  int32
	rate decimal.Decimal
}

// NewRateTable returns an empty table into base, an ISO 4217 code
// (ErrUnknownCurrency otherwise), whose dates are days in loc (nil means
// UTC). An order converts at the rate of its own calendar day in loc.
func NewRateTable(base string, loc *time.Location) (*RateTable, error) {
	if _, err := MinorUnits(base); err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &RateTable{base: base, loc: loc, rates: map[string][]datedRate{}}, nil
}

// Base returns the currency the table converts into.
func (t *RateTable) Base() string { return t.base }

// dayOf returns the calendar day of t in the table's location.
func (t *RateTable) dayOf(tm time.Time) int32 {
	y, m, d := tm.In(t.loc).Date()
	return int32(civil.Days(y, int(m), d))
}

// Add records that from the calendar day of date on, one unit of currency
// is rate units of the base. rate must be positive (ErrOutOfRange, or
// ErrNegative below zero) and within the package's bounds on decimals; the
// base's own rate can only be 1 (ErrInconsistent). A second rate for the
// same currency and day is ErrInconsistent unless it is equal. An unknown
// currency is ErrUnknownCurrency; a date outside the years 1..9999
// ErrOutOfRange. On error the table is unchanged.
func (t *RateTable) Add(date time.Time, currency string, rate decimal.Decimal) error {
	if _, err := MinorUnits(currency); err != nil {
		return err
	}
	if err := checkDecimal(rate, "rate of "+currency); err != nil {
		return err
	}
	switch {
	case rate.IsNegative():
		return errorf(ErrNegative, "rate %s of %s", rate, currency)
	case rate.IsZero():
		return errorf(ErrOutOfRange, "rate 0 of %s: a rate must be positive", currency)
	case currency == t.base && !rate.Equal(one):
		return errorf(ErrInconsistent, "rate %s of the base currency %s: it can only be 1", rate, currency)
	}
	if y := date.In(t.loc).Year(); y < 1 || y > 9999 {
		return errorf(ErrOutOfRange, "rate date %s is outside the years 1..9999", date)
	}
	day := t.dayOf(date)
	list := t.rates[currency]
	i, found := slices.BinarySearchFunc(list, day, func(r datedRate, d int32) int { return cmp.Compare(r.day, d) })
	if found {
		if !list[i].rate.Equal(rate) {
			return errorf(ErrInconsistent, "two rates of %s on %s: %s and %s", currency, date.In(t.loc).Format(time.DateOnly), list[i].rate, rate)
		}
		return nil
	}
	t.rates[currency] = slices.Insert(list, i, datedRate{day: day, rate: rate})
	return nil
}

// Lookup returns the rate of currency on the calendar day of at, and the
// day it took effect (midnight in the table's location). The base converts
// at 1 from any day (effective is the zero time then). No rate of currency
// on or before that day is ErrNoData naming the currency and the day.
func (t *RateTable) Lookup(currency string, at time.Time) (rate decimal.Decimal, effective time.Time, err error) {
	if currency == t.base {
		return one, time.Time{}, nil
	}
	list := t.rates[currency]
	day := t.dayOf(at)
	i, found := slices.BinarySearchFunc(list, day, func(r datedRate, d int32) int { return cmp.Compare(r.day, d) })
	if !found {
		i--
	}
	if i < 0 {
		if len(list) == 0 {
			return decimal.Decimal{}, time.Time{}, errorf(ErrNoData, "no rate of %s into %s", currencyName(currency), t.base)
		}
		return decimal.Decimal{}, time.Time{}, errorf(ErrNoData, "no rate of %s into %s on %s: the first is dated %s",
			currencyName(currency), t.base, at.In(t.loc).Format(time.DateOnly), t.dayStart(list[0].day).Format(time.DateOnly))
	}
	return list[i].rate, t.dayStart(list[i].day), nil
}

// dayStart returns midnight of a day number in the table's location.
func (t *RateTable) dayStart(day int32) time.Time {
	return CohortOptions{Period: Day, Location: t.loc}.start(day)
}

// Convert returns o in the table's base currency: the amount multiplied
// exactly by the rate of o's currency on o's day (see [RateTable.Lookup]),
// with no rounding, and Currency set to the base; an order in the base is
// returned as it is. A nil table is ErrNoData; an order without a currency
// is ErrUnknownCurrency, since its rate cannot be known; a missing rate
// ErrNoData naming the currency and the day; a product of more than
// [MaxDigits] significant digits ErrOutOfRange (round the rates). o is not
// modified.
func Convert(o Order, rates *RateTable) (Order, error) {
	if rates == nil {
		return Order{}, errorf(ErrNoData, "converting %s without a rate table", orderRef(&o, -1))
	}
	if err := validateOrder(&o, -1); err != nil {
		return Order{}, err
	}
	if o.Currency == rates.base {
		return o, nil
	}
	if o.Currency == "" {
		return Order{}, errorf(ErrUnknownCurrency, "%s has no currency, so it cannot be converted into %s", orderRef(&o, -1), rates.base)
	}
	rate, _, err := rates.Lookup(o.Currency, o.Time)
	if err != nil {
		return Order{}, wrapf(err, "%s", orderRef(&o, -1))
	}
	out := o
	out.Amount = o.Amount.Mul(rate)
	out.Currency = rates.base
	if err := checkDecimal(out.Amount, orderRef(&o, -1)+" converted into "+rates.base); err != nil {
		return Order{}, err
	}
	return out, nil
}
