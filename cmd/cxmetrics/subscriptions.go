package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
)

// spanReader turns rows of a subscriptions CSV into spans.
type spanReader struct {
	*table
	loc *time.Location
}

func newSpanReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*spanReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"customer_id", "subscription_id", "start", "end", "amount", "interval"},
		[]string{"interval_count", "currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &spanReader{table: t, loc: loc}, nil
}

// intervalUnits are the interval column's words.
var intervalUnits = map[string]cxmetrics.IntervalUnit{
	"day": cxmetrics.Day, "week": cxmetrics.Week, "month": cxmetrics.Month, "quarter": cxmetrics.Quarter, "year": cxmetrics.Year,
}

// read returns the next span, checked as the library checks it; a bad row
// is a *rowError, io.EOF ends the input.
func (r *spanReader) read() (cxmetrics.SubscriptionSpan, error) {
	if err := r.next(); err != nil {
		return cxmetrics.SubscriptionSpan{}, err
	}
	var s cxmetrics.SubscriptionSpan
	var rerr *rowError
	if s.CustomerID, rerr = r.token("customer_id"); rerr != nil {
		return s, rerr
	}
	if s.SubscriptionID, rerr = r.token("subscription_id"); rerr != nil {
		return s, rerr
	}
	if s.Start, rerr = r.readTime("start", r.loc); rerr != nil {
		return s, rerr
	}
	if len(r.field("end")) > 0 {
		if s.End, rerr = r.readTime("end", r.loc); rerr != nil {
			return s, rerr
		}
	}
	amount := r.field("amount")
	var problem string
	if len(amount) > maxFieldBytes {
		problem = fmt.Sprintf("longer than %d bytes", maxFieldBytes)
	} else {
		s.Amount, problem = parseAmount(amount)
	}
	if problem != "" {
		return s, r.errorf("amount %s: %s", quoteBytes(amount), problem)
	}
	unit, rerr := r.token("interval")
	if rerr != nil {
		return s, rerr
	}
	var ok bool
	if s.Interval.Unit, ok = intervalUnits[strings.ToLower(strings.TrimSpace(unit))]; !ok {
		return s, r.errorf("interval %s: not day, week, month, quarter or year", quote(unit))
	}
	s.Interval.Count = 1
	if count, _ := r.token("interval_count"); count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 {
			return s, r.errorf("interval_count %s: not a whole number from 1", quote(count))
		}
		s.Interval.Count = n
	}
	if s.Currency, rerr = r.token("currency"); rerr != nil {
		return s, rerr
	}
	if err := s.Validate(); err != nil {
		return s, r.errorf("%s", detail(err))
	}
	return s, nil
}

// readSubscriptions streams a subscriptions CSV into the MRR builder, each
// row checked in full first.
func (c *collector) readSubscriptions(r io.Reader, name string) error {
	sr, err := newSpanReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	if c.cfg.currency != "" && c.rates == nil && !sr.has("currency") {
		return usagef("-currency %s: %s has no currency column, so no span is in %s", c.cfg.currency, name, c.cfg.currency)
	}
	for {
		s, err := sr.read()
		if err == io.EOF {
			return nil
		}
		if err == nil {
			err = c.takeSpan(sr, s)
		}
		if errors.Is(err, errLeftOut) {
			continue
		}
		if err != nil {
			if err := c.skip(err); err != nil {
				return err
			}
		}
	}
}

// takeSpan checks a well-formed span against the report (its currency,
// converted with -fx at the rate of its start) and adds it.
func (c *collector) takeSpan(sr *spanReader, s cxmetrics.SubscriptionSpan) error {
	if c.rates == nil && c.cfg.currency != "" && s.Currency != c.cfg.currency {
		c.inputs.SubscriptionRows++
		c.inputs.OtherCurrencySpans++
		return errLeftOut
	}
	if c.rates != nil && s.Currency != c.rates.Base() {
		if s.Currency == "" {
			return sr.errorf("currency empty: -fx converts spans whose currency is known")
		}
		rate, _, err := c.rates.Lookup(s.Currency, s.Start)
		if err != nil {
			return sr.errorf("%s", detail(err))
		}
		s.Amount, s.Currency = s.Amount.Mul(rate), c.rates.Base()
		if err := s.Validate(); err != nil {
			return sr.errorf("converted: %s", detail(err))
		}
	}
	if c.haveCurrency && s.Currency != c.currency {
		return sr.errorf("currency %s after %s on earlier rows: mixed currencies; keep one with -currency CODE, or convert with -fx", quote(s.Currency), quote(c.currency))
	}
	if err := c.mrr.Add(s); err != nil {
		return fmt.Errorf("internal error: a span the reader checked was refused: %w", err)
	}
	c.currency, c.haveCurrency = s.Currency, true
	c.inputs.SubscriptionRows++
	return nil
}

// parseUntil reads -until: RFC 3339, YYYY-MM-DD HH:MM:SS in loc, or
// YYYY-MM-DD, which means the end of that day in loc.
func parseUntil(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	if t, ok := parseTime(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-until %q: %s", s, timeFormats)
}
