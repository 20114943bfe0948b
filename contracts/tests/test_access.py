"""Jurisdiction as pure functions: the same ones the gateway and the services check with."""
import pytest

from contracts.access import Caller, ROLES, require, scope_problem
from contracts.errors import Forbidden


def test_areas_nest_by_code():
    district, street, community = (Caller(1, "d", "district_officer", "410106"), Caller(2, "s", "street_officer", "410106001"),
                                   Caller(3, "c", "community_staff", "410106001001"))
    assert district.covers_area("410106") and district.covers_area("410106001") and district.covers_area("410106002003")
    assert not district.covers_area("410105001001") and not district.covers_area("")
    assert street.covers_area("410106001002") and not street.covers_area("410106") and not street.covers_area("410106002001")
    assert community.covers_area("410106001001") and not community.covers_area("410106001002")
    assert Caller(4, "a", "city_admin").covers_area("410199999999")


def test_units_and_members_are_covered_by_their_own_only():
    unit = Caller(5, "u", "unit_officer", "37")
    assert unit.covers_unit(37) and not unit.covers_unit(38) and not unit.covers_area("410106001001")
    street = Caller(2, "s", "street_officer", "410106001")
    assert street.covers_unit(38, "410106001002") and not street.covers_unit(38, "410105001001")
    assert not street.covers_unit(38)  # where the unit sits must be known
    # community staff work through their community's routes, not the unit's
    assert not Caller(3, "c", "community_staff", "410106001001").covers_unit(38, "410106001001")
    member = Caller(6, "m", "member", "181")
    assert member.is_member(181) and not member.is_member(182) and not member.covers_area("410106001001")


def test_the_context_round_trip_and_malformed_context():
    caller = Caller(7, "staff.x", "community_staff", "410106001001")
    assert Caller.from_context(caller.to_context()) == caller
    for bad in (None, "", "1|root|", "x|city_admin||a", "1|emperor||a", 42):
        assert Caller.from_context(bad) is None


@pytest.mark.parametrize("role, scope, ok", [
    ("city_admin", "", True), ("city_admin", "410106", False),
    ("district_officer", "410106", True), ("district_officer", "41010", False),
    ("street_officer", "410106001", True), ("community_staff", "410106001001", True),
    ("community_staff", "41010600100a", False), ("unit_officer", "37", True), ("unit_officer", "-1", False),
    ("member", "181", True), ("member", "", False), ("mayor", "", False)])
def test_each_role_is_bound_to_a_node_of_its_kind(role, scope, ok):
    assert (scope_problem(role, scope) is None) is ok


def test_require_refuses_no_caller_and_outsiders():
    with pytest.raises(Forbidden) as e:
        require(None, True)
    assert e.value.code == "no_caller"
    with pytest.raises(Forbidden) as e:
        require(Caller(1, "x", ROLES[0]), False)
    assert e.value.code == "outside_jurisdiction"
