package report

import (
	"errors"
	"strconv"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/clv"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
)

// SBGHorizon is how many periods of a new cohort the report projects.
const SBGHorizon = 12

// SBGFigures is the sBG model of contract renewals (Fader & Hardie 2007)
// fitted on the subscription cohorts, and what it projects. Statistics are
// float64, rounded so that the last bits of floating-point arithmetic do
// not change the report between platforms: the parameters and their
// standard errors to 5 significant digits, the log-likelihood and the
// fractions to 4 decimals.
type SBGFigures struct {
	Period string `json:"period"`
	// Alpha and Beta are the parameters of the Beta distribution of the
	// churn probability, null for one at a boundary of the parameter space
	// (AtBoundary): the data then fix only a limit of the model (see
	// AlphaLimit), and the value where the optimizer stopped on that flat
	// stretch means nothing. Their standard errors are null likewise.
	Alpha       *float64 `json:"alpha"`
	Beta        *float64 `json:"beta"`
	AlphaStdErr *float64 `json:"alpha_std_err"`
	BetaStdErr  *float64 `json:"beta_std_err"`
	AtBoundary  bool     `json:"at_boundary"`
	// AlphaLimit and BetaLimit say where a parameter at a boundary tends:
	// "infinity" or "zero" ("" when it is estimated). Both to infinity is
	// constant retention (every subscriber renews with the same
	// probability, RetentionRate[0]); both to zero, subscribers who leave
	// at the first renewal or never.
	AlphaLimit    string  `json:"alpha_limit"`
	BetaLimit     string  `json:"beta_limit"`
	LogLikelihood float64 `json:"log_likelihood"`
	Cohorts       int     `json:"cohorts"`
	Customers     int     `json:"customers"`
	// LastPeriodLeftOut is true when the data end (Until) inside the last
	// period: subscribers still paying then have not had the whole period
	// to leave, so that period is left out of the fit.
	LastPeriodLeftOut bool `json:"last_period_left_out"`
	// ObservedSurvival[k] is the share of the fitted cohorts' subscribers
	// still paying k periods in without a break (each cohort's running
	// minimum, as the fit takes it), over the cohorts observed that long.
	ObservedSurvival []float64 `json:"observed_survival"`
	// ProjectedSurvival[k-1] is S(k), the share of a new cohort still
	// paying after k = 1..12 periods; RetentionRate[k-1] is r_k, the share
	// of those paying after k-1 periods who renew for period k.
	ProjectedSurvival []float64 `json:"projected_survival"`
	RetentionRate     []float64 `json:"retention_rate"`

	curve []float64 // S(k) for k = 0 .. the chart's last age, for the chart
}

// Curve returns S(k) for k = 0 up to the last age observed or projected,
// unrounded, for a chart.
func (f *SBGFigures) Curve() []float64 { return f.curve }

// sbgFigures fits the sBG model on the subscription cohorts of a series
// measured until until. It returns the figures, or nil and one line saying
// why there is no fit: the report never fails for it.
func sbgFigures(t *cxmetrics.CohortTable, until time.Time) (*SBGFigures, string) {
	table, leftOut := completePeriods(t, until)
	m, err := clv.FitSBGCohorts(table, clv.FitOptions{})
	if err != nil {
		reason := detail(err)
		if leftOut {
			reason += " (the last period, cut short at " + until.In(t.Location).Format(time.RFC3339) + ", left out)"
		}
		if !errors.Is(err, cxmetrics.ErrNoData) && !errors.Is(err, clv.ErrNotConverged) {
			reason = "unexpected: " + reason
		}
		return nil, reason
	}
	f := &SBGFigures{
		Period: t.Period.String(), AtBoundary: m.AtBoundary[0] || m.AtBoundary[1],
		LogLikelihood: round4(m.LogLikelihood), Cohorts: m.Cohorts, Customers: m.Customers,
		LastPeriodLeftOut: leftOut, ObservedSurvival: observedSurvival(table),
	}
	f.Alpha, f.AlphaStdErr, f.AlphaLimit = parameter(m.Alpha, m.StdErr[0], m.AtBoundary[0])
	f.Beta, f.BetaStdErr, f.BetaLimit = parameter(m.Beta, m.StdErr[1], m.AtBoundary[1])
	for k := 0; k <= max(SBGHorizon, len(f.ObservedSurvival)-1); k++ {
		s, err := m.Survival(k)
		if err != nil {
			return nil, "unexpected: " + detail(err)
		}
		f.curve = append(f.curve, s)
		if k == 0 || k > SBGHorizon {
			continue
		}
		r, err := m.RetentionRate(k)
		if err != nil {
			return nil, "unexpected: " + detail(err)
		}
		f.ProjectedSurvival = append(f.ProjectedSurvival, round4(s))
		f.RetentionRate = append(f.RetentionRate, round4(r))
	}
	return f, ""
}

// completePeriods returns the table without its last column when until
// falls before the last instant of the period that column measures (the
// period containing until), and whether it did so. Rows left without a cell
// are dropped.
func completePeriods(t *cxmetrics.CohortTable, until time.Time) (*cxmetrics.CohortTable, bool) {
	if len(t.Rows) == 0 {
		return t, false
	}
	last := t.Rows[len(t.Rows)-1]
	lastStart := periodAfter(last.Start, t.Period, len(last.Active)-1)
	if !until.Before(periodAfter(lastStart, t.Period, 1).Add(-time.Nanosecond)) {
		return t, false
	}
	out := &cxmetrics.CohortTable{Period: t.Period, Location: t.Location, Unattributed: t.Unattributed}
	for _, r := range t.Rows {
		if len(r.Active) > 1 {
			r.Active, r.Revenue = r.Active[:len(r.Active)-1], r.Revenue[:len(r.Revenue)-1]
			out.Rows = append(out.Rows, r)
		}
	}
	return out, true
}

// periodAfter returns the start of the period n periods after the one
// starting at start, in start's location.
func periodAfter(start time.Time, p cxmetrics.Period, n int) time.Time {
	switch p {
	case cxmetrics.Day:
		return start.AddDate(0, 0, n)
	case cxmetrics.Week:
		return start.AddDate(0, 0, 7*n)
	case cxmetrics.Quarter:
		return start.AddDate(0, 3*n, 0)
	case cxmetrics.Year:
		return start.AddDate(n, 0, 0)
	}
	return start.AddDate(0, n, 0)
}

// observedSurvival returns, per age k, the subscribers of the cohorts
// observed k periods who paid in every period up to k (each row's running
// minimum), over those cohorts' sizes.
func observedSurvival(t *cxmetrics.CohortTable) []float64 {
	var still, size []int64
	for _, r := range t.Rows {
		if r.Size <= 0 {
			continue
		}
		low := r.Size
		for k, n := range r.Active {
			low = min(low, n)
			if k == len(still) {
				still, size = append(still, 0), append(size, 0)
			}
			still[k] += low
			size[k] += r.Size
		}
	}
	out := make([]float64, len(still))
	for k := range still {
		out[k] = round4(float64(still[k]) / float64(size[k]))
	}
	return out
}

// parameter returns a fitted parameter and its standard error for the
// report, or where it tends when it is at a boundary.
func parameter(v, se float64, boundary bool) (value, stdErr *float64, limit string) {
	if boundary {
		if v > 1 {
			return nil, nil, "infinity"
		}
		return nil, nil, "zero"
	}
	value = new(float64)
	*value = roundSignificant(v)
	if se > 0 {
		stdErr = new(float64)
		*stdErr = roundSignificant(se)
	}
	return value, stdErr, ""
}

// roundSignificant keeps 5 significant digits of a statistic (a parameter
// can be 1e-8 at a boundary, where round4 would make it 0).
func roundSignificant(x float64) float64 {
	v, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 5, 64), 64)
	if err != nil {
		return x
	}
	return v
}

// detail is the message of a library error without its package prefix
// and sentinel, as the command's messages quote it.
func detail(err error) string {
	var e *cxerr.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}
