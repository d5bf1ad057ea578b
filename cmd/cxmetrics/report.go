package main

import (
	"cmp"
	"errors"

	"github.com/cxmetrics/cxmetrics"
	cxreport "github.com/cxmetrics/cxmetrics/internal/report"
)

// The report's types live in internal/report, shared with the Beam
// pipeline (beam/cmd/cxbeam) so that both write the same JSON.
type (
	Report           = cxreport.Report
	Inputs           = cxreport.Inputs
	ConversionFigure = cxreport.ConversionFigure
	SeriesFigures    = cxreport.SeriesFigures
	SeriesFigureRow  = cxreport.SeriesFigureRow
	OrderFigures     = cxreport.OrderFigures
	TierFigures      = cxreport.TierFigures
	TierFigure       = cxreport.TierFigure
	CohortFigures    = cxreport.CohortFigures
	CohortFigureRow  = cxreport.CohortFigureRow
	NPSFigures       = cxreport.NPSFigures
	ScaleFigures     = cxreport.ScaleFigures
	MRRFigures       = cxreport.MRRFigures
	MRRFigureRow     = cxreport.MRRFigureRow
)

// schemaVersion names the JSON layout (see cxreport.SchemaVersion).
const schemaVersion = cxreport.SchemaVersion

// report computes every figure from the accumulators.
func (c *collector) report() (*Report, error) {
	r := cxreport.Results{Inputs: c.inputs, Currency: c.currency, Orders: c.stats.Totals(), Refunds: c.refunds,
		NPS: &c.nps, CSAT: c.csat, CES: c.ces}
	// The tiers read only the order stats, the cohort table and series
	// only the cohort builder: the two run at once, on two processors.
	tiersDone := make(chan error, 1)
	go func() {
		tiers, th, err := cxmetrics.SummarizeAOVTerciles(&c.stats)
		if err == nil {
			r.Tiers = &cxreport.Tiers{Thresholds: th, Summaries: tiers}
		} else if errors.Is(err, cxmetrics.ErrNoData) {
			err = nil
		}
		tiersDone <- err
	}()
	var err error
	if r.Cohorts, err = noData(c.cohorts.Table()); err == nil {
		r.Series, err = noData(c.cohorts.Series(c.cfg.window))
	}
	if err := cmp.Or(<-tiersDone, err); err != nil {
		return nil, err
	}
	r.Inputs.Conversions = c.conversions()
	if r.MRR, err = noData(c.mrr.Series()); err != nil {
		return nil, err
	}
	if r.SubscriptionCohorts, err = noData(c.mrr.Cohorts()); err != nil {
		return nil, err
	}
	return cxreport.Build(r)
}

// noData returns nil for a result without data (ErrNoData), and other
// errors as they are.
func noData[T any](v *T, err error) (*T, error) {
	if errors.Is(err, cxmetrics.ErrNoData) {
		return nil, nil
	}
	return v, err
}
