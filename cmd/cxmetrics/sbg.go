package main

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/clv"
)

// sbgHorizon is how many periods of a new cohort the report projects.
const sbgHorizon = 12

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
	for k := 0; k <= max(sbgHorizon, len(f.ObservedSurvival)-1); k++ {
		s, err := m.Survival(k)
		if err != nil {
			return nil, "unexpected: " + detail(err)
		}
		f.curve = append(f.curve, s)
		if k == 0 || k > sbgHorizon {
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

// writeTextSBG writes the sBG fit on the subscription cohorts, or why
// there is none; nothing without subscriptions.
func writeTextSBG(w io.Writer, rep *Report, _ display) error {
	f := rep.SBG
	if f == nil {
		if rep.SBGNote != "" {
			fmt.Fprintf(w, "\nSubscription retention (sBG): no fit: %s\n", rep.SBGNote)
		}
		return nil
	}
	fmt.Fprintf(w, "\nSubscription retention (sBG model, Fader & Hardie 2007; %% of a new cohort still paying k %ss in, and renewing)\n", f.Period)
	fmt.Fprintf(w, "  fitted on %d cohorts, %d subscribers; log-likelihood %.4f\n", f.Cohorts, f.Customers, f.LogLikelihood)
	fmt.Fprintf(w, "  %s\n", sbgParameters(f))
	if f.LastPeriodLeftOut {
		fmt.Fprintf(w, "  the last %s, cut short by the end of the data%s, is left out\n", f.Period, untilLabel(rep))
	}
	letter := periodLetter(f.Period)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \t")
	for k := 1; k <= sbgHorizon; k++ {
		fmt.Fprintf(tw, "%s%d\t", letter, k)
	}
	fmt.Fprintln(tw)
	row := func(name string, values []float64) {
		fmt.Fprintf(tw, "  %-16s\t", name)
		for k := 1; k <= sbgHorizon; k++ {
			if k-1 < len(values) {
				fmt.Fprintf(tw, "%.1f\t", 100*values[k-1])
			} else {
				fmt.Fprintf(tw, "\t")
			}
		}
		fmt.Fprintln(tw)
	}
	row("paying, model", f.ProjectedSurvival)
	if len(f.ObservedSurvival) > 1 {
		row("paying, observed", f.ObservedSurvival[1:])
	}
	row("renewing, model", f.RetentionRate)
	return tw.Flush()
}

// untilLabel is " (at UNTIL)" when the report has an MRR series.
func untilLabel(rep *Report) string {
	if rep.MRR == nil {
		return ""
	}
	return " (at " + rep.MRR.Until + ")"
}

// sbgParameters describes the fitted parameters for people: with their
// standard errors, or what the boundary they are at means.
func sbgParameters(f *SBGFigures) string {
	switch {
	case f.AlphaLimit == "infinity" && f.BetaLimit == "infinity":
		return fmt.Sprintf("alpha and beta tend to infinity: the subscribers look alike, each renewing with the same probability, %.1f%% a %s (constant retention)",
			100*f.RetentionRate[0], f.Period)
	case f.AlphaLimit == "zero" && f.BetaLimit == "zero":
		return fmt.Sprintf("alpha and beta tend to zero: each subscriber either leaves at the first renewal (%.1f%%) or never", 100*(1-f.RetentionRate[0]))
	}
	return "alpha " + estimate(f.Alpha, f.AlphaStdErr, f.AlphaLimit) + ", beta " + estimate(f.Beta, f.BetaStdErr, f.BetaLimit)
}

// estimate writes a parameter with its standard error, or its limit.
func estimate(v, se *float64, limit string) string {
	switch {
	case v == nil && limit == "infinity":
		return "→ ∞"
	case v == nil:
		return "→ 0"
	case se == nil:
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return strconv.FormatFloat(*v, 'g', -1, 64) + " (± " + strconv.FormatFloat(*se, 'g', 2, 64) + ")"
}

// survivalColour is the projected curve's; the observed dots are
// barColour.
const survivalColour = "#54a24b"

// sbgChart draws the share of subscribers still paying by age as inline
// SVG: the observed shares as dots, the sBG model's S(k) as a line over
// the observed ages and at least the 12 projected periods, with a title on
// every point, so the page needs no script.
func sbgChart(f *SBGFigures) template.HTML {
	const (
		width, height          = 960.0, 300.0
		left, right, top, foot = 56.0, 24.0, 24.0, 52.0
	)
	span := len(f.curve) - 1
	if span < 1 {
		return ""
	}
	plotW, plotH := width-left-right, height-top-foot
	x := func(k int) float64 { return left + plotW*float64(k)/float64(span) }
	y := func(v float64) float64 { return top + plotH*(1-v) }
	letter := periodLetter(f.Period)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="sbg-chart" role="img" aria-label="Share of subscribers still paying by %s of tenure" viewBox="0 0 %.0f %.0f" width="100%%" style="max-width:%.0fpx" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="system-ui, sans-serif">`,
		f.Period, width, height, width)
	for v := 0.0; v <= 1.0001; v += 0.25 {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde" /><text x="%.1f" y="%.1f" text-anchor="end" fill="#445">%.0f%%</text>`,
			left, width-right, y(v), y(v), left-6, y(v)+4, 100*v)
	}
	every := max(1, (span+12)/13)
	for k := 0; k <= span; k += every {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#445">%s%d</text>`, x(k), height-foot+16, letter, k)
	}
	var points []string
	for k, v := range f.curve {
		points = append(points, fmt.Sprintf("%.1f,%.1f", x(k), y(v)))
	}
	fmt.Fprintf(&b, `<polyline class="projected" points="%s" fill="none" stroke="%s" stroke-width="2.5" />`, strings.Join(points, " "), survivalColour)
	for k, v := range f.ProjectedSurvival {
		fmt.Fprintf(&b, `<circle class="projected-point" cx="%.1f" cy="%.1f" r="2" fill="%s"><title>%s%d: %.1f%% projected</title></circle>`,
			x(k+1), y(v), survivalColour, letter, k+1, 100*v)
	}
	for k, v := range f.ObservedSurvival {
		fmt.Fprintf(&b, `<circle class="observed" cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s%d: %.1f%% still paying</title></circle>`,
			x(k), y(v), barColour, letter, k, 100*v)
	}
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" /><text x="%.1f" y="%.1f">observed (cohorts old enough, weighted by size)</text>`,
		left+6, height-12, barColour, left+16, height-8)
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" /><text x="%.1f" y="%.1f">sBG model, fitted</text>`,
		left+330, left+350, height-12, height-12, survivalColour, left+356, height-8)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sbgColumn is one projected period of the HTML table.
type sbgColumn struct{ Head, Model, Observed, Renewing string }

// sbgColumns returns the HTML table's columns: periods 1..12, the model's
// and the observed share still paying (empty past the data) and the
// model's renewal rate, in percent.
func sbgColumns(f *SBGFigures) []sbgColumn {
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }
	var out []sbgColumn
	for k := 1; k <= len(f.ProjectedSurvival); k++ {
		c := sbgColumn{Head: periodLetter(f.Period) + strconv.Itoa(k), Model: pct(f.ProjectedSurvival[k-1]), Renewing: pct(f.RetentionRate[k-1])}
		if k < len(f.ObservedSurvival) {
			c.Observed = pct(f.ObservedSurvival[k])
		}
		out = append(out, c)
	}
	return out
}
