"""The city's scoring rules as data, end to end over HTTP (S7): a community's half year is settled
and published under version 1; the city's administrator publishes a new version in force from a
half year to come (other base points, other points per star); the published half year reads
version 1 and the same stars as before, and a revision of it still scores under version 1; the
volunteering service hears of the version; anyone signed in reads the versions; no one else may
publish one; bad input is refused naming the field; the publication is in the audit log."""
import time

import pytest
from sqlalchemy import text

from scoring.domain import next_period, period_bounds, period_of, previous_period
from toolkit.config import now, today

pytestmark = pytest.mark.e2e
# a half year long past, which no other test settles (they settle the current one, or 2026H2)
PAST = previous_period(previous_period(period_of(now())))


def members_with_accounts(engine, city, n=2):
    """A community of the test city and `n` members with a red account there (scoring knows them)."""
    codes = [c["code"] for c in city.communities]
    deadline = time.time() + 30
    while time.time() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT community_code, array_agg(holder_id ORDER BY holder_id) FROM scoring.accounts "
                "WHERE holder_kind = 'member' AND community_code = ANY(:codes) GROUP BY community_code "
                "HAVING count(*) >= :n ORDER BY community_code DESC"), {"codes": codes, "n": n}).all()
        if rows:
            return rows[0][0], rows[0][1][:n]
        time.sleep(0.3)
    raise AssertionError("no community with members' red accounts")


def free_half_year(engine, versions):
    """The first half year a new version may take: not begun, after every version's and after
    every half year a settlement has fixed (other tests may have published or settled some)."""
    with engine.connect() as conn:
        settled = conn.execute(text("SELECT max(period) FROM scoring.periods")).scalar()
    return next_period(max(filter(None, [period_of(now()), settled, *(v["effective_from"] for v in versions)])))


def body(effective_from, **change):
    return {"base_points": 6, "max_adjustment": 3, "override_min": 0, "override_max": 12, "merit_min": 1,
            "merit_max": 20, "max_project_score": 30, "points_per_star": 8, "max_stars": 10,
            "effective_from": effective_from, "reason": "按市委组织部通知调整基础分和每星所需积分", **change}


def test_a_new_version_leaves_a_published_half_year_as_it_was(platform, city, migrated):
    community, (m1, m2) = members_with_accounts(migrated, city)
    staff = platform.as_("community_staff", community)
    admin = platform.as_("city_admin")
    deed_day = period_bounds(PAST)[0].replace(day=15).isoformat()
    for member, points in [(m1, 20), (m1, 20), (m2, 9)]:
        r = staff.post(f"/communities/{community}/merit-entries", {
            "member_id": member, "category": "承担急难险重任务", "reason": "防汛值守三昼夜", "points": points,
            "occurred_on": deed_day})
        assert r.status_code == 201 and r.json()["period"] == PAST, r.text
    base = f"/communities/{community}/settlements/{PAST}"
    assert staff.post(f"{base}/draft").status_code == 200
    assert staff.post(f"{base}/review", {"congress_date": today().isoformat(), "attendees": 30,
                                         "minutes": "审议通过该半年度积分评星结果"}).status_code == 200
    published = staff.post(f"{base}/publication")
    assert published.status_code == 200, published.text
    before = published.json()["current"]
    stars = {m["holder_id"]: (float(m["points"]), m["stars"]) for m in before["members"]}
    assert before["rule_version"] == 1 and (stars[m1], stars[m2]) == ((40.0, 4), (9.0, 0))   # 10 a star
    board = staff.get(f"/boards/{community}/{PAST}").json()

    versions = admin.get("/rules").json()["items"]
    wanted = free_half_year(migrated, versions)
    r = admin.post("/rules", body(wanted))
    assert r.status_code == 201, r.text
    version = r.json()["rule_version"]
    assert version == max(v["rule_version"] for v in versions) + 1
    assert (r.json()["effective_from"], r.json()["base_points"], r.json()["points_per_star"]) == (wanted, 6, 8)

    # every signed-in account reads the versions; today's half year keeps the one in force
    for reader in (platform.as_("member", m1), staff, platform.as_("district_officer", community[:6])):
        listed = reader.get("/rules")
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"][0]["rule_version"] == version
        assert [v["rule_version"] for v in listed.json()["items"] if v["in_force"]] == [
            next(v["rule_version"] for v in versions if v["in_force"])]

    # the published half year: version 1, the same points and stars (8 a star would give m1 five)
    after = staff.get(base).json()["current"]
    assert after["rule_version"] == 1 and after["status"] == "published"
    assert {m["holder_id"]: (float(m["points"]), m["stars"]) for m in after["members"]} == stars
    assert staff.get(f"/boards/{community}/{PAST}").json() == board
    # ... and a revision of it still scores under version 1: 41 points, four stars
    entry = staff.get(f"/communities/{community}/members/{m1}/points", params={"period": PAST}).json()["entries"][0]
    assert staff.post(f"/communities/{community}/ledger/{entry['id']}/corrections",
                      {"points": 1, "reason": "补记遗漏的值守时长"}).status_code == 201
    revised = staff.post(f"{base}/revisions", {"reason": "补记遗漏的值守时长"})
    assert revised.status_code == 201, revised.text
    assert revised.json()["current"]["rule_version"] == 1
    assert {m["holder_id"]: m["stars"] for m in revised.json()["current"]["members"]}[m1] == 4

    # the volunteering service heard of it: it assesses services of that half year by it
    deadline = time.time() + 20
    while True:
        with migrated.connect() as conn:
            heard = conn.execute(text("SELECT effective_from, base_points FROM volunteering.rule_versions "
                                      "WHERE version = :v"), {"v": version}).first()
        if heard is not None or time.time() > deadline:
            break
        time.sleep(0.3)
    assert tuple(heard) == (wanted, 6)


def test_only_the_city_administrator_publishes_and_bad_input_names_its_field(platform, city, migrated):
    since = now().isoformat()
    admin = platform.as_("city_admin")
    wanted = free_half_year(migrated, admin.get("/rules").json()["items"])
    count = len(admin.get("/rules").json()["items"])
    for role, scope in [("community_staff", city.communities[0]["code"]),
                        ("district_officer", city.communities[0]["code"][:6]), ("member", "1")]:
        r = platform.as_(role, scope).post("/rules", body(wanted))
        assert r.status_code == 403, (role, r.text)
    refused = {
        "base_points": body(wanted, base_points=10),            # 10 ± 3 leaves the special case's 0..12
        "reason": body(wanted, reason="改"),
        "points_per_star": body(wanted, points_per_star=0),
        "effective_from": body(period_of(now())),               # a half year that has begun
    }
    for field, sent in refused.items():
        r = admin.post("/rules", sent)
        # a half year that has begun is a well-formed request that clashes with the calendar: 409
        assert r.status_code == (409 if field == "effective_from" else 400), (field, r.text)
        error = r.json()["error"]
        assert [f["field"] for f in error["fields"]] == [field], error
        assert error["fields"][0]["rule"].startswith("§") and error["fields"][0]["message"]
    assert len(admin.get("/rules").json()["items"]) == count          # nothing was published

    published = admin.post("/rules", body(wanted, points_per_star=9))
    assert published.status_code == 201, published.text
    version = published.json()["rule_version"]
    # the audit log: the publication with its version, and the refusals
    lines = admin.get("/audit", params={"action": "publish_rules", "since": since}).json()["items"]
    assert {(line["role"], line["status"]) for line in lines} >= {
        ("city_admin", 201), ("city_admin", 400), ("community_staff", 403), ("member", 403)}
    assert any(f"rule_version:{version}" in line["subjects"] for line in lines if line["status"] == 201)


def test_a_rating_above_the_maximum_in_force_is_refused_naming_it(platform, city):
    unit = city.units[-1]
    community = unit["community_code"]
    staff = platform.as_("community_staff", community)
    project = staff.post(f"/communities/{community}/projects", {
        "unit_id": unit["id"], "title": "法律咨询进社区", "goals": "为居民提供法律咨询", "expected_effects": "每月一次",
        "deadline": period_bounds(period_of(now()))[1].isoformat(), "links": {"services": "法律咨询"},
        "service_count": 6, "service_hours": 24, "service_mode": "每月一次"})
    assert project.status_code == 201, project.text
    path = f"/communities/{community}/projects/{project.json()['project_id']}/ratings"
    in_force = next(v for v in staff.get("/rules").json()["items"] if v["in_force"])
    r = staff.post(path, {"rater": "community", "score": in_force["max_project_score"] + 1, "rated_by": "社区书记"})
    assert r.status_code == 400, r.text
    field = r.json()["error"]["fields"][0]
    assert (field["field"], field["code"], field["rule"]) == ("score", "score_out_of_range", "§3.5.1")
    assert f"0–{in_force['max_project_score']} 分" in field["message"] and f"第 {in_force['rule_version']} 版" in field["message"]
    assert staff.post(path, {"rater": "community", "score": in_force["max_project_score"],
                             "rated_by": "社区书记"}).status_code == 201
