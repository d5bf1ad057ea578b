"""BG/NBD maximum likelihood with scipy's BFGS and an analytic gradient in
numpy: the peer of clv.FitBGNBD in bench/clvpeer.

Reads a CSV of x, t_x, T (one customer a line), fits from every parameter
at 1 on the logarithms of the parameters (as clv does), minimising -LL/n,
and prints one JSON object: the parameters, LL, the evaluations and the
fit's wall time (the fit only: reading the file and importing are left
out). argv: file, gtol.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln


def objective(theta, x, tx, T, n):
    r, alpha, a, b = np.exp(theta)
    rep = x > 0
    xb = np.where(rep, x, 1.0)  # keeps log(b + x - 1) defined where x = 0
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.where(rep, np.log(a) - np.log(b + xb - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    m = np.logaddexp(A3, A4)
    ll = A1 + A2 + m
    w = np.exp(A4 - m)  # the weight of the dropped-out term
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - (1 - w) * np.log(alpha + T) - w * np.log(alpha + tx)
    dalpha = r / alpha - (1 - w) * (r + x) / (alpha + T) - w * (r + x) / (alpha + tx)
    da = digamma(a + b) - digamma(a + b + x) + w / a
    db = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w / (b + xb - 1)
    grad = np.array([dr.sum(), dalpha.sum(), da.sum(), db.sum()]) * np.exp(theta)
    return -ll.sum() / n, -grad / n


def main():
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    gtol = float(sys.argv[2])
    x, tx, T = data[:, 0], data[:, 1], data[:, 2]
    n = len(x)
    start = time.perf_counter()
    res = minimize(objective, np.zeros(4), args=(x, tx, T, n), jac=True, method="BFGS", options={"gtol": gtol})
    wall = time.perf_counter() - start
    f, g = objective(res.x, x, tx, T, n)
    print(json.dumps({
        "params": np.exp(res.x).tolist(),
        "ll": -f * n,
        "gradient": float(np.max(np.abs(g))),
        "evaluations": int(res.nfev),
        "iterations": int(res.nit),
        "seconds": wall,
        "message": str(res.message),
        "engine": "scipy " + __import__("scipy").__version__ + ", numpy " + np.__version__,
    }))


main()
