# The pandas contender of bench/peers: python3 pandas_figures.py FILE prints
# the figures of the orders CSV FILE as JSON in the shape of figures in
# figures.go: the order figures and the monthly cohort table in UTC, money
# exact (integer cents; the file's amounts have at most two decimals, which
# is checked).
import json
import sys

import numpy as np
import pandas as pd


def money(cents):
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    return "%s%d.%02d" % (sign, abs(cents) // 100, abs(cents) % 100)


def main(path):
    df = pd.read_csv(path, usecols=["customer_id", "time", "amount"],
                     dtype={"customer_id": str, "time": str, "amount": np.float64})
    scaled = df["amount"].to_numpy() * 100
    cents = np.rint(scaled).astype(np.int64)
    if len(cents) and np.abs(scaled - cents).max() > 1e-6:
        sys.exit("pandas: an amount has more than two decimals")
    t = pd.to_datetime(df["time"], utc=True)
    df = pd.DataFrame({
        "customer_id": df["customer_id"],
        "m": (t.dt.year * 12 + t.dt.month - 1).astype(np.int64),  # UTC month number
        "cents": cents,
    })
    is_order = df["cents"] >= 0

    revenue = int(df["cents"].sum())
    orders = int(is_order.sum())
    out = {
        "engine": "pandas " + pd.__version__,
        "revenue": money(revenue),
        "orders": orders,
        "refunds": int(len(df) - orders),
        "customers": int(df.loc[is_order, "customer_id"].nunique()),
        "aov": "0",
        "cohorts": [],
        "unattributed": "0",
    }
    if orders:
        # revenue / orders rounded half away from zero to 16 decimals, exactly.
        units = (2 * abs(revenue) * 10**14 + orders) // (2 * orders)
        s = "%017d" % units
        out["aov"] = ("-" if revenue < 0 else "") + s[:-16] + "." + s[-16:]

    # Each customer's cohort: their first month with an order (NaN: none).
    df["c"] = df["m"].where(is_order).groupby(df["customer_id"]).transform("min")
    attributed = df["c"].notna() & (df["m"] >= df["c"])
    out["unattributed"] = money(df.loc[~attributed, "cents"].sum())
    if orders:
        a = df.loc[attributed].copy()
        a["c"] = a["c"].astype(np.int64)
        a["k"] = a["m"] - a["c"]
        revenue_cells = a.groupby(["c", "k"])["cents"].sum().to_dict()
        active_cells = a.loc[a["cents"] >= 0].groupby(["c", "k"])["customer_id"].nunique().to_dict()
        firsts = df.loc[is_order].groupby("customer_id")["m"].min()
        sizes = firsts.value_counts().sort_index()
        last = int(df.loc[df["c"].notna(), "m"].max())
        for c, size in sizes.items():
            c = int(c)
            ks = range(last - c + 1)
            out["cohorts"].append({
                "start": "%04d-%02d-01" % (c // 12, c % 12 + 1),
                "size": int(size),
                "active": [int(active_cells.get((c, k), 0)) for k in ks],
                "revenue": [money(revenue_cells.get((c, k), 0)) for k in ks],
            })
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 pandas_figures.py FILE")
    main(sys.argv[1])
