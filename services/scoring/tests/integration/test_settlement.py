"""A hand-checked community through a half year (S1–S6, I2–I4, §3.5–§3.6), against the real
RabbitMQ and PostgreSQL: volunteering's events become points; the half year is drafted, reviewed
and published; the board, the honour list and register D.1 are right to the point at the
boundaries (9/10, 99/100/105 points, June 30 23:30); a correction after publication becomes a
revision; a new rule version leaves a published period as it was (verify finds no difference);
the supermarket never spends points or stock that are not there."""
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import CONTEXT_KEY, Caller
from contracts.events import EXAMPLES, REGISTRATION, VOLUNTEERING
from scoring import domain, verify
from scoring.service import ScoringService
from toolkit.caller import SignedAtEachCall
from toolkit.config import now, today

pytestmark = pytest.mark.integration
PORT = 18108
A, B = "410106099001", "410106099002"  # a street the test city does not have
SCOPE_A = {"district_code": A[:6], "street_code": A[:9], "community_code": A}
H1 = "2026H1"
# member -> half-year points the community hand-checked, and the stars they must give (S5)
EXPECTED = {8101: (9, 0), 8102: (10, 1), 8103: (99, 9), 8104: (100, 10), 8105: (105, 10)}
# signed at each call, not at import: a signature lives for seconds (contracts.access.CONTEXT_TTL)
STAFF = SignedAtEachCall(Caller(21, "staff.a", "community_staff", A))
DISTRICT = SignedAtEachCall(Caller(22, "district", "district_officer", "410106"))
ADMIN = SignedAtEachCall(Caller(23, "admin", "city_admin", ""))


def as_member(member_id):
    return SignedAtEachCall(Caller(100 + member_id, f"m{member_id}", "member", str(member_id)))


@pytest.fixture(scope="module")
def runner(scoring_db, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}",
              "max_workers": 20}
    r = ServiceRunner(config)
    r.add_service(ScoringService)
    r.start()
    yield config
    r.stop()


def event(source, kind, **change):
    return {**EXAMPLES[(source, kind)], **SCOPE_A, "event_id": str(uuid.uuid4()), **change}


def services_for(total):
    """Service points (2..8 each, §3.5.2) adding up to `total`."""
    eights, rest = divmod(total, 8)
    points = [8] * eights + ([rest] if rest >= 2 else [])
    if rest == 1:
        points[-1:] = [7, 2]
    return points


def service(member_id, unit_id, points, served_until="2026-05-16T11:00:00+08:00"):
    return event(VOLUNTEERING, "service_completed", member_id=member_id, unit_id=unit_id, points=points,
                 adjustment=points - 5, served_until=served_until)


def wait_for(engine, sql, expected, params=None, seconds=20):
    deadline = time.time() + seconds
    while True:
        with engine.connect() as conn:
            value = conn.execute(text(sql), params or {}).scalar()
        if value == expected or time.time() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture(scope="module")
def city(runner, scoring_db):
    """Community A: five members at the boundaries, one served at 23:30 on June 30, one who
    reported and never served; unit 901's two projects; community B: one member."""
    dispatch = event_dispatcher(runner)
    dispatch("registration", "unit_registered", event(REGISTRATION, "unit_registered", unit_id=901,
                                                      unit_name="上街区人民医院"))
    for member_id, name in [(8101, "赵一"), (8102, "钱二"), (8103, "孙三"), (8104, "李四"), (8105, "周五"),
                            (8106, "吴六"), (8107, "郑七")]:
        dispatch("registration", "member_registration_accepted", event(
            REGISTRATION, "member_registration_accepted", member_id=member_id, member_name=name,
            unit_id=901 if member_id < 8106 else 902, red_account_no=f"RA-M-{member_id:08d}"))
    sent = 0
    for member_id, (total, _) in EXPECTED.items():
        for points in services_for(total):
            dispatch("volunteering", "service_completed", service(member_id, 901, points))
            sent += 1
    # June 30, 23:30 in Zhengzhou is the first half year; ten past midnight is the second
    dispatch("volunteering", "service_completed", service(8106, 902, 5, "2026-06-30T23:30:00+08:00"))
    dispatch("volunteering", "service_completed", service(8106, 902, 6, "2026-07-01T00:10:00+08:00"))
    for project_id, score in [(51, 27), (51, 28), (52, 10)]:
        dispatch("volunteering", "project_rated", event(VOLUNTEERING, "project_rated", project_id=project_id,
                                                        unit_id=901, score=score,
                                                        occurred_at="2026-06-20T10:00:00+08:00"))
    dispatch("volunteering", "service_completed", event(
        VOLUNTEERING, "service_completed", community_code=B, member_id=8201, unit_id=903, points=5, adjustment=0,
        served_until="2026-04-01T10:00:00+08:00"))
    total = sent + 2 + 3 + 1
    assert wait_for(scoring_db, "SELECT count(*) FROM scoring.ledger WHERE holder_id BETWEEN 51 AND 8201 "
                    "AND community_code LIKE '4101060990%'", total) == total
    assert wait_for(scoring_db, "SELECT count(*) FROM scoring.accounts WHERE holder_id BETWEEN 8101 AND 8107 "
                    "AND name IS NOT NULL", 7) == 7
    return runner


def test_a_half_year_is_drafted_reviewed_and_published(city, scoring_db):
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        drafted = p.scoring.draft_settlement(A, H1)["current"]
        assert drafted["status"] == "draft" and drafted["revision"] == 1 and drafted["rule_version"] == 1
        got = {m["holder_id"]: (m["points"], m["stars"]) for m in drafted["members"]}
        for member_id, (points, stars) in EXPECTED.items():
            assert got[member_id] == (Decimal(points), stars), member_id
        assert got[8106] == (Decimal(5), 0)   # June 30 23:30 is H1; July 1 00:10 is not
        assert got[8107] == (Decimal(0), 0)   # reported, never served: listed with 0 (D.1, feedback)
        assert {o["holder_id"]: (o["points"], o["stars"]) for o in drafted["organizations"]} == {
            901: (Decimal("37.5"), 3)}         # project 51: (27 + 28) / 2; project 52: 10 (§3.5.1)
        # nothing is on the board before the congress reviews and the community publishes
        assert p.scoring.board(A, H1)["items"] == []
        with pytest.raises(errors.InvalidState):
            p.scoring.publish_settlement(A, H1)
        with pytest.raises(errors.ValidationFailed) as refused:
            p.scoring.review_settlement(A, H1, {"congress_date": "2026-11-20", "attendees": 2, "minutes": "同意"})
        assert {f["field"] for f in refused.value.fields} == {"attendees", "minutes"}
        reviewed = p.scoring.review_settlement(A, H1, {"congress_date": today().isoformat(), "attendees": 35,
                                                       "minutes": "党员群众代表大会审议通过上半年积分评星结果"})
        assert reviewed["current"]["status"] == "reviewed"
        published = p.scoring.publish_settlement(A, H1)["current"]
        assert published["status"] == "published"

        board = p.scoring.board(A, H1)
        assert [(r["member_id"], r["rank"], r["points"], r["stars"]) for r in board["items"][:5]] == [
            (8105, 1, Decimal(105), 10), (8104, 2, Decimal(100), 10), (8103, 3, Decimal(99), 9),
            (8102, 4, Decimal(10), 1), (8101, 5, Decimal(9), 0)]
        assert p.scoring.board("410106", H1, "unit")["items"][0]["unit_id"] == 901
        assert [m["member_id"] for m in p.scoring.honour_list("410106", H1)["items"] if m["community_code"] == A] == [
            8105, 8104]                        # ten stars: flowers and a certificate (§3.6.2)

        d1 = p.scoring.register_d1(A, 8106, H1)
        assert [(line["served_at"].strftime("%m-%d %H:%M"), line["points"]) for line in d1["lines"]] == [("06-30 23:30", 5)]
        assert d1["half_year_points"] == Decimal(5) and d1["status"].startswith("已公布")
        assert d1["member"]["name"] == "吴六"

    with scoring_db.connect() as conn:
        feedback = conn.execute(text("SELECT payload FROM scoring.outbox WHERE event_type = 'unit_points_published' "
                                     "AND payload->>'community_code' = :c"), {"c": A}).scalars().all()
    by_unit = {f["unit_id"]: f for f in feedback}
    assert set(by_unit) == {901, 902}
    assert by_unit[901]["organization"] == {"points": "37.5", "stars": 3}
    assert {m["member_id"]: m["stars"] for m in by_unit[901]["members"]} == {m: s for m, (_, s) in EXPECTED.items()}


def test_a_published_half_year_changes_only_by_a_revision(city, scoring_db):
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        entry = p.scoring.community_member_points(A, 8101, H1)["entries"][0]
        p.scoring.correct(A, entry["id"], {"points": 1, "reason": "补记遗漏的服务时长"})
        assert p.scoring.board(A, H1)["items"][4]["points"] == Decimal(9)   # the board is what was published
        with pytest.raises(errors.InvalidState) as refused:
            p.scoring.draft_settlement(A, H1)
        assert refused.value.code == "settlement_published"
        revised = p.scoring.revise_settlement(A, H1, {"reason": "补记赵一遗漏的服务积分"})["current"]
        assert (revised["revision"], revised["status"], revised["reason"]) == (2, "draft", "补记赵一遗漏的服务积分")
        assert {m["holder_id"]: m["stars"] for m in revised["members"]}[8101] == 1
        p.scoring.review_settlement(A, H1, {"congress_date": today().isoformat(), "attendees": 30,
                                            "minutes": "审议通过修订版"})
        p.scoring.publish_settlement(A, H1)
        row = next(r for r in p.scoring.board(A, H1)["items"] if r["member_id"] == 8101)
        assert (row["points"], row["stars"], row["revision"]) == (Decimal(10), 1, 2)
        statuses = [r["status"] for r in p.scoring.get_settlement(A, H1)["revisions"]]
        assert statuses == ["published", "superseded"]
    with pytest.raises(Exception, match="published"):
        with scoring_db.begin() as conn:
            conn.execute(text("UPDATE scoring.settlement_lists SET stars = array_fill(10, ARRAY[cardinality(stars)]) "
                              "FROM scoring.settlements s WHERE s.id = settlement_id AND s.community_code = :c"), {"c": A})
    with pytest.raises(Exception, match="published"):  # nor what it counted, even on its way to superseded
        with scoring_db.begin() as conn:
            conn.execute(text("UPDATE scoring.settlements SET status = 'superseded', ledger_snapshot = pg_current_snapshot() "
                              "WHERE community_code = :c AND status = 'published'"), {"c": A})


def free_half_year(conn):
    """The first half year a new version may take (test_rules.py may have published one)."""
    latest = max(filter(None, [domain.period_of(now()),
                               conn.execute(text("SELECT max(effective_from) FROM scoring.rule_versions")).scalar(),
                               conn.execute(text("SELECT max(period) FROM scoring.periods")).scalar()]))
    return domain.next_period(latest)


def test_a_rule_change_leaves_a_published_period_as_it_was(city, scoring_db):
    """S7: the city publishes a version in force from a half year to come. H1, settled and
    published under version 1, keeps its board, honour list and certificate, recomputes to the
    same numbers (verify: no difference), and its revisions still score under version 1; the half
    year the new version is in force for takes its services and its stars by it."""
    with scoring_db.connect() as conn:
        later = free_half_year(conn)
    with ClusterRpcProxy(city, context_data=ADMIN) as p:
        v2 = p.scoring.publish_rules({
            "base_points": 6, "max_adjustment": 3, "override_min": 0, "override_max": 12, "merit_min": 1,
            "merit_max": 20, "max_project_score": 30, "points_per_star": 3, "max_stars": 12,
            "effective_from": later, "reason": "测试：基础分6分，每3分一星，最高12星"})["rule_version"]
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        before = p.scoring.board(A, H1)
        # ten stars were the most under H1's rules: its honour list stands though the new allows twelve
        assert {8104, 8105} <= {m["member_id"] for m in p.scoring.honour_list(A, H1)["items"]}
        assert p.scoring.honour_certificate(A, 8105, H1)["stars"] == 10
        found, checked = verify.verify(scoring_db, area=A, progress=False)
        assert found == [] and checked == 2
        assert {m["holder_id"]: m["stars"] for m in p.scoring.get_settlement(A, H1)["current"]["members"]}[8103] == 9
        # ...a correction and a revision of H1 still score under H1's rules (v1)...
        entry = p.scoring.community_member_points(A, 8102, H1)["entries"][0]
        p.scoring.correct(A, entry["id"], {"points": 1, "reason": "补记服务时长"})
        revised = p.scoring.revise_settlement(A, H1, {"reason": "补记钱二的积分"})["current"]
        assert revised["rule_version"] == 1
        assert {m["holder_id"]: m["stars"] for m in revised["members"]}[8102] == 1   # 11 points: 1 star under v1
        assert p.scoring.board(A, H1) == before                                       # not published: unchanged

        # ...while the half year the new version is in force for follows it: 6 base points (5 + 0
        # is no longer right and is not entered), 3 points a star
        served = (domain.period_start(later) + timedelta(days=10)).isoformat()
        follows = event(VOLUNTEERING, "service_completed", member_id=8106, unit_id=902, points=6, base_points=6,
                        adjustment=0, served_until=served)
        old_numbers = event(VOLUNTEERING, "service_completed", member_id=8106, unit_id=902, points=5,
                            base_points=5, adjustment=0, served_until=served)
        dispatch = event_dispatcher(city)
        for e in (old_numbers, follows):
            dispatch("volunteering", "service_completed", e)
        assert wait_for(scoring_db, "SELECT count(*) FROM scoring.inbox WHERE event_id = ANY(CAST(:ids AS uuid[]))", 2,
                        {"ids": [old_numbers["event_id"], follows["event_id"]]}) == 2
        with scoring_db.connect() as conn:
            assert conn.execute(text("SELECT points, rule_version FROM scoring.ledger WHERE period = :p "
                                     "AND holder_id = 8106"), {"p": later}).all() == [(6, v2)]
        drafted = p.scoring.draft_settlement(A, later)["current"]
        assert drafted["rule_version"] == v2
        assert {m["holder_id"]: m["stars"] for m in drafted["members"]}[8106] == 2     # 6 points, 3 a star
    found, _ = verify.verify(scoring_db, area=A, progress=False)
    assert found == []
    # the draft of a half year to come goes (its entries stay, counted when it is settled)
    with scoring_db.begin() as conn:
        conn.execute(text("DELETE FROM scoring.settlement_lists USING scoring.settlements s "
                          "WHERE s.id = settlement_id AND s.period = :p"), {"p": later})
        conn.execute(text("DELETE FROM scoring.settlements WHERE period = :p"), {"p": later})
        conn.execute(text("DELETE FROM scoring.periods WHERE period = :p"), {"p": later})


def test_verify_finds_a_balance_that_differs_from_the_ledger(city, scoring_db):
    found, _ = verify.verify(scoring_db, progress=False)
    assert found == []
    with scoring_db.begin() as conn:
        conn.execute(text("UPDATE scoring.accounts SET earned = earned + 1 WHERE holder_id = 8107"))
    try:
        found, _ = verify.verify(scoring_db, progress=False)
        assert [(what, d["holder_id"], d["earned"], d["ledger_earned"]) for what, d in found] == [
            ("balance", 8107, 1, 0)]
    finally:
        with scoring_db.begin() as conn:
            conn.execute(text("UPDATE scoring.accounts SET earned = earned - 1 WHERE holder_id = 8107"))


def test_a_run_settles_every_community_of_the_district_and_skips_the_published(city, scoring_db):
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        if p.scoring.get_settlement(A, H1)["current"]["status"] == "draft":   # the revision the test before left
            p.scoring.review_settlement(A, H1, {"congress_date": today().isoformat(), "attendees": 30,
                                                "minutes": "审议通过修订版"})
            p.scoring.publish_settlement(A, H1)
    with ClusterRpcProxy(city, context_data=DISTRICT) as p:
        run = p.scoring.start_settlement("410106", H1)
        assert run["total"] >= 2
        deadline = time.time() + 20
        while not run["done"] and time.time() < deadline:
            time.sleep(0.2)
            run = p.scoring.settlement_run(run["run_id"])
        assert run["done"], run
        assert {s["community_code"] for s in run["skipped_communities"]} >= {A}
        b = p.scoring.get_settlement(B, H1)["current"]
        assert b["status"] == "draft" and [(m["holder_id"], m["points"]) for m in b["members"]] == [(8201, 5)]
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        with pytest.raises(errors.Forbidden):
            p.scoring.start_settlement("410106", H1)      # a community's staff settle their own only


def test_twenty_concurrent_redemptions_against_a_balance_for_three(city, scoring_db):
    """I3 (§3.6.3): 8104 has 100 points; at 30 points each, exactly 3 of 20 at once succeed."""
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        haircut = p.scoring.add_goods({"community_code": A, "name": "理发服务券", "kind": "service",
                                       "price_points": 30, "stock": 50})
        towel = p.scoring.add_goods({"community_code": A, "name": "毛巾", "kind": "goods", "price_points": 1,
                                     "stock": 2})

    def redeem(member_id, goods_id):
        with ClusterRpcProxy(city, context_data=as_member(member_id)) as p:
            try:
                return p.scoring.redeem(member_id, {"goods_id": goods_id})["id"]
            except errors.Conflict as refused:
                return refused.code

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(lambda _: redeem(8104, haircut["id"]), range(20)))
    assert sum(isinstance(o, int) for o in outcomes) == 3
    assert outcomes.count("balance_insufficient") == 17
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: redeem(8105, towel["id"]), range(8)))
    assert sum(isinstance(o, int) for o in outcomes) == 2 and outcomes.count("out_of_stock") == 6

    with ClusterRpcProxy(city, context_data=as_member(8104)) as p:
        mine = p.scoring.my_redemptions(8104)
        assert mine["balance"]["balance"] == 10 and len(mine["items"]) == 3
    with ClusterRpcProxy(city, context_data=STAFF) as p:
        assert next(g for g in p.scoring.catalog(A) if g["id"] == haircut["id"])["stock"] == 47
        cancelled = p.scoring.cancel_redemption(A, mine["items"][0]["id"], {"reason": "党员未到场领取"})
        assert cancelled["status"] == "cancelled"
        with pytest.raises(errors.InvalidState):
            p.scoring.cancel_redemption(A, mine["items"][0]["id"], {"reason": "党员未到场领取"})
        assert next(g for g in p.scoring.catalog(A) if g["id"] == haircut["id"])["stock"] == 48
        # spending never moves a published star rating
        assert next(r for r in p.scoring.board(A, H1)["items"] if r["member_id"] == 8104)["stars"] == 10
    with ClusterRpcProxy(city, context_data=as_member(8104)) as p:
        assert p.scoring.my_catalog(8104)["balance"]["balance"] == 40
        with pytest.raises(errors.Forbidden):
            p.scoring.redeem(8105, {"goods_id": haircut["id"]})
    found, _ = verify.verify(scoring_db, progress=False)
    assert found == []


def test_verify_reads_a_red_account_opened_after_the_draft_as_no_difference(city, scoring_db):
    dispatch = event_dispatcher(city)
    dispatch("registration", "member_registration_accepted", event(
        REGISTRATION, "member_registration_accepted", community_code=B, member_id=8299, member_name="新来的",
        unit_id=903, red_account_no="RA-M-00008299"))
    assert wait_for(scoring_db, "SELECT count(*) FROM scoring.accounts WHERE holder_id = 8299", 1) == 1
    found, _ = verify.verify(scoring_db, area=B, progress=False)
    assert found == []


def rpc_calls():
    """Every RPC method of the service, with arguments that would be valid for a caller of A."""
    return {
        "member_points": (8101, H1), "community_member_points": (A, 8101, H1),
        "record_merit": ({"community_code": A, "member_id": 8101, "category": "见义勇为", "reason": "救起落水儿童一名",
                          "points": 5, "occurred_on": "2026-05-01"},),
        "correct": (A, 1, {"points": 1, "reason": "补记服务时长"}),
        "draft_settlement": (A, H1), "get_settlement": (A, H1), "publish_settlement": (A, H1),
        "review_settlement": (A, H1, {"congress_date": "2026-11-20", "attendees": 30, "minutes": "审议通过本期结果"}),
        "revise_settlement": (A, H1, {"reason": "补记遗漏的积分"}),
        "start_settlement": ("410106", H1), "settlement_run": (1,),
        "board": (A, H1), "honour_list": (A, H1), "honour_certificate": (A, 8105, H1),
        "public_board": (A, H1), "public_honour_list": (A, H1),
        "award_candidates": ("410106", H1), "assessment": (A, H1),
        "register_d1": (A, 8101, H1), "my_register_d1": (8101, H1),
        "community_registers_d1": (A, H1),
        "add_goods": ({"community_code": A, "name": "毛巾", "kind": "goods", "price_points": 1, "stock": 1},),
        "update_goods": (A, 1, {"stock": 2}), "catalog": (A,), "my_catalog": (8101,),
        "redeem": (8101, {"goods_id": 1}), "redeem_for": (A, 8101, {"goods_id": 1}),
        "cancel_redemption": (A, 1, {"reason": "测试撤销"}),
        "redemptions": (A,), "my_redemptions": (8101,),
        "rule_versions": (),
        "ledger_entry": (1,),
        "compensate": ({"community_code": A, "objection_id": 1, "member_id": 8101, "entry_id": None, "period": H1,
                        "points": 1, "reason": "测试补记"},),
        "publish_rules": ({"base_points": 5, "max_adjustment": 3, "override_min": 0, "override_max": 10,
                           "merit_min": 1, "merit_max": 20, "max_project_score": 30, "points_per_star": 10,
                           "max_stars": 10, "effective_from": "2099H2", "reason": "一字未改的新版本"},),
    }


def test_an_entry_that_commits_after_the_draft_with_a_lower_id_makes_the_draft_stale(city, scoring_db):
    """Two processes enter events at once: an entry can take its id before another and commit after
    it. A draft counts the entries up to the highest id it saw; the one still in flight, lower, is
    not among them and must not slip past the congress unnoticed (§3.5.4)."""
    from scoring import handlers
    c = "410106099003"
    staff = SignedAtEachCall(Caller(23, "staff.c", "community_staff", c))
    scope = {"district_code": c[:6], "street_code": c[:9], "community_code": c}

    def enter(conn, member_id, points):
        handlers.service_completed(conn, {**service(member_id, 904, points), **scope})

    with scoring_db.begin() as conn:
        enter(conn, 8301, 5)
    in_flight = scoring_db.connect()
    transaction = in_flight.begin()
    enter(in_flight, 8302, 7)          # its id is taken now; it commits only after the draft
    with scoring_db.begin() as conn:
        enter(conn, 8301, 3)           # a higher id, committed at once
    try:
        with ClusterRpcProxy(city, context_data=staff) as p:
            drafted = p.scoring.draft_settlement(c, H1)["current"]
            assert {m["holder_id"]: m["points"] for m in drafted["members"]} == {8301: Decimal(8)}
            transaction.commit()
            assert p.scoring.get_settlement(c, H1)["current"]["late_entries"] == 1
            # the books: a stale draft, to be drafted again, not a wrong one
            found, _ = verify.verify(scoring_db, area=c, progress=False)
            assert {(what, d["holder_id"], d["kept_points"], d["ledger_points"], d["late_entries"])
                    for what, d in found} == {("stale", 8302, None, Decimal(7), 1)}
            with pytest.raises(errors.Conflict) as stale:
                p.scoring.review_settlement(c, H1, {"congress_date": today().isoformat(), "attendees": 30,
                                                    "minutes": "审议上半年积分评星结果"})
            assert stale.value.code == "settlement_stale"
            redrafted = p.scoring.draft_settlement(c, H1)["current"]
            assert {m["holder_id"]: m["points"] for m in redrafted["members"]} == {8301: Decimal(8), 8302: Decimal(7)}
            assert redrafted["late_entries"] == 0
    finally:
        if transaction.is_active:
            transaction.rollback()
        in_flight.close()


def test_the_table_names_every_rpc_method():
    from nameko.rpc import Rpc
    methods = {name for name, fn in vars(ScoringService).items()
               if any(isinstance(e, Rpc) for e in getattr(fn, "nameko_entrypoints", ()))}
    assert methods == set(rpc_calls()), methods ^ set(rpc_calls())


def forged_city_admin():
    """A city administrator's context as someone without the secret could make it: the old unsigned
    form, or signed with a secret of their own."""
    import hashlib
    import hmac
    body = f"{int(time.time())}|1|city_admin||root"
    return [f"{int(time.time())}|1|city_admin||root",
            hmac.new(b"not-the-platform-secret", body.encode(), hashlib.sha256).hexdigest() + "|" + body]


@pytest.mark.parametrize("context", [None] + forged_city_admin(), ids=["none", "unsigned", "other-secret"])
def test_a_message_without_a_caller_gets_nothing_from_any_method(city, scoring_db, context):
    with scoring_db.connect() as conn:
        before = conn.execute(text("SELECT (SELECT count(*) FROM scoring.ledger), (SELECT count(*) FROM scoring.outbox)")).one()
    with ClusterRpcProxy(city, context_data={CONTEXT_KEY: context} if context else None) as p:
        for method, args in rpc_calls().items():
            with pytest.raises(errors.Forbidden) as refused:
                getattr(p.scoring, method)(*args)
            assert refused.value.code == "no_caller", method
    with scoring_db.connect() as conn:
        after = conn.execute(text("SELECT (SELECT count(*) FROM scoring.ledger), (SELECT count(*) FROM scoring.outbox)")).one()
    assert after == before
