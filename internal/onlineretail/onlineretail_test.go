package onlineretail

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const head = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

// gzipped writes text gzipped to a file and returns its path.
func gzipped(t *testing.T, text string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	path := filepath.Join(t.TempDir(), "retail.csv.gz")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

func TestReadLines(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name    string
		text    string
		f       func(Line) error
		want    []string // Invoice Customer Time Amount of each line passed to f
		wantErr string
	}{
		{
			name: "lines with a customer, amounts exact, cancellations negative",
			text: head +
				"536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
				"536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,United Kingdom\n" +
				"C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n",
			want: []string{"536365 17850 2010-12-01 08:26:00 15.3", "C536379 14527 2010-12-01 09:41:00 -27.5"},
		},
		{
			name:    "an unexpected header",
			text:    "InvoiceNo,Quantity\n1,2\n",
			wantErr: "header",
		},
		{
			name:    "a quantity that is not a decimal, with its line",
			text:    head + "1,A,x,six,2010-12-01 08:26:00,2.55,17850.0,UK\n",
			wantErr: "retail.csv.gz:2: quantity",
		},
		{
			name:    "a CSV error is not the end of the file",
			text:    head + "1,A,\"x,6,2010-12-01 08:26:00,2.55,17850.0,UK\n",
			wantErr: "extraneous or missing",
		},
		{
			name:    "the callback's error, with its line",
			text:    head + "1,A,x,6,2010-12-01 08:26:00,2.55,17850.0,UK\n",
			f:       func(Line) error { return stop },
			wantErr: "retail.csv.gz:2: stop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			f := tt.f
			if f == nil {
				f = func(l Line) error {
					got = append(got, l.Invoice+" "+l.Customer+" "+l.Time+" "+l.Amount.String())
					return nil
				}
			}
			err := ReadLines(gzipped(t, tt.text), f)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReadLinesMissingFile(t *testing.T) {
	err := ReadLines(filepath.Join(t.TempDir(), "absent.csv.gz"), func(Line) error { return nil })
	assert.ErrorIs(t, err, os.ErrNotExist)
}
