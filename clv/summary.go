package clv

import (
	"slices"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
	"github.com/shopspring/decimal"
)

// Customer is one customer's purchase history in the form the models take
// (the "RFM summary" of the literature): x, t_x and T, plus mean spend, and,
// when the orders extend past the calibration period, what the customer
// did in the holdout period after it.
type Customer struct {
	ID string
	// Frequency is x, the number of repeat purchase days: distinct purchase
	// days - 1.
	Frequency float64
	// Recency is t_x, the time from the first to the last purchase day, in
	// the summary's unit.
	Recency float64
	// T is the time from the first purchase day to the end of the
	// calibration period, in the summary's unit.
	T float64
	// MonetaryValue is the mean net spend per repeat purchase day (the first
	// day excluded); zero when Frequency is 0.
	MonetaryValue decimal.Decimal
	// HoldoutLength is the length of the holdout period, in the summary's
	// unit: the same for every customer, 0 without a holdout.
	HoldoutLength float64
	// HoldoutPurchases is the number of purchase days in the holdout
	// period (0 without one).
	HoldoutPurchases float64
	// HoldoutSpend is the net spend in the holdout period, refunds
	// included (0 without one).
	HoldoutSpend decimal.Decimal
}

// SummaryOptions say how [Summarize] cuts orders into customer summaries.
type SummaryOptions struct {
	// CalibrationEnd is the last calendar day of the calibration period,
	// the one the models are fitted on: orders on that day (in Location)
	// count, whatever their time of day. Required.
	CalibrationEnd time.Time
	// ObservationEnd is the last calendar day of the holdout period. When
	// it is after CalibrationEnd's day, the orders of the days in between
	// fill the holdout fields of each Customer; when it is zero or the
	// same day, there is no holdout and later orders are ignored; before
	// it is cxmetrics.ErrInconsistent. Orders after it are ignored.
	ObservationEnd time.Time
	// Unit is the time unit of Recency, T and HoldoutLength: 7*24*time.Hour
	// for weeks (CDNOW's), 24*time.Hour for days. It must be positive.
	// Times are cut into whole calendar days first, so a unit below a day
	// only rescales day counts.
	Unit time.Duration
	// Location is the time zone whose calendar days the orders are cut
	// into; nil means UTC. It is explicit: the zone of CalibrationEnd is
	// not used, so the same orders give the same summaries wherever the
	// dates came from.
	Location *time.Location
}

// day is a calendar day number (days since 1970-01-01).
func day(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

type history struct {
	id    string
	days  map[int64]bool            // calendar day -> a purchase (not only refunds) fell on it
	spend map[int64]decimal.Decimal // calendar day -> net amount
}

// Summarize turns orders into the per-customer summary the models are
// fitted on, as in the literature (Fader, Hardie & Lee 2005), with a
// holdout period for validation as in lifetimes' calibration_and_holdout_data:
//
//   - orders are cut into calendar days in opts.Location; purchases on the
//     same day are one purchase;
//   - the calibration period is every day up to opts.CalibrationEnd's day,
//     the holdout period the days after it up to opts.ObservationEnd's;
//   - Frequency = distinct purchase days in calibration - 1;
//   - Recency = last purchase day - first purchase day, in opts.Unit;
//   - T = CalibrationEnd's day - first purchase day, in opts.Unit;
//   - MonetaryValue = net spend on the calibration days after the first
//     purchase day / Frequency, exact to 16 fractional digits; zero when
//     Frequency is 0;
//   - HoldoutPurchases = distinct purchase days in the holdout period,
//     HoldoutSpend = net spend in it, HoldoutLength = its days in opts.Unit.
//
// Only customers whose first purchase is in the calibration period are
// summarised (the models predict for customers they have seen). Refunds
// follow the library's order rules: they lower the spend of the day they
// fall on but are not purchases, so a customer seen only in refunds is left
// out. Orders must share one currency (cxmetrics.ErrCurrencyMismatch
// otherwise); an invalid order is an error naming its index; a Unit <= 0 or
// a zero CalibrationEnd is cxmetrics.ErrOutOfRange; an ObservationEnd
// before CalibrationEnd is cxmetrics.ErrInconsistent. Customers are sorted
// by ID.
func Summarize(orders []cxmetrics.Order, opts SummaryOptions) ([]Customer, error) {
	if opts.Unit <= 0 {
		return nil, errorf(cxmetrics.ErrOutOfRange, "unit %v must be positive", opts.Unit)
	}
	if opts.CalibrationEnd.IsZero() {
		return nil, errorf(cxmetrics.ErrOutOfRange, "end of the calibration period is the zero time")
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	calDay := day(opts.CalibrationEnd, loc)
	obsDay := calDay
	if !opts.ObservationEnd.IsZero() {
		obsDay = day(opts.ObservationEnd, loc)
		if obsDay < calDay {
			return nil, errorf(cxmetrics.ErrInconsistent, "observation end %s is before the calibration end %s", opts.ObservationEnd.In(loc).Format(time.DateOnly), opts.CalibrationEnd.In(loc).Format(time.DateOnly))
		}
	}
	index := map[string]*history{}
	for i, o := range orders {
		if err := o.Validate(); err != nil {
			return nil, wrap(err, "order at index %d", i)
		}
		if o.Currency != orders[0].Currency {
			return nil, errorf(cxmetrics.ErrCurrencyMismatch, "order at index %d in %s among orders in %s", i, cxerr.Quote(o.Currency), cxerr.Quote(orders[0].Currency))
		}
		d := day(o.Time, loc)
		if d > obsDay {
			continue
		}
		h := index[o.CustomerID]
		if h == nil {
			h = &history{id: strings.Clone(o.CustomerID), days: map[int64]bool{}, spend: map[int64]decimal.Decimal{}}
			index[o.CustomerID] = h
		}
		h.days[d] = h.days[d] || !o.IsRefund()
		h.spend[d] = h.spend[d].Add(o.Amount)
	}
	unitDays := float64(opts.Unit) / float64(24*time.Hour)
	out := make([]Customer, 0, len(index))
	for _, h := range index {
		if c, ok := h.summary(calDay, obsDay, unitDays); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Customer) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// summary returns the customer's summary for a calibration period ending
// on calDay and a holdout period ending on obsDay, or false for a customer
// without a purchase (only refunds) in the calibration period.
func (h *history) summary(calDay, obsDay int64, unitDays float64) (Customer, bool) {
	var purchases []int64
	holdout := 0
	for d, bought := range h.days {
		switch {
		case !bought:
		case d <= calDay:
			purchases = append(purchases, d)
		default:
			holdout++
		}
	}
	if len(purchases) == 0 {
		return Customer{}, false
	}
	slices.Sort(purchases)
	first, last := purchases[0], purchases[len(purchases)-1]
	c := Customer{
		ID:               h.id,
		Frequency:        float64(len(purchases) - 1),
		Recency:          float64(last-first) / unitDays,
		T:                float64(calDay-first) / unitDays,
		HoldoutLength:    float64(obsDay-calDay) / unitDays,
		HoldoutPurchases: float64(holdout),
	}
	repeat := decimal.Zero
	for d, v := range h.spend {
		switch {
		case d > calDay:
			c.HoldoutSpend = c.HoldoutSpend.Add(v)
		case d > first:
			repeat = repeat.Add(v)
		}
	}
	if n := len(purchases) - 1; n > 0 {
		c.MonetaryValue = repeat.DivRound(decimal.NewFromInt(int64(n)), 16)
	}
	return c, true
}
