//go:build cgo

package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
	"github.com/shopspring/decimal"
)

// haveDuckDB says whether this binary has DuckDB in it (it needs cgo).
const haveDuckDB = true

// duckdbSetup are the session settings: two threads, as the command has two
// cores here, and months cut in UTC, as `cxmetrics report` cuts them by
// default.
var duckdbSetup = []string{
	`SET threads = 2`,
	`SET TimeZone = 'UTC'`,
}

// duckdbLoad reads the CSV once into a temporary table with explicit column
// types; %s is the file as a SQL string literal. m is the UTC month of the
// order as a DATE.
const duckdbLoad = `CREATE TEMP TABLE o AS
SELECT customer_id, CAST(date_trunc('month', "time") AS DATE) AS m, amount
FROM read_csv(%s, header = true, auto_detect = false, delim = ',', quote = '"',
    columns = {'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'time': 'TIMESTAMPTZ',
               'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR'})`

// duckdbOrders are the order figures. aov_e16 is AOV times 10^16 rounded
// half away from zero, in exact HUGEINT arithmetic (DuckDB divides
// decimals in DOUBLE): the command's AOV is revenue / orders rounded to 16
// decimals.
const duckdbOrders = `WITH t AS (
    SELECT sum(amount) AS revenue,
           count(*) FILTER (WHERE amount >= 0) AS orders,
           count(*) FILTER (WHERE amount < 0) AS refunds,
           count(DISTINCT customer_id) FILTER (WHERE amount >= 0) AS customers
    FROM o
)
SELECT CAST(coalesce(revenue, 0) AS VARCHAR), orders, refunds, customers,
       CASE WHEN orders > 0 THEN CAST(
           sign(revenue) * ((2 * abs(CAST(revenue * 100 AS HUGEINT)) * 100000000000000 + orders) // (2 * orders))
       AS VARCHAR) END AS aov_e16
FROM t`

// duckdbCohortCTEs define each customer's cohort (the first month with an
// order >= 0; NULL for a customer with refunds only) and x, every order
// with its customer's cohort.
const duckdbCohortCTEs = `WITH firsts AS (
    SELECT customer_id, min(m) FILTER (WHERE amount >= 0) AS cohort
    FROM o GROUP BY customer_id
), x AS (
    SELECT o.customer_id, o.m, o.amount, f.cohort
    FROM o JOIN firsts f USING (customer_id)
)`

// duckdbCohorts is the cohort table, one row per (cohort, months since)
// cell: every cohort has a cell for each month from its own to the last
// month with an order or refund of a customer with a cohort, as the
// command's table does; empty cells are 0.
const duckdbCohorts = duckdbCohortCTEs + `, cells AS (
    SELECT cohort, date_diff('month', cohort, m) AS k,
           count(DISTINCT customer_id) FILTER (WHERE amount >= 0) AS active,
           sum(amount) AS revenue
    FROM x WHERE cohort IS NOT NULL AND m >= cohort
    GROUP BY cohort, k
), sizes AS (
    SELECT cohort, count(*) AS size FROM firsts WHERE cohort IS NOT NULL GROUP BY cohort
), grid AS (
    SELECT cohort, size, unnest(range(0, date_diff('month', cohort, (SELECT max(m) FROM x WHERE cohort IS NOT NULL)) + 1)) AS k
    FROM sizes
)
SELECT strftime(grid.cohort, '%Y-%m-%d'), grid.size, grid.k,
       coalesce(cells.active, 0), CAST(coalesce(cells.revenue, 0) AS VARCHAR)
FROM grid LEFT JOIN cells USING (cohort, k)
ORDER BY grid.cohort, grid.k`

// duckdbUnattributed is the revenue no cohort takes: refunds before the
// customer's first month with an order, and everything of customers
// without an order.
const duckdbUnattributed = duckdbCohortCTEs + `
SELECT CAST(coalesce(sum(amount), 0) AS VARCHAR) FROM x WHERE cohort IS NULL OR m < cohort`

// duckdbSQL returns every statement the child runs, in order, for file.
func duckdbSQL(file string) []string {
	lit := "'" + strings.ReplaceAll(file, "'", "''") + "'"
	return append(append([]string{}, duckdbSetup...), fmt.Sprintf(duckdbLoad, lit), duckdbOrders, duckdbCohorts, duckdbUnattributed)
}

// duckdbFigures computes the figures of the orders CSV file in an
// in-memory DuckDB.
func duckdbFigures(ctx context.Context, file string) (*figures, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one connection: the temporary table lives in it
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stmts := duckdbSQL(file)
	for _, s := range stmts[:len(duckdbSetup)+1] {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("duckdb: %w\n%s", err, s)
		}
	}
	f := &figures{}
	if err := conn.QueryRowContext(ctx, `SELECT 'DuckDB ' || version()`).Scan(&f.Engine); err != nil {
		return nil, err
	}

	var revenue string
	var aov sql.NullString
	if err := conn.QueryRowContext(ctx, duckdbOrders).Scan(&revenue, &f.Orders, &f.Refunds, &f.Customers, &aov); err != nil {
		return nil, fmt.Errorf("duckdb order figures: %w", err)
	}
	if f.Revenue, err = decimal.NewFromString(revenue); err != nil {
		return nil, err
	}
	if aov.Valid {
		units, err := decimal.NewFromString(aov.String)
		if err != nil {
			return nil, err
		}
		f.AOV = units.Shift(-16)
	}

	rows, err := conn.QueryContext(ctx, duckdbCohorts)
	if err != nil {
		return nil, fmt.Errorf("duckdb cohorts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var start, rev string
		var size, k, active int64
		if err := rows.Scan(&start, &size, &k, &active, &rev); err != nil {
			return nil, err
		}
		if n := len(f.Cohorts); n == 0 || f.Cohorts[n-1].Start != start {
			f.Cohorts = append(f.Cohorts, cohortRow{Start: start, Size: size})
		}
		row := &f.Cohorts[len(f.Cohorts)-1]
		if k != int64(len(row.Active)) {
			return nil, fmt.Errorf("duckdb cohorts: cohort %s has cell %d after %d cells", start, k, len(row.Active))
		}
		d, err := decimal.NewFromString(rev)
		if err != nil {
			return nil, err
		}
		row.Active = append(row.Active, active)
		row.Revenue = append(row.Revenue, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb cohorts: %w", err)
	}

	var unattributed string
	if err := conn.QueryRowContext(ctx, duckdbUnattributed).Scan(&unattributed); err != nil {
		return nil, fmt.Errorf("duckdb unattributed revenue: %w", err)
	}
	if f.Unattributed, err = decimal.NewFromString(unattributed); err != nil {
		return nil, err
	}
	return f, nil
}

// duckdbChild is the hidden subcommand `peers duckdb-child FILE`: it
// prints the figures of FILE as JSON on stdout.
func duckdbChild(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: peers %s FILE", duckdbChildCmd)
	}
	f, err := duckdbFigures(context.Background(), args[0])
	if err != nil {
		return err
	}
	return writeFigures(stdout, f)
}
