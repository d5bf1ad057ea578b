package main

import "github.com/shopspring/decimal"

func one() decimal.Decimal { return decimal.NewFromInt(1) }
