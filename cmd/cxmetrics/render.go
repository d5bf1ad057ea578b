package main

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmetrics/cxmetrics"
	cxreport "github.com/cxmetrics/cxmetrics/internal/report"
	"github.com/shopspring/decimal"
)

// display formats figures for people: money rounded half to even to the
// currency's minor unit (two places without a currency), percentages and
// plain numbers rounded half away from zero.
type display struct {
	currency string
	places   int32
}

func newDisplay(currency string) display {
	places := int32(2)
	if p, err := cxmetrics.MinorUnits(currency); err == nil {
		places = p
	}
	return display{currency: currency, places: places}
}

func (d display) money(v decimal.Decimal) string {
	s := v.StringFixedBank(d.places)
	if d.currency != "" {
		s += " " + d.currency
	}
	return s
}

// amount is money without the currency code, for tables.
func (d display) amount(v decimal.Decimal) string { return v.StringFixedBank(d.places) }

func percent(v decimal.Decimal) string { return v.Shift(2).StringFixed(1) + "%" }

func optMoney(d display, v *decimal.Decimal) string {
	if v == nil {
		return "n/a"
	}
	return d.money(*v)
}

func optAmount(d display, v *decimal.Decimal) string {
	if v == nil {
		return "n/a"
	}
	return d.amount(*v)
}

func optPercent(v *decimal.Decimal) string {
	if v == nil {
		return "n/a"
	}
	return percent(*v)
}

func optFixed(v *decimal.Decimal, places int32) string {
	if v == nil {
		return "n/a"
	}
	return v.StringFixed(places)
}

// periodLetter heads the cohort columns: M0 M1 … for months.
func periodLetter(period string) string {
	switch period {
	case "week":
		return "W"
	case "day":
		return "D"
	case "quarter":
		return "Q"
	case "year":
		return "Y"
	}
	return "M"
}

// cohortLabel names a cohort by its period: 2024-03 for a month, 2024-Q1
// for a quarter, 2024 for a year, the first day for a week or a day.
func cohortLabel(start, period string) string {
	t, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return start
	}
	switch period {
	case "month":
		return t.Format("2006-01")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
	case "year":
		return t.Format("2006")
	}
	return start
}

func writeJSON(w io.Writer, rep *Report) error { return cxreport.WriteJSON(w, rep) }

// writeText writes the report as aligned plain text, without trailing
// spaces.
func writeText(w io.Writer, rep *Report) error {
	var b strings.Builder
	if err := writeTextTo(&b, rep); err != nil {
		return err
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

func writeTextTo(w io.Writer, rep *Report) error {
	d := newDisplay(rep.Currency)
	for _, section := range []func(io.Writer, *Report, display) error{
		writeTextInputs, writeTextOrders, writeTextTiers, writeTextSeries, writeTextCohorts,
		writeTextMRR, writeTextSubscriptionCohorts, writeTextSBG, writeTextSurveys,
	} {
		if err := section(w, rep, d); err != nil {
			return err
		}
	}
	return nil
}

// writeTextInputs writes the report's heading: what it was computed from.
func writeTextInputs(w io.Writer, rep *Report, _ display) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	in := rep.Inputs
	p("cxmetrics report")
	if in.OrdersFile != "" {
		p("  orders\t%s\t%s", in.OrdersFile, rowsLabel(in))
	}
	if in.SubscriptionsFile != "" {
		p("  subscriptions\t%s\t%d rows", in.SubscriptionsFile, in.SubscriptionRows)
	}
	if in.ResponsesFile != "" {
		p("  responses\t%s\t%d rows", in.ResponsesFile, in.ResponseRows)
	}
	if in.FXFile != "" {
		p("  rates\t%s\t%d rows", in.FXFile, in.RateRows)
	}
	p("  period\t%s, %s", in.Period, in.Location)
	p("  currency\t%s", currencyLabel(rep.Currency))
	if in.SkippedRows > 0 {
		lines := ""
		if in.SkippedLines != in.SkippedRows {
			lines = fmt.Sprintf(" (%d lines)", in.SkippedLines)
		}
		p("  skipped\t%d bad rows%s (-skip-bad); first reasons:", in.SkippedRows, lines)
		for _, r := range in.SkipReasons {
			p("\t  %s", r)
		}
	}
	if in.OtherCurrencyRows > 0 {
		p("  left out\t%d rows in other currencies (-currency %s)", in.OtherCurrencyRows, rep.Currency)
	}
	if in.OtherCurrencySpans > 0 {
		p("  left out\t%d spans in other currencies (-currency %s)", in.OtherCurrencySpans, rep.Currency)
	}
	for _, cv := range in.Conversions {
		p("  converted\t%d orders from %s at the rates of %s", cv.Orders, cv.Currency, datesLabel(cv.RateDates))
	}
	p("")
	return tw.Flush()
}

// writeTextOrders writes the order figures.
func writeTextOrders(w io.Writer, rep *Report, d display) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	o := rep.Orders
	p("Orders")
	p("  Net revenue\t%s", d.money(o.Revenue))
	p("  Orders\t%d", o.Orders)
	p("  Refunds\t%d", o.Refunds)
	p("  Customers\t%d", o.Customers)
	p("  Average order value\t%s", optMoney(d, o.AOV))
	p("  Purchase frequency\t%s orders per customer", optFixed(o.PurchaseFrequency, 2))
	p("  Repeat purchase rate\t%s", optPercent(o.RepeatPurchaseRate))
	p("  Historical LTV\t%s per customer", optMoney(d, o.HistoricalLTV))
	return tw.Flush()
}

// writeTextTiers writes the AOV tiers, if there are any.
func writeTextTiers(w io.Writer, rep *Report, d display) error {
	t := rep.AOVTiers
	if t == nil {
		return nil
	}
	fmt.Fprintf(w, "\nAOV tiers (terciles: medium from %s, high from %s)\n", d.money(t.MediumFrom), d.money(t.HighFrom))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %-6s\tcustomers\torders\trevenue\tAOV\t\n", "tier")
	for _, r := range t.Tiers {
		fmt.Fprintf(tw, "  %-6s\t%d\t%d\t%s\t%s\t\n", r.Tier, r.Customers, r.Orders, d.amount(r.Revenue), optAmount(d, r.AOV))
	}
	return tw.Flush()
}

// rowsLabel says how many rows became how many orders.
func rowsLabel(in Inputs) string {
	s := fmt.Sprintf("%d rows", in.OrderRows)
	if in.Rows == "lines" {
		s = fmt.Sprintf("%d invoice lines", in.OrderRows)
	}
	s += fmt.Sprintf(", %d orders and refunds", in.Orders)
	if in.DuplicateOrders > 0 {
		s += fmt.Sprintf(", %d re-delivered rows left out", in.DuplicateOrders)
	}
	return s
}

// datesLabel summarises the effective dates of the rates used.
func datesLabel(dates []string) string {
	switch len(dates) {
	case 0:
		return "no date"
	case 1:
		return "1 date (" + dates[0] + ")"
	}
	return fmt.Sprintf("%d dates (%s to %s)", len(dates), dates[0], dates[len(dates)-1])
}

// seriesTitle is "Month by month", "Week by week", …
func seriesTitle(period string) string {
	if period == "" {
		return ""
	}
	return strings.ToUpper(period[:1]) + period[1:] + " by " + period
}

// writeTextSeries writes the period-by-period series, if there is one.
func writeTextSeries(w io.Writer, rep *Report, d display) error {
	s := rep.Series
	if s == nil {
		return nil
	}
	fmt.Fprintf(w, "\n%s (%s)\n", seriesTitle(s.Period), activeLabel(s.Window, s.Period))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %s\trevenue\torders\tAOV\tcustomers\tnew\treturning\tchurned\treactivated\tactive\tchurn\t\n", s.Period)
	for _, r := range s.Rows {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", cohortLabel(r.Start, s.Period), d.amount(r.Revenue), r.Orders,
			optAmount(d, r.AOV), r.Customers, r.New, r.Returning, r.Churned, r.Reactivated, r.ActiveAtEnd, optPercent(r.ChurnRate))
	}
	return tw.Flush()
}

// activeLabel says what makes a customer active in the series.
func activeLabel(window int, period string) string {
	if window == 1 {
		return "active: a purchase in the " + period
	}
	return "active: a purchase in the last " + plural(window, period)
}

// plural is "1 month" or "3 months".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// writeTextCohorts writes the cohort retention triangle, if there is one.
func writeTextCohorts(w io.Writer, rep *Report, d display) error {
	c := rep.Cohorts
	if c == nil {
		return nil
	}
	fmt.Fprintf(w, "\nCohort retention (%% of each %s's new customers who bought again k %ss later)\n", c.Period, c.Period)
	if err := writeTextHeatmap(w, c); err != nil {
		return err
	}
	if !c.Unattributed.IsZero() {
		fmt.Fprintf(w, "  refunds outside any cohort: %s\n", d.money(c.Unattributed))
	}
	return nil
}

// writeTextSubscriptionCohorts writes the subscription cohorts, if any.
func writeTextSubscriptionCohorts(w io.Writer, rep *Report, _ display) error {
	c := rep.SubscriptionCohorts
	if c == nil {
		return nil
	}
	fmt.Fprintf(w, "\nSubscription cohorts (%% of each %s's new subscribers still paying k %ss later)\n", c.Period, c.Period)
	return writeTextHeatmap(w, c)
}

// writeTextHeatmap writes a cohort triangle of retention percentages.
func writeTextHeatmap(w io.Writer, c *CohortFigures) error {
	letter := periodLetter(c.Period)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  cohort\tsize\t")
	for k := range c.AverageRetention {
		fmt.Fprintf(tw, "%s%d\t", letter, k)
	}
	fmt.Fprintln(tw)
	for _, r := range c.Rows {
		fmt.Fprintf(tw, "  %s\t%d\t", cohortLabel(r.Start, c.Period), r.Size)
		for _, v := range r.Retention {
			fmt.Fprintf(tw, "%s\t", v.Shift(2).StringFixed(1))
		}
		// Empty cells to the full width keep tabwriter's columns one block.
		fmt.Fprintln(tw, strings.Repeat("\t", len(c.AverageRetention)-len(r.Retention)))
	}
	fmt.Fprintf(tw, "  average\t\t")
	for _, v := range c.AverageRetention {
		fmt.Fprintf(tw, "%s\t", v.Shift(2).StringFixed(1))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// writeTextMRR writes the MRR series, if there is one.
func writeTextMRR(w io.Writer, rep *Report, d display) error {
	m := rep.MRR
	if m == nil {
		return nil
	}
	fmt.Fprintf(w, "\nMRR by %s (at each %s's end; the last at %s)\n", m.Period, m.Period, m.Until)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  %s\tstart\t+new\t+expansion\t+reactivation\t-contraction\t-churn\tend\tcustomers\tARPA\tquick ratio\tNRR\t\n", m.Period)
	for _, r := range m.Rows {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t\n", cohortLabel(r.Start, m.Period),
			d.amount(r.MRRAtStart), d.amount(r.New), d.amount(r.Expansion), d.amount(r.Reactivation), d.amount(r.Contraction),
			d.amount(r.Churn), d.amount(r.MRRAtEnd), r.CustomersAtEnd, optAmount(d, r.ARPA), optFixed(r.QuickRatio, 2), optPercent(r.NRR))
	}
	return tw.Flush()
}

// writeTextSurveys writes NPS, CSAT and CES.
func writeTextSurveys(w io.Writer, rep *Report, _ display) error {
	fmt.Fprintln(w)
	if n := rep.NPS; n != nil {
		fmt.Fprintf(w, "NPS   %s points (95%% CI %.1f to %.1f), %d answers: %d promoters, %d passives, %d detractors\n",
			n.Score.StringFixed(1), n.CI95Low, n.CI95High, n.Responses, n.Promoters, n.Passives, n.Detractors)
	} else {
		fmt.Fprintln(w, "NPS   no answers")
	}
	if c := rep.CSAT; c != nil {
		fmt.Fprintf(w, "CSAT  %s satisfied (4 or 5 of 5), %d answers\n", percent(c.Score), c.Responses)
	} else {
		fmt.Fprintln(w, "CSAT  no answers")
	}
	if c := rep.CES; c != nil {
		fmt.Fprintf(w, "CES   %s of 7 (%s agree it was easy), %d answers\n", c.Score.StringFixed(2), percent(*c.PositiveShare), c.Responses)
	} else {
		fmt.Fprintln(w, "CES   no answers")
	}
	return nil
}

func currencyLabel(c string) string {
	if c == "" {
		return "none given (amounts shown to 2 places)"
	}
	return c
}

//go:embed report.html.tmpl
var htmlTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"money":       func(d display, v decimal.Decimal) string { return d.money(v) },
	"amount":      func(d display, v decimal.Decimal) string { return d.amount(v) },
	"optMoney":    optMoney,
	"optAmount":   optAmount,
	"optPct":      optPercent,
	"optFixed":    optFixed,
	"pct":         percent,
	"pct1":        func(v decimal.Decimal) string { return v.Shift(2).StringFixed(1) },
	"fixed":       func(v decimal.Decimal, places int32) string { return v.StringFixed(places) },
	"heat":        heatStyle,
	"letter":      periodLetter,
	"label":       currencyLabel,
	"cohortLabel": cohortLabel,
	"seriesTitle": seriesTitle,
	"plural":      plural,
	"activeLabel": activeLabel,
	"seriesChart": seriesChart,
	"mrrChart":    mrrChart,
	"sbgChart":    sbgChart,
	"sbgParams":   sbgParameters,
	"sbgColumns":  sbgColumns,
	"rows":        rowsLabel,
	"dates":       datesLabel,
}).Parse(htmlTemplate))

// heatStyle colours a retention cell: white at 0%, deep blue at 100%, with
// the text turning white where the background gets dark.
func heatStyle(v decimal.Decimal) template.CSS {
	f := v.InexactFloat64()
	f = max(0, min(1, f))
	light := 97 - 62*f
	text := "#111"
	if light < 55 {
		text = "#fff"
	}
	return template.CSS(fmt.Sprintf("background-color: hsl(212, 70%%, %.0f%%); color: %s", light, text))
}

func writeHTML(w io.Writer, rep *Report) error {
	return reportPage.Execute(w, struct {
		*Report
		D display
	}{rep, newDisplay(rep.Currency)})
}
