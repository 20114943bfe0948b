"""What issue 13 found, tried again as a new user would: a community's staff putting a member of
another district under their own community's path, a merit entry for a member who does not
exist, a district officer guessing unit ids of another district, an account bound to a community
that does not exist. Each is answered 404 naming the kind of object, and changes nothing.
(tests/test_permissions.py tries every route so; these are the cases as they were reported.)"""
import time

import pytest
from sqlalchemy import text

from tests.test_e2e_volunteering import active_members

pytestmark = pytest.mark.e2e


def _red_account(engine, member_id, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with engine.connect() as conn:
            if conn.execute(text("select 1 from scoring.accounts where holder_kind = 'member' and holder_id = :m"),
                            {"m": member_id}).scalar():
                return
        time.sleep(0.3)
    raise AssertionError(f"member {member_id} has no red account")


def _ledger(engine, member_id):
    with engine.connect() as conn:
        return conn.execute(text("select count(*) from scoring.ledger where holder_kind = 'member' and holder_id = :m"),
                            {"m": member_id}).scalar()


def test_a_member_of_another_district_under_ones_own_community_is_not_found(platform, city, migrated):
    a = city.communities[0]["code"]
    b = next(c["code"] for c in city.communities if c["code"][:6] != a[:6])
    (stranger,) = active_members(migrated, b, 1)
    _red_account(migrated, stranger)
    staff = platform.as_("community_staff", a)
    period = "2026H2"
    before = _ledger(migrated, stranger)
    own_view = platform.as_("member", stranger).get(f"/me/points?period={period}").json()

    d1 = staff.get(f"/communities/{a}/members/{stranger}/register-d1?period={period}")
    assert d1.status_code == 404 and d1.json()["error"]["message"] == f"党员 {stranger} 不存在", d1.text
    merit = staff.post(f"/communities/{a}/merit-entries", {
        "member_id": stranger, "category": "见义勇为", "reason": "救起落水儿童一名", "points": 10,
        "occurred_on": "2026-11-01"})
    assert merit.status_code == 404 and "党员" in merit.json()["error"]["message"], merit.text
    nobody = staff.post(f"/communities/{a}/merit-entries", {
        "member_id": 99_999_999, "category": "见义勇为", "reason": "救起落水儿童一名", "points": 10,
        "occurred_on": "2026-11-01"})
    assert nobody.status_code == 404 and nobody.json()["error"]["message"] == "党员 99999999 不存在", nobody.text
    assert platform.as_("community_staff", a).get(
        f"/communities/{a}/members/99999999/register-d1?period={period}").status_code == 404

    assert _ledger(migrated, stranger) == before
    assert platform.as_("member", stranger).get(f"/me/points?period={period}").json() == own_view
    # the member's own community still reaches them
    assert platform.as_("community_staff", b).get(
        f"/communities/{b}/members/{stranger}/register-d1?period={period}").status_code == 200


def test_a_unit_of_another_district_is_not_found_like_one_that_does_not_exist(platform, city):
    a = city.communities[0]["code"]
    foreign = next(u["id"] for u in city.units if u["community_code"][:6] != a[:6])
    own = next(u["id"] for u in city.units if u["community_code"][:6] == a[:6])
    district = platform.as_("district_officer", a[:6])
    elsewhere, nowhere = district.get(f"/units/{foreign}"), district.get("/units/99999999")
    assert (elsewhere.status_code, nowhere.status_code) == (404, 404), (elsewhere.text, nowhere.text)
    assert elsewhere.json()["error"]["message"] == f"单位 {foreign} 不存在"
    assert nowhere.json()["error"] == {**elsewhere.json()["error"], "message": "单位 99999999 不存在"}
    assert district.get(f"/units/{own}").status_code == 200


def test_an_account_is_bound_only_to_a_node_unit_or_member_that_exists(platform, city):
    from tests.conftest import PASSWORD
    admin = platform.as_("city_admin")
    for role, scope, kind in (("community_staff", "410105999999", "社区"), ("street_officer", "410105999", "街道"),
                              ("unit_officer", "99999999", "单位"), ("member", "99999999", "党员")):
        r = admin.post("/accounts", {"username": f"ghost.{role}", "display_name": "不存在的范围", "role": role,
                                     "scope": scope, "password": PASSWORD})
        assert r.status_code == 404 and kind in r.json()["error"]["message"], r.text
        assert admin.get("/accounts", params={"username": f"ghost.{role}"}).json()["total"] == 0
    real = city.communities[0]["code"]
    made = admin.post("/accounts", {"username": "real.staff.13", "display_name": "存在的社区", "role": "community_staff",
                                    "scope": real, "password": PASSWORD})
    assert made.status_code == 201, made.text
