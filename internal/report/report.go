// Package report is the cxmetrics report: its JSON schema (the types
// below, "cxmetrics-report/2"; see README.md) and [Build], which turns the
// library's finished results into it. The cxmetrics command and the Beam
// pipeline (beam/cmd/cxbeam) both write their JSON from here, so the two
// cannot drift apart.
package report

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// Report is everything the command prints, in every format. Its JSON form is
// the command's documented output schema (see README.md): decimals are
// strings with the library's exact values, figures that cannot be computed
// (no data) are null.
type Report struct {
	Schema   string         `json:"schema"`
	Inputs   Inputs         `json:"inputs"`
	Currency string         `json:"currency"`
	Orders   OrderFigures   `json:"orders"`
	AOVTiers *TierFigures   `json:"aov_tiers"`
	Cohorts  *CohortFigures `json:"cohorts"`
	Series   *SeriesFigures `json:"series"`
	MRR      *MRRFigures    `json:"mrr"`
	// SubscriptionCohorts groups subscribers by the period of their first
	// payment: active = paying at the end of period k, revenue = their MRR.
	SubscriptionCohorts *CohortFigures `json:"subscription_cohorts"`
	// SBG is the sBG model fitted on the subscription cohorts; null
	// without subscriptions or when the data cannot be fitted, and then
	// SBGNote says why.
	SBG     *SBGFigures   `json:"sbg"`
	SBGNote string        `json:"-"`
	NPS     *NPSFigures   `json:"nps"`
	CSAT    *ScaleFigures `json:"csat"`
	CES     *ScaleFigures `json:"ces"`
}

// SchemaVersion names the JSON layout; it changes when a field changes
// meaning or goes away. Version 2 renamed inputs.orders and
// inputs.responses (the file names) to orders_file and responses_file, and
// inputs.orders became the number of orders.
const SchemaVersion = "cxmetrics-report/2"

// Inputs describes what the report was computed from.
type Inputs struct {
	OrdersFile         string             `json:"orders_file"`
	ResponsesFile      string             `json:"responses_file"`
	SubscriptionsFile  string             `json:"subscriptions_file"`
	FXFile             string             `json:"fx_file"`
	Period             string             `json:"period"`
	Location           string             `json:"location"`
	Rows               string             `json:"rows"`             // "orders" or "lines"
	OrderRows          int64              `json:"order_rows"`       // well-formed rows of the orders file
	Orders             int64              `json:"orders"`           // orders and refunds in the report
	DuplicateOrders    int64              `json:"duplicate_orders"` // re-delivered rows left out
	ResponseRows       int64              `json:"response_rows"`
	SubscriptionRows   int64              `json:"subscription_rows"`    // well-formed rows of the subscriptions file
	OtherCurrencySpans int64              `json:"other_currency_spans"` // left out by -currency
	RateRows           int64              `json:"rate_rows"`
	SkippedRows        int64              `json:"skipped_rows"`
	SkippedLines       int64              `json:"skipped_lines"`
	SkipReasons        []string           `json:"skip_reasons"`
	OtherCurrencyRows  int64              `json:"other_currency_rows"`
	Conversions        []ConversionFigure `json:"conversions"` // -fx, per source currency
}

// ConversionFigure says how the orders of one currency were converted.
type ConversionFigure struct {
	Currency  string   `json:"currency"`
	Orders    int64    `json:"orders"`
	RateDates []string `json:"rate_dates"` // the effective dates of the rates used
}

// SeriesFigures is the period-by-period series.
type SeriesFigures struct {
	Period string            `json:"period"`
	Window int               `json:"window"`
	Rows   []SeriesFigureRow `json:"rows"`
}

// SeriesFigureRow is one period of the series (see cxmetrics.SeriesRow).
type SeriesFigureRow struct {
	Start         string           `json:"start"`
	Revenue       decimal.Decimal  `json:"revenue"`
	Orders        int64            `json:"orders"`
	Refunds       int64            `json:"refunds"`
	Customers     int64            `json:"customers"`
	New           int64            `json:"new"`
	Returning     int64            `json:"returning"`
	ActiveAtStart int64            `json:"active_at_start"`
	ActiveAtEnd   int64            `json:"active_at_end"`
	Churned       int64            `json:"churned"`
	Reactivated   int64            `json:"reactivated"`
	ChurnRate     *decimal.Decimal `json:"churn_rate"` // null when nobody was active at the start
	AOV           *decimal.Decimal `json:"aov"`        // null without orders
}

// OrderFigures are the order-based metrics; money in Currency.
type OrderFigures struct {
	Revenue            decimal.Decimal  `json:"revenue"`
	Orders             int64            `json:"orders"`
	Refunds            int64            `json:"refunds"`
	Customers          int64            `json:"customers"`
	AOV                *decimal.Decimal `json:"aov"`
	PurchaseFrequency  *decimal.Decimal `json:"purchase_frequency"`
	RepeatPurchaseRate *decimal.Decimal `json:"repeat_purchase_rate"`
	HistoricalLTV      *decimal.Decimal `json:"historical_ltv"`
}

// TierFigures are the AOV tiers at the terciles of customer AOV.
type TierFigures struct {
	MediumFrom decimal.Decimal `json:"medium_from"`
	HighFrom   decimal.Decimal `json:"high_from"`
	Tiers      []TierFigure    `json:"tiers"`
}

// TierFigure is one AOV tier.
type TierFigure struct {
	Tier      string           `json:"tier"`
	Customers int64            `json:"customers"`
	Orders    int64            `json:"orders"`
	Revenue   decimal.Decimal  `json:"revenue"`
	AOV       *decimal.Decimal `json:"aov"` // null for a tier without orders
}

// CohortFigures is the cohort retention table.
type CohortFigures struct {
	Period           string            `json:"period"`
	Rows             []CohortFigureRow `json:"rows"`
	AverageRetention []decimal.Decimal `json:"average_retention"`
	Unattributed     decimal.Decimal   `json:"unattributed_revenue"`
}

// CohortFigureRow is one cohort.
type CohortFigureRow struct {
	Start     string            `json:"start"`
	Size      int64             `json:"size"`
	Active    []int64           `json:"active"`
	Retention []decimal.Decimal `json:"retention"`
	Revenue   []decimal.Decimal `json:"revenue"`
}

// NPSFigures is the Net Promoter Score with its 95% interval, in points.
type NPSFigures struct {
	Responses  int64           `json:"responses"`
	Promoters  int64           `json:"promoters"`
	Passives   int64           `json:"passives"`
	Detractors int64           `json:"detractors"`
	Score      decimal.Decimal `json:"score"`
	CI95Low    float64         `json:"ci95_low"`
	CI95High   float64         `json:"ci95_high"`
}

// ScaleFigures is CSAT (Score = share satisfied) or CES (Score = mean,
// PositiveShare = share who agree).
type ScaleFigures struct {
	Responses     int64            `json:"responses"`
	Score         decimal.Decimal  `json:"score"`
	PositiveShare *decimal.Decimal `json:"positive_share,omitempty"`
	Distribution  []int64          `json:"distribution"`
}

// optional turns a figure that may have no data into a pointer, nil for
// ErrNoData.
func optional(d decimal.Decimal, err error) (*decimal.Decimal, error) {
	if errors.Is(err, cxmetrics.ErrNoData) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Results are the finished figures a report is made of: each is nil (or
// zero) when its input is absent or holds no data.
type Results struct {
	Inputs   Inputs
	Currency string
	// Orders are the order totals; Refunds counts the refunds among the
	// orders added.
	Orders  cxmetrics.OrderTotals
	Refunds int64
	// Tiers are the AOV tiers at the terciles of customer AOV, nil without a
	// customer with an order.
	Tiers *Tiers
	// Cohorts is the cohort table, nil without a purchase; Series the
	// series with its window, nil without an order or refund.
	Cohorts *cxmetrics.CohortTable
	Series  *cxmetrics.Series
	// MRR and SubscriptionCohorts come from the subscriptions, nil without
	// any.
	MRR                 *cxmetrics.MRRSeries
	SubscriptionCohorts *cxmetrics.CohortTable
	NPS                 *cxmetrics.NPSTally
	CSAT, CES           *cxmetrics.ScaleTally
}

// Tiers are the tercile thresholds and the summary of each tier.
type Tiers struct {
	Thresholds cxmetrics.TierThresholds
	Summaries  [3]cxmetrics.TierSummary
}

// Build assembles the report from finished results.
func Build(r Results) (*Report, error) {
	rep := &Report{Schema: SchemaVersion, Inputs: r.Inputs, Currency: r.Currency}
	s := r.Orders
	rep.Orders = OrderFigures{Revenue: s.Revenue, Orders: s.Orders, Refunds: r.Refunds, Customers: s.Customers}
	var err error
	for _, f := range []struct {
		dst  **decimal.Decimal
		calc func() (decimal.Decimal, error)
	}{
		{&rep.Orders.AOV, s.AOV}, {&rep.Orders.PurchaseFrequency, s.PurchaseFrequency},
		{&rep.Orders.RepeatPurchaseRate, s.RepeatPurchaseRate}, {&rep.Orders.HistoricalLTV, s.HistoricalLTV},
	} {
		if *f.dst, err = optional(f.calc()); err != nil {
			return nil, err
		}
	}
	if r.Tiers != nil {
		tiers := &TierFigures{MediumFrom: r.Tiers.Thresholds.Medium, HighFrom: r.Tiers.Thresholds.High}
		for _, t := range r.Tiers.Summaries {
			f := TierFigure{Tier: t.Tier.String(), Customers: t.Customers, Orders: t.Orders, Revenue: t.Revenue}
			if t.Orders > 0 {
				aov := t.AOV
				f.AOV = &aov
			}
			tiers.Tiers = append(tiers.Tiers, f)
		}
		rep.AOVTiers = tiers
	}
	if r.Cohorts != nil {
		rep.Cohorts = cohortFigures(r.Cohorts)
	}
	if r.Series != nil {
		rep.Series = seriesFigures(r.Series)
	}
	if r.MRR != nil {
		rep.MRR = mrrFigures(r.MRR)
	}
	if r.SubscriptionCohorts != nil {
		rep.SubscriptionCohorts = cohortFigures(r.SubscriptionCohorts)
		var until time.Time
		if r.MRR != nil {
			until = r.MRR.Until
		}
		rep.SBG, rep.SBGNote = sbgFigures(r.SubscriptionCohorts, until)
	}
	if r.NPS != nil && r.NPS.Responses() > 0 {
		score, _ := r.NPS.Score()
		lo, hi, err := r.NPS.ConfidenceInterval(0.95)
		if err != nil {
			return nil, err
		}
		rep.NPS = &NPSFigures{
			Responses: r.NPS.Responses(), Promoters: r.NPS.Promoters, Passives: r.NPS.Passives, Detractors: r.NPS.Detractors,
			Score: score, CI95Low: round4(lo), CI95High: round4(hi),
		}
	}
	if r.CSAT != nil && r.CSAT.Responses() > 0 {
		share, _ := r.CSAT.PositiveShare()
		rep.CSAT = &ScaleFigures{Responses: r.CSAT.Responses(), Score: share, Distribution: r.CSAT.Distribution()}
	}
	if r.CES != nil && r.CES.Responses() > 0 {
		mean, _ := r.CES.Mean()
		agree, _ := r.CES.PositiveShare()
		rep.CES = &ScaleFigures{Responses: r.CES.Responses(), Score: mean, PositiveShare: &agree, Distribution: r.CES.Distribution()}
	}
	return rep, nil
}

// WriteJSON writes the report as indented JSON, the format of
// cxmetrics report -format json.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// round4 keeps four decimals of a statistic, so that the last bits of
// floating-point arithmetic never change the report between platforms.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// seriesFigures turns a series into its JSON figures.
func seriesFigures(s *cxmetrics.Series) *SeriesFigures {
	f := &SeriesFigures{Period: s.Period.String(), Window: s.Window, Rows: make([]SeriesFigureRow, len(s.Rows))}
	for i := range s.Rows {
		r := &s.Rows[i]
		row := SeriesFigureRow{
			Start: r.Start.Format(time.DateOnly), Revenue: r.Revenue, Orders: r.Orders, Refunds: r.Refunds,
			Customers: r.Customers, New: r.New, Returning: r.Returning, ActiveAtStart: r.ActiveAtStart,
			ActiveAtEnd: r.ActiveAtEnd, Churned: r.Churned, Reactivated: r.Reactivated,
		}
		if v, err := r.ChurnRate(); err == nil {
			row.ChurnRate = &v
		}
		if v, err := r.AOV(); err == nil {
			row.AOV = &v
		}
		f.Rows[i] = row
	}
	return f
}

// cohortFigures turns a cohort table into its JSON figures.
func cohortFigures(t *cxmetrics.CohortTable) *CohortFigures {
	f := &CohortFigures{Period: t.Period.String(), Unattributed: t.Unattributed}
	width := 0
	for _, r := range t.Rows {
		row := CohortFigureRow{Start: r.Start.Format(time.DateOnly), Size: r.Size, Active: r.Active, Revenue: r.Revenue}
		for k := range r.Active {
			ret, _ := r.Retention(k) // k is in range and Size > 0
			row.Retention = append(row.Retention, ret)
		}
		width = max(width, len(r.Active))
		f.Rows = append(f.Rows, row)
	}
	for k := 0; k < width; k++ {
		avg, _ := t.AverageRetention(k) // the first row reaches every k
		f.AverageRetention = append(f.AverageRetention, avg)
	}
	return f
}

// MRRFigures is the MRR series.
type MRRFigures struct {
	Period string         `json:"period"`
	Until  string         `json:"until"`
	Rows   []MRRFigureRow `json:"rows"`
}

// MRRFigureRow is one period of the MRR series (see cxmetrics.MRRRow);
// money in the report's currency.
type MRRFigureRow struct {
	Start                string           `json:"start"`
	MRRAtStart           decimal.Decimal  `json:"mrr_at_start"`
	New                  decimal.Decimal  `json:"new"`
	Expansion            decimal.Decimal  `json:"expansion"`
	Contraction          decimal.Decimal  `json:"contraction"`
	Churn                decimal.Decimal  `json:"churn"`
	Reactivation         decimal.Decimal  `json:"reactivation"`
	MRRAtEnd             decimal.Decimal  `json:"mrr_at_end"`
	CustomersAtStart     int64            `json:"customers_at_start"`
	NewCustomers         int64            `json:"new_customers"`
	ReactivatedCustomers int64            `json:"reactivated_customers"`
	ChurnedCustomers     int64            `json:"churned_customers"`
	CustomersAtEnd       int64            `json:"customers_at_end"`
	ARPA                 *decimal.Decimal `json:"arpa"`        // null with no paying customer
	QuickRatio           *decimal.Decimal `json:"quick_ratio"` // null when nothing was lost
	LogoChurn            *decimal.Decimal `json:"logo_churn"`  // fraction; null with nobody at the start
	GRR                  *decimal.Decimal `json:"grr"`         // fraction; null with no MRR at the start
	NRR                  *decimal.Decimal `json:"nrr"`         // fraction; null with no MRR at the start
}

// mrrFigures turns an MRR series into its JSON figures.
func mrrFigures(s *cxmetrics.MRRSeries) *MRRFigures {
	f := &MRRFigures{Period: s.Period.String(), Until: s.Until.In(s.Location).Format(time.RFC3339), Rows: make([]MRRFigureRow, len(s.Rows))}
	opt := func(v decimal.Decimal, err error) *decimal.Decimal {
		if err != nil {
			return nil
		}
		return &v
	}
	for i := range s.Rows {
		r := &s.Rows[i]
		f.Rows[i] = MRRFigureRow{
			Start: r.Start.Format(time.DateOnly), MRRAtStart: r.MRRAtStart, New: r.New, Expansion: r.Expansion,
			Contraction: r.Contraction, Churn: r.Churn, Reactivation: r.Reactivation, MRRAtEnd: r.MRRAtEnd,
			CustomersAtStart: r.CustomersAtStart, NewCustomers: r.NewCustomers, ReactivatedCustomers: r.ReactivatedCustomers,
			ChurnedCustomers: r.ChurnedCustomers, CustomersAtEnd: r.CustomersAtEnd,
			ARPA: opt(r.ARPA()), QuickRatio: opt(r.QuickRatio()), LogoChurn: opt(r.LogoChurn()),
			GRR: opt(cxmetrics.GrossRevenueRetention(r.Movements())), NRR: opt(cxmetrics.NetRevenueRetention(r.Movements())),
		}
	}
	return f
}
