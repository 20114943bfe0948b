"""Jurisdiction as pure functions: the same ones the gateway and the services check with."""
import time

import pytest

from contracts.access import (CONTEXT_SECRET_ENV, CONTEXT_SKEW, CONTEXT_TTL, Caller, ROLES, require,
                             require_context_lifetime, scope_problem)
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


def test_the_context_round_trip_and_malformed_context(monkeypatch):
    monkeypatch.setenv(CONTEXT_SECRET_ENV, "a-secret-of-this-test")
    caller = Caller(7, "staff.x", "community_staff", "410106001001")
    assert Caller.from_context(caller.to_context()) == caller
    assert Caller.from_context(Caller(8, "a|b", "member", "181").to_context()).username == "a|b"
    for bad in (None, "", "1|root|", "x|city_admin||a", "1|emperor||a", 42):
        assert Caller.from_context(bad) is None


def test_a_forged_tampered_or_old_context_carries_no_caller(monkeypatch):
    monkeypatch.setenv(CONTEXT_SECRET_ENV, "a-secret-of-this-test")
    staff = Caller(7, "staff.x", "community_staff", "410106001001").to_context()
    signature, body = staff.split("|", 1)
    # the old unsigned form, and the signed one with its role or scope changed
    assert Caller.from_context("7|city_admin||root") is None
    assert Caller.from_context(f"签名|{body}") is None  # not hex at all: refused, not an error
    assert Caller.from_context(f"{signature}|{body.replace('community_staff|410106001001', 'city_admin|')}") is None
    assert Caller.from_context(f"{signature}|{body.replace('410106001001', '410106001002')}") is None
    # signed with another secret (a service configured apart from the gateway)
    monkeypatch.setenv(CONTEXT_SECRET_ENV, "another-secret-entirely")
    assert Caller.from_context(staff) is None
    monkeypatch.setenv(CONTEXT_SECRET_ENV, "a-secret-of-this-test")
    # dated: honoured for CONTEXT_TTL seconds (seconds, not an hour), not replayed after
    assert CONTEXT_TTL <= 60
    then = int(time.time())
    old = Caller(7, "staff.x", "community_staff", "410106001001").to_context(now=then - CONTEXT_TTL - 1)
    assert Caller.from_context(old, now=then) is None
    signed = Caller(7, "staff.x", "community_staff", "410106001001").to_context(now=then)
    assert Caller.from_context(signed, now=then + CONTEXT_TTL) is not None
    assert Caller.from_context(signed, now=then + CONTEXT_TTL + 1) is None
    assert Caller.from_context(signed, now=then + 61) is None   # a minute after: worthless
    # dated ahead of the reader's clock: a few seconds (two hosts' clocks), no more
    assert Caller.from_context(signed, now=then - CONTEXT_SKEW) is not None
    assert Caller.from_context(signed, now=then - CONTEXT_SKEW - 1) is None
    # no secret configured: nothing is signed, nothing is honoured
    monkeypatch.delenv(CONTEXT_SECRET_ENV)
    assert Caller.from_context(staff) is None
    with pytest.raises(RuntimeError, match=CONTEXT_SECRET_ENV):
        Caller(7, "staff.x", "community_staff", "410106001001").to_context()


def test_the_gateway_refuses_a_timeout_its_signatures_would_not_outlive():
    require_context_lifetime(2 * 15, "GATEWAY_RPC_TIMEOUT=15")       # the default fits
    require_context_lifetime(CONTEXT_TTL - CONTEXT_SKEW, "just")     # so does the edge
    with pytest.raises(RuntimeError, match="GATEWAY_RPC_TIMEOUT=30.*lower it"):
        require_context_lifetime(2 * 30, "GATEWAY_RPC_TIMEOUT=30")


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
