package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

// readSubscriptions streams a subscriptions CSV into the MRR builder, each
// row checked in full first.
func (c *collector) readSubscriptions(r io.Reader, name string) error {
	sr, err := csvin.NewSpanReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	if c.cfg.currency != "" && c.rates == nil && !sr.Has("currency") {
		return usagef("-currency %s: %s has no currency column, so no span is in %s", c.cfg.currency, name, c.cfg.currency)
	}
	for {
		s, err := sr.Read()
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
func (c *collector) takeSpan(sr *csvin.SpanReader, s cxmetrics.SubscriptionSpan) error {
	if c.rates == nil && c.cfg.currency != "" && s.Currency != c.cfg.currency {
		c.inputs.SubscriptionRows++
		c.inputs.OtherCurrencySpans++
		return errLeftOut
	}
	if c.rates != nil && s.Currency != c.rates.Base() {
		if s.Currency == "" {
			return sr.Errorf("currency empty: -fx converts spans whose currency is known")
		}
		rate, _, err := c.rates.Lookup(s.Currency, s.Start)
		if err != nil {
			return sr.Errorf("%s", detail(err))
		}
		s.Amount, s.Currency = s.Amount.Mul(rate), c.rates.Base()
		if err := s.Validate(); err != nil {
			return sr.Errorf("converted: %s", detail(err))
		}
	}
	if c.haveCurrency && s.Currency != c.currency {
		return sr.Errorf("currency %s after %s on earlier rows: mixed currencies; keep one with -currency CODE, or convert with -fx", quote(s.Currency), quote(c.currency))
	}
	if err := c.mrr.Add(s); err != nil {
		return fmt.Errorf("internal error: a span the reader checked was refused: %w", err)
	}
	c.currency, c.haveCurrency = s.Currency, true
	c.inputs.SubscriptionRows++
	return nil
}
