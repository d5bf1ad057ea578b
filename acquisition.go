package cxmetrics

import (
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// fraction returns num / den for counts where num is a subset of den.
func fraction(num, den int64, numName, denName string) (decimal.Decimal, error) {
	if num < 0 || den < 0 {
		return decimal.Decimal{}, errorf(ErrNegative, "%s %d, %s %d", denName, den, numName, num)
	}
	if num > den {
		return decimal.Decimal{}, errorf(ErrInconsistent, "%s %d exceed %s %d", numName, num, denName, den)
	}
	if den == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "no %s", denName)
	}
	return ratio(num, den), nil
}

// ConversionRate returns the share of visitors who converted (bought, signed
// up), as a fraction in [0, 1] (0.025 means 2.5%):
//
//	ConversionRate = conversions / visitors
//
// The numerator comes first, as in every two-argument ratio of the package.
// Negative counts are ErrNegative, conversions > visitors is ErrInconsistent
// (count each visitor's conversion once), no visitors is ErrNoData.
func ConversionRate(conversions, visitors int64) (decimal.Decimal, error) {
	return fraction(conversions, visitors, "conversions", "visitors")
}

// LeadCloseRate returns the share of leads that became customers, as a
// fraction in [0, 1]:
//
//	LeadCloseRate = customers / leads
//
// The numerator comes first. Negative counts are ErrNegative, customers >
// leads is ErrInconsistent, no leads is ErrNoData.
func LeadCloseRate(customers, leads int64) (decimal.Decimal, error) {
	return fraction(customers, leads, "customers", "leads")
}

// AcquisitionCosts are everything spent to win new customers in a period, in
// one currency. Customer acquisition cost counts every cost, not only ad
// spend: leaving out discounts, free trials or the sales team flatters CAC
// and overstates what a customer is worth.
type AcquisitionCosts struct {
	Advertising  decimal.Decimal // paid channels
	TaxesAndFees decimal.Decimal
	Campaigns    decimal.Decimal // promotions, events, content
	Discounts    decimal.Decimal // revenue given up to discounts and promo offers
	FreeTrials   decimal.Decimal // cost of free trial periods
	Sales        decimal.Decimal // sales and marketing staff and tools
}

// Total returns the exact sum of all cost fields. A negative field is
// ErrNegative naming it.
func (c AcquisitionCosts) Total() (decimal.Decimal, error) {
	fields := []named{
		{"Advertising", c.Advertising}, {"TaxesAndFees", c.TaxesAndFees}, {"Campaigns", c.Campaigns},
		{"Discounts", c.Discounts}, {"FreeTrials", c.FreeTrials}, {"Sales", c.Sales},
	}
	if err := checkInputs("acquisition costs", fields...); err != nil {
		return decimal.Decimal{}, err
	}
	total := decimal.Zero
	for _, f := range fields {
		total = total.Add(f.v)
	}
	return total, nil
}

// CAC returns the customer acquisition cost, in the costs' currency:
//
//	CAC = costs.Total() / newCustomers
//
// Exact to 16 fractional digits. A negative cost or count is ErrNegative; no
// new customers is ErrNoData.
func CAC(costs AcquisitionCosts, newCustomers int64) (decimal.Decimal, error) {
	total, err := costs.Total()
	if err != nil {
		return decimal.Decimal{}, err
	}
	if newCustomers < 0 {
		return decimal.Decimal{}, errorf(ErrNegative, "new customers %d", newCustomers)
	}
	if newCustomers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "CAC with no new customers")
	}
	return div(total, decimal.NewFromInt(newCustomers)), nil
}

// ROAS returns the return on ad spend, a plain ratio (4 means 4 of revenue
// per 1 of spend), not a fraction of 1:
//
//	ROAS = revenue / spend
//
// revenue is the revenue attributed to the ads, in the spend's currency.
// Negative amounts are ErrNegative; zero spend is ErrNoData. Exact to 16
// fractional digits.
func ROAS(revenue, spend decimal.Decimal) (decimal.Decimal, error) {
	return amountRatio(revenue, spend, "ROAS", "revenue", "spend")
}

// amountRatio returns num / den for two amounts that must not be negative,
// naming them in errors: negative is ErrNegative, den = 0 is ErrNoData.
func amountRatio(num, den decimal.Decimal, figure, numName, denName string) (decimal.Decimal, error) {
	if err := checkInputs(figure, named{numName, num}, named{denName, den}); err != nil {
		return decimal.Decimal{}, err
	}
	if den.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "%s with zero %s", figure, denName)
	}
	return div(num, den), nil
}

// ChannelSpend is the ad spend and attributed revenue of one channel, for one
// campaign or day; [ROASByChannel] sums rows of the same channel.
type ChannelSpend struct {
	Channel string
	Spend   decimal.Decimal
	Revenue decimal.Decimal
}

// ChannelROAS is the ROAS of one channel over all its rows.
type ChannelROAS struct {
	Channel string
	Spend   decimal.Decimal // exact sum of the channel's spend
	Revenue decimal.Decimal // exact sum of the channel's attributed revenue
	ROAS    decimal.Decimal // Revenue / Spend, a plain ratio
}

// ROASByChannel sums spend and revenue per channel and returns each channel's
// ROAS (revenue / spend), sorted by channel name. An empty channel name is
// ErrInconsistent and a negative amount ErrNegative, each naming the row; a
// channel whose spend sums to zero is ErrNoData naming the channel; no rows
// is ErrNoData. The rows are not modified.
func ROASByChannel(rows []ChannelSpend) ([]ChannelROAS, error) {
	if len(rows) == 0 {
		return nil, errorf(ErrNoData, "ROAS by channel of no rows")
	}
	index := make(map[string]int)
	var out []ChannelROAS
	for i, r := range rows {
		if r.Channel == "" {
			return nil, errorf(ErrInconsistent, "channel spend at index %d has no channel", i)
		}
		if err := checkInputs("ROAS of channel "+quote(r.Channel)+" at index "+strconv.Itoa(i), named{"spend", r.Spend}, named{"revenue", r.Revenue}); err != nil {
			return nil, err
		}
		k, ok := index[r.Channel]
		if !ok {
			k = len(out)
			index[r.Channel] = k
			out = append(out, ChannelROAS{Channel: r.Channel})
		}
		out[k].Spend = out[k].Spend.Add(r.Spend)
		out[k].Revenue = out[k].Revenue.Add(r.Revenue)
	}
	slices.SortFunc(out, func(a, b ChannelROAS) int { return strings.Compare(a.Channel, b.Channel) })
	for i := range out {
		if out[i].Spend.IsZero() {
			return nil, errorf(ErrNoData, "channel %q has zero spend", out[i].Channel)
		}
		out[i].ROAS = div(out[i].Revenue, out[i].Spend)
	}
	return out, nil
}

// ROI returns the return on investment, as a fraction (0.25 means 25%; -1
// means everything was lost):
//
//	ROI = (gain - cost) / cost
//
// gain is what the investment brought in, cost what it took, in one
// currency. Negative amounts are ErrNegative; zero cost is ErrNoData. Exact
// to 16 fractional digits.
func ROI(gain, cost decimal.Decimal) (decimal.Decimal, error) {
	if err := checkInputs("ROI", named{"gain", gain}, named{"cost", cost}); err != nil {
		return decimal.Decimal{}, err
	}
	if cost.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "ROI with zero cost")
	}
	return div(gain.Sub(cost), cost), nil
}
