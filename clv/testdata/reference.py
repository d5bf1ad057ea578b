"""Independent high-precision reference values for clv's tests.

Not run by the tests (they must not need Python): run it by hand with
mpmath (python3 reference.py from clv/testdata, with ../../../shared/data
present) and paste what it prints into clv's tests. It shares no code with
the package: the Pareto/NBD likelihood is integrated numerically from its
definition (Fader & Hardie 2005, eq. 2 integrated over the rates), not
through the hypergeometric forms the Go code uses, and BG/NBD's conditional
expectation uses mpmath's hyp2f1 on the paper's own (untransformed) form.
"""
import csv, datetime, sys
from collections import defaultdict
from mpmath import mp, mpf, quad, hyp2f1, loggamma, log, exp, gamma, inf

mp.dps = 40

def cdnow_summary(path='../../../shared/data/cdnow/CDNOW_sample.txt'):
    days = defaultdict(set)
    for line in open(path):
        f = line.split()
        if not f:
            continue
        d = datetime.date(int(f[2][:4]), int(f[2][4:6]), int(f[2][6:]))
        days[f[1]].add(d)
    end = datetime.date(1997, 9, 30)
    out = defaultdict(int)
    for ds in days.values():
        ds = sorted(d for d in ds if d <= end)
        if not ds:
            continue
        x = len(ds) - 1
        tx = mpf((ds[-1] - ds[0]).days) / 7
        T = mpf((end - ds[0]).days) / 7
        out[(x, tx, T)] += 1
    return out

def pnbd_lik(r, alpha, s, beta, x, tx, T):
    # L = Γ(r+x) α^r β^s / Γ(r) [ (α+T)^-(r+x) (β+T)^-s + s ∫_{tx}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ ]
    c = exp(loggamma(r + x) - loggamma(r)) * alpha**r * beta**s
    alive = (alpha + T)**(-(r + x)) * (beta + T)**(-s)
    # The integrand falls by e per (α+τ)/(r+x+s+1) from τ = t_x: break the
    # interval at multiples of that scale so quad resolves heavy buyers.
    h = (alpha + tx) / (r + x + s + 1)
    pts = [tx] + [tx + k * h for k in (0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512) if tx + k * h < T] + [T]
    dead = s * quad(lambda u: (alpha + u)**(-(r + x)) * (beta + u)**(-(s + 1)), pts) if T > tx else 0
    return c * (alive + dead), alive, dead

def pnbd_ll(params, groups):
    r, alpha, s, beta = [mpf(p) for p in params]
    return sum(n * log(pnbd_lik(r, alpha, s, beta, x, tx, T)[0]) for (x, tx, T), n in groups.items())

def pnbd_palive(params, x, tx, T):
    r, alpha, s, beta = [mpf(p) for p in params]
    L, alive, dead = pnbd_lik(r, alpha, s, beta, x, mpf(tx), mpf(T))
    return alive / (alive + dead)

def pnbd_cond(params, x, tx, T, t):
    r, alpha, s, beta = [mpf(p) for p in params]
    x, tx, T, t = mpf(x), mpf(tx), mpf(T), mpf(t)
    # E[Y(t)] = E over the posterior of λ and μ of λ/μ (1 - e^{-μ t}) given alive:
    # (r+x)/(α+T) × E[(1 - e^{-μ t})/μ | alive] with μ ~ Gamma(s, β+T) given alive.
    s2, b2 = s, beta + T
    g = quad(lambda m: (1 - exp(-m * t)) / m * b2**s2 * m**(s2 - 1) * exp(-b2 * m) / gamma(s2), [0, 1 / b2, inf])
    return (r + x) / (alpha + T) * g * pnbd_palive(params, x, tx, T)

def bgnbd_cond(params, x, tx, T, t):
    r, alpha, a, b = [mpf(p) for p in params]
    x, tx, T, t = mpf(x), mpf(tx), mpf(T), mpf(t)
    palive = 1 / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx))**(r + x))
    z = t / (alpha + T + t)
    f = hyp2f1(r + x, b + x, a + b + x - 1, z)
    if a == 1:
        raise ValueError
    return (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t))**(r + x) * f) * palive

if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'all'
    if what in ('ll', 'all'):
        g = cdnow_summary()
        print('distinct CDNOW summaries', len(g), 'customers', sum(g.values()))
        for p in [(0.5534, 10.5802, 0.6061, 11.6562), (0.553, 10.578, 0.606, 11.669), (0.553277047, 10.5776835, 0.606239989, 11.6687353)]:
            print('Pareto/NBD LL at', p, mp.nstr(pnbd_ll(p, g), 15))
    if what in ('pnbd', 'all'):
        p = (0.5534, 10.5802, 0.6061, 11.6562)
        for c in [(2, 30.43, 38.86, 39), (0, 0, 38.86, 39), (26, 30.86, 31, 52), (500, 100, 104, 364), (500, 20, 104, 364), (1, 0.5, 70, 1000)]:
            print('Pareto/NBD', c, 'P(alive)', mp.nstr(pnbd_palive(p, *c[:3]), 17), 'E', mp.nstr(pnbd_cond(p, *c), 17))
        q = (0.5534, 10.5802, 1.0, 11.6562)
        print('Pareto/NBD s=1', (3, 20, 30, 52), mp.nstr(pnbd_cond(q, 3, 20, 30, 52), 17))
    if what in ('bgnbd', 'all'):
        p = (0.243, 4.414, 0.793, 2.426)
        for c in [(2, 30.43, 38.86, 39), (500, 104, 104, 364), (500, 100, 104, 364), (0, 0, 0, 1000), (40, 50, 52, 5200)]:
            print('BG/NBD', c, mp.nstr(bgnbd_cond(p, *c), 17))
        for a in ['0.9999999', '1.0000001']:
            q = (0.243, 4.414, a, 2.426)
            print('BG/NBD a =', a, mp.nstr(bgnbd_cond(q, 2, 30.43, 38.86, 39), 17))
