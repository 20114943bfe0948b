"""Rule versions as data (S7) without a database: which version is in force for a half year,
when the process reads the table again, and what a new version may say."""
from datetime import datetime

import pytest
from marshmallow import ValidationError

from contracts.rules import field_errors
from contracts.scoring import RuleVersionRequest
from scoring import domain
from toolkit.config import CITY_TZ

V1 = dict(version=1, effective_from="2000H1", base_points=5, max_adjustment=3, override_min=0, override_max=10,
          merit_min=1, merit_max=20, max_project_score=30, points_per_star=10, max_stars=10)
V2 = dict(V1, version=2, effective_from="2027H1", base_points=6, points_per_star=12)


class Table:
    """What `scoring.rule_versions` answers, read at `read_at`; counts the reads."""

    def __init__(self, read_at, *rows):
        self.read_at, self.rows, self.reads = read_at, list(rows), 0

    def execute(self, statement, params=None):
        self.reads += 1
        rows = [dict(r, read_at=self.read_at) for r in self.rows]
        return type("Result", (), {"mappings": lambda _: type("M", (), {"all": lambda _: rows})()})()


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=CITY_TZ)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(domain, "_ENGINE", None)   # an integration test's service may have bound one
    domain.forget()
    yield
    domain.forget()


def test_version_one_is_known_without_the_database_and_is_the_codes_numbers():
    assert domain.rules_of(1) is domain.FIRST == domain.Rules.of_row(V1)
    assert domain.FIRST.stars(105) == 10 and domain.FIRST.service_points_ok(8, 3, None)


def test_the_version_in_force_is_the_latest_whose_half_year_has_come():
    table = Table(at("2026-12-07T10:00:00"), V1, V2)
    assert domain.in_force(table, "2026H2").version == 1
    assert domain.in_force(table, "2027H1").version == 2
    assert domain.in_force(table, "2031H2").version == 2
    assert domain.in_force(table, "2020H1").version == 1
    assert domain.rules_of(2, table) == domain.Rules.of_row(V2)
    assert domain.rules_of(2).points_per_star == 12               # kept: a version never changes


def test_a_half_year_that_had_begun_when_read_is_not_read_again_one_to_come_is():
    table = Table(at("2026-12-07T10:00:00"), V1)
    assert domain.in_force(table, "2026H2").version == 1
    reads = table.reads
    for _ in range(3):  # intake asks for every entry: no query for a half year that had begun
        assert domain.in_force(table, "2026H2").version == 1
    assert table.reads == reads
    # 2027H1 had not begun: asked for, it is read again, and a version published since is seen
    assert domain.in_force(table, "2027H1").version == 1
    table.rows.append(V2)
    assert domain.in_force(table, "2027H1").version == 2
    assert table.reads == reads + 2


def test_the_first_minute_of_a_half_year_is_read_again_in_case_a_late_publication_commits():
    table = Table(at("2027-01-01T00:00:30"), V1)
    domain.in_force(table, "2027H1")
    domain.in_force(table, "2027H1")
    assert table.reads == 2                      # within SLACK of its beginning: not yet final
    table.read_at = at("2027-01-01T00:02:00")
    domain.in_force(table, "2027H1")
    domain.in_force(table, "2027H1")
    assert table.reads == 3


def test_a_version_never_published_is_an_error_not_a_guess():
    table = Table(at("2026-12-07T10:00:00"), V1)
    with pytest.raises(LookupError):
        domain.rules_of(7, table)


def test_without_a_connection_or_a_bound_database_nothing_is_guessed():
    with pytest.raises(RuntimeError):
        domain.rules_of(2)


def body(**change):
    return {**{k: v for k, v in V2.items() if k != "version"}, "reason": "按市委组织部通知调整基础分", **change}


@pytest.mark.parametrize("change, field, code", [
    ({"override_min": 11}, "override_max", "override_range_reversed"),
    ({"base_points": 9}, "base_points", "base_outside_override_range"),        # 9 ± 3 leaves 0..10
    ({"max_adjustment": 6}, "base_points", "base_outside_override_range"),     # 6 - 6 ≥ 0 but 12 > 10
    ({"merit_min": 21}, "merit_max", "merit_range_reversed"),
    ({"points_per_star": 0}, "points_per_star", "bad_points_per_star"),
    ({"max_stars": 101}, "max_stars", "bad_max_stars"),
    ({"effective_from": "2027H3"}, "effective_from", "bad_period"),
    ({"reason": "调整"}, "reason", "length"),
    ({"base_points": "6"}, "base_points", "type"),
])
def test_a_version_must_be_one_consistent_rule(change, field, code):
    with pytest.raises(ValidationError) as refused:
        RuleVersionRequest().load(body(**change))
    errors = field_errors(refused.value.messages)
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert errors[0]["rule"] != "" or code == "type"


def test_a_consistent_version_is_taken_as_sent():
    assert RuleVersionRequest().load(body()) == body()
