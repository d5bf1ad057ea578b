package main

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	cxreport "github.com/cxmetrics/cxmetrics/internal/report"
)

// SBGFigures is the report's sBG section (see internal/report).
type SBGFigures = cxreport.SBGFigures

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
	for k := 1; k <= cxreport.SBGHorizon; k++ {
		fmt.Fprintf(tw, "%s%d\t", letter, k)
	}
	fmt.Fprintln(tw)
	row := func(name string, values []float64) {
		fmt.Fprintf(tw, "  %-16s\t", name)
		for k := 1; k <= cxreport.SBGHorizon; k++ {
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
	span := len(f.Curve()) - 1
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
	for k, v := range f.Curve() {
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
