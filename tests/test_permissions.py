"""Every route of the gateway, called with a token of every role, from its own scope and from a
foreign one: generated from the route table, so a new route is tried without anyone remembering.

The target is one node of each level (community A, its street and district, a unit U sitting in
A, a registration R of U's member in A, an import job of U). "Own" tokens are bound to those
nodes; "foreign" tokens to the same level elsewhere (community B in another district, unit V in
B...). A third kind of call uses an own token and an own path with a record of B's in it (a
registration id or a job id guessed from elsewhere). Each write carries a valid body, so a
missing check would show as a success, not as a validation error.

A leak is any 2xx answer to a call the caller should not be allowed: a role the route does not
name, a foreign scope, a foreign record. The refused calls run first, and must change nothing
(no event in the registration outbox, no account made); then the allowed ones must be let
through (neither 401 nor 403), so the checks are not simply refusing everything.

The third axis (`test_an_object_of_elsewhere_under_ones_own_scope_is_not_found`): every route
whose path or body names an object (a member, unit, registration, import job, post, claim, team,
activity, household, project, ledger entry, goods, redemption, settlement run) is called by each
of its roles from their own scope with, in turn, each such id replaced by one of another
community of the same district, of another district, of another unit of the same community (on
unit routes), or by an id that does not exist. Each call must answer 404 and leave every table
as it was; then each route with the caller's own objects must not.
"""
import itertools
import random
import re
import time

import pytest

from contracts.access import ROLES
from gateway.routes import ROUTES
from registration.city import credit_code, import_csv, sample_report

pytestmark = pytest.mark.e2e
seeds = itertools.count(90_000)
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
# the path values that name a record (not a node): a caller's own path with another's record in it
RECORDS = ("registration_id", "job_id", "number", "post_id", "claim_id", "activity_id", "project_id", "team_id",
           "entry_id", "run_id", "goods_id", "redemption_id", "notice_id", "objection_id", "change_id", "opinion_id",
           "document_job_id")


@pytest.fixture(scope="module")
def world(platform, city, migrated):
    """Own place A (its district, street, unit U), and the places whose objects must stay out of
    A's reach: `foreign` B in another district, `near` A2 in A's district but another street, and
    `sibling` U2, another unit sitting in A."""
    from sqlalchemy import text
    units_by_community = {}
    for u in city.units:
        units_by_community.setdefault(u["community_code"], []).append(u["id"])
    a = next(c for c in city.communities if len(units_by_community.get(c["code"], ())) >= 2)
    b = next(c for c in city.communities if c["code"] in units_by_community and c["code"][:6] != a["code"][:6])
    a2 = next(c for c in city.communities if c["code"] in units_by_community and c["code"][:6] == a["code"][:6]
              and c["code"][:9] != a["code"][:9])
    unit_a, sibling_unit = units_by_community[a["code"]][:2]
    unit_b, unit_a2 = units_by_community[b["code"]][0], units_by_community[a2["code"]][0]

    def registration(community, unit):
        r = platform.as_("community_staff", community).post(
            f"/communities/{community}/member-registrations", _member_body(community, unit))
        assert r.status_code == 201, r.text
        return r.json()

    def job(community, unit):
        r = platform.as_("unit_officer", unit).post(
            f"/units/{unit}/member-imports", params={"filename": "members.csv"},
            data=import_csv(community, seed=next(seeds)), headers={"Content-Type": "text/csv"})
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        # the job writes in the background: let it finish, so the refused calls below can be
        # shown to have written nothing
        deadline = time.time() + 60
        while time.time() < deadline:
            status = platform.as_("unit_officer", unit).get(f"/units/{unit}/member-imports/{job_id}").json()["status"]
            if status in ("succeeded", "failed"):
                return job_id
            time.sleep(0.3)
        raise AssertionError(f"import job {job_id} did not finish")

    def place(community, unit, **extra):
        reg = registration(community, unit)
        with migrated.connect() as conn:
            member = conn.execute(text("select member_id from registration.member_registrations where id = :i"),
                                  {"i": reg["registration_id"]}).scalar()
        return {"community": community, "street": community[:9], "district": community[:6], "unit": unit,
                "member": member, "registration_id": reg["registration_id"], "job_id": job(community, unit),
                "number": reg["certificate_no"], "year": 2026, **extra}

    own = place(a["code"], unit_a, **_volunteering(platform, migrated, a["code"], unit_a, run_at="district"))
    foreign = place(b["code"], unit_b, **_volunteering(platform, migrated, b["code"], unit_b, run_at="district"))
    near = place(a2["code"], unit_a2, **_volunteering(platform, migrated, a2["code"], unit_a2, run_at="street"))
    sibling = place(a["code"], sibling_unit)
    _feedback(platform, migrated, (own, foreign, near))
    for place_ in (own, foreign, near):  # a documents job (a community's certificates) in each place
        r = platform.as_("community_staff", place_["community"]).post(
            f"/communities/{place_['community']}/documents/certificates", {"year": 2026})
        assert r.status_code == 202, r.text
        place_["document_job_id"] = r.json()["job_id"]
    target = platform.accounts.ensure("member", "999999")  # an account the admin routes act on
    with platform.accounts.engine.connect() as conn:
        own["account_id"] = conn.execute(text("select id from gateway.accounts where username = :u"), {"u": target}).scalar()
    return {"own": own, "foreign": foreign, "near": near, "sibling": sibling}


def _volunteering(platform, migrated, community, unit, run_at):
    """A post, a claim of it by a member active there, an activity, a co-building project with a
    unit sitting there, a merit entry, goods and their redemption, a settlement run of the
    community's district or street, a team and a household, in one community."""
    from datetime import timedelta
    from sqlalchemy import text
    from toolkit.config import now
    from tests.test_e2e_volunteering import active_members
    staff = platform.as_("community_staff", community)
    (member,) = active_members(migrated, community, 1)
    post = staff.post(f"/communities/{community}/posts", {"category": "助老服务", "title": "探访独居老人", "capacity": 3,
                                                          "place": "社区", "schedule": "周六上午"}).json()["post_id"]
    claim = platform.as_("member", member).post("/me/post-claims", {"post_id": post}).json()["claim_id"]
    starts = now() - timedelta(minutes=5)
    activity = staff.post(f"/communities/{community}/activities", {
        "kind": "regular", "title": "楼道清洁", "content": "清理楼道杂物", "place": "3号楼", "contact": "李娜",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(), "capacity": 10}).json()["activity_id"]
    project = staff.post(f"/communities/{community}/projects", {
        "unit_id": unit, "title": "健康进社区", "goals": "为居民义诊", "expected_effects": "覆盖老人", "deadline": "2026-12-31",
        "links": {"services": "义诊"}, "service_count": 12, "service_hours": 48, "service_mode": "每月一次"}).json()["project_id"]
    entry = staff.post(f"/communities/{community}/merit-entries", {
        "member_id": member, "category": "见义勇为", "reason": "救起落水儿童一名", "points": 10,
        "occurred_on": "2026-11-01"}).json()["entry_id"]
    goods = staff.post(f"/communities/{community}/supermarket/goods", {
        "name": "理发服务券", "kind": "service", "price_points": 1, "stock": 100})
    assert goods.status_code == 201, goods.text
    redemption = platform.as_("member", member).post("/me/redemptions", {"goods_id": goods.json()["id"]})
    assert redemption.status_code == 201, redemption.text
    node = community[:6] if run_at == "district" else community[:9]
    run = platform.as_(f"{run_at}_officer", node).post(f"/{'districts' if run_at == 'district' else 'streets'}/{node}"
                                                        "/settlement-runs", {"period": "2026H2"})
    assert run.status_code == 202, run.text
    team = staff.post(f"/communities/{community}/teams", {"name": "楼道服务队", "formation": "interest",
                                                          "leader_member_id": member, "member_ids": [member]}).json()["team_id"]
    households = []
    for n in range(10):  # a cadre covers 10–15 (§3.4.5)
        household = staff.post(f"/communities/{community}/households", {
            "head_name": "王大爷", "home_address": f"郑州市某区某路{n + 1}号院", "tags": ["空巢老人"]})
        assert household.status_code == 201, household.text
        households.append(household.json()["household_id"])
    street_run = platform.as_("street_officer", community[:9]).post(f"/streets/{community[:9]}/settlement-runs",
                                                                   {"period": "2026H2"})
    assert street_run.status_code == 202, street_run.text
    return {"street_run_id": street_run.json()["run_id"], "post_id": post, "household_id": households[0], "household_ids": households, "active_member": member, "claim_id": claim, "activity_id": activity, "project_id": project, "team_id": team,
            "entry_id": entry, "goods_id": goods.json()["id"], "redemption_id": redemption.json()["id"],
            "run_id": run.json()["run_id"], "period": "2026H2"}


def _feedback(platform, migrated, places):
    """Each place's half year published, its unit's notice released by the district (a member of
    the unit who did not report gives it a line), an objection of its active member to their merit
    entry, and a merit entry of a member of its unit (for the unit's own objection)."""
    from sqlalchemy import text
    from tests.test_e2e_feedback import _until, a_member_who_did_not_report
    from toolkit.config import today
    period = "2026H2"
    for place in places:
        a_member_who_did_not_report(migrated, place["unit"], 2026)
        staff = platform.as_("community_staff", place["community"])
        with migrated.connect() as conn:
            unit_member = conn.execute(text(
                "select holder_id from scoring.accounts where holder_kind = 'member' and unit_id = :u "
                "and community_code = :c order by holder_id limit 1"), {"u": place["unit"], "c": place["community"]}).scalar()
        if unit_member is not None:
            entry = staff.post(f"/communities/{place['community']}/merit-entries", {
                "member_id": unit_member, "category": "见义勇为", "reason": "协助疏散火灾现场群众", "points": 5,
                "occurred_on": "2026-11-02"})
            assert entry.status_code == 201, entry.text
            place["unit_entry_id"], place["unit_member"] = entry.json()["entry_id"], unit_member
        base = f"/communities/{place['community']}/settlements/{period}"
        drafted = staff.post(f"{base}/draft")
        if drafted.status_code == 409 and drafted.json()["error"]["code"] == "settlement_published":
            continue  # another test published it: its lines are there already
        assert drafted.status_code == 200, drafted.text
        assert staff.post(f"{base}/review", {"congress_date": today().isoformat(), "attendees": 30,
                                            "minutes": "审议通过半年度积分评星结果"}).status_code == 200
        published = staff.post(f"{base}/publication")
        assert published.status_code == 200, published.text
    for place in places:
        district = platform.as_("district_officer", place["district"])
        listed = _until(lambda: district.get(f"/districts/{place['district']}/notices/{period}"),
                        lambda r: any(i["unit_id"] == place["unit"] for i in r.json()["items"]))
        mine = next(i for i in listed.json()["items"] if i["unit_id"] == place["unit"])
        for attempt in range(10):
            # the lines arrive by events: a revision published by another test meanwhile may bring
            # members still without a comment, so write them and try again
            for community in mine["communities_missing_comments"]:
                staff = platform.as_("community_staff", community)
                items = staff.get(f"/communities/{community}/feedback/{period}").json()["items"]
                r = staff.request("PUT", f"/communities/{community}/feedback/{period}/comments",
                                  {"comments": [{"member_id": i["member_id"], "comment": "积极参加社区志愿服务"} for i in items]})
                assert r.status_code == 200, r.text
            released = district.post(f"/districts/{place['district']}/notices/{period}/units/{place['unit']}/release")
            if released.status_code != 409 or released.json()["error"]["code"] != "comments_missing":
                break
            time.sleep(0.5)
            mine = next(i for i in district.get(f"/districts/{place['district']}/notices/{period}").json()["items"]
                        if i["unit_id"] == place["unit"])
        if released.status_code == 409 and released.json()["error"]["code"] == "nothing_new":
            place["notice_id"] = mine["notice_id"]  # released by another test, unchanged since
        else:
            assert released.status_code == 200, released.text
            place["notice_id"] = released.json()["released"][0]["notice_id"]
        objection = platform.as_("member", place["active_member"]).post("/me/objections", {
            "target": "entry", "entry_id": place["entry_id"], "content": "该记录的分值与事迹不符，请核实"})
        assert objection.status_code == 201, objection.text
        place["objection_id"] = objection.json()["id"]
        change = platform.as_("member", place["active_member"]).post("/me/detail-changes", {"phone": "139 0371 0000"})
        assert change.status_code == 201, change.text
        place["change_id"] = change.json()["id"]
        if place.get("unit_member"):
            opinion = platform.as_("unit_officer", place["unit"]).post(f"/units/{place['unit']}/opinion-requests", {
                "member_id": place["unit_member"], "purpose": "年度优秀共产党员评选"})
            assert opinion.status_code == 201, opinion.text
            place["opinion_id"] = opinion.json()["id"]


def _member_body(community, unit):
    body = sample_report(community, unit, seed=next(seeds))
    body.pop("community_code")
    return body


def _bodies(route, place):
    """A valid body for each write route (or None), and how to send it."""
    name = route.name
    if name == "register_unit":
        return {"json": {"unit": {"name": "某某测试单位", "credit_code": credit_code(random.Random(next(seeds)), place["district"], "private_enterprise"),
                                  "type": "private_enterprise", "party_org_name": "中共某某测试单位支部委员会", "address": "郑州市测试路1号"},
                         "contact_officer": "周华", "contact_phone": "0371-68112233", "resources": ["义诊"]}}
    if name == "send_invitation":
        return {"json": {"unit_name": "某某受邀单位", "credit_code": credit_code(random.Random(next(seeds)), place["district"], "government"),
                         "letter": "诚邀贵单位党组织到社区报到，共建共享。", "sent_by": "街道党工委"}}
    if name == "report_member":
        return {"json": _member_body(place["community"], place["unit"])}
    if name == "accept_registration":
        return {"json": {"officer": "李娜", "officer_phone": "0371-68901234"}}
    if name == "record_transfer":
        return {"json": {"reason": "address_changed", "new_home_address": "郑州市金水区测试路9号", "recorded_by": "李娜"}}
    if name == "give_unit_opinion":
        return {"json": {"decision": "approve", "officer": "王书记"}}
    if name == "accept_registrations":
        return {"json": {"registration_ids": [place["registration_id"]], "officer": "李娜", "officer_phone": "0371-68901234"}}
    if name == "give_unit_opinions":
        return {"json": {"registration_ids": [place["registration_id"]], "decision": "approve", "officer": "王书记"}}
    if name == "start_import":
        return {"data": import_csv(place["community"], seed=next(seeds)), "params": {"filename": "m.csv"},
                "headers": {"Content-Type": "text/csv"}}
    if name == "create_account":
        return {"json": {"username": f"perm.{next(seeds)}", "display_name": "权限测试", "role": "member", "scope": "1",
                         "password": "Abcdefgh1234"}}
    if name == "set_state":
        return {"json": {"unlock": True}}
    if name == "design_post":
        return {"json": {"category": "助老服务", "title": "陪老人聊天", "capacity": 2, "place": "社区", "schedule": "周日"}}
    if name == "review_claim":
        return {"json": {"decision": "approve"}}
    if name == "form_team":
        return {"json": {"name": f"服务队{next(seeds)}", "formation": "interest", "leader_member_id": place["member"],
                         "member_ids": [place["member"]]}}
    if name == "announce_activity":
        from datetime import timedelta
        from toolkit.config import now
        starts = now() + timedelta(hours=1)
        return {"json": {"kind": "regular", "title": "义务理发", "content": "为老人理发", "place": "活动室", "contact": "李娜",
                         "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(), "capacity": 5}}
    if name == "assess":
        return {"json": {"participants": [{"member_id": place["member"], "adjustment": 1}]}}
    if name == "add_household":
        return {"json": {"head_name": "王大爷", "home_address": "郑州市某区某路1号院", "tags": ["空巢老人"]}}
    if name == "set_coverage":
        return {"json": {"member_id": place["member"], "household_ids": place["household_ids"]}}
    if name == "record_visit":
        return {"json": {"household_id": place["household_id"], "visited_on": "2026-11-01", "kinds": ["查民情"]}}
    if name == "commit":
        return {"json": {"year": 2026, "items": ["义诊"], "services": 12, "hours": 30, "mode": "每月一次"}}
    if name == "record_organization_life":
        return {"json": {"kind": "theme_activity", "title": "主题党日", "held_on": "2026-11-01",
                         "attendee_ids": [place["member"]]}}
    if name == "pair":
        return {"json": {"resident_name": "张奶奶", "resident_category": "空巢老人", "mode": "one_to_one",
                         "member_ids": [place["member"]]}}
    if name == "open_studio":
        return {"json": {"member_id": place["member"], "name": "健康工作室", "unit_name": "某医院",
                         "service_items": ["健康咨询"], "opening_hours": "周六上午"}}
    if name == "sign_project":
        return {"json": {"unit_id": place["unit"], "title": "健康进社区", "goals": "为居民义诊", "expected_effects": "覆盖老人",
                         "deadline": "2026-12-31", "links": {"services": "义诊"}, "service_count": 12,
                         "service_hours": 48, "service_mode": "每月一次"}}
    if name == "change_project_status":
        return {"json": {"status": "in_progress"}}
    if name == "rate_project":
        return {"json": {"rater": "community", "score": 28, "rated_by": "社区书记"}}
    if name == "request_late_record":
        from datetime import timedelta
        from toolkit.config import now
        return {"json": {"served_from": (now() - timedelta(minutes=4)).isoformat(),
                         "served_until": (now() - timedelta(minutes=1)).isoformat(), "note": "忘记签到"}}
    if name == "decide_late_record":
        return {"json": {"decision": "approve"}}
    if name == "announce_team_activity":
        from datetime import timedelta
        from toolkit.config import now
        starts = now() + timedelta(hours=2)
        return {"json": {"kind": "regular", "title": "楼道清洁", "content": "清理杂物", "place": "3号楼", "contact": "队长",
                         "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
                         "capacity": 5}}
    if name == "announce_festival_campaign":
        return {"json": {"festival": "chongyang", "community_codes": [place["community"]], "title": "重阳敬老",
                         "content": "敬老服务", "place": "各社区", "contact": "区委组织部",
                         "starts_at": "2026-10-18T09:00:00+08:00", "ends_at": "2026-10-18T11:00:00+08:00",
                         "capacity": 50}}
    if name == "record_merit":
        return {"json": {"member_id": place["member"], "category": "见义勇为", "reason": "救起落水儿童一名",
                         "points": 10, "occurred_on": "2026-11-01"}}
    if name == "correct_entry":
        return {"json": {"points": -2, "reason": "重复记分，予以冲正"}}
    if name == "review_settlement":
        from toolkit.config import today
        return {"json": {"congress_date": today().isoformat(), "attendees": 30, "minutes": "审议通过半年度积分评星结果"}}
    if name == "revise_settlement":
        return {"json": {"reason": "补记遗漏的服务积分"}}
    if name.endswith("_settlement_run"):
        return {"json": {"period": "2026H2"}}
    if name == "publish_rules":  # far ahead: after any version the other tests publish (test_e2e_rules)
        return {"json": {"base_points": 5, "max_adjustment": 3, "override_min": 0, "override_max": 10, "merit_min": 1,
                         "merit_max": 20, "max_project_score": 30, "points_per_star": 10, "max_stars": 10,
                         "effective_from": "2099H2", "reason": "权限测试：与第 1 版相同的新版本"}}
    if name == "add_goods":
        return {"json": {"name": "毛巾", "kind": "goods", "price_points": 2, "stock": 10}}
    if name == "update_goods":
        return {"json": {"stock": 50}}
    if name == "cancel_redemption":
        return {"json": {"reason": "党员未到场领取"}}
    if name == "redeem":
        return {"json": {"goods_id": place["goods_id"]}}
    if name == "redeem_for":
        return {"json": {"member_id": place["active_member"], "goods_id": place["goods_id"]}}
    if name == "claim_post":
        return {"json": {"post_id": place["post_id"]}}
    if name == "sign_up":
        return {"json": {"activity_id": place["activity_id"]}}
    if name in ("check_in", "check_out"):
        return {"json": {"code": "123456"}}
    if name == "write_comments":
        return {"json": {"comments": [{"member_id": place["member"], "comment": "积极参加社区志愿服务"}]}}
    if name == "raise_my_objection":
        return {"json": {"target": "entry", "entry_id": place["entry_id"], "content": "该记录的分值与事迹不符，请核实"}}
    if name == "raise_unit_objection":
        return {"json": {"target": "entry", "entry_id": place.get("unit_entry_id"), "content": "该党员的积分记录有误，请核实"}}
    if name == "assign_objection":
        return {"json": {"department": "社区党委组织委员", "assignee": "李娜"}}
    if name == "record_findings":
        return {"json": {"findings": "经走访核实，原记录与事实相符"}}
    if name == "decide_objection":
        return {"json": {"decision": "rejected", "reason": "经核实原记录无误"}}
    if name == "report_my_detail_change":
        return {"json": {"phone": "138 1234 5678"}}
    if name == "report_unit_detail_change":
        return {"json": {"member_id": place.get("unit_member"), "position": "科长"}}
    if name == "decide_detail_change":
        return {"json": {"decision": "decline", "reason": "与单位提供的情况不符"}}
    if name == "request_opinion":
        return {"json": {"member_id": place.get("unit_member"), "purpose": "年度优秀共产党员评选"}}
    if name == "answer_opinion":
        return {"json": {"opinion": "该同志积极参加社区志愿服务，表现突出"}}
    if name == "start_certificates":
        return {"json": {"year": 2026}}
    if name == "start_registers":
        return {"json": {"period": "2026H1"}}
    if name == "write_agreement_template":
        return {"json": {"sections": {"goals": "推动驻区单位与社区资源共享、优势互补"}}}
    if name == "change_password":  # a wrong old password: refused with 400, never a change
        return {"json": {"old_password": "not-the-password-1", "new_password": "Another-pass-2026"}}
    return {}


def _path(route, place, record_from=None):
    """The route's path at `place`; `record_from` puts another place's record ids in it."""
    level_of = {"community_code": "community", "street_code": "street", "district_code": "district"}
    code_level = route.scope if route.scope in ("community", "street", "district") else "community"

    def value(name):
        if name in RECORDS and record_from is not None:
            return record_from[name]
        if name == "code":
            return place[code_level]
        if name in level_of:
            return place[level_of[name]]
        if name == "unit_id":
            return place["unit"]
        if name == "member_id":
            return place["member"]
        if name == "area_code":  # boards: any area, to anyone signed in
            return place["district"]
        return place[name]
    return _PARAM.sub(lambda m: str(value(m.group(1))), route.path).removeprefix("/api/v1")


def _scope_of(role, place):
    return {"city_admin": "", "district_officer": place["district"], "street_officer": place["street"],
            "community_staff": place["community"], "unit_officer": place["unit"], "member": place["member"]}[role]


def _counts(migrated):
    from sqlalchemy import text
    with migrated.connect() as conn:
        return (conn.execute(text("select coalesce(max(id), 0) from registration.outbox")).scalar(),
                conn.execute(text("select count(*) from gateway.accounts")).scalar(),
                conn.execute(text("select count(*) from gateway.sessions where revoked_at is not null")).scalar())


def _call(platform, role, scope, route, path, place, fresh=False):
    client = platform.as_(role, scope)
    if fresh:  # logging out ends the session: use one of its own
        from tests.conftest import Client
        client = Client(platform.base, platform.accounts.login(platform.accounts.username(role, scope)).json()["access_token"])
    return client.request(route.method, path, **_bodies(route, place))


def test_no_route_leaks_to_a_foreign_scope_or_a_role_it_does_not_name(platform, world, migrated):
    own, foreign = world["own"], world["foreign"]
    routes = [r for r in ROUTES if not r.public]
    refused_calls, allowed_calls, leaks, over_refused = 0, 0, [], []
    for role in ROLES:  # sign everyone in first: making their accounts is not what is counted
        for place in (own, foreign):
            platform.as_(role, _scope_of(role, place))
    before = _counts(migrated)

    # 1. calls that must be refused: roles the route does not name (own scope), foreign scopes,
    #    foreign records under an own path
    for route in routes:
        path = _path(route, own)
        for role in ROLES:
            tries = []
            if role not in route.roles:
                tries.append(("own scope, role not allowed", _scope_of(role, own), path))
            if role in route.roles and route.scope not in ("any", "member") and role != "city_admin":
                tries.append(("foreign scope", _scope_of(role, foreign), path))
            if role in route.roles and role != "city_admin" and "<number>" in route.path:
                tries.append(("foreign record", _scope_of(role, own), _path(route, own, record_from=foreign)))
            if role in route.roles and route.scope != "city" and any(f"{p}>" in route.path for p in RECORDS if p != "number"):
                tries.append(("foreign record", _scope_of(role, own), _path(route, own, record_from=foreign)))
            for kind, scope, p in tries:
                if route.name == "logout" or route.name == "change_password":
                    continue  # "any" routes: every role may, for itself
                r = _call(platform, role, scope, route, p, own)
                refused_calls += 1
                if r.status_code < 300:
                    leaks.append(f"{route.method} {p} as {role}:{scope} ({kind}) -> {r.status_code} {r.text[:200]}")
                elif r.status_code == 401 or r.status_code >= 500:  # refused, but not for the right reason
                    over_refused.append(f"{route.method} {p} as {role}:{scope} ({kind}) -> {r.status_code} {r.text[:200]}")
    after_refused = _counts(migrated)

    # 2. calls that must be let through: every named role from its own scope
    for route in routes:
        path = _path(route, own)
        for role in route.roles:
            r = _call(platform, role, _scope_of(role, own), route, path, own, fresh=route.name == "logout")
            allowed_calls += 1
            if r.status_code in (401, 403):
                over_refused.append(f"{route.method} {path} as {role} (own scope) -> {r.status_code} {r.text[:200]}")

    print(f"\npermission matrix: {len(routes)} routes x {len(ROLES)} roles; {refused_calls} calls that must be refused, "
          f"{allowed_calls} that must be allowed; leaks: {len(leaks)}")
    assert leaks == [], "\n".join(leaks)
    assert after_refused == before, f"refused calls changed something: (outbox, accounts, revoked sessions) {before} -> {after_refused}"
    assert over_refused == [], "\n".join(over_refused)


def test_a_member_sees_only_themself(platform, world):
    for side in ("own", "foreign"):
        member = world[side]["member"]
        r = platform.as_("member", member).get("/me/member-registrations")
        assert r.status_code == 200, r.text
        assert r.json() and {c["member_id"] for c in r.json()} == {member}


# --- the third axis: objects of elsewhere under the caller's own scope -------------------------

# what a path value or body field names, and the key of the world's places that holds one
SLOTS = {"registration_id": "registration_id", "job_id": "job_id", "post_id": "post_id", "claim_id": "claim_id",
         "activity_id": "activity_id", "project_id": "project_id", "team_id": "team_id", "entry_id": "entry_id",
         "run_id": "run_id", "goods_id": "goods_id", "redemption_id": "redemption_id", "member_id": "active_member",
         "leader_member_id": "active_member", "member_ids": "active_member", "attendee_ids": "active_member",
         "household_id": "household_id", "household_ids": "household_id", "unit_id": "unit", "account_id": "account_id",
         "notice_id": "notice_id", "objection_id": "objection_id", "change_id": "change_id", "opinion_id": "opinion_id",
         "document_job_id": "document_job_id"}
# where one route's field names another object than the field's name elsewhere does
SLOT_OF_ROUTE = {("raise_unit_objection", "entry_id"): "unit_entry_id",
                 ("report_unit_detail_change", "member_id"): "unit_member", ("request_opinion", "member_id"): "unit_member"}
# ids that may name an object anywhere in the city (the services refuse only unknown ones)
ANYWHERE = {("report_member", "unit_id"), ("record_transfer", "new_unit_id"), ("record_merit", "unit_id"),
            # a unit sitting anywhere whose members served in the district's communities: the district
            # tells it of them (§5.3.1); a unit with no line there is 404 (test_e2e_feedback)
            ("notice_preview", "unit_id"), ("release_notice", "unit_id"),
            # many reports at once: each item answered as its own call answers, a registration of
            # elsewhere "not found" in its place while the rest go through (test_e2e_registration)
            ("accept_registrations", "registration_ids"), ("give_unit_opinions", "registration_ids")}
UNKNOWN = 987_654_321


def _fingerprint(migrated):
    """Everything the services and the gateway keep, as one digest: the refused calls must leave it
    as it was. Left out: what moves without any request (outbox marks, inbox records, the audit
    log and sessions: every request writes those by design)."""
    from sqlalchemy import text
    with migrated.connect() as conn:
        tables = conn.execute(text(
            "select schemaname || '.' || tablename from pg_tables where schemaname in "
            "('registration', 'volunteering', 'scoring', 'feedback', 'gateway') and tablename not in "
            "('inbox', 'audit_log', 'sessions', 'alembic_version') order by 1")).scalars().all()
        parts = []
        for table in tables:
            if table.endswith(".outbox"):  # new events, not the relay's marks
                parts.append(str(conn.execute(text(f"select coalesce(max(id), 0) from {table}")).scalar()))
            else:
                parts.append(conn.execute(text(f"select md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) "
                                               f"from {table} t")).scalar())
        return dict(zip(tables, parts))


def _quiet(migrated, seconds=60):
    """Wait until the world's own work (events consumed, settlement runs) has settled."""
    deadline, last = time.time() + seconds, None
    while time.time() < deadline:
        current = _fingerprint(migrated)
        if current == last:
            return current
        last = current
        time.sleep(1.5)
    raise AssertionError("the platform did not settle")


def _body_slots(route, body, prefix=""):
    """Paths of the id fields in a body: `member_id`, `participants.0.member_id`..."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in SLOTS and (route.name, key) not in ANYWHERE:
                found.append(prefix + key)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for i, item in enumerate(value):
                    found += _body_slots(route, item, f"{prefix}{key}.{i}.")
    return found


def _with(body, path, value):
    import copy
    body = copy.deepcopy(body)
    *heads, last = path.split(".")
    node = body
    for h in heads:
        node = node[int(h)] if h.isdigit() else node[h]
    # one member of a list (the rest stay own and valid: a list has its lengths, §3.4.5)
    node[last] = [value, *node[last][1:]] if isinstance(node[last], list) else value
    return body


def _query(route):
    """The query a route requires (a half year), so that only the object can be wrong."""
    required = {k for k, f in route.query._declared_fields.items() if f.required} if route.query else set()
    return {"params": {"period": "2026H2"}} if "period" in required else {}


def _foreign_places(route):
    """Places whose objects do not sit under the route's own node."""
    if route.scope == "unit":
        return ("sibling", "foreign")
    if route.scope == "district":
        return ("foreign",)
    if route.scope == "city":
        return ()
    return ("near", "foreign")


def test_an_object_of_elsewhere_under_ones_own_scope_is_not_found(platform, world, migrated):
    own = {**world["own"], "member": world["own"]["active_member"]}
    kinds, calls, wrong, untested, by_side, pairs, answers = set(), 0, [], [], {}, set(), {}
    routes = [r for r in ROUTES if not r.public and r.name not in ("logout", "change_password")]
    for role in ROLES:
        platform.as_(role, _scope_of(role, own))
    before = _quiet(migrated)
    tried_routes = set()
    for route in routes:
        path_slots = [p for p in _PARAM.findall(route.path) if p in SLOTS and not (p == "unit_id" and route.scope == "unit")
                      and (route.name, p) not in ANYWHERE]
        request = {**_query(route), **_bodies(route, own)}
        body = request.get("json")
        slots = [("path", p) for p in path_slots] + [("body", p) for p in _body_slots(route, body)]
        if route.body is not None and not route.upload:  # an id field this test cannot fill is a gap
            for name in route.body._declared_fields:
                if name.endswith(("_id", "_ids")) and name not in SLOTS and (route.name, name) not in ANYWHERE:
                    untested.append(f"{route.method} {route.path}: body field {name}")
        for where, slot in slots:
            key = SLOT_OF_ROUTE.get((route.name, slot), SLOTS[slot.rsplit(".", 1)[-1]])
            samples = [(side, world[side].get(key)) for side in _foreign_places(route)] + [("unknown", UNKNOWN)]
            for side, value in samples:
                if value is None:  # the sibling unit keeps registrations and imports only
                    continue
                for role in route.roles:
                    if role == "city_admin" and side != "unknown":
                        continue  # the city covers every community: nothing is elsewhere for it
                    if where == "path":
                        template = route.path.removeprefix("/api/v1").split("/")  # own values, one replaced
                        p = "/".join(str(value) if (m := _PARAM.fullmatch(t)) and m.group(1) == slot else v
                                     for t, v in zip(template, _path(route, own).split("/")))
                        call = dict(request)
                    else:
                        p = _path(route, own)
                        call = {**request, "json": _with(body, slot, value)}
                    client = platform.as_(role, _scope_of(role, own))
                    r = client.request(route.method, p, **call)
                    calls += 1
                    kinds.add(key)
                    by_side[side] = by_side.get(side, 0) + 1
                    pairs.add((route.name, role))
                    tried_routes.add(route.name)
                    if r.status_code == 404:  # the same answer, the id aside, from elsewhere as from nowhere
                        error = r.json()["error"]
                        answers.setdefault((route.name, slot, role), set()).add(
                            (error["code"], error["message"].replace(str(value), "#")))
                    if r.status_code != 404:
                        wrong.append(f"{route.method} {p} {slot}={value} ({side}) as {role} -> {r.status_code} {r.text[:160]}")
                        before = _fingerprint(migrated) if route.writes else before
                    elif route.writes and _fingerprint(migrated) != before:
                        changed = [t for t, v in _fingerprint(migrated).items() if before.get(t) != v]
                        wrong.append(f"{route.method} {p} {slot}={value} ({side}) as {role}: 404 but changed {changed}")
                        before = _fingerprint(migrated)
    # the control: the same calls with the caller's own objects are let through (so the 404s
    # above are the objects', not a route that refuses everything)
    own_refused = []
    for route in routes:
        if route.name not in tried_routes:
            continue
        request = {**_query(route), **_bodies(route, own)}
        role = next((r for r in route.roles if r != "city_admin"), route.roles[0])
        path = _path(route, {**own, "run_id": own["street_run_id"]} if route.scope == "street" else own)
        r = platform.as_(role, _scope_of(role, own)).request(route.method, path, **request)
        # refused by role or scope, or its object not found (a 404 of the domain's own, such as
        # "not a ten-star member", is an answer about a found object)
        if r.status_code in (401, 403) or r.status_code == 404 and r.json()["error"]["code"] == "not_found":
            own_refused.append(f"{route.method} {_path(route, own)} as {role} -> {r.status_code} {r.text[:160]}")
    print(f"\nobject axis: {len(tried_routes)} routes with an object id x their roles = {len(pairs)} (route, role) "
          f"pairs; {len(kinds)} kinds of object; {calls} calls with an object from elsewhere: "
          + ", ".join(f"{n} {side}" for side, n in sorted(by_side.items()))
          + f" (near: another community of the district; foreign: another district; sibling: another unit of the "
          f"community); wrong: {len(wrong)}; own objects refused: {len(own_refused)}")
    assert untested == [], "\n".join(untested)
    every = set(SLOTS.values()) | set(SLOT_OF_ROUTE.values())
    assert kinds == every, f"kinds of object no route was tried with: {every - kinds}"
    probes = {k: v for k, v in answers.items() if len(v) > 1}
    assert probes == {}, f"answers that tell elsewhere from nowhere: {probes}"
    assert len(tried_routes) > 30 and calls > 100
    assert wrong == [], "\n".join(wrong)
    assert own_refused == [], "\n".join(own_refused)
