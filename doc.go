// Package cxmetrics computes customer-experience and customer-value metrics
// exactly: survey scores (NPS, CSAT, CES) and, built on the same
// conventions, order, retention, acquisition, lifetime-value, cohort and
// segmentation figures.
//
// # Conventions
//
//   - Rates are fractions in a [decimal.Decimal]: 0.075 means 7.5%. The one
//     exception is the Net Promoter Score, which is a score in points from
//     -100 to +100 (30 means 30 points). Means and ratios that are not rates
//     (CES, ROAS, LTV to CAC, purchase frequency) are plain numbers. Every
//     function's doc says which.
//   - Money is exact: sums of [decimal.Decimal] never pass through float64.
//     Quotients carry 16 fractional digits, rounded half away from zero
//     (DivRound with 16 places, passed explicitly so a program that changes
//     decimal.DivisionPrecision does not change our figures). Rounding for
//     display is the caller's choice. Every decimal passed in has at most
//     [MaxDigits] significant digits and an exponent within ±[MaxExponent]
//     once written without trailing zeros (10e999 is 1e1000 and passes;
//     10000000e999 is 1e1006 and does not), which bounds what a hostile
//     value can cost.
//   - Statistics (standard errors, confidence intervals, p-values) are
//     float64.
//   - Errors wrap one of the sentinels [ErrNoData], [ErrOutOfRange],
//     [ErrNegative], [ErrInconsistent], [ErrCurrencyMismatch] and
//     [ErrUnknownCurrency] with the bad value and its position ("at index
//     N" in a slice), as "cxmetrics: what was wrong: sentinel"; test them
//     with [errors.Is]. An empty denominator is ErrNoData, never 0 or NaN.
//     No function panics on bad input, and none modifies what the caller
//     passes in.
//   - Every metric over a stream of records has an accumulator (see
//     Accumulators below); the slice functions, such as [NPS] and [CSAT],
//     are thin wrappers over them.
//
// # Accumulators
//
// [NPSTally], [WeightedNPSTally], [ScaleTally], [OrderStats] and
// [CohortBuilder] take records one at a time and combine partial results
// from other shards or machines. They all follow one contract:
//
//   - The zero value is ready and means the documented default: an NPS
//     tally with no answers, a [FivePoint] scale tally, monthly cohorts in
//     UTC. Constructors such as [NewScaleTally] and [NewCohortBuilder] set
//     another configuration.
//   - Add(x) error adds one record. A record it rejects leaves the
//     accumulator unchanged, so a caller may skip it and go on.
//   - Merge(o) error adds everything o holds, as if o's records had been
//     added one by one; o is not modified. A nil o is a no-op, and
//     a.Merge(a) counts everything twice. Merging an empty accumulator
//     changes nothing whatever its configuration, and an empty accumulator
//     that receives a non-empty one adopts its configuration (scale,
//     period, location, currency). Two non-empty accumulators with different
//     configurations are [ErrInconsistent] ([ErrCurrencyMismatch] for
//     currencies) and leave the receiver unchanged. Merging in any order and
//     grouping gives the same result.
//   - Counts that would pass 2^63-1 are [ErrOutOfRange], from Add and Merge
//     alike, never a silent wrap-around.
//   - MarshalJSON and MarshalBinary encode a partial result to ship between
//     machines; UnmarshalJSON and UnmarshalBinary decode it and check
//     everything Add would have enforced, returning the package's sentinels
//     and leaving the receiver unchanged on error. The binary form is
//     compact and versioned ('c' 'x', a type tag, a layout version) and
//     canonical: equal accumulators encode to equal bytes. Both marshalers
//     have value receivers, so json.Marshal of a value, not only of a
//     pointer, encodes the accumulator; every other method has a pointer
//     receiver.
//   - Memory grows with what is distinct (customers, their active periods,
//     answer values), never with the number of records.
//   - No accumulator is safe for concurrent use: give each goroutine its
//     own and merge them.
//   - An accumulator is copied by merging it into a zero value, not by
//     assignment: an assigned copy shares its maps and buffers with the
//     original, and goes wrong once either is changed. (A method value
//     such as b.MarshalJSON is such a copy, made when the value is taken.)
//
// Because they share the contract, one generic constraint fits them all:
//
//	interface {
//		*A
//		Add(In) error
//		Merge(*A) error
//		encoding.BinaryMarshaler
//		encoding.BinaryUnmarshaler
//	}
//
// and one helper can fan in any of them (see the fanIn example).
//
// # Survey metrics
//
// Net Promoter Score (Reichheld 2003, "The One Number You Need to Grow",
// Harvard Business Review) asks "How likely is it that you would recommend
// us to a friend or colleague?" on 0..10. Answers 9-10 are promoters, 7-8
// passives and 0-6 detractors, and
//
//	NPS = (promoters - detractors) / answers * 100
//
// Use [NPS] for a slice of answers, [NPSTally] to count a stream, and
// [NPSTally.ConfidenceInterval] before reading anything into a change: a
// sample of 100 answers has a standard error near 8 points. [CompareNPS]
// tests whether two periods or segments really differ;
// [WeightedNPSTally] handles weighted survey samples.
//
// Customer Satisfaction (CSAT) asks "How satisfied were you?" on 1..5 and
// reports the share of 4s and 5s ([CSAT]). Customer Effort Score (CES 2.0,
// Dixon, Toman & DeLisi 2013, The Effortless Experience) asks whether "the
// company made it easy for me to handle my issue" on 1..7 and reports the
// mean ([CES]). [ScaleTally] counts answers on any [Scale] and gives both the
// positive share and the mean.
//
// # Orders and money
//
// An [Order] is a purchase or, with a negative Amount, a refund. Refunds
// lower revenue (all revenue figures are net) but are not orders: they never
// count as purchases, repeat purchases or activity. [OrderStats] streams
// orders into revenue, order and customer counts and per-customer
// summaries, and gives
//
//	AOV                 = net revenue / orders
//	PurchaseFrequency   = orders / customers
//	RepeatPurchaseRate  = customers with 2+ orders / customers
//	HistoricalLTV       = net revenue / customers
//
// One figure never mixes currencies: orders with different Currency codes
// are [ErrCurrencyMismatch]. [RoundMoney] rounds to a currency's ISO 4217
// minor unit ([MinorUnits]), half to even, for display.
//
// # Retention and churn
//
// For a period with S customers at the start, N acquired and E at the end
// ([PeriodCounts]): customers lost = S + N - E, [ChurnRate] = lost / S and
// the customer retention rate [RetentionRate] = (E - N) / S. [CompoundRate]
// turns a monthly rate into an annual one (1 - (1 - r)^12, not 12r) and
// [ExpectedLifetime] = 1 / churn. For recurring revenue
// ([RevenueMovements]), [GrossRevenueRetention] = (start - contraction -
// churned) / start shows how the base holds up on its own,
// [NetRevenueRetention] adds expansion and can exceed 1, and
// [RevenueChurnRate] = 1 - GRR.
//
// # Metrics over time
//
// [CohortBuilder.Series] (and [OrderSeries] for a slice) turns the same
// orders into a period-by-period account ([Series], one [SeriesRow] per
// period, no gaps): revenue, orders, refunds, and who was active, who came,
// who left and who came back. A customer is active at the end of period p
// with a window of W periods when they bought (amount >= 0) in one of
// p-W+1 … p; refunds never make anyone active. New customers buy for the
// first time ever; churned ones were active at the end of the previous
// period and are not now; reactivated ones are active again, not new. On
// every row
//
//	ActiveAtEnd = ActiveAtStart - Churned + New + Reactivated
//
// For example, with monthly periods and W = 1: ann buys in January and
// March, bob in January and February, cat in February and May. January
// starts with nobody active and ends with ann and bob (2 new); February
// starts with 2, loses ann (churned), gains cat (new) and ends with 2;
// March starts with 2, loses bob and cat, wins ann back (reactivated) and
// ends with 1. With W = 2, February's purchases keep bob and cat active
// through March, so March ends with 3. [SeriesRow.ChurnRate] = Churned /
// ActiveAtStart never exceeds 1, unlike churn from hand-filled
// [PeriodCounts]; [SeriesRow.Counts] gives the row as PeriodCounts so the
// formulas above apply to it.
//
// Billing exports repeat themselves. [OrderDedup] tells a re-delivered order
// (same ID, customer, instant, amount and currency) from a new one and
// refuses an ID reused with other content; [CombineLines] adds up the
// invoice lines of one order. [RateTable] and [Convert] turn orders in
// several currencies into one base currency at dated rates, exactly.
//
// # Subscriptions and MRR
//
// A subscription business bills plans: a [SubscriptionSpan] is a stretch
// [Start, End) during which one subscription charged Amount every
// [BillingInterval]; a plan change ends one span and starts the next. Its
// monthly recurring revenue ([SubscriptionSpan.MRR]) is the charge
// normalized to a month (a year is 12 months, a month 52/12 weeks and
// 365/12 days: the subscription-analytics tools' convention, which ignores
// leap days so that a plan has the same MRR every month), rounded once to
// 16 fractional digits; every other MRR figure is an
// exact sum of those. [MRRBuilder] streams spans into MRR per period, taken
// at each period's end: [MRRBuilder.Series] gives per period the MRR at the
// start and end, and the movements between them (new, expansion,
// contraction, churn, reactivation) that add up exactly,
//
//	MRRAtEnd = MRRAtStart + New + Expansion + Reactivation - Contraction - Churn
//
// with ARPA, the quick ratio and logo churn per row, and GRR and NRR through
// [MRRRow.Movements]. [MRRBuilder.Cohorts] groups customers by the period
// of their first payment: a customer on an annual plan pays at every month's
// end and never looks churned, as they would in a purchase cohort.
//
// # Acquisition
//
// [ConversionRate] = conversions / visitors and [LeadCloseRate] = customers
// / leads are fractions; like every two-argument ratio of the package
// ([ROAS], [ROI], [LTVToCAC]) they take the numerator first. Customer acquisition cost, [CAC] = all acquisition
// costs / new customers, counts every cost of winning customers
// ([AcquisitionCosts]: ads, fees, campaigns, discounts, free trials, sales
// staff); leaving some out flatters it. [ROAS] = attributed revenue / ad
// spend is a plain ratio (4 means 4 back per 1 spent), per channel with
// [ROASByChannel]; [ROI] = (gain - cost) / cost is a fraction.
//
// # Lifetime value
//
// Customer lifetime value (LTV) estimates what a customer is worth over the
// whole relationship. [LTV] = AOV × orders per period × lifespan × gross
// margin is the e-commerce rule of thumb (orders per customer per period,
// not [OrderStats.PurchaseFrequency] over all time); [LTVFromChurn] = ARPU ×
// margin / churn suits subscriptions; [DiscountedLTV] = m(1 + d) / (1 + d - r)
// (Gupta & Lehmann 2003) discounts future margin; [HistoricalLTV] is what
// customers have actually spent so far. Compare LTV with CAC through
// [LTVToCAC] (3 or more is the usual target) and [CACPayback], the periods of
// margin it takes to earn CAC back.
//
// # Cohorts
//
// A cohort is the set of customers whose first purchase falls in the same
// calendar period. A cohort retention table ([CohortTable]) gives, for each
// cohort and each k, how many of its customers bought again k periods after
// their first ([CohortRow].Active) and how much net revenue the cohort
// brought in that period (Revenue). Read across a row, it shows how one
// cohort decays; read down a column, whether newer cohorts retain better
// than older ones. [CohortBuilder] streams orders (in any time order) into
// the table; [Cohorts] is the slice form. Periods ([Period]: Month, Week in
// ISO 8601, Day, Quarter, Year) are cut in the calendar of a
// [time.Location], so an order late on March 31 in New York stays in March
// and daylight-saving changes never move a boundary. [CohortRow.Retention],
// [CohortRow.CumulativeRevenuePerCustomer] (the realised LTV curve) and the
// customer-weighted [CohortTable.AverageRetention] summarise it.
//
// # Segmentation
//
// AOV tiers split customers by their average order value (their net revenue
// / their orders) into low, medium and high ([AOVTier]) at thresholds you
// choose ([SegmentByAOV]) or at the terciles of the data
// ([SegmentByAOVTerciles]); [SummarizeTiers] gives each tier's customers,
// revenue and AOV, to judge what a customer of each tier may cost to win.
// When only the tiers matter, [SummarizeAOVTerciles] gives the same sums
// and thresholds without listing the customers, in a tenth of the time.
// [RFM] scores recency, frequency and monetary value (Hughes 1994) from 1 to
// bins by rank, equal values getting equal scores.
//
// # Predictive lifetime value
//
// The subpackage [github.com/cxmetrics/cxmetrics/clv] fits the BG/NBD model
// of repeat purchases and the Gamma-Gamma model of spend to an order history
// and predicts, per customer, the probability of being still active, the
// purchases to come and the discounted lifetime value. It lives apart
// because it depends on gonum.
//
// # Shards of customers
//
// Accumulators merge shards that may share customers, so they keep
// per-customer state. When orders are split by customer instead (every
// order of a customer in one shard, as a distributed engine's shuffle by a
// hash of the customer ID does), each shard's finished figures add up
// exactly without it: [OrderStats.Totals] with [OrderTotals.AddDisjoint],
// [CohortTable.AddDisjoint], [Series.AddDisjoint] and
// [MRRSeries.AddDisjoint], which check what the figures can show (period,
// location, window, Until, currency, rows that balance). A series is
// extended with [CohortBuilder.SeriesThrough] until none of its customers
// is active, since they could still churn after its last order, and the
// sum is cut back with [Series.Trim]. Figures that need every customer at
// once, the AOV terciles and RFM scores, are order statistics of
// per-customer values, exact from a second pass over those values;
// [AddTierSummaries] adds the shards' tiers at the thresholds found. The
// Beam module (github.com/cxmetrics/cxmetrics/beam) is built this way.
//
// # Where to start
//
// Feed answers to an [NPSTally] or a [ScaleTally], and orders to an
// [OrderStats] and a [CohortBuilder], as they arrive; merge the accumulators
// of your shards; read the figures when you report. The period-based metrics take plain structs
// ([PeriodCounts], [RevenueMovements], [AcquisitionCosts], [LTVInputs]) whose
// field names read like the formula. The examples show each metric end to
// end.
package cxmetrics
