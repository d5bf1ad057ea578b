// Package clv predicts customer lifetime value with the probability models
// practitioners use for non-contractual businesses (shops, marketplaces,
// anything where customers leave without telling you): the BG/NBD model of
// repeat purchases (Fader, Hardie & Lee 2005, Marketing Science 24(2)) and
// the Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, note
// 025). It is a subpackage so that the core cxmetrics package stays free of
// its numerical dependency (gonum, for the optimizer and the Gaussian
// hypergeometric function).
//
// # Historical or predictive
//
// cxmetrics.HistoricalLTV says what customers have spent so far; it looks
// backwards and treats a customer who left and one who will buy for years
// alike. The models here look forwards: from each customer's purchase
// history they estimate whether the customer is still active and how much
// they will buy and spend, which is what acquisition budgets and retention
// campaigns need.
//
// # The workflow
//
//  1. [Summarize] turns orders into the summary the models take: per
//     customer the repeat purchase days x (Frequency), the time from the
//     first to the last purchase t_x (Recency), the time from the first
//     purchase to the end of the observation period T, and the mean spend
//     of the repeat purchase days.
//  2. [FitBGNBD] fits the purchase model: while active, a customer buys at a
//     Poisson rate λ that varies over customers as a gamma distribution (r,
//     α); after each repeat purchase the customer drops out for good with a
//     probability p that varies as a beta distribution (a, b).
//  3. [BGNBD.ProbabilityAlive], [BGNBD.ConditionalExpectedPurchases],
//     [BGNBD.ExpectedPurchases] and [BGNBD.ProbabilityOfPurchases] predict.
//  4. [FitGammaGamma] fits the spend model on the repeat customers, and
//     [GammaGamma.ConditionalExpectedSpend] estimates each customer's future
//     spend per purchase, shrinking their own mean toward the population's.
//  5. [LifetimeValue] combines the two into the discounted margin a
//     customer is expected to bring over a horizon.
//
// # Assumptions: when to use which model
//
// Use BG/NBD for non-contractual, continuous-time purchasing: customers can
// buy at any time, and churn is unobserved. For subscriptions, where churn is
// observed, the simpler cxmetrics.LTVFromChurn and cohort retention are the
// right tools. BG/NBD assumes purchase rates and dropout probabilities are
// independent across customers and stable over time; seasonality and
// marketing pushes break it.
//
// Use Gamma-Gamma only when spend per purchase is independent of purchase
// frequency: check that the correlation between Frequency and MonetaryValue
// over the repeat customers is weak. It also needs positive mean spends,
// and q > 1 for a finite population mean.
//
// # Numbers
//
// Fits maximise the likelihood with BFGS over the logarithms of the
// parameters, using the numerically stable form of the BG/NBD likelihood
// (Hardie's note on the #NUM! error) so heavy buyers do not overflow, and
// report standard errors from the observed information matrix. A fit that
// fails says why (ErrNotConverged); it never returns NaN parameters. On the
// CDNOW sample (2,357 customers, 39 weeks) the fit gives
// r = 0.2426, α = 4.4136, a = 0.7929, b = 2.4259, LL = -9582.43, as R's
// CLVTools does (Fader, Hardie & Lee print 0.243, 4.414, 0.793, 2.426), and
// the Gamma-Gamma fit on its 946 repeat buyers
// p = 6.25, q = 3.74, γ = 15.44, LL = -4055.92 (Python's lifetimes stops at
// γ = 15.45 on the flat ridge of that likelihood, a point no more likely).
// Model outputs are float64 statistics; LifetimeValue returns a decimal in
// the orders' currency.
package clv
