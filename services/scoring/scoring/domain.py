"""The rules of points and stars (RULES S1–S5, §3.5), versioned, pure Python.

A period's result must recompute to the same numbers after the rules change: each period keeps
the version of the rules it was scored under, and the rules of every version stay here.
"""
from dataclasses import dataclass
from datetime import datetime

from toolkit.config import CITY_TZ


@dataclass(frozen=True)
class Rules:
    version: int
    base_points: int = 5            # S2, §3.5.2: per service activity
    max_adjustment: int = 3         # moved by at most 3 up or down (2..8)
    override_range: tuple = (0, 10) # "特殊情况除外": 0..10 with a written reason
    merit_range: tuple = (1, 20)    # S3, §3.5.3: 一事一记
    max_project_score: int = 30     # S1, §3.5.1
    points_per_star: int = 10       # S5, §3.5.5
    max_stars: int = 10

    def service_points_ok(self, points, adjustment, override_points):
        """Does a service's points follow these rules? (the volunteering service computed them)"""
        if override_points is not None:
            lo, hi = self.override_range
            return lo <= override_points <= hi and points == override_points
        return abs(adjustment) <= self.max_adjustment and points == self.base_points + adjustment

    def stars(self, points):
        """S5: one star per 10 points of the half year, at most 10."""
        return min(self.max_stars, max(0, int(points) // self.points_per_star))


RULES = {1: Rules(version=1)}
CURRENT = max(RULES)


def period_of(moment):
    """The half year a moment belongs to, in the city's time: H1 = Jan 1–Jun 30, H2 = Jul 1–Dec 31
    (S4, §3.5.4). An activity at 23:30 on June 30 in Zhengzhou is H1, whatever the server's zone."""
    local = moment.astimezone(CITY_TZ) if isinstance(moment, datetime) else moment
    return f"{local.year}H{1 if local.month <= 6 else 2}"
