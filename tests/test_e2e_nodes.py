"""Issue 13: a path that names a district, street or community that does not exist is answered
404 (`not_found`, naming the kind of node), never 200 with zeros, and a write for it changes
nothing. The gateway knows the tree (gateway.nodes, loaded from registration.node_codes); the
scope check still comes first: a caller outside the code's area is refused 403 as before."""
import random
import time

import pytest
from sqlalchemy import text

from gateway.nodes import Nodes

pytestmark = pytest.mark.e2e


def count(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def missing(response, message):
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["message"] == message, error


@pytest.fixture(scope="module")
def place(platform, city):
    community = city.communities[0]["code"]
    district, street = community[:6], community[:9]
    other = next(c["code"] for c in city.communities if c["code"][:6] != district)
    return {"community": community, "street": street, "district": district, "foreign_district": other[:6],
            # made up, under the district's own prefix (and under an existing street, for the community)
            "no_community": street + "999", "no_street": district + "999",
            # a district code the city does not have (its districts: registration.city.ZHENGZHOU)
            "no_district": "410199"}


def test_a_community_that_does_not_exist_is_404_for_whoever_covers_its_code(platform, place):
    code = place["no_community"]
    for caller in (platform.as_("district_officer", place["district"]), platform.as_("street_officer", place["street"]),
                   platform.as_("city_admin")):
        missing(caller.get(f"/communities/{code}/database"), f"社区 {code} 不存在")
        missing(caller.get(f"/communities/{code}/member-registrations"), f"社区 {code} 不存在")
        missing(caller.get(f"/communities/{code}/assessment", params={"period": "2026H1"}), f"社区 {code} 不存在")
    # the scope check first: a code outside one's area is refused as before, existing or not
    foreign = platform.as_("district_officer", place["foreign_district"])
    for path in (f"/communities/{code}/database", f"/communities/{place['community']}/database"):
        r = foreign.get(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "outside_jurisdiction", r.text
    # an existing community still answers
    r = platform.as_("district_officer", place["district"]).get(f"/communities/{place['community']}/database")
    assert r.status_code == 200, r.text


def test_a_street_and_a_district_that_do_not_exist_are_404(platform, place):
    officer, admin = platform.as_("district_officer", place["district"]), platform.as_("city_admin")
    street, district = place["no_street"], place["no_district"]
    for caller in (officer, admin):
        missing(caller.get(f"/streets/{street}/database"), f"街道 {street} 不存在")
        missing(caller.get(f"/streets/{street}/transfers"), f"街道 {street} 不存在")
    missing(admin.get(f"/districts/{district}/database"), f"县（区）{district} 不存在")
    missing(admin.get(f"/districts/{district}/award-candidates", params={"period": "2026H1"}), f"县（区）{district} 不存在")
    missing(admin.get(f"/districts/{place['community']}/database"), f"县（区）{place['community']} 不存在")  # a community's code
    r = platform.as_("district_officer", place["foreign_district"]).get(f"/streets/{street}/database")
    assert r.status_code == 403, r.text
    for path in (f"/streets/{place['street']}/database", f"/districts/{place['district']}/database"):
        r = officer.get(path)
        assert r.status_code == 200, (path, r.text)


def test_routes_open_to_everyone_check_the_node_too(platform, place):
    staff = platform.as_("community_staff", place["community"])  # any signed-in account
    missing(staff.get(f"/boards/{place['no_community']}/2026H1"), f"社区 {place['no_community']} 不存在")
    missing(staff.get(f"/boards/{place['no_street']}/2026H1"), f"街道 {place['no_street']} 不存在")
    missing(staff.get(f"/honour-list/{place['no_district']}/2026H1"), f"县（区）{place['no_district']} 不存在")
    missing(staff.get(f"/communities/{place['no_community']}/board"), f"社区 {place['no_community']} 不存在")
    missing(staff.get(f"/districts/{place['no_district']}/streets"), f"县（区）{place['no_district']} 不存在")
    for path in ("/boards/4101/2026H1", f"/boards/{place['district']}/2026H1", f"/boards/{place['community']}/2026H1",
                 f"/honour-list/{place['street']}/2026H1", f"/communities/{place['community']}/board"):
        r = staff.get(path)
        assert r.status_code == 200, (path, r.text)
    r = staff.get("/boards/41x/2026H1")  # no area's shape: the scoring service's rule, as before
    assert r.status_code == 400 and r.json()["error"]["fields"][0]["code"] == "bad_area", r.text


def test_writes_for_a_node_that_does_not_exist_change_nothing(platform, place, migrated):
    engine = migrated
    tables = ("registration.members", "registration.member_registrations", "registration.outbox",
              "volunteering.posts", "volunteering.activities", "volunteering.outbox", "scoring.goods",
              "scoring.settlement_runs")
    before = {t: count(engine, f"select count(*) from {t}") for t in tables}
    admin, officer = platform.as_("city_admin"), platform.as_("district_officer", place["district"])
    # the city's administrator and a district officer start settlement runs over an area
    missing(admin.post(f"/districts/{place['no_district']}/settlement-runs", {"period": "2026H1"}),
            f"县（区）{place['no_district']} 不存在")
    missing(officer.post(f"/streets/{place['no_street']}/settlement-runs", {"period": "2026H1"}),
            f"街道 {place['no_street']} 不存在")
    # community staff write for their community: an account bound to one that does not exist
    code = place["no_community"]
    staff = platform.as_("community_staff", code)
    missing(staff.post(f"/communities/{code}/posts", {"category": "助老服务", "title": "探访独居老人", "capacity": 3,
                                                      "place": "社区", "schedule": "周六上午"}), f"社区 {code} 不存在")
    missing(staff.post(f"/communities/{code}/supermarket/goods", {"name": "毛巾", "kind": "goods", "price_points": 2,
                                                                  "stock": 10}), f"社区 {code} 不存在")
    missing(staff.post(f"/communities/{code}/member-registrations", {}), f"社区 {code} 不存在")  # before the body's checks
    # a body that names communities: a district's festival campaign over one that does not exist
    missing(officer.post(f"/districts/{place['district']}/festival-campaigns", {
        "festival": "chongyang", "community_codes": [place["community"], code], "title": "重阳敬老", "content": "敬老服务",
        "place": "各社区", "contact": "区委组织部", "starts_at": "2026-10-18T09:00:00+08:00",
        "ends_at": "2026-10-18T11:00:00+08:00", "capacity": 50}), f"社区代码（community_codes）：社区 {code} 不存在")
    after = {t: count(engine, f"select count(*) from {t}") for t in tables}
    assert after == before
    # refused writes are on record, with their status
    assert count(engine, "select count(*) from gateway.audit_log where path = :p and status = 404",
                 p=f"/api/v1/communities/{code}/posts") == 1


def test_a_community_added_after_the_gateway_started_is_found(platform, place, migrated):
    admin = platform.as_("city_admin")
    code = place["street"] + f"7{random.randrange(100):02d}"
    missing(admin.get(f"/communities/{code}/database"), f"社区 {code} 不存在")  # not yet: a miss, maybe a reload
    with migrated.begin() as conn:  # as `registration.city load` would add it
        conn.execute(text("insert into registration.communities (code, street_code, district_code, name) "
                          "values (:c, :s, :d, '新建社区')"), {"c": code, "s": place["street"], "d": place["district"]})
    try:
        added, deadline = time.monotonic(), time.monotonic() + Nodes.RETRY + 10
        while (r := admin.get(f"/communities/{code}/database")).status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.5)
        # found by the reload a miss causes (at most every RETRY seconds), long before MAX_AGE
        assert r.status_code == 200, r.text
        assert time.monotonic() - added < Nodes.RETRY + 3
    finally:
        with migrated.begin() as conn:
            conn.execute(text("delete from registration.communities where code = :c"), {"c": code})
