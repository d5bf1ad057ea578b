package main

import (
	"os"

	"github.com/shopspring/decimal"
)

func one() decimal.Decimal { return decimal.NewFromInt(1) }

func writeString(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
