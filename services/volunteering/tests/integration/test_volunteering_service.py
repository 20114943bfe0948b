"""The volunteering service in a real nameko container, against the real RabbitMQ and PostgreSQL:
it learns who is an active member from the registration service's events (once each, however
often they arrive), and its own wall refuses callers without a caller or from elsewhere."""
import time
import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import Caller
from toolkit.caller import SignedAtEachCall
from toolkit.config import now
from volunteering.service import VolunteeringService

pytestmark = pytest.mark.integration
PORT = 18106
A, B = "410106001001", "410102001001"


@pytest.fixture(scope="module")
def runner(volunteering_db, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}"}
    r = ServiceRunner(config)
    r.add_service(VolunteeringService)
    r.start()
    yield config
    r.stop()


def proxy(config, caller):
    return ClusterRpcProxy(config, context_data=SignedAtEachCall(caller), timeout=30)  # signed at each call


def accepted(member_id, community, registration_id, **change):
    event = {"event_id": str(uuid.uuid4()), "event_type": "member_registration_accepted",
             "occurred_at": now().isoformat(), "district_code": community[:6], "street_code": community[:9],
             "community_code": community, "registration_id": registration_id, "certificate_no": "x",
             "member_id": member_id, "unit_id": 7, "year": now().year, "red_account_no": f"RA-M-{member_id}",
             "accepted_by": "李娜", "member_name": f"党员{member_id}", "skills": ["医疗保健"],
             "service_intentions": ["健康服务", "政策宣讲"]}
    event.update(change)
    return event


def wait_for(engine, sql, expected, **params):
    deadline = time.time() + 15
    while time.time() < deadline:
        with engine.connect() as conn:
            got = conn.execute(text(sql), params).scalar()
        if got == expected:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{sql}: {got!r}, expected {expected!r}")


@pytest.fixture(scope="module")
def members(runner, volunteering_db):
    dispatch = event_dispatcher(runner)
    for member_id, community in ((9001, A), (9002, A), (9101, B)):
        dispatch("registration", "member_registration_accepted", accepted(member_id, community, member_id))
    wait_for(volunteering_db, "select count(*) from volunteering.members where member_id in (9001, 9002, 9101) and active", 3)
    return {"a": (9001, 9002), "b": 9101}


def test_a_redelivered_event_changes_nothing_and_an_older_one_does_not_undo_a_newer(runner, members, volunteering_db):
    dispatch = event_dispatcher(runner)
    newer = accepted(9002, A, 50_000, member_name="新名字")
    dispatch("registration", "member_registration_accepted", newer)
    wait_for(volunteering_db, "select name from volunteering.members where member_id = 9002", "新名字")
    dispatch("registration", "member_registration_accepted", dict(newer, member_name="重复投递"))  # same event id
    dispatch("registration", "member_registration_accepted", accepted(9002, A, 9002, member_name="旧报到"))
    time.sleep(1)
    with volunteering_db.connect() as conn:
        assert conn.execute(text("select name from volunteering.members where member_id = 9002")).scalar() == "新名字"
        assert conn.execute(text("select count(*) from volunteering.inbox where event_id = :e"),
                            {"e": newer["event_id"]}).scalar() == 1


def test_the_services_own_wall(runner, members, volunteering_db):
    staff_a, staff_b = Caller(1, "staff.a", "community_staff", A), Caller(2, "staff.b", "community_staff", B)
    member_a, member_b = Caller(3, "m.a", "member", "9001"), Caller(4, "m.b", "member", str(members["b"]))
    with proxy(runner, staff_a) as p:
        post = p.volunteering.design_post({"community_code": A, "category": "健康服务", "title": "义诊", "capacity": 2,
                                           "place": "社区", "schedule": "周六"})["post_id"]
        starts = now() - timedelta(minutes=5)
        activity = p.volunteering.announce_activity({
            "community_code": A, "kind": "regular", "title": "义诊", "content": "测血压", "place": "社区",
            "contact": "李娜", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 5})["activity_id"]
    with proxy(runner, member_a) as p:
        claim = p.volunteering.claim_post(9001, post)["claim_id"]
        assert p.volunteering.suggest_posts(9001)[0]["reason"]  # skills or intentions fit, with the reason
    calls = {  # method -> args at community A (what a stranger must not get)
        "design_post": ({"community_code": A, "category": "健康服务", "title": "义诊", "capacity": 2, "place": "社区",
                         "schedule": "周六"},),
        "list_posts": (A,), "list_claims": (A,), "suggest_members": (A, post),
        "review_claim": (A, claim, {"decision": "approve"}),
        "form_team": ({"community_code": A, "name": "服务队", "formation": "interest", "leader_member_id": 9001,
                       "member_ids": [9001]},),
        "announce_activity": ({"community_code": A, "kind": "regular", "title": "义诊", "content": "测血压",
                               "place": "社区", "contact": "李娜", "starts_at": now().isoformat(),
                               "ends_at": (now() + timedelta(hours=1)).isoformat(), "capacity": 5},),
        "list_activities": (A,), "check_in_code": (A, activity), "activity_participants": (A, activity),
        "assess": (A, activity, {"participants": [{"member_id": 9001, "adjustment": 0}]}),
        "claim_post": (9001, post), "suggest_posts": (9001,), "member_posts": (9001, A), "community_member_posts": (A,), "sign_up": (9001, activity),
        "check_in": (9001, activity, {"code": "123456"}), "check_out": (9001, activity, {"code": "123456"}),
        "festivals": (2026,),
        "add_household": ({"community_code": A, "head_name": "王大爷", "home_address": "郑州市某路1号院"},),
        "list_households": (A,), "unvisited_households": (A, 30),
        "set_coverage": ({"community_code": A, "member_id": 9001, "household_ids": list(range(1, 11))},),
        "record_visit": (9001, {"household_id": 1, "visited_on": "2026-11-01", "kinds": ["查民情"]}),
        "commit": (9001, {"year": 2026, "items": ["义诊"], "services": 12, "hours": 30, "mode": "每月一次"}),
        "list_commitments": (A, 2026), "my_service": (9001, 2026), "without_organization_life": (A, 2026), "list_pairings": (A,),
        "pair": ({"community_code": A, "resident_name": "张奶奶", "resident_category": "空巢老人", "mode": "one_to_one",
                  "member_ids": [9001]},),
        "open_studio": ({"community_code": A, "member_id": 9001, "name": "健康工作室", "unit_name": "某医院",
                         "service_items": ["健康咨询"], "opening_hours": "周六上午"},),
        "board": (A, 2026),
        "sign_project": ({"community_code": A, "unit_id": 7, "title": "健康进社区", "goals": "为居民义诊",
                          "expected_effects": "覆盖全社区老人", "deadline": "2026-12-31", "links": {"services": "义诊"},
                          "service_count": 12, "service_hours": 48, "service_mode": "每月一次"},),
        "change_project_status": (A, 1, {"status": "in_progress"}),
        "rate_project": (A, 1, {"rater": "community", "score": 28, "rated_by": "社区书记"}),
        "get_project": (A, 1), "list_projects": ({"community_code": A},),
        "request_late_record": (9001, activity, {"served_from": now().isoformat(), "served_until": now().isoformat(),
                                                 "note": "忘记签到"}),
        "decide_late_record": (A, activity, 9001, {"decision": "approve"}),
        "leave_post": (9001, claim), "join_team": (9001, 1), "leave_team": (9001, 1),
        "announce_team_activity": (9001, 1, {"kind": "regular", "title": "义诊", "content": "测血压", "place": "社区",
                                             "contact": "李娜", "starts_at": now().isoformat(),
                                             "ends_at": (now() + timedelta(hours=1)).isoformat(), "capacity": 5}),
        "announce_festival_campaign": (A[:6], {"festival": "chongyang", "community_codes": [A], "title": "重阳敬老",
                                               "content": "敬老服务", "place": "各社区", "contact": "区委组织部",
                                               "starts_at": "2026-10-18T09:00:00+08:00",
                                               "ends_at": "2026-10-18T11:00:00+08:00", "capacity": 50}),
        "record_organization_life": ({"community_code": A, "kind": "theme_activity", "title": "主题党日",
                                      "held_on": "2026-11-01", "attendee_ids": [9001]},),
    }
    from nameko.rpc import Rpc
    methods = {name for name, fn in vars(VolunteeringService).items()
               if any(isinstance(e, Rpc) for e in getattr(fn, "nameko_entrypoints", ()))}
    assert methods == set(calls), methods ^ set(calls)
    with volunteering_db.connect() as conn:
        before = conn.execute(text("select coalesce(max(id), 0) from volunteering.outbox")).scalar()
    with proxy(runner, None) as p:
        for method, args in calls.items():
            with pytest.raises(errors.Forbidden):
                getattr(p.volunteering, method)(*args)
    strangers = (staff_b, member_b, Caller(5, "district.b", "district_officer", B[:6]))
    for stranger in strangers:
        with proxy(runner, stranger) as p:
            for method, args in calls.items():
                if method in ("festivals", "board"):
                    continue  # any signed-in account may (public fields only)
                with pytest.raises(errors.Forbidden):
                    getattr(p.volunteering, method)(*args)
    with volunteering_db.connect() as conn:
        assert conn.execute(text("select coalesce(max(id), 0) from volunteering.outbox")).scalar() == before


def test_my_service_shows_a_cadre_their_households_teams_and_commitment_until_they_move_away(runner, volunteering_db):
    dispatch = event_dispatcher(runner)
    for member_id in (9201, 9202):
        dispatch("registration", "member_registration_accepted", accepted(member_id, A, member_id))
    wait_for(volunteering_db, "select count(*) from volunteering.members where member_id in (9201, 9202) and active", 2)
    staff = Caller(1, "staff.a", "community_staff", A)
    with proxy(runner, staff) as p:
        homes = [p.volunteering.add_household({"community_code": A, "head_name": f"户主{n}",
                                               "home_address": f"郑州市上街区测试路{n}号院", "phone": "13800000000"})
                 ["household_id"] for n in range(10)]
        p.volunteering.set_coverage({"community_code": A, "member_id": 9201, "household_ids": homes})
        led = p.volunteering.form_team({"community_code": A, "name": "我的服务测试队", "formation": "interest",
                                        "leader_member_id": 9202, "member_ids": [9202]})["team_id"]
        p.volunteering.form_team({"community_code": A, "name": "空队测试", "formation": "interest",
                                  "leader_member_id": 9201, "member_ids": [9201]})
    other_cadre = Caller(6, "m.9202", "member", "9202")
    with proxy(runner, other_cadre) as p:
        assert p.volunteering.my_service(9202, now().year)["households"] == []   # another cadre's households: none
    cadre = Caller(7, "m.9201", "member", "9201")
    with proxy(runner, cadre) as p:
        p.volunteering.record_visit(9201, {"household_id": homes[0], "visited_on": now().date().isoformat(), "kinds": ["讲政策"]})
        p.volunteering.commit(9201, {"year": now().year, "items": ["义诊"], "services": 4, "hours": 8, "mode": "每季度一次"})
        p.volunteering.join_team(9201, led)
        p.volunteering.leave_team(9201, led)
        mine = p.volunteering.my_service(9201, now().year)
        assert mine["active"] and mine["commitment"]["services"] == 4 and mine["commitment"]["services_done"] == 0
        teams = {t["name"]: t for t in mine["teams"]}
        assert (teams["我的服务测试队"]["joined"], teams["我的服务测试队"]["leads"], teams["我的服务测试队"]["members"]) == (False, False, 1)
        assert (teams["空队测试"]["joined"], teams["空队测试"]["leads"]) == (True, True)
        assert [h["household_id"] for h in mine["households"]][-1] == homes[0]   # the visited one last: the unvisited first
        assert {h["household_id"]: h["visits"] for h in mine["households"]}[homes[0]] == 1
        with pytest.raises(errors.Forbidden):
            p.volunteering.my_service(9202, now().year)   # another member's
    dispatch("registration", "member_transferred", {
        "event_id": str(uuid.uuid4()), "event_type": "member_transferred", "occurred_at": now().isoformat(),
        "district_code": A[:6], "street_code": A[:9], "community_code": A, "transfer_id": 1, "registration_id": 9201,
        "member_id": 9201, "reason": "address_changed", "new_community_code": None, "deadline": "2027-01-01"})
    wait_for(volunteering_db, "select active from volunteering.members where member_id = 9201", False)
    with proxy(runner, cadre) as p:
        moved = p.volunteering.my_service(9201, now().year)
    assert moved["active"] is False and moved["households"] == [] and moved["teams"] == []   # the old community's: none
