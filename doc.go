// Package cxmetrics computes customer-experience and customer-value metrics
// exactly: survey scores (NPS, CSAT, CES) and, built on the same
// conventions, order, retention, acquisition and lifetime-value figures.
//
// # Conventions
//
//   - Rates are fractions in a [decimal.Decimal]: 0.075 means 7.5%. The one
//     exception is the Net Promoter Score, which is a score in points from
//     -100 to +100 (30 means 30 points). Every function's doc says which.
//   - Money is exact: sums of [decimal.Decimal] never pass through float64.
//     Quotients carry 16 fractional digits, rounded half away from zero
//     (shopspring's Div with its default precision, passed explicitly so a
//     program that changes decimal.DivisionPrecision does not change our
//     figures). Rounding for display is the caller's choice.
//   - Statistics (standard errors, confidence intervals, p-values) are
//     float64.
//   - Errors wrap one of the sentinels [ErrNoData], [ErrOutOfRange],
//     [ErrNegative], [ErrInconsistent] and [ErrCurrencyMismatch] with the
//     bad value and its position; test them with [errors.Is]. An empty
//     denominator is ErrNoData, never 0 or NaN. No function panics on bad
//     input, and none modifies what the caller passes in.
//   - Every metric over a stream of records has an accumulator whose zero
//     value is ready to use, with Add (one record) and Merge (a partial
//     result from another shard or machine, in any order). The slice
//     functions, such as [NPS] and [CSAT], are thin wrappers over them.
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
// # Where to start
//
// Feed answers to an [NPSTally] or a [ScaleTally] as they arrive, merge the
// tallies of your shards, and call Score, PositiveShare or Mean when you
// report. The examples show each metric end to end.
package cxmetrics
