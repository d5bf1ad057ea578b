package clv

import (
	"math"

	"github.com/cxmetrics/cxmetrics"
)

// HoldoutGroups is the number of calibration-frequency groups of
// [CheckHoldout]: x = 0, 1, …, 6 and 7 or more.
const HoldoutGroups = 8

// HoldoutGroup is one row of a [HoldoutCheck]: the customers with the same
// number of repeat purchases in the calibration period.
type HoldoutGroup struct {
	// Frequency is the calibration repeat purchases x of the group; the
	// last group (AndMore) holds every x >= Frequency.
	Frequency int
	AndMore   bool
	// Customers is the number of customers in the group (at least 1).
	Customers int
	// Predicted is the mean over the group of the model's expected
	// purchases in the holdout period, E[Y(HoldoutLength) | x, t_x, T];
	// Actual is the mean of the purchases the customers made in it.
	Predicted, Actual float64
}

// HoldoutCheck compares a purchase model's predictions for the holdout
// period with what customers did in it, the way practitioners validate
// these models (Fader, Hardie & Lee 2005, figure 4; lifetimes'
// plot_calibration_purchases_vs_holdout_purchases).
type HoldoutCheck struct {
	// Groups are the calibration-frequency groups 0, 1, …, 6 and 7+, in
	// that order, leaving out groups without customers.
	Groups []HoldoutGroup
	// Customers is the number of customers checked.
	Customers int
	// Predicted and Actual are the total expected and actual holdout
	// purchases over all customers.
	Predicted, Actual float64
	// MeanAbsoluteError is the mean over customers of |predicted - actual|
	// holdout purchases, in purchases per customer.
	MeanAbsoluteError float64
}

// CheckHoldout predicts each customer's purchases over the holdout period
// with m and compares them with the actual ones (see [HoldoutCheck]).
// customers come from [Summarize] with an ObservationEnd after the
// CalibrationEnd, m fitted on the same customers. No customers, or a
// HoldoutLength of 0 (no holdout period), is cxmetrics.ErrNoData;
// customers with different HoldoutLengths, or holdout purchases that are
// not a whole number >= 0, are cxmetrics.ErrInconsistent; an invalid model
// or customer, or a prediction that fails, is returned as is.
func CheckHoldout(m PurchaseModel, customers []Customer) (*HoldoutCheck, error) {
	if m == nil {
		return nil, errorf(cxmetrics.ErrNoData, "no purchase model to check")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(customers) == 0 {
		return nil, errorf(cxmetrics.ErrNoData, "no customers to check")
	}
	length := customers[0].HoldoutLength
	if !(length > 0) || math.IsInf(length, 0) {
		return nil, errorf(cxmetrics.ErrNoData, "customer %s has no holdout period (holdout length %v): summarise with an ObservationEnd after the CalibrationEnd", quoteID(customers[0].ID), length)
	}
	var groups [HoldoutGroups]HoldoutGroup
	out := &HoldoutCheck{Customers: len(customers)}
	var absErr float64
	for i, c := range customers {
		if c.HoldoutLength != length {
			return nil, errorf(cxmetrics.ErrInconsistent, "customer %s at index %d has a holdout of %v, customer %s one of %v", quoteID(c.ID), i, c.HoldoutLength, quoteID(customers[0].ID), length)
		}
		if !(c.HoldoutPurchases >= 0) || c.HoldoutPurchases != math.Trunc(c.HoldoutPurchases) || math.IsInf(c.HoldoutPurchases, 0) {
			return nil, errorf(cxmetrics.ErrInconsistent, "customer %s at index %d: holdout purchases %v are not a whole number >= 0", quoteID(c.ID), i, c.HoldoutPurchases)
		}
		pred, err := m.ConditionalExpectedPurchases(c, length)
		if err != nil {
			return nil, wrap(err, "at index %d", i)
		}
		g := int(math.Min(c.Frequency, HoldoutGroups-1))
		groups[g].Customers++
		groups[g].Predicted += pred
		groups[g].Actual += c.HoldoutPurchases
		out.Predicted += pred
		out.Actual += c.HoldoutPurchases
		absErr += math.Abs(pred - c.HoldoutPurchases)
	}
	out.MeanAbsoluteError = absErr / float64(len(customers))
	for g := range groups {
		if groups[g].Customers == 0 {
			continue
		}
		n := float64(groups[g].Customers)
		out.Groups = append(out.Groups, HoldoutGroup{
			Frequency: g, AndMore: g == HoldoutGroups-1, Customers: groups[g].Customers,
			Predicted: groups[g].Predicted / n, Actual: groups[g].Actual / n,
		})
	}
	return out, nil
}
