"""Quantiles of the Beta and Student t distributions, for the learning plan's credible intervals.

Pure Python (math.lgamma and a continued fraction), so the domain needs no SciPy: the regularized
incomplete beta function by modified Lentz's method, as in Numerical Recipes' `betacf`, inverted
by bisection.
"""

from __future__ import annotations

import math


def student_t_quantile(p: float, dof: float) -> float:
    """The t with P(T ≤ t) = p for Student's t with `dof` degrees of freedom (p ≥ 0.5), from
    P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2)."""
    x = beta_quantile(2 * (1 - p), dof / 2, 0.5)
    return math.sqrt(dof * (1 - x) / x) if x > 0 else math.inf


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b): P(X ≤ x) for X ~ Beta(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast on this side of the mean; use symmetry otherwise.
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with `beta_cdf(x, a, b) == p`, by bisection (to about 1e-9)."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if beta_cdf(middle, a, b) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method, as in
    Numerical Recipes' `betacf`)."""
    tiny, eps = 1e-300, 1e-12
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1) < eps:
            break
    return result
