"""Independent high-precision reference values for clv's sBG tests.

Not run by the tests (they must not need Python): run it by hand with
mpmath (python3 sbg_reference.py from clv/testdata) and paste what it
prints into sbg_test.go. It shares no code with the package: P(T = t) and
S(t) are written with mpmath's beta function (Fader & Hardie 2007, in their
beta-function form, not the recursion the Go code uses), the maximum is
found with Newton's method on the digamma gradient, and DERL is evaluated
with mpmath's hyp2f1 (Fader & Hardie 2010, eq. 6; for a whole alpha, where
hyp2f1 meets poles, by mpmath's quad over the posterior of theta) and,
separately, as the sum of its series term by term.
"""
from mpmath import mp, mpf, beta, log, hyp2f1, findroot, digamma as psi, quad

mp.dps = 40

HIGH = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def P(a, b, t):
    return beta(a + 1, b + t - 1) / beta(a, b)


def S(a, b, t):
    return beta(a, b + t) / beta(a, b)


def ll(a, b, cohorts):
    """The multi-cohort log-likelihood: each cohort's losses at t, and its
    last count right-censored at its age."""
    v = 0
    for n in cohorts:
        T = len(n) - 1
        v += sum((n[t - 1] - n[t]) * log(P(a, b, t)) for t in range(1, T + 1))
        v += n[T] * log(S(a, b, T))
    return v


def grad(a, b, cohorts):
    ga = gb = 0
    for n in cohorts:
        T = len(n) - 1
        for t in range(1, T + 1):
            k = n[t - 1] - n[t]
            ga += k * (psi(a + 1) - psi(a + b + t) - psi(a) + psi(a + b))
            gb += k * (psi(b + t - 1) - psi(a + b + t) - psi(b) + psi(a + b))
        k = n[T]
        ga += k * (psi(a + b) - psi(a + b + T))
        gb += k * (psi(b + T) - psi(a + b + T) - psi(b) + psi(a + b))
    return [ga, gb]


def fit(cohorts):
    # A coarse grid for the start, then Newton on the gradient.
    best = max((ll(mpf(i) / 20, mpf(j) / 10, cohorts), i, j) for i in range(1, 60) for j in range(1, 80))
    r = findroot(lambda a, b: grad(a, b, cohorts), (mpf(best[1]) / 20, mpf(best[2]) / 10))
    return r[0], r[1]


def show(x):
    return mp.nstr(x, 17)


for name, data in [("high end", HIGH), ("regular", REGULAR)]:
    a, b = fit([data])
    print(name, "alpha", show(a), "beta", show(b), "LL", show(ll(a, b, [data])))
    print("  survivors after 8..12 years:", ", ".join(show(1000 * S(a, b, t)) for t in range(8, 13)))

MULTI = [REGULAR, [500, 330, 250, 200, 170], [800, 520, 400], [300]]
a, b = fit(MULTI)
print("multi-cohort alpha", show(a), "beta", show(b), "LL", show(ll(a, b, MULTI)))
# A win-back: [400, 300, 310, 250] is fitted as its running minimum.
WIN = [REGULAR, [400, 300, 300, 250]]
a, b = fit(WIN)
print("win-back alpha", show(a), "beta", show(b), "LL", show(ll(a, b, WIN)))

a, b = mpf("0.668"), mpf("3.806")
for t in [1, 2, 7, 12, 100, 1000, 100000]:
    print("t", t, "S", show(S(a, b, t)), "P", show(P(a, b, t)), "r", show(S(a, b, t) / S(a, b, t - 1)))


def derl(a, b, n, d):
    a, b, d = mpf(a), mpf(b), mpf(d)
    bp = b + n
    if a == int(a):
        # hyp2f1's connection formulas meet poles for a whole alpha
        # (c - a - b = alpha - 1): integrate over the posterior of theta,
        # Beta(alpha, beta + n), instead.
        closed = (1 + d) * quad(lambda th: (1 - th) / (d + th) * th ** (a - 1) * (1 - th) ** (bp - 1), [0, d, 1]) / beta(a, bp)
    else:
        closed = bp / (a + bp) * hyp2f1(1, bp + 1, a + bp + 1, 1 / (1 + d))
    # The series term by term: S(n+1+k)/S(n) is a running product of the
    # retention rates (bp+j)/(a+bp+j), and the rest after a term u is at
    # most u (1+d)/d.
    series, u, j = mpf(0), mpf(1), 0
    while True:
        u *= (bp + j) / (a + bp + j) / (1 if j == 0 else 1 + d)
        series += u
        j += 1
        if u * (1 + d) / d < mpf(10) ** -30 * series:
            break
    assert abs(closed / series - 1) < mpf(10) ** -25, (a, b, n, d, closed, series)
    return closed


for a, b, n, d in [
    ("0.668", "3.806", 0, "0.1"), ("0.668", "3.806", 0, "0.25"), ("0.668", "3.806", 4, "0.1"),
    ("0.704", "1.182", 0, "0.1"), ("0.704", "1.182", 10, "0.01"), ("1", "100000", 0, "0.1"),
    ("3", "2", 0, "0.0001"), ("0.05", "0.2", 3, "0.001"), ("300.5", "1000", 7, "0.02"),
    ("2", "5", 0, "0.125"), ("0.3", "100000", 20, "1"),
]:
    print("derl", a, b, n, d, show(derl(a, b, n, d)))

for a, b in [(10, 10), ("0.668", 100000), (1000, 100000), ("3.5", "12.25"), ("0.001", 100000), (50, 100000000)]:
    print("lnB", a, b, show(log(beta(mpf(a), mpf(b)))))
