"""The rules of points and stars (RULES S1–S5, §3.5), versioned, pure Python.

A period's result must recompute to the same numbers after the rules change: each period keeps
the version of the rules it was scored under, and the rules of every version stay here.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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
        """S5 (§3.5.5): one star per 10 points of the half year, more than ten stars count as ten.
        The settlement's SQL computes the same with these two numbers (settlement.STARS_SQL)."""
        return min(self.max_stars, max(0, int(points // self.points_per_star)))

    def project_score(self, ratings):
        """S1 (§3.5.1): a project's score in a period is the mean of its ratings (each 0..30),
        to one decimal place."""
        return round(Decimal(sum(ratings)) / len(ratings), 1) if ratings else Decimal(0)

    def organization_points(self, projects):
        """Decision: an organization's half-year points are the sum of its projects' scores, and
        its stars follow the members' rule (S5)."""
        return sum((self.project_score(r) for r in projects), Decimal(0))


RULES = {1: Rules(version=1)}
CURRENT = max(RULES)


def rules_of(version):
    return RULES[version]


def period_rules(conn, period):
    """The rules a half year is scored under: those its first settlement fixed (scoring.periods),
    or the current ones while it has none. Reads only (settlement.rule_version_of fixes them)."""
    from sqlalchemy import text
    version = conn.execute(text("SELECT rule_version FROM scoring.periods WHERE period = :p"), {"p": period}).scalar()
    return RULES[version if version is not None else CURRENT]


def period_of(moment):
    """The half year a moment belongs to, in the city's time: H1 = Jan 1–Jun 30, H2 = Jul 1–Dec 31
    (S4, §3.5.4). An activity at 23:30 on June 30 in Zhengzhou is H1, whatever the server's zone."""
    local = moment.astimezone(CITY_TZ) if isinstance(moment, datetime) else moment
    return f"{local.year}H{1 if local.month <= 6 else 2}"


def period_bounds(period):
    """The first and last day of a half year ('2026H1' -> Jan 1, Jun 30)."""
    from datetime import date
    year, half = int(period[:4]), period[5]
    return (date(year, 1, 1), date(year, 6, 30)) if half == "1" else (date(year, 7, 1), date(year, 12, 31))


def previous_period(period):
    year, half = int(period[:4]), period[5]
    return f"{year}H1" if half == "2" else f"{year - 1}H2"
