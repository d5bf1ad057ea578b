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
// (the "RFM summary" of the literature): x, t_x and T, plus mean spend.
type Customer struct {
	ID string
	// Frequency is x, the number of repeat purchase days: distinct purchase
	// days - 1.
	Frequency float64
	// Recency is t_x, the time from the first to the last purchase day, in
	// the summary's unit.
	Recency float64
	// T is the time from the first purchase day to the end of the
	// observation period, in the summary's unit.
	T float64
	// MonetaryValue is the mean net spend per repeat purchase day (the first
	// day excluded); zero when Frequency is 0.
	MonetaryValue decimal.Decimal
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

// Summarize turns orders into the per-customer summary the BG/NBD and
// Gamma-Gamma models are fitted on, as in the literature (Fader, Hardie & Lee
// 2005):
//
//   - purchases on the same calendar day (in end's location) are one purchase;
//   - Frequency = distinct purchase days - 1;
//   - Recency = last purchase day - first purchase day, in unit;
//   - T = end's day - first purchase day, in unit (weeks for CDNOW: 7*24h);
//   - MonetaryValue = net spend on the days after the first purchase day /
//     Frequency, exact to 16 fractional digits; zero when Frequency is 0.
//
// Orders after end are ignored. Refunds follow the library's order rules:
// they lower the spend of the day they fall on but are not purchases, so a
// customer seen only in refunds is left out. Orders must share one currency
// (cxmetrics.ErrCurrencyMismatch otherwise); an empty CustomerID or zero time
// is cxmetrics.ErrInconsistent; unit <= 0 or a zero end is
// cxmetrics.ErrOutOfRange. Customers are sorted by ID.
func Summarize(orders []cxmetrics.Order, end time.Time, unit time.Duration) ([]Customer, error) {
	if unit <= 0 {
		return nil, errorf(cxmetrics.ErrOutOfRange, "unit %v must be positive", unit)
	}
	if end.IsZero() {
		return nil, errorf(cxmetrics.ErrOutOfRange, "end of the observation period is the zero time")
	}
	loc := end.Location()
	endDay := day(end, loc)
	index := map[string]*history{}
	for i, o := range orders {
		if err := o.Validate(); err != nil {
			return nil, wrap(err, "order at index %d", i)
		}
		if o.Currency != orders[0].Currency {
			return nil, errorf(cxmetrics.ErrCurrencyMismatch, "order at index %d in %s among orders in %s", i, cxerr.Quote(o.Currency), cxerr.Quote(orders[0].Currency))
		}
		if o.Time.After(end) {
			continue
		}
		h := index[o.CustomerID]
		if h == nil {
			h = &history{id: strings.Clone(o.CustomerID), days: map[int64]bool{}, spend: map[int64]decimal.Decimal{}}
			index[o.CustomerID] = h
		}
		d := day(o.Time, loc)
		h.days[d] = h.days[d] || !o.IsRefund()
		h.spend[d] = h.spend[d].Add(o.Amount)
	}
	unitDays := float64(unit) / float64(24*time.Hour)
	out := make([]Customer, 0, len(index))
	for _, h := range index {
		if c, ok := h.summary(endDay, unitDays); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Customer) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// summary returns the customer's summary at endDay, or false for a customer
// without a purchase (only refunds).
func (h *history) summary(endDay int64, unitDays float64) (Customer, bool) {
	var purchases []int64
	for d, bought := range h.days {
		if bought {
			purchases = append(purchases, d)
		}
	}
	if len(purchases) == 0 {
		return Customer{}, false
	}
	slices.Sort(purchases)
	first, last := purchases[0], purchases[len(purchases)-1]
	c := Customer{
		ID:        h.id,
		Frequency: float64(len(purchases) - 1),
		Recency:   float64(last-first) / unitDays,
		T:         float64(endDay-first) / unitDays,
	}
	if n := len(purchases) - 1; n > 0 {
		repeat := decimal.Zero
		for d, v := range h.spend {
			if d > first {
				repeat = repeat.Add(v)
			}
		}
		c.MonetaryValue = repeat.DivRound(decimal.NewFromInt(int64(n)), 16)
	}
	return c, true
}
