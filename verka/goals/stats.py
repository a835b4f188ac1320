"""Before/after statistics with the standard library: bootstrap intervals for medians and
percentiles (fixed seed, so a page shows the same interval every time), Wilson intervals for
shares, normal approximations for differences of shares, means and rates."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
BOOTSTRAP_SEED = 8
BOOTSTRAP_ROUNDS = 2000


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval for a share, in per cent."""
    if n == 0:
        return Interval(0.0, 100.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0))


def share_difference(s1: int, n1: int, s2: int, n2: int, z: float = Z95) -> Interval:
    """Normal-approximation interval for (after − before) in percentage points."""
    p1, p2 = s1 / n1, s2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    # With no variance at all (0 % or 100 % on both sides) use a continuity floor.
    se = max(se, 0.5 / max(n1, n2))
    diff = p2 - p1
    return Interval(100 * (diff - z * se), 100 * (diff + z * se))


def mean_difference(before: Sequence[float], after: Sequence[float]) -> Interval:
    """Welch-style normal interval for mean(after) − mean(before)."""
    v1 = statistics.variance(before) if len(before) > 1 else 0.0
    v2 = statistics.variance(after) if len(after) > 1 else 0.0
    se = math.sqrt(v1 / len(before) + v2 / len(after))
    diff = statistics.fmean(after) - statistics.fmean(before)
    return Interval(diff - Z95 * se, diff + Z95 * se)


def rate_difference(c1: int, days1: float, c2: int, days2: float) -> Interval:
    """Poisson normal interval for the difference of counts per week (after − before)."""
    w1, w2 = days1 / 7, days2 / 7
    diff = c2 / w2 - c1 / w1
    se = math.sqrt(max(c1, 1) / (w1 * w1) + max(c2, 1) / (w2 * w2))
    return Interval(diff - Z95 * se, diff + Z95 * se)


def bootstrap_difference(
    before: Sequence[float],
    after: Sequence[float],
    statistic: Callable[[Sequence[float]], float],
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = BOOTSTRAP_SEED,
) -> Interval:
    """Percentile bootstrap interval (95 %) for statistic(after) − statistic(before)."""
    rng = random.Random(seed)
    differences = []
    for _ in range(rounds):
        a = rng.choices(before, k=len(before))
        b = rng.choices(after, k=len(after))
        differences.append(statistic(b) - statistic(a))
    differences.sort()
    low = differences[int(0.025 * rounds)]
    high = differences[min(int(math.ceil(0.975 * rounds)) - 1, rounds - 1)]
    return Interval(low, high)
