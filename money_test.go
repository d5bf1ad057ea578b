package cxmetrics

import (
	"encoding/xml"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		code string
		want int32
		err  error
	}{
		{"JPY", 0, nil},
		{"USD", 2, nil},
		{"EUR", 2, nil},
		{"BHD", 3, nil},
		{"KWD", 3, nil},
		{"CLF", 4, nil},
		{"UYW", 4, nil},
		{"XAU", 0, ErrUnknownCurrency}, // N.A. in the list
		{"XXX", 0, ErrUnknownCurrency},
		{"usd", 0, ErrUnknownCurrency},
		{"", 0, ErrUnknownCurrency},
		{"ABC", 0, ErrUnknownCurrency},
	}
	for _, tt := range tests {
		got, err := MinorUnits(tt.code)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, tt.code)
			continue
		}
		require.NoError(t, err, tt.code)
		assert.Equal(t, tt.want, got, tt.code)
	}
}

// The shipped table must match the ISO 4217 file in shared/data, parsed here
// independently of the generator.
func TestISO4217TableMatchesList(t *testing.T) {
	raw, err := os.ReadFile("../shared/data/iso4217/list-one.2024-06-25.xml")
	if os.IsNotExist(err) {
		ci.Skip(t, "../shared/data/iso4217 is absent; the table is checked where shared/ is present")
	}
	require.NoError(t, err)
	var doc struct {
		Entries []struct {
			Code  string `xml:"Ccy"`
			Minor string `xml:"CcyMnrUnts"`
		} `xml:"CcyTbl>CcyNtry"`
	}
	require.NoError(t, xml.Unmarshal(raw, &doc))
	seen := map[string]bool{}
	for _, e := range doc.Entries {
		if e.Code == "" {
			continue
		}
		seen[e.Code] = true
		got, err := MinorUnits(e.Code)
		if n, convErr := strconv.Atoi(e.Minor); convErr == nil {
			require.NoError(t, err, e.Code)
			assert.Equal(t, int32(n), got, e.Code)
		} else {
			assert.ErrorIs(t, err, ErrUnknownCurrency, e.Code)
		}
	}
	assert.Len(t, iso4217MinorUnits, len(seen))
}

func TestRoundMoney(t *testing.T) {
	tests := []struct {
		amount, code, want string
		err                error
	}{
		{"2.345", "USD", "2.34", nil}, // half to even: 4 stays
		{"2.355", "USD", "2.36", nil}, // half to even: 5 goes up to 6
		{"2.3451", "USD", "2.35", nil},
		{"-2.345", "USD", "-2.34", nil},
		{"1234.5", "JPY", "1234", nil},
		{"1235.5", "JPY", "1236", nil},
		{"1.0005", "BHD", "1", nil},
		{"1.0015", "BHD", "1.002", nil},
		{"0.12345", "CLF", "0.1234", nil},
		{"10", "EUR", "10", nil},
		{"1", "XAU", "", ErrUnknownCurrency},
		{"1", "", "", ErrUnknownCurrency},
	}
	for _, tt := range tests {
		got, err := RoundMoney(dec(tt.amount), tt.code)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assertDecimal(t, tt.want, got, tt.amount, tt.code)
	}
}

func TestExactSum(t *testing.T) {
	tests := []struct {
		name    string
		amounts []string
		want    string
	}{
		{"empty", nil, "0"},
		{"tenths", []string{"0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.1"}, "1"},
		{"mixed scales", []string{"12.5", "0.001", "3", "-0.5"}, "15.001"},
		{"positive exponent", []string{"1e3", "0.25"}, "1000.25"},
		{"huge", []string{"9223372036854775807", "1", "0.01"}, "9223372036854775808.01"},
		{"overflow then small", []string{"9000000000000000000", "9000000000000000000", "-1"}, "17999999999999999999"},
		{"finer than 18 digits", []string{"1", "0.0000000000000000000001"}, "1.0000000000000000000001"},
		{"rescale overflows", []string{"900000000000000000", "0.1"}, "900000000000000000.1"},
		{"big exponent", []string{"1e40", "-1e40", "2"}, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s exactSum
			want := decimal.Zero
			for _, a := range tt.amounts {
				s.add(dec(a))
				want = want.Add(dec(a))
			}
			assertDecimal(t, tt.want, s.value())
			assert.True(t, want.Equal(s.value()))
		})
	}
}

func TestMulPow10(t *testing.T) {
	v, ok := mulPow10(5, 18)
	assert.True(t, ok)
	assert.Equal(t, int64(5e18), v)
	_, ok = mulPow10(10, 18)
	assert.False(t, ok)
	_, ok = mulPow10(math.MinInt64/10-1, 1)
	assert.False(t, ok)
	v, ok = mulPow10(0, 30)
	assert.True(t, ok)
	assert.Equal(t, int64(0), v)
	_, ok = mulPow10(1, 19)
	assert.False(t, ok)
}

func FuzzRoundMoney(f *testing.F) {
	f.Add("2.345", "USD")
	f.Add("-1234.5", "JPY")
	f.Add("1e-30", "BHD")
	f.Add("12", "XAU")
	f.Fuzz(func(t *testing.T, amount, code string) {
		d, err := decimal.NewFromString(amount)
		if err != nil || d.Exponent() < -1000 || d.Exponent() > 1000 {
			return
		}
		got, err := RoundMoney(d, code)
		places, uerr := MinorUnits(code)
		if uerr != nil {
			if err == nil {
				t.Fatalf("RoundMoney(%s, %q) accepted an unknown currency", amount, code)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		// At most `places` decimals, within half a minor unit of the input.
		if !got.Equal(got.Truncate(places)) {
			t.Fatalf("RoundMoney(%s, %s) = %s has more than %d places", amount, code, got, places)
		}
		half := decimal.New(5, -places-1)
		if got.Sub(d).Abs().GreaterThan(half) {
			t.Fatalf("RoundMoney(%s, %s) = %s is more than half a unit away", amount, code, got)
		}
	})
}
