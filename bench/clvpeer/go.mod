module github.com/cxmetrics/cxmetrics/bench/clvpeer

go 1.24.0

require (
	github.com/cxmetrics/cxmetrics v0.0.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/shopspring/decimal v1.6.0 // indirect
	golang.org/x/tools v0.30.0 // indirect
)

replace github.com/cxmetrics/cxmetrics => ../..
