"""The scoring service's ledger against the real RabbitMQ and PostgreSQL: volunteering's events
become entries once each, however often they arrive, and history cannot be edited."""
import time
import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import Caller
from contracts.events import EXAMPLES, REGISTRATION, VOLUNTEERING
from scoring.service import ScoringService
from toolkit.caller import SignedAtEachCall

pytestmark = pytest.mark.integration
PORT = 18107


@pytest.fixture(scope="module")
def runner(scoring_db, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}"}
    r = ServiceRunner(config)
    r.add_service(ScoringService)
    r.start()
    yield config
    r.stop()


def completed(member_id, **change):
    event = dict(EXAMPLES[(VOLUNTEERING, "service_completed")], event_id=str(uuid.uuid4()), member_id=member_id)
    event.update(change)
    return event


def entries(engine, member_id):
    with engine.connect() as conn:
        return conn.execute(text("select count(*), coalesce(sum(points), 0) from scoring.ledger "
                                 "where holder_kind = 'member' and holder_id = :m"), {"m": member_id}).one()


def wait_entries(engine, member_id, count):
    deadline = time.time() + 15
    while time.time() < deadline and entries(engine, member_id)[0] < count:
        time.sleep(0.1)
    return entries(engine, member_id)


def test_an_event_is_entered_once_however_often_it_arrives(runner, scoring_db):
    dispatch = event_dispatcher(runner)
    first = completed(7001, points=7, adjustment=2)
    for _ in range(3):  # a redelivery, a duplicate from a second relay...
        dispatch("volunteering", "service_completed", first)
    dispatch("volunteering", "service_completed", completed(7001, points=4, adjustment=-1))
    assert wait_entries(scoring_db, 7001, 2) == (2, 11)
    time.sleep(0.5)
    assert entries(scoring_db, 7001) == (2, 11)


def test_points_that_break_the_rules_are_not_entered(runner, scoring_db):
    dispatch = event_dispatcher(runner)
    dispatch("volunteering", "service_completed", completed(7002, points=9, adjustment=4))   # +4: §3.5.2
    dispatch("volunteering", "service_completed", completed(7002, points=5, adjustment=0))
    assert wait_entries(scoring_db, 7002, 1) == (1, 5)
    time.sleep(0.5)
    assert entries(scoring_db, 7002) == (1, 5)


def test_the_ledger_is_append_only(scoring_db, runner):
    for sql in ("UPDATE scoring.ledger SET points = 100", "DELETE FROM scoring.ledger"):
        with pytest.raises(Exception, match="append-only"):
            with scoring_db.begin() as conn:
                conn.execute(text(sql))


def test_a_member_sees_their_points_and_stars_and_no_one_elses(runner, scoring_db):
    dispatch = event_dispatcher(runner)
    for _ in range(2):
        dispatch("volunteering", "service_completed", completed(7003, points=8, adjustment=3))
    wait_entries(scoring_db, 7003, 2)
    with ClusterRpcProxy(runner, context_data=SignedAtEachCall(Caller(9, "m", "member", "7003"))) as p:
        mine = p.scoring.member_points(7003, "2026H2")
        assert mine["points"] == 16 and mine["stars"] == 1 and len(mine["entries"]) == 2
        with pytest.raises(errors.Forbidden):
            p.scoring.member_points(7001, "2026H2")


def open_account(runner, scoring_db, member_id, community):
    """The red account registration opens when a community accepts a member (§4.3.2)."""
    event = dict(EXAMPLES[(REGISTRATION, "red_account_opened")], event_id=str(uuid.uuid4()), holder_kind="member",
                 holder_id=member_id, account_no=f"RA-M-{member_id:08d}", community_code=community,
                 street_code=community[:9], district_code=community[:6])
    event_dispatcher(runner)("registration", "red_account_opened", event)
    deadline = time.time() + 15
    while time.time() < deadline:
        with scoring_db.connect() as conn:
            if conn.execute(text("select 1 from scoring.accounts where holder_kind = 'member' and holder_id = :m"),
                            {"m": member_id}).scalar():
                return
        time.sleep(0.1)
    raise AssertionError(f"no red account for {member_id}")


def test_merit_entries_and_corrections_are_new_entries(runner, scoring_db):
    a, b = "410106001001", "410102001001"
    staff = SignedAtEachCall(Caller(11, "staff.a", "community_staff", a))
    stranger = SignedAtEachCall(Caller(12, "staff.b", "community_staff", b))
    merit = {"community_code": a, "member_id": 7004, "category": "见义勇为", "reason": "救起落水儿童一名",
             "points": 12, "occurred_on": "2026-11-01"}
    with ClusterRpcProxy(runner, context_data=staff) as p:
        # scoring knows its holders: no red account in this community, no entry (§4.3.2)
        with pytest.raises(errors.NotFound, match="党员 7004 不存在"):
            p.scoring.record_merit(merit)
        open_account(runner, scoring_db, 7005, b)
        with pytest.raises(errors.NotFound, match="党员 7005 不存在"):
            p.scoring.record_merit(dict(merit, member_id=7005))
    open_account(runner, scoring_db, 7004, a)
    assert entries(scoring_db, 7004) == (0, 0) and entries(scoring_db, 7005) == (0, 0)
    accepted = dict(EXAMPLES[(REGISTRATION, "member_registration_accepted")], event_id=str(uuid.uuid4()),
                    member_id=7004, unit_id=77, community_code=a, street_code=a[:9], district_code=a[:6])
    event_dispatcher(runner)("registration", "member_registration_accepted", accepted)
    deadline = time.time() + 15
    while time.time() < deadline:
        with scoring_db.connect() as conn:
            if conn.execute(text("select unit_id from scoring.accounts where holder_kind = 'member' "
                                 "and holder_id = 7004")).scalar() == 77:
                break
        time.sleep(0.1)
    with ClusterRpcProxy(runner, context_data=staff) as p:
        # the entry counts for the member's own unit (§5.4.1): another is refused, naming the field
        with pytest.raises(errors.ValidationFailed) as refused:
            p.scoring.record_merit(dict(merit, unit_id=78))
        assert refused.value.fields[0]["field"] == "unit_id" and refused.value.fields[0]["rule"] == "§5.4.1"
        assert entries(scoring_db, 7004) == (0, 0)
        entry = p.scoring.record_merit(merit)
        assert entry["period"] == "2026H2" and entry["points"] == 12
        with pytest.raises(errors.ValidationFailed) as refused:
            p.scoring.record_merit(dict(merit, points=21))
        assert refused.value.fields[0]["rule"] == "§3.5.3"
        fix = p.scoring.correct(a, entry["entry_id"], {"points": -4, "reason": "加分标准适用有误"})
        assert fix["corrects_entry_id"] == entry["entry_id"]
        with pytest.raises(errors.ValidationFailed) as refused:  # a correction is not corrected in turn
            p.scoring.correct(a, fix["entry_id"], {"points": 1, "reason": "更正的更正不予记入"})
        assert refused.value.fields[0]["field"] == "entry_id"
        points = p.scoring.community_member_points(a, 7004, "2026H2")
        assert points["points"] == 8 and points["stars"] == 0
        assert [e["points"] for e in points["entries"]] == [12, -4]  # history kept, the correction beside it
    with ClusterRpcProxy(runner, context_data=stranger) as p:
        with pytest.raises(errors.Forbidden):
            p.scoring.record_merit(merit)
        with pytest.raises(errors.Forbidden):
            p.scoring.correct(a, entry["entry_id"], {"points": -4, "reason": "加分标准适用有误"})
        with pytest.raises(errors.NotFound):  # their own community's path, another's entry
            p.scoring.correct(b, entry["entry_id"], {"points": -4, "reason": "加分标准适用有误"})
    # the member transfers to b (their red account moves): a keeps what its ledger holds of them,
    # and writes no more for them
    moved = dict(accepted, event_id=str(uuid.uuid4()), community_code=b, street_code=b[:9], district_code=b[:6])
    event_dispatcher(runner)("registration", "member_registration_accepted", moved)
    deadline = time.time() + 15
    while time.time() < deadline:
        with scoring_db.connect() as conn:
            if conn.execute(text("select community_code from scoring.accounts where holder_kind = 'member' "
                                 "and holder_id = 7004")).scalar() == b:
                break
        time.sleep(0.1)
    with ClusterRpcProxy(runner, context_data=staff) as p:
        assert p.scoring.community_member_points(a, 7004, "2026H2")["points"] == 8
        with pytest.raises(errors.NotFound, match="党员 7004 不存在"):
            p.scoring.record_merit(merit)


def test_an_older_acceptance_arriving_late_does_not_move_the_account_back(runner, scoring_db):
    """A member transferred from a to b and accepted again (R7): whatever order the events come
    in, the account stays in b, with b's unit."""
    a, b = "410106001001", "410102001001"

    def accepted(registration_id, community, unit_id):
        return dict(EXAMPLES[(REGISTRATION, "member_registration_accepted")], event_id=str(uuid.uuid4()),
                    member_id=7301, registration_id=registration_id, unit_id=unit_id, community_code=community,
                    street_code=community[:9], district_code=community[:6])

    def place():
        with scoring_db.connect() as conn:
            return conn.execute(text("select community_code, unit_id, registration_id from scoring.accounts "
                                     "where holder_kind = 'member' and holder_id = 7301")).first()

    dispatch = event_dispatcher(runner)
    dispatch("registration", "member_registration_accepted", accepted(902, b, 88))   # the newer first
    deadline = time.time() + 15
    while place() is None and time.time() < deadline:
        time.sleep(0.1)
    assert tuple(place()) == (b, 88, 902)
    dispatch("registration", "member_registration_accepted", accepted(901, a, 77))   # the older, late
    late_opening = dict(EXAMPLES[(REGISTRATION, "red_account_opened")], event_id=str(uuid.uuid4()), holder_kind="member",
                        holder_id=7301, account_no="RA-M-00007301", community_code=a, street_code=a[:9],
                        district_code=a[:6])
    dispatch("registration", "red_account_opened", late_opening)
    deadline = time.time() + 15
    while time.time() < deadline:
        with scoring_db.connect() as conn:
            if conn.execute(text("select account_no from scoring.accounts where holder_kind = 'member' "
                                 "and holder_id = 7301")).scalar() == "RA-M-00007301":
                break
        time.sleep(0.1)
    time.sleep(0.5)   # the older acceptance handled too (events of one queue come in order)
    assert tuple(place()) == (b, 88, 902)
    dispatch("registration", "member_registration_accepted", accepted(903, a, 77))   # a later move: taken
    deadline = time.time() + 15
    while tuple(place()) != (a, 77, 903) and time.time() < deadline:
        time.sleep(0.1)
    assert tuple(place()) == (a, 77, 903)
