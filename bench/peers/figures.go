package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

// figures are what every contender computes from the orders file and what
// the agreement check compares: the order figures and the monthly cohort
// table, money as exact decimals. The DuckDB child and the pandas script
// print them as JSON in this shape (decimals as strings).
type figures struct {
	Engine       string          `json:"engine,omitempty"` // the peer's version, for the report
	Revenue      decimal.Decimal `json:"revenue"`          // net: all amounts, refunds included
	Orders       int64           `json:"orders"`           // amounts >= 0
	Refunds      int64           `json:"refunds"`          // amounts < 0
	Customers    int64           `json:"customers"`        // customers with an order
	AOV          decimal.Decimal `json:"aov"`              // revenue / orders, 16 decimals, half away from zero
	Cohorts      []cohortRow     `json:"cohorts"`
	Unattributed decimal.Decimal `json:"unattributed"`
}

// cohortRow is one monthly cohort: its customers' first month with an
// order, and per month since (k = 0 up to the last month of the data) the
// cohort's customers with an order then and their net revenue then.
type cohortRow struct {
	Start   string            `json:"start"` // YYYY-MM-DD
	Size    int64             `json:"size"`
	Active  []int64           `json:"active"`
	Revenue []decimal.Decimal `json:"revenue"`
}

// cxReport is the part of the JSON report of `cxmetrics report -format
// json` (schema cxmetrics-report/2, see cmd/cxmetrics/report.go) that the
// peers compute too.
type cxReport struct {
	Schema string `json:"schema"`
	Orders struct {
		Revenue   decimal.Decimal  `json:"revenue"`
		Orders    int64            `json:"orders"`
		Refunds   int64            `json:"refunds"`
		Customers int64            `json:"customers"`
		AOV       *decimal.Decimal `json:"aov"`
	} `json:"orders"`
	Cohorts *struct {
		Period       string          `json:"period"`
		Rows         []cohortRow     `json:"rows"`
		Unattributed decimal.Decimal `json:"unattributed_revenue"`
	} `json:"cohorts"`
}

// parseCxmetrics reads the figures out of the command's JSON report.
func parseCxmetrics(out []byte) (*figures, error) {
	var r cxReport
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("cxmetrics JSON report: %w", err)
	}
	if !strings.HasPrefix(r.Schema, "cxmetrics-report/") {
		return nil, fmt.Errorf("cxmetrics JSON report: unexpected schema %q", r.Schema)
	}
	f := &figures{Revenue: r.Orders.Revenue, Orders: r.Orders.Orders, Refunds: r.Orders.Refunds, Customers: r.Orders.Customers}
	if r.Orders.AOV != nil {
		f.AOV = *r.Orders.AOV
	}
	if r.Cohorts != nil {
		if r.Cohorts.Period != "month" {
			return nil, fmt.Errorf("cxmetrics JSON report: cohort period %q, want month", r.Cohorts.Period)
		}
		f.Cohorts, f.Unattributed = r.Cohorts.Rows, r.Cohorts.Unattributed
	}
	return f, nil
}

// parseFigures reads the figures a peer printed.
func parseFigures(name string, out []byte) (*figures, error) {
	var f figures
	if err := json.Unmarshal(out, &f); err != nil {
		return nil, fmt.Errorf("%s figures: %w", name, err)
	}
	return &f, nil
}

// writeFigures prints f as JSON, as the DuckDB child does.
func writeFigures(w io.Writer, f *figures) error {
	return json.NewEncoder(w).Encode(f)
}

// disagreements lists every figure in which b differs from a, naming the
// figure or cohort cell; decimals are compared by value (1.5 = 1.50).
func disagreements(aName string, a *figures, bName string, b *figures) []string {
	var out []string
	bad := func(what string, av, bv any) {
		out = append(out, fmt.Sprintf("%s: %s %v, %s %v", what, aName, av, bName, bv))
	}
	dec := func(what string, av, bv decimal.Decimal) {
		if !av.Equal(bv) {
			bad(what, av, bv)
		}
	}
	num := func(what string, av, bv int64) {
		if av != bv {
			bad(what, av, bv)
		}
	}
	dec("revenue", a.Revenue, b.Revenue)
	num("orders", a.Orders, b.Orders)
	num("refunds", a.Refunds, b.Refunds)
	num("customers", a.Customers, b.Customers)
	dec("aov", a.AOV, b.AOV)
	dec("unattributed revenue", a.Unattributed, b.Unattributed)
	if len(a.Cohorts) != len(b.Cohorts) {
		bad("number of cohorts", len(a.Cohorts), len(b.Cohorts))
	}
	for i := range min(len(a.Cohorts), len(b.Cohorts)) {
		ar, br := &a.Cohorts[i], &b.Cohorts[i]
		if ar.Start != br.Start {
			bad(fmt.Sprintf("cohort #%d start", i), ar.Start, br.Start)
			continue
		}
		c := "cohort " + ar.Start
		num(c+" size", ar.Size, br.Size)
		if len(ar.Active) != len(br.Active) {
			bad(c+" active cells", len(ar.Active), len(br.Active))
		}
		for k := range min(len(ar.Active), len(br.Active)) {
			num(fmt.Sprintf("%s month %d active", c, k), ar.Active[k], br.Active[k])
		}
		if len(ar.Revenue) != len(br.Revenue) {
			bad(c+" revenue cells", len(ar.Revenue), len(br.Revenue))
		}
		for k := range min(len(ar.Revenue), len(br.Revenue)) {
			dec(fmt.Sprintf("%s month %d revenue", c, k), ar.Revenue[k], br.Revenue[k])
		}
	}
	return out
}

// cells counts the cohort cells of f.
func (f *figures) cells() int {
	n := 0
	for _, r := range f.Cohorts {
		n += len(r.Active)
	}
	return n
}
