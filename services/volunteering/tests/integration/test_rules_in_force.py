"""The scoring rules in force (S7), as the volunteering service applies them, against the real
RabbitMQ and PostgreSQL: it keeps each version the scoring service announces (once, however
often it arrives), and assesses a service by the version in force for the half year the service
counts in, version 1's numbers until it has heard of another; a refusal names that version's
numbers."""
import time
import uuid
from datetime import datetime, timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import Caller
from contracts.events import EXAMPLES, SCORING
from toolkit.caller import SignedAtEachCall
from toolkit.config import CITY_TZ, now
from volunteering.service import VolunteeringService

pytestmark = pytest.mark.integration
PORT = 18111
A = "410106001002"
STAFF = SignedAtEachCall(Caller(31, "staff.rules", "community_staff", A))
NOW_SERVED, LATER_SERVED = 9401, 9402


@pytest.fixture(scope="module")
def runner(volunteering_db, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}"}
    r = ServiceRunner(config)
    r.add_service(VolunteeringService)
    r.start()
    yield config
    r.stop()


def wait_for(engine, sql, expected, **params):
    deadline = time.time() + 15
    while time.time() < deadline:
        with engine.connect() as conn:
            got = conn.execute(text(sql), params).scalar()
        if got == expected:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{sql}: {got!r}, expected {expected!r}")


# a half year far ahead, for the service "served" in it: the scoring tests of the session may
# have announced versions for the next ones, which this service may have heard of already
LATER, LATER_AT = "2090H1", datetime(2090, 1, 11, 10, tzinfo=CITY_TZ)


@pytest.fixture(scope="module")
def served(runner, volunteering_db):
    """An activity of community A: one member served now, one (as the signups say) in 2090, both
    checked in and out, neither assessed."""
    dispatch = event_dispatcher(runner)
    for member_id in (NOW_SERVED, LATER_SERVED):
        dispatch("registration", "member_registration_accepted", {
            "event_id": str(uuid.uuid4()), "event_type": "member_registration_accepted",
            "occurred_at": now().isoformat(), "district_code": A[:6], "street_code": A[:9], "community_code": A,
            "registration_id": member_id, "certificate_no": "x", "member_id": member_id, "unit_id": 7,
            "year": now().year, "red_account_no": f"RA-M-{member_id}", "accepted_by": "李娜",
            "member_name": f"党员{member_id}", "skills": [], "service_intentions": ["助老服务", "政策宣讲"]})
    wait_for(volunteering_db, "select count(*) from volunteering.members where member_id in (:a, :b) and active", 2,
             a=NOW_SERVED, b=LATER_SERVED)
    starts = now() - timedelta(minutes=5)
    with ClusterRpcProxy(runner, context_data=STAFF) as p:
        activity = p.volunteering.announce_activity({
            "community_code": A, "kind": "regular", "title": "义务理发", "content": "为老人理发", "place": "活动室",
            "contact": "李娜", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 5})["activity_id"]
    for member_id in (NOW_SERVED, LATER_SERVED):
        with ClusterRpcProxy(runner, context_data=SignedAtEachCall(Caller(member_id, "m", "member", str(member_id)))) as p:
            p.volunteering.sign_up(member_id, activity)
    with volunteering_db.begin() as conn:
        for member_id, at in ((NOW_SERVED, now()), (LATER_SERVED, LATER_AT)):
            conn.execute(text("update volunteering.signups set checked_in_at = :a, checked_out_at = :b "
                              "where activity_id = :i and member_id = :m"),
                         {"a": at - timedelta(hours=1), "b": at, "i": activity, "m": member_id})
    return activity


def test_a_version_heard_of_applies_from_its_half_year_and_a_refusal_names_the_numbers(runner, served,
                                                                                        volunteering_db):
    with ClusterRpcProxy(runner, context_data=STAFF) as p:
        # no version can be in force for a half year that has begun but version 1 (5 ± 3)
        with pytest.raises(errors.ValidationFailed) as refused:
            p.volunteering.assess(A, served, {"participants": [{"member_id": NOW_SERVED, "adjustment": 4}]})
        assert [(f["field"], f["code"], f["rule"]) for f in refused.value.fields] == [
            ("participants.0.adjustment", "adjustment_out_of_range", "§3.5.2")]
        assert "-3 到 +3" in refused.value.fields[0]["message"] and "第 1 版" in refused.value.fields[0]["message"]

        announced = {**EXAMPLES[(SCORING, "rule_version_published")], "event_id": str(uuid.uuid4()),
                     "rule_version": 90, "effective_from": LATER, "base_points": 6, "max_adjustment": 4,
                     "override_max": 12}
        dispatch = event_dispatcher(runner)
        dispatch("scoring", "rule_version_published", announced)
        dispatch("scoring", "rule_version_published", announced)                  # a redelivery
        wait_for(volunteering_db, "select count(*) from volunteering.rule_versions where version = 90", 1)
        time.sleep(0.3)
        with volunteering_db.connect() as conn:
            assert conn.execute(text("select count(*) from volunteering.inbox where event_id = :e"),
                                {"e": announced["event_id"]}).scalar() == 1

        # the service now is still under version 1; the one in 2090 under version 90
        with pytest.raises(errors.ValidationFailed) as refused:
            p.volunteering.assess(A, served, {"participants": [{"member_id": NOW_SERVED, "adjustment": 4},
                                                                {"member_id": LATER_SERVED, "adjustment": 4}]})
        assert [f["field"] for f in refused.value.fields] == ["participants.0.adjustment"]
        with pytest.raises(errors.ValidationFailed) as refused:
            p.volunteering.assess(A, served, {"participants": [{"member_id": LATER_SERVED, "adjustment": 5}]})
        message = refused.value.fields[0]["message"]
        assert "-4 到 +4" in message and "第 90 版" in message and "基础分6分" in message and "2–10分" in message

        done = p.volunteering.assess(A, served, {"participants": [
            {"member_id": NOW_SERVED, "adjustment": 3}, {"member_id": LATER_SERVED, "adjustment": 4}]})
        assert {a["member_id"]: a["points"] for a in done["assessed"]} == {NOW_SERVED: 8, LATER_SERVED: 10}
    with volunteering_db.connect() as conn:
        events = conn.execute(text("select payload from volunteering.outbox where event_type = 'service_completed' "
                                   "and (payload->>'activity_id')::bigint = :i"), {"i": served}).scalars().all()
    assert {e["member_id"]: (e["base_points"], e["adjustment"], e["points"]) for e in events} == {
        NOW_SERVED: (5, 3, 8), LATER_SERVED: (6, 4, 10)}
