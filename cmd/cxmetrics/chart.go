package main

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/shopspring/decimal"
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
	maxRev, minRev, maxActive := 0.0, 0.0, 0.0
	for _, r := range s.Rows {
		v := r.Revenue.InexactFloat64()
		maxRev, minRev = max(maxRev, v), min(minRev, v)
		maxActive = max(maxActive, float64(r.ActiveAtEnd))
	}
	// Round both scales up to four steps of a round size.
	revStep := niceStep((maxRev - minRev) / 4)
	activeStep := max(1, niceStep(maxActive/4))
	f := chartFrame{width: width, height: height, left: left, right: right, top: top, foot: foot, n: n,
		lo: revStep * math.Floor(minRev/revStep), hi: revStep * math.Ceil(maxRev/revStep), step: revStep,
		rightTop: activeStep * math.Max(1, math.Ceil(maxActive/activeStep)), rightStep: activeStep, rightColour: lineColour}
	y, ya, slot, every := f.y, f.yRight, f.slot(), f.every()
	var b strings.Builder
	// Axes and gridlines: revenue on the left, active customers on the right.
	f.open(&b, "series-chart", "Revenue and active customers per "+s.Period)
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

// chartFrame is what both charts share: an SVG of width × height with
// margins left, right, top and foot around the plot, n slots across it, a
// scale on the left from lo to hi in steps of step (with gridlines) and
// one on the right from 0 to rightTop in steps of rightStep.
type chartFrame struct {
	width, height, left, right, top, foot float64
	n                                     int
	lo, hi, step                          float64
	rightTop, rightStep                   float64
	rightColour                           string
}

// y places a value of the left scale.
func (f *chartFrame) y(v float64) float64 {
	return f.top + (f.height-f.top-f.foot)*(f.hi-v)/(f.hi-f.lo)
}

// yRight places a value of the right scale.
func (f *chartFrame) yRight(v float64) float64 {
	return f.top + (f.height-f.top-f.foot)*(1-v/f.rightTop)
}

// slot is the width of one period.
func (f *chartFrame) slot() float64 { return (f.width - f.left - f.right) / float64(f.n) }

// every is the step between period labels: at most nine, so that they
// never overlap.
func (f *chartFrame) every() int { return max(1, (f.n+8)/9) }

// open writes the SVG element, the gridlines and labels of both scales and
// the zero line.
func (f *chartFrame) open(b *strings.Builder, id, label string) {
	fmt.Fprintf(b, `<svg id="%s" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" width="100%%" style="max-width:%.0fpx" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="system-ui, sans-serif">`,
		id, template.HTMLEscapeString(label), f.width, f.height, f.width)
	for v := f.lo; v <= f.hi+f.step/2; v += f.step {
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde" /><text x="%.1f" y="%.1f" text-anchor="end" fill="#445">%s</text>`,
			f.left, f.width-f.right, f.y(v), f.y(v), f.left-6, f.y(v)+4, template.HTMLEscapeString(compact(v)))
	}
	for v := 0.0; v <= f.rightTop+f.rightStep/2; v += f.rightStep {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`, f.width-f.right+6, f.yRight(v)+4, f.rightColour, compact(v))
	}
	fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#889" />`, f.left, f.width-f.right, f.y(0), f.y(0))
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

// The MRR chart's colours, one per movement.
var movementColours = [5]string{"#2ca02c", "#98df8a", "#17becf", "#ff9896", "#d62728"}

// mrrChart draws the MRR waterfall as inline SVG: per period, the gains
// (new, expansion, reactivation) stacked above the zero line and the losses
// (contraction, churn) below it, on the left scale, and MRR at the end as a
// line on the right scale, with a title on every bar and point.
func mrrChart(m *MRRFigures, d display) template.HTML {
	const (
		width, height          = 960.0, 320.0
		left, right, top, foot = 72.0, 72.0, 24.0, 56.0
	)
	n := len(m.Rows)
	if n == 0 {
		return ""
	}
	var maxUp, maxDown, maxMRR float64
	for _, r := range m.Rows {
		maxUp = max(maxUp, r.New.Add(r.Expansion).Add(r.Reactivation).InexactFloat64())
		maxDown = max(maxDown, r.Contraction.Add(r.Churn).InexactFloat64())
		maxMRR = max(maxMRR, r.MRRAtEnd.InexactFloat64())
	}
	step := niceStep(max(maxUp+maxDown, 1) / 4)
	mrrStep := niceStep(max(maxMRR, 1) / 4)
	f := chartFrame{width: width, height: height, left: left, right: right, top: top, foot: foot, n: n,
		lo: -step * math.Ceil(maxDown/step), hi: step * math.Max(1, math.Ceil(maxUp/step)), step: step,
		rightTop: mrrStep * math.Max(1, math.Ceil(maxMRR/mrrStep)), rightStep: mrrStep, rightColour: "#333"}
	y, ym, slot, every := f.y, f.yRight, f.slot(), f.every()
	var b strings.Builder
	f.open(&b, "mrr-chart", "MRR movements per "+m.Period)
	names := [5]string{"new", "expansion", "reactivation", "contraction", "churn"}
	var points []string
	for i, r := range m.Rows {
		x := left + slot*float64(i) + slot*0.15
		label := cohortLabel(r.Start, m.Period)
		up, down := 0.0, 0.0
		for k, v := range [5]decimal.Decimal{r.New, r.Expansion, r.Reactivation, r.Contraction, r.Churn} {
			f := v.InexactFloat64()
			if f == 0 {
				continue
			}
			var y0, y1 float64
			if k < 3 {
				y0, y1 = y(up+f), y(up)
				up += f
			} else {
				y0, y1 = y(-down), y(-down-f)
				down += f
			}
			fmt.Fprintf(&b, `<rect class="movement %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
				names[k], x, y0, slot*0.7, max(y1-y0, 0.5), movementColours[k], template.HTMLEscapeString(label), names[k], template.HTMLEscapeString(d.money(v)))
		}
		cx, cy := left+slot*float64(i)+slot/2, ym(r.MRRAtEnd.InexactFloat64())
		points = append(points, fmt.Sprintf("%.1f,%.1f", cx, cy))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#333"><title>%s: MRR %s, %d customers</title></circle>`,
			cx, cy, template.HTMLEscapeString(label), template.HTMLEscapeString(d.money(r.MRRAtEnd)), r.CustomersAtEnd)
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#445">%s</text>`, cx, height-foot+16, template.HTMLEscapeString(label))
		}
	}
	fmt.Fprintf(&b, `<polyline class="mrr" points="%s" fill="none" stroke="#333" stroke-width="2" />`, strings.Join(points, " "))
	x := left
	for k, name := range names {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s" /><text x="%.1f" y="%.1f">%s</text>`, x, height-20, movementColours[k], x+16, height-10, name)
		x += 110
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#333" stroke-width="2" /><text x="%.1f" y="%.1f">MRR at the end (right scale, %s)</text>`,
		x, x+20, height-14, height-14, x+26, height-10, template.HTMLEscapeString(currencyOrAmounts(d)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
