package main

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Chart colours: the bars' is the one the browser test looks for.
const (
	barColour  = "#4c78a8"
	lineColour = "#e45756"
)

// seriesChart draws the series as inline SVG: revenue as bars from a zero
// line (a period of refunds only goes below it) and the customers active
// at each period's end as a line on its own scale, with both axes labelled
// and a title on every bar and point, so the page needs no script.
func seriesChart(s *SeriesFigures, d display) template.HTML {
	const (
		width, height          = 960.0, 300.0
		left, right, top, foot = 72.0, 64.0, 24.0, 48.0
	)
	n := len(s.Rows)
	if n == 0 {
		return ""
	}
	plotW, plotH := width-left-right, height-top-foot
	maxRev, minRev, maxActive := 0.0, 0.0, 0.0
	for _, r := range s.Rows {
		v := r.Revenue.InexactFloat64()
		maxRev, minRev = max(maxRev, v), min(minRev, v)
		maxActive = max(maxActive, float64(r.ActiveAtEnd))
	}
	// Round both scales up to four steps of a round size.
	revStep := niceStep((maxRev - minRev) / 4)
	maxRev, minRev = revStep*math.Ceil(maxRev/revStep), revStep*math.Floor(minRev/revStep)
	activeStep := max(1, niceStep(maxActive/4))
	maxActive = activeStep * math.Max(1, math.Ceil(maxActive/activeStep))
	y := func(v float64) float64 { return top + plotH*(maxRev-v)/(maxRev-minRev) }
	ya := func(v float64) float64 { return top + plotH*(1-v/maxActive) }
	slot := plotW / float64(n)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="series-chart" role="img" aria-label="Revenue and active customers per %s" viewBox="0 0 %.0f %.0f" width="100%%" style="max-width:%.0fpx" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="system-ui, sans-serif">`,
		s.Period, width, height, width)
	// Axes and gridlines: revenue on the left, active customers on the right.
	for v := minRev; v <= maxRev+revStep/2; v += revStep {
		yy := y(v)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde" />`, left, width-right, yy, yy)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#445">%s</text>`, left-6, yy+4, template.HTMLEscapeString(compact(v)))
	}
	for a := 0.0; a <= maxActive+activeStep/2; a += activeStep {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`, width-right+6, ya(a)+4, lineColour, compact(a))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#889" />`, left, width-right, y(0), y(0))
	every := max(1, (n+8)/9) // at most nine labels, so they never overlap
	var points []string
	for i, r := range s.Rows {
		v := r.Revenue.InexactFloat64()
		x := left + slot*float64(i)
		top, bottom := y(max(v, 0)), y(min(v, 0))
		label := template.HTMLEscapeString(fmt.Sprintf("%s: revenue %s, %d active", cohortLabel(r.Start, s.Period), d.money(r.Revenue), r.ActiveAtEnd))
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
			x+slot*0.15, top, slot*0.7, max(bottom-top, 0.5), barColour, label)
		cx, cy := x+slot/2, ya(float64(r.ActiveAtEnd))
		points = append(points, fmt.Sprintf("%.1f,%.1f", cx, cy))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#445">%s</text>`, cx, height-foot+16, template.HTMLEscapeString(cohortLabel(r.Start, s.Period)))
		}
	}
	fmt.Fprintf(&b, `<polyline class="active" points="%s" fill="none" stroke="%s" stroke-width="2.5" />`, strings.Join(points, " "), lineColour)
	for i, r := range s.Rows {
		p := strings.Split(points[i], ",")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s: %d active at the end</title></circle>`, p[0], p[1], lineColour,
			template.HTMLEscapeString(cohortLabel(r.Start, s.Period)), r.ActiveAtEnd)
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s" /><text x="%.1f" y="%.1f">revenue (%s)</text>`,
		left, height-18, barColour, left+18, height-8, template.HTMLEscapeString(currencyOrAmounts(d)))
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" /><text x="%.1f" y="%.1f">customers active at the end (right scale)</text>`,
		left+200, left+220, height-12, height-12, lineColour, left+226, height-8)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func currencyOrAmounts(d display) string {
	if d.currency == "" {
		return "amounts"
	}
	return d.currency
}

// niceStep rounds a step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// compact writes an axis value: 1250 as 1.3k, 2500000 as 2.5M.
func compact(v float64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	case a == float64(int64(a)):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
