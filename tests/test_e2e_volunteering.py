"""Volunteering end to end: a community designs a post, a member claims it, a team forms, an
activity is announced, members sign up, check in and out with the organizer's code and are
assessed, and a plain AMQP consumer hears one service_completed per participant. Refused on the
way: a forged code, an expired one, a check-in outside the activity's time, an assessment of +4."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from toolkit.config import now

pytestmark = pytest.mark.e2e


@pytest.fixture
def volunteering_listener(amqp, request):
    from tests.conftest import Listener
    lst = Listener(amqp, f"e2e.v.{request.node.name[:50]}", service="volunteering")
    yield lst
    lst.delete()


def active_members(engine, community, n):
    """Members the volunteering service knows as accepted in the community (its projection of
    the registration events: it may take a moment after the platform starts)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with engine.connect() as conn:
            ids = conn.execute(text("select member_id from volunteering.members where community_code = :c and active "
                                    "order by member_id limit :n"), {"c": community, "n": n}).scalars().all()
        if len(ids) == n:
            return ids
        time.sleep(0.3)
    raise AssertionError(f"the volunteering service knows fewer than {n} active members in {community}")


def activity_body(starts, minutes=60, **change):
    body = {"kind": "regular", "title": "社区义诊", "content": "为居民测血压、讲健康知识", "place": "社区党群服务中心",
            "contact": "李娜 0371-68901234", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=minutes)).isoformat(), "capacity": 20}
    body.update(change)
    return body


def test_post_claim_team_activity_check_in_assessment_and_service_completed(platform, city, migrated,
                                                                           volunteering_listener):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    m1, m2 = active_members(migrated, community, 2)
    one, two = platform.as_("member", m1), platform.as_("member", m2)

    post = staff.post(f"/communities/{community}/posts", {
        "category": "健康服务", "title": "老人健康咨询", "capacity": 5, "place": "社区卫生室", "schedule": "每周六上午",
        "skills": ["医疗保健"]})
    assert post.status_code == 201, post.text
    post_id = post.json()["post_id"]
    claims = [m.post("/me/post-claims", {"post_id": post_id}) for m in (one, two)]
    assert [c.status_code for c in claims] == [201, 201], [c.text for c in claims]
    assert one.post("/me/post-claims", {"post_id": post_id}).status_code == 409  # once
    for c in claims:
        r = staff.post(f"/communities/{community}/post-claims/{c.json()['claim_id']}/review", {"decision": "approve"})
        assert r.status_code == 200 and r.json()["status"] == "approved", r.text

    team = staff.post(f"/communities/{community}/teams", {"name": "健康服务队", "formation": "profession",
                                                          "post_id": post_id, "leader_member_id": m1, "member_ids": [m1, m2]})
    assert team.status_code == 201, team.text

    activity = staff.post(f"/communities/{community}/activities",
                          activity_body(now() - timedelta(minutes=10), team_id=team.json()["team_id"], post_id=post_id))
    assert activity.status_code == 201, activity.text
    activity_id = activity.json()["activity_id"]
    for m in (one, two):
        assert m.post("/me/activity-signups", {"activity_id": activity_id}).status_code == 201

    code = staff.get(f"/communities/{community}/activities/{activity_id}/check-in-code").json()["code"]
    forged = f"{(int(code) + 1) % 1_000_000:06d}"
    r = one.post(f"/me/activities/{activity_id}/check-in", {"code": forged})
    assert r.status_code == 400 and r.json()["error"]["fields"][0]["code"] == "bad_code"
    from volunteering.domain import check_in_code
    with migrated.connect() as conn:
        secret = conn.execute(text("select code_secret from volunteering.activities where id = :i"), {"i": activity_id}).scalar()
    expired = check_in_code(bytes(secret), activity_id, time.time() - 300)
    if expired != code:
        r = one.post(f"/me/activities/{activity_id}/check-in", {"code": expired})
        assert r.status_code == 400 and "过期" in r.json()["error"]["fields"][0]["message"]
    for m in (one, two):
        assert m.post(f"/me/activities/{activity_id}/check-in", {"code": code}).status_code == 200
        assert m.post(f"/me/activities/{activity_id}/check-out", {"code": code}).status_code == 200

    four = staff.post(f"/communities/{community}/activities/{activity_id}/assessment",
                      {"participants": [{"member_id": m1, "adjustment": 4}]})
    assert four.status_code == 400
    assert four.json()["error"]["fields"][0]["code"] == "adjustment_out_of_range"
    assert four.json()["error"]["fields"][0]["rule"] == "§3.5.2"
    done = staff.post(f"/communities/{community}/activities/{activity_id}/assessment",
                      {"participants": [{"member_id": m1, "adjustment": 2}, {"member_id": m2, "adjustment": -1}]})
    assert done.status_code == 200, done.text
    assert sorted(a["points"] for a in done.json()["assessed"]) == [4, 7]
    again = staff.post(f"/communities/{community}/activities/{activity_id}/assessment",
                       {"participants": [{"member_id": m1, "adjustment": 0}]})
    assert again.status_code == 400 and again.json()["error"]["fields"][0]["code"] == "already_assessed"

    def completed(events):
        return {e["member_id"] for e in events if e["event_type"] == "service_completed"
                and e["activity_id"] == activity_id} == {m1, m2}
    events = volunteering_listener.collect(completed)
    assert completed(events)
    mine = [e for e in events if e["event_type"] == "service_completed"]
    assert len(mine) == 2 and all(e["approved_by"] and e["unit_id"] and e["hours"] >= 0 for e in mine)

    # and the scoring service entered them in its ledger, once each
    deadline = time.time() + 15
    while time.time() < deadline:
        with migrated.connect() as conn:
            ledger = dict(conn.execute(text(
                "select holder_id, sum(points) from scoring.ledger where holder_kind = 'member' and kind = 'service' "
                "and reason like :r group by holder_id"), {"r": f"服务活动 {activity_id}：%"}).all())
        if len(ledger) == 2:
            break
        time.sleep(0.2)
    assert ledger == {m1: 7, m2: 4}


def test_a_check_in_outside_the_activity_time_is_refused(platform, city, migrated):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    (m,) = active_members(migrated, community, 1)
    member = platform.as_("member", m)
    later = staff.post(f"/communities/{community}/activities", activity_body(now() + timedelta(days=1)))
    assert later.status_code == 201, later.text
    activity_id = later.json()["activity_id"]
    assert member.post("/me/activity-signups", {"activity_id": activity_id}).status_code == 201
    code = staff.get(f"/communities/{community}/activities/{activity_id}/check-in-code").json()["code"]
    r = member.post(f"/me/activities/{activity_id}/check-in", {"code": code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "outside_activity_time"


def test_festival_dates_are_computed_for_any_year(platform):
    r = platform.as_("city_admin").get("/festivals/2026")
    assert {f["festival"]: f["date"] for f in r.json()} == {
        "chunjie": "2026-02-17", "duanwu": "2026-06-19", "qiyi": "2026-07-01", "chongyang": "2026-10-18"}


def test_a_cadre_covers_10_to_15_households_and_visits_are_logged(platform, city, migrated):
    community = city.communities[1]["code"]
    staff = platform.as_("community_staff", community)
    (m,) = active_members(migrated, community, 1)
    ids = []
    for i in range(16):
        r = staff.post(f"/communities/{community}/households",
                       {"head_name": f"住户{i}", "home_address": f"郑州市上街区某路{i}号院", "tags": ["空巢老人"]})
        assert r.status_code == 201, r.text
        ids.append(r.json()["household_id"])
    sixteen = staff.post(f"/communities/{community}/household-coverage", {"member_id": m, "household_ids": ids})
    assert sixteen.status_code == 400
    assert sixteen.json()["error"]["fields"][0]["code"] == "households_per_cadre"
    assert sixteen.json()["error"]["fields"][0]["rule"] == "§3.4.5"
    nine = staff.post(f"/communities/{community}/household-coverage", {"member_id": m, "household_ids": ids[:9]})
    assert nine.status_code == 400
    assert staff.post(f"/communities/{community}/household-coverage",
                      {"member_id": m, "household_ids": ids[:15]}).status_code == 200
    member = platform.as_("member", m)
    visit = member.post("/me/household-visits", {"household_id": ids[0], "visited_on": now().date().isoformat(),
                                                "kinds": ["查民情", "办实事"], "note": "了解用水困难"})
    assert visit.status_code == 201, visit.text
    assert member.post("/me/household-visits", {"household_id": ids[15], "visited_on": now().date().isoformat(),
                                                "kinds": ["查民情"]}).status_code == 400  # not theirs
    unvisited = staff.get(f"/communities/{community}/households/unvisited", params={"days": 30, "page_size": 200}).json()
    left = {h["household_id"] for h in unvisited["items"]}
    assert ids[0] not in left and set(ids[1:]) <= left
    # officers above see the households, their addresses masked
    district = platform.as_("district_officer", community[:6]).get(f"/communities/{community}/households",
                                                                   params={"page_size": 200}).json()
    mine = [h for h in district["items"] if h["household_id"] == ids[0]][0]
    assert mine["home_address"].endswith("****") and mine["cadre_member_id"] == m


def test_commitments_show_their_progress_and_organization_life_its_missing_members(platform, city, migrated):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    year = now().year
    m1, m2 = active_members(migrated, community, 2)
    body = {"year": year, "items": ["义诊", "健康讲座"], "services": 4, "hours": 10, "mode": "每季度一次，线下"}
    assert platform.as_("member", m1).post("/me/commitments", body).status_code in (201, 409)
    again = platform.as_("member", m1).post("/me/commitments", body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_committed"
    board = staff.get(f"/communities/{community}/commitments", params={"year": year, "page_size": 200}).json()
    mine = [c for c in board["items"] if c["member_id"] == m1][0]
    # m1 served once and was assessed in the first test of this module (when it ran): progress counts it
    assert mine["services"] == 4 and mine["services_done"] >= 0 and 0 <= mine["progress"] <= 1

    before = {m["member_id"] for m in staff.get(f"/communities/{community}/organization-life/missing",
                                                params={"year": year, "page_size": 200}).json()["items"]}
    assert {m1, m2} <= before
    r = staff.post(f"/communities/{community}/organization-life",
                   {"kind": "theme_activity", "title": "主题党日", "held_on": now().date().isoformat(), "attendee_ids": [m1]})
    assert r.status_code == 201, r.text
    after = {m["member_id"] for m in staff.get(f"/communities/{community}/organization-life/missing",
                                               params={"year": year, "page_size": 200}).json()["items"]}
    assert m1 not in after and m2 in after


def test_pairings_studios_and_the_public_board(platform, city, migrated):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    m1, m2 = active_members(migrated, community, 2)
    one = staff.post(f"/communities/{community}/support-pairings", {
        "resident_name": "张奶奶", "resident_category": "空巢老人", "mode": "one_to_one", "member_ids": [m1, m2]})
    assert one.status_code == 400 and one.json()["error"]["fields"][0]["rule"] == "§3.4.4"
    many = staff.post(f"/communities/{community}/support-pairings", {
        "resident_name": "张奶奶", "resident_category": "空巢老人", "mode": "many_to_one", "member_ids": [m1, m2]})
    assert many.status_code == 201, many.text
    studio = staff.post(f"/communities/{community}/studios", {
        "member_id": m1, "name": "健康工作室", "unit_name": "上街区人民医院", "service_items": ["健康咨询"],
        "opening_hours": "每周六 9:00–11:00"})
    assert studio.status_code in (201, 409), studio.text
    # anyone signed in sees the board: names and progress, nothing personal
    board = platform.as_("member", m2).get(f"/communities/{community}/board").json()
    assert any(s["name"] == "健康工作室" for s in board["studios"])
    text_of_board = str(board)
    assert "phone" not in text_of_board and "home_address" not in text_of_board


def test_a_co_building_project_over_time_and_its_ratings(platform, city, volunteering_listener):
    community = city.communities[0]["code"]
    unit = next(u["id"] for u in city.units if u["community_code"] == community)
    staff = platform.as_("community_staff", community)
    project = staff.post(f"/communities/{community}/projects", {
        "unit_id": unit, "title": "健康进社区", "goals": "每月为居民义诊", "expected_effects": "社区老人每年体检一次",
        "deadline": "2026-12-31", "links": {"activities": "联合开展义诊", "services": "上门服务"},
        "service_count": 12, "service_hours": 48, "service_mode": "每月一次，线下"})
    assert project.status_code == 201, project.text
    pid = project.json()["project_id"]
    assert staff.post(f"/communities/{community}/projects/{pid}/status", {"status": "completed"}).status_code == 409
    for status in ("in_progress", "completed"):
        assert staff.post(f"/communities/{community}/projects/{pid}/status", {"status": status}).status_code == 200
    over = staff.post(f"/communities/{community}/projects/{pid}/ratings", {"rater": "residents", "score": 31, "rated_by": "居民代表"})
    assert over.status_code == 400 and over.json()["error"]["fields"][0]["rule"] == "§3.5.1"
    for rater, score in (("community", 28), ("residents", 26)):
        r = staff.post(f"/communities/{community}/projects/{pid}/ratings", {"rater": rater, "score": score, "rated_by": "评价人"})
        assert r.status_code == 201, r.text
    view = staff.get(f"/communities/{community}/projects/{pid}").json()
    assert [h["status"] for h in view["history"]] == ["signed", "in_progress", "completed"]
    assert sorted(r["score"] for r in view["ratings"]) == [26, 28]
    # the unit's officer sees its projects
    mine = platform.as_("unit_officer", unit).get(f"/units/{unit}/projects").json()
    assert pid in {p["id"] for p in mine["items"]}

    def rated(events):
        return sum(1 for e in events if e["event_type"] == "project_rated" and e["project_id"] == pid) == 2
    assert rated(volunteering_listener.collect(rated))


def test_a_record_after_the_fact_counts_once_approved_and_says_so(platform, city, migrated, volunteering_listener):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    m = active_members(migrated, community, 3)[2]
    member = platform.as_("member", m)
    activity = staff.post(f"/communities/{community}/activities", activity_body(now() - timedelta(minutes=50), minutes=40))
    activity_id = activity.json()["activity_id"]
    served = {"served_from": (now() - timedelta(minutes=45)).isoformat(),
              "served_until": (now() - timedelta(minutes=15)).isoformat(), "note": "手机没电，未能扫码签到"}
    assert member.post(f"/me/activities/{activity_id}/late-record", served).status_code == 201
    # not yet approved: it cannot be assessed
    early = staff.post(f"/communities/{community}/activities/{activity_id}/assessment",
                       {"participants": [{"member_id": m, "adjustment": 0}]})
    assert early.status_code == 400 and early.json()["error"]["fields"][0]["code"] == "not_served"
    ok = staff.post(f"/communities/{community}/activities/{activity_id}/late-records/{m}/decision", {"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["late_status"] == "approved"
    done = staff.post(f"/communities/{community}/activities/{activity_id}/assessment",
                      {"participants": [{"member_id": m, "adjustment": 0}]})
    assert done.status_code == 200 and done.json()["assessed"][0]["hours"] == 0.5

    def heard(events):
        return [e for e in events if e["event_type"] == "service_completed" and e["activity_id"] == activity_id]
    event = heard(volunteering_listener.collect(heard))[0]
    assert event["recorded_after_the_fact"] is True and event["record_approved_by"]


def test_members_leave_posts_and_join_and_leave_teams(platform, city, migrated):
    community = city.communities[1]["code"]
    staff = platform.as_("community_staff", community)
    lead, other = active_members(migrated, community, 2)
    post = staff.post(f"/communities/{community}/posts", {"category": "环境整治", "title": "楼道清洁", "capacity": 3,
                                                          "place": "3号楼", "schedule": "每周日"}).json()["post_id"]
    claim = platform.as_("member", other).post("/me/post-claims", {"post_id": post}).json()["claim_id"]
    assert platform.as_("member", other).post(f"/me/post-claims/{claim}/leave").json()["status"] == "left"
    assert platform.as_("member", other).post("/me/post-claims", {"post_id": post}).status_code == 201  # again
    team = staff.post(f"/communities/{community}/teams", {"name": "环境服务队", "formation": "interest",
                                                          "leader_member_id": lead, "member_ids": [lead]}).json()["team_id"]
    assert platform.as_("member", other).post(f"/me/teams/{team}/join").status_code == 200
    assert platform.as_("member", other).post(f"/me/teams/{team}/leave").status_code == 200
    refused = platform.as_("member", lead).post(f"/me/teams/{team}/leave")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "leader_cannot_leave"


def test_a_team_leader_announces_and_a_district_runs_a_festival_campaign(platform, city, migrated):
    community = city.communities[1]["code"]
    staff = platform.as_("community_staff", community)
    lead, other = active_members(migrated, community, 2)
    team = staff.post(f"/communities/{community}/teams", {"name": "文艺服务队", "formation": "interest",
                                                          "leader_member_id": lead, "member_ids": [lead, other]})
    team_id = team.json()["team_id"]
    body = {k: v for k, v in activity_body(now() + timedelta(days=2)).items()}
    assert platform.as_("member", lead).post(f"/me/teams/{team_id}/activities", body).status_code == 201
    assert platform.as_("member", other).post(f"/me/teams/{team_id}/activities", body).status_code == 404  # not leader

    district = community[:6]
    in_district = [c["code"] for c in city.communities if c["code"].startswith(district)]
    campaign = {"festival": "chongyang", "community_codes": in_district, "title": "重阳敬老集中服务",
                "content": "为老人理发、义诊", "place": "各社区党群服务中心", "contact": "区委组织部 0371-60000000",
                "starts_at": "2026-10-18T09:00:00+08:00", "ends_at": "2026-10-18T11:30:00+08:00", "capacity": 50}
    officer = platform.as_("district_officer", district)
    done = officer.post(f"/districts/{district}/festival-campaigns", campaign)
    assert done.status_code == 201 and len(done.json()["activity_ids"]) == len(in_district), done.text
    far = officer.post(f"/districts/{district}/festival-campaigns",
                       {**campaign, "starts_at": "2026-12-01T09:00:00+08:00", "ends_at": "2026-12-01T11:00:00+08:00"})
    assert far.status_code == 400 and far.json()["error"]["fields"][0]["code"] == "not_near_festival"
    other_district = next(c["code"] for c in city.communities if not c["code"].startswith(district))
    assert officer.post(f"/districts/{district}/festival-campaigns",
                        {**campaign, "community_codes": [other_district]}).status_code == 400


def test_a_late_subscriber_learns_the_members_it_missed(platform, city, migrated):
    """volunteering.backfill: members the service never heard of (deployed late) are learnt from
    the registration service; running it again changes nothing."""
    import os
    import subprocess
    import sys
    community = city.communities[2]["code"]
    missed = active_members(migrated, community, 2)
    with migrated.begin() as conn:
        conn.execute(text("delete from volunteering.members where member_id = any(:ids) "
                          "and not exists (select 1 from volunteering.post_claims c where c.member_id = volunteering.members.member_id)"
                          " and not exists (select 1 from volunteering.signups s where s.member_id = volunteering.members.member_id)"),
                     {"ids": missed})
        left = conn.execute(text("select count(*) from volunteering.members where member_id = any(:ids)"), {"ids": missed}).scalar()
    assert left < len(missed)
    env = {**platform.registration.env, "PYTHONWARNINGS": "ignore"}
    for _ in range(2):
        run = subprocess.run([sys.executable, "-m", "volunteering.backfill"], env=env, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
    with migrated.connect() as conn:
        back = conn.execute(text("select count(*) from volunteering.members where member_id = any(:ids) and active"),
                            {"ids": missed}).scalar()
    assert back == len(missed)


def test_merit_and_a_correction_show_in_the_members_points(platform, city, migrated):
    community = city.communities[0]["code"]
    staff = platform.as_("community_staff", community)
    (m,) = active_members(migrated, community, 1)
    entry = staff.post(f"/communities/{community}/merit-entries", {
        "member_id": m, "category": "承担急难险重任务", "reason": "防汛值守三昼夜", "points": 15,
        "occurred_on": now().date().isoformat()})
    assert entry.status_code == 201, entry.text
    fixed = staff.post(f"/communities/{community}/ledger/{entry.json()['entry_id']}/corrections",
                       {"points": -5, "reason": "按标准应加10分"})
    assert fixed.status_code == 201, fixed.text
    period = entry.json()["period"]
    mine = platform.as_("member", m).get("/me/points", params={"period": period}).json()
    kinds = [e["kind"] for e in mine["entries"]]
    assert "merit" in kinds and "correction" in kinds
    bad = platform.as_("member", m).get("/me/points", params={"period": "2026H3"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["rule"] == "§3.5.4"
