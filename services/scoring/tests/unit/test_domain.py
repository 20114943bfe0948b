"""Points, stars and half-year periods (S2, S4, S5), without broker or database."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from scoring import domain

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("moment, period", [
    (datetime(2026, 6, 30, 23, 30, tzinfo=SHANGHAI), "2026H1"),
    (datetime(2026, 6, 30, 15, 30, tzinfo=timezone.utc), "2026H1"),   # the same instant, told in UTC
    (datetime(2026, 6, 30, 16, 10, tzinfo=timezone.utc), "2026H2"),   # 00:10 on July 1 in Zhengzhou
    (datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI), "2026H1"),
    (datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), "2026H2"),
])
def test_the_half_year_is_the_citys(moment, period):
    assert domain.period_of(moment) == period


@pytest.mark.parametrize("points, stars", [(0, 0), (9, 0), (10, 1), (99, 9), (100, 10), (105, 10), (-3, 0)])
def test_one_star_per_ten_points_at_most_ten(points, stars):
    assert domain.RULES[1].stars(points) == stars


def test_service_points_follow_the_rules():
    rules = domain.RULES[1]
    assert rules.service_points_ok(7, 2, None) and rules.service_points_ok(2, -3, None)
    assert not rules.service_points_ok(9, 4, None) and not rules.service_points_ok(8, 2, None)
    assert rules.service_points_ok(10, 0, 10) and not rules.service_points_ok(11, 0, 11)


def test_a_projects_score_is_the_mean_of_its_ratings_and_an_organizations_the_sum():
    from decimal import Decimal
    rules = domain.RULES[1]
    assert rules.project_score([27, 28]) == Decimal("27.5")
    assert rules.project_score([10, 10, 11]) == Decimal("10.3")
    assert rules.organization_points([[27, 28], [10]]) == Decimal("37.5")
    assert rules.stars(Decimal("37.5")) == 3


@pytest.mark.parametrize("period, bounds, previous", [
    ("2026H1", ("2026-01-01", "2026-06-30"), "2025H2"),
    ("2026H2", ("2026-07-01", "2026-12-31"), "2026H1"),
])
def test_half_years_and_the_one_before(period, bounds, previous):
    assert tuple(d.isoformat() for d in domain.period_bounds(period)) == bounds
    assert domain.previous_period(period) == previous
