// Package clv predicts customer lifetime value with the probability models
// practitioners use for non-contractual businesses (shops, marketplaces,
// anything where customers leave without telling you): the BG/NBD model of
// repeat purchases (Fader, Hardie & Lee 2005, Marketing Science 24(2)), the
// Pareto/NBD model (Schmittlein, Morrison & Colombo 1987, Management
// Science 33(1); Fader & Hardie's 2005 note on its likelihood) and the
// Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, note 025);
// and, for subscriptions, where churn is observed, the shifted-beta-geometric
// (sBG) model of contract renewals (Fader & Hardie 2007, Journal of
// Interactive Marketing 21(1)). It is a subpackage so that the core
// cxmetrics package stays free of its numerical dependency (gonum, for the
// optimizer and the Gaussian hypergeometric function).
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
//     purchase to the end of the calibration period T, and the mean spend
//     of the repeat purchase days; with [SummaryOptions.ObservationEnd],
//     also the purchases and spend of a holdout period after it. Calendar
//     days are cut in an explicit time zone.
//  2. [FitBGNBD] fits the BG/NBD purchase model: while active, a customer
//     buys at a Poisson rate λ that varies over customers as a gamma
//     distribution (r, α); after each repeat purchase the customer drops
//     out for good with a probability p that varies as a beta distribution
//     (a, b). [FitParetoNBD] fits Pareto/NBD, where customers die at any
//     time, at an exponential rate μ that varies as a gamma distribution
//     (s, β). Both are a [PurchaseModel].
//  3. ProbabilityAlive, ConditionalExpectedPurchases and ExpectedPurchases
//     predict, for either model; [CheckHoldout] compares the predictions
//     for the holdout period with what customers did, per calibration
//     frequency 0, 1, …, 7+.
//  4. [FitGammaGamma] fits the spend model on the repeat customers, and
//     [GammaGamma.ConditionalExpectedSpend] estimates each customer's future
//     spend per purchase, shrinking their own mean toward the population's.
//  5. [LifetimeValue] combines a purchase model and the spend model into
//     the discounted margin a customer is expected to bring over a horizon.
//
// # Assumptions: when to use which model
//
// Use BG/NBD for non-contractual, continuous-time purchasing: customers can
// buy at any time, and churn is unobserved. For subscriptions, where churn is
// observed, use sBG (below). BG/NBD assumes purchase rates and dropout probabilities are
// independent across customers and stable over time; seasonality and
// marketing pushes break it.
//
// Use Gamma-Gamma only when spend per purchase is independent of purchase
// frequency: check that the correlation between Frequency and MonetaryValue
// over the repeat customers is weak. It also needs positive mean spends,
// and q > 1 for a finite population mean.
//
// # Contractual retention: sBG
//
// Where customers hold a contract and their leaving is observed
// (subscriptions renewed every month, annual contracts), a cohort's
// retention rate usually rises with its age. The sBG model [SBG] says why:
// at the end of each period a customer renews with a probability 1 − θ
// that never changes, θ varies across customers as a Beta(α, β)
// distribution, and the customers most likely to leave leave first, so
// the ones who remain renew more and more often. One constant churn rate
// (cxmetrics.LTVFromChurn) misses this sorting: it understates how long
// the remaining customers stay, and what the customer base is worth (Fader
// & Hardie 2010, "Customer-Base Valuation in a Contractual Setting",
// Marketing Science 29(1)).
//
// [FitSBG] fits one cohort's survivor counts (its size, then how many are
// left after each period). [FitSBGCohorts] fits a whole cohort table, as
// cxmetrics.MRRBuilder.Cohorts gives it for subscriptions: each cohort's
// likelihood counts those still there at its age as right-censored, the
// paper's multi-cohort case; a subscriber who left and came back counts
// as lost (the fit takes each row's running minimum). Then
// [SBG.Survival] projects the share of a new cohort still there after t
// periods, [SBG.ChurnProbability] the share leaving at the end of period t,
// [SBG.RetentionRate] the renewal rate (β+t−1)/(α+β+t−1) of period t, and
// [SBG.DiscountedExpectedResidualLifetime] (DERL) the discounted number of
// payments a customer with a given number of renewals will still make,
// counted from the next renewal; [SubscriptionLifetimeValue] is that times
// the MRR and the margin, in money. Periods are those of the data: months
// for monthly cohorts, years for annual contracts.
//
// On the paper's data (1,000 customers, years 0 to 7) [FitSBG] gives
// α = 0.668, β = 3.806, LL = -1611.2 for the high-end customers and
// α = 0.704, β = 1.182, LL = -1680.3 for the regular ones, as printed, and
// projects the survivors of years 8 to 12 as 460.4, 435.8, 414.2, 395.1,
// 378.0 and 220.1, 204.4, 191.2, 179.9, 170.0 (actual: 468, 445, 427, 409,
// 394 and 223, 207, 194, 183, 173), within 1e-5 of a 40-digit mpmath
// evaluation. When the subscribers all look alike, the fit is the limit
// α, β → ∞ of constant retention, marked AtBoundary.
//
// # Numbers
//
// Fits maximise the likelihood with BFGS over the logarithms of the
// parameters, using the numerically stable form of the BG/NBD likelihood
// (Hardie's note on the #NUM! error) so heavy buyers do not overflow, and
// Euler-transformed hypergeometric series for Pareto/NBD; they stop as soon
// as the gradient of the mean log-likelihood is within
// [FitOptions.Tolerance], and report standard errors from the observed
// information matrix, log-likelihood, AIC and BIC. When the maximum is at a
// boundary of the parameter space (a → 0 or s → 0 when nobody seems to drop
// out, as on Online Retail) the model is returned with AtBoundary marking
// those parameters, which have no standard error (0). A fit that cannot
// finish says why (ErrNotConverged); it never returns NaN parameters.
// Predictions never return NaN, ±Inf or a silent 0: a figure that does not
// exist (the expected spend when q <= 1 and x = 0) is an error. On the
// CDNOW sample (2,357 customers, 39 weeks) the fit gives
// r = 0.2426, α = 4.4136, a = 0.7929, b = 2.4259, LL = -9582.43, as R's
// CLVTools does (Fader, Hardie & Lee print 0.243, 4.414, 0.793, 2.426), and
// the Gamma-Gamma fit on its 946 repeat buyers
// p = 6.25, q = 3.74, γ = 15.44, LL = -4055.92 (Python's lifetimes stops at
// γ = 15.45 on the flat ridge of that likelihood, a point no more likely).
// Pareto/NBD gives LL = -9594.98 as Fader & Hardie print it, with r, α, s,
// β within 1% of a standard error of their 0.5534, 10.5802, 0.6061,
// 11.6562 (our maximum is 2.5e-5 more likely; lifetimes' test values
// 0.553, 10.578, 0.606, 11.669 agree to every digit).
// Model outputs are float64 statistics; LifetimeValue returns a decimal in
// the orders' currency.
package clv
