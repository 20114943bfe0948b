"""The scoring rules as data (S7) against the real RabbitMQ and PostgreSQL: migration 0006 seeds
version 1 with the numbers the code knew; a version is never edited; only the city's
administrator publishes one, in force from a half year that has not begun and after every other,
announced through the outbox; every signed-in account reads them. (test_settlement.py shows a
published half year unchanged by a new version.)"""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import text

from contracts import errors
from contracts.access import CITY_AREA, Caller
from contracts.events import validate_event
from scoring import domain
from scoring.service import ScoringService
from toolkit.caller import SignedAtEachCall
from toolkit.config import now

pytestmark = pytest.mark.integration
PORT = 18109
ADMIN = SignedAtEachCall(Caller(1, "admin", "city_admin", ""))
OTHERS = {"community_staff": SignedAtEachCall(Caller(2, "staff.a", "community_staff", "410106099001")),
          "district_officer": SignedAtEachCall(Caller(3, "district", "district_officer", "410106")),
          "member": SignedAtEachCall(Caller(4, "m9", "member", "9")),
          "nobody": SignedAtEachCall(None)}


@pytest.fixture(scope="module")
def runner(scoring_db, database_url, amqp):
    from nameko.runners import ServiceRunner
    config = {"AMQP_URI": amqp, "DATABASE_URL": database_url, "WEB_SERVER_ADDRESS": f"127.0.0.1:{PORT}"}
    r = ServiceRunner(config)
    r.add_service(ScoringService)
    r.start()
    yield config
    r.stop()


def free_half_year(conn):
    """The first half year a new version may take: not begun, after every version's and after every
    half year a settlement fixed (other tests of the session may have published or settled some)."""
    latest = max(filter(None, [domain.period_of(now()),
                               conn.execute(text("SELECT max(effective_from) FROM scoring.rule_versions")).scalar(),
                               conn.execute(text("SELECT max(period) FROM scoring.periods")).scalar()]))
    return domain.next_period(latest)


def body(effective_from, **change):
    return {"base_points": 6, "max_adjustment": 3, "override_min": 0, "override_max": 12, "merit_min": 1,
            "merit_max": 25, "max_project_score": 30, "points_per_star": 12, "max_stars": 10,
            "effective_from": effective_from, "reason": "按市委组织部通知调整基础分和每星积分", **change}


def counts(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT (SELECT count(*) FROM scoring.rule_versions), "
                                 "(SELECT coalesce(max(id), 0) FROM scoring.outbox)")).one()


def test_version_one_in_the_table_is_the_codes(scoring_db):
    with scoring_db.connect() as conn:
        row = conn.execute(text("SELECT * FROM scoring.rule_versions WHERE version = 1")).mappings().one()
    assert domain.Rules.of_row(row) == domain.FIRST
    assert (row["effective_from"], row["published_by"]) == ("2000H1", "migration 0006")


@pytest.mark.parametrize("statement", [
    "UPDATE scoring.rule_versions SET points_per_star = 5 WHERE version = 1",
    "DELETE FROM scoring.rule_versions WHERE version = 1",
    "TRUNCATE scoring.rule_versions",
])
def test_a_version_is_never_edited(scoring_db, statement):
    with pytest.raises(Exception, match="append-only"):
        with scoring_db.begin() as conn:
            conn.execute(text(statement))


def test_only_the_city_administrator_publishes_and_every_account_reads(runner, scoring_db):
    with scoring_db.connect() as conn:
        wanted = free_half_year(conn)
    before = counts(scoring_db)
    for role, caller in OTHERS.items():
        with ClusterRpcProxy(runner, context_data=caller) as p:
            with pytest.raises(errors.Forbidden):
                p.scoring.publish_rules(body(wanted))
            with pytest.raises(errors.Forbidden):  # not even told what is wrong with it
                p.scoring.publish_rules({"base_points": "many"})
            if role == "nobody":
                with pytest.raises(errors.Forbidden):
                    p.scoring.rule_versions()
            else:
                assert p.scoring.rule_versions()["items"][-1]["rule_version"] == 1, role
    assert counts(scoring_db) == before


def test_a_version_is_published_for_a_half_year_to_come_and_announced(runner, scoring_db):
    today = domain.period_of(now())
    with scoring_db.connect() as conn:
        wanted = free_half_year(conn)
        newest = conn.execute(text("SELECT max(version) FROM scoring.rule_versions")).scalar()
    with ClusterRpcProxy(runner, context_data=ADMIN) as p:
        with pytest.raises(errors.Conflict) as refused:
            p.scoring.publish_rules(body(today))
        assert [(f["field"], f["code"]) for f in refused.value.fields] == [("effective_from", "not_in_future")]
        assert domain.next_period(today) in refused.value.fields[0]["message"]
        with pytest.raises(errors.ValidationFailed) as refused:
            p.scoring.publish_rules(body(wanted, base_points=10))  # 10 ± 3 leaves 0..12
        assert refused.value.fields[0]["field"] == "base_points"

        published = p.scoring.publish_rules(body(wanted))
        assert (published["rule_version"], published["effective_from"], published["points_per_star"],
                published["published_by"]) == (newest + 1, wanted, 12, "admin")
        with pytest.raises(errors.Conflict) as refused:   # not after the one just published
            p.scoring.publish_rules(body(wanted))
        assert refused.value.fields[0]["code"] == "not_after_latest_version"

        listed = p.scoring.rule_versions()
        assert [v["rule_version"] for v in listed["items"]][:1] == [newest + 1] and listed["period"] == today
        in_force = [v["rule_version"] for v in listed["items"] if v["in_force"]]
        assert len(in_force) == 1 and in_force[0] <= newest            # today's half year keeps its rules

    with scoring_db.connect() as conn:
        event = conn.execute(text("SELECT payload FROM scoring.outbox WHERE event_type = 'rule_version_published' "
                                  "ORDER BY id DESC LIMIT 1")).scalar()
        assert validate_event("scoring", "rule_version_published", event) == {}
        assert (event["rule_version"], event["effective_from"], event["base_points"], event["points_per_star"]) == (
            newest + 1, wanted, 6, 12)
        assert (event["district_code"], event["street_code"], event["community_code"]) == (CITY_AREA, None, None)
        # the process sees it for the half year it is in force for, and not for the one before
        assert domain.in_force(conn, wanted).version == newest + 1
        assert domain.in_force(conn, today).version == in_force[0]


def test_a_half_year_a_settlement_fixed_already_keeps_its_version(runner, scoring_db):
    """A half year drafted early (a future one) fixed the version in force then: a version for it
    would make its settlement disagree with its rules."""
    with scoring_db.begin() as conn:
        early = free_half_year(conn)
        conn.execute(text("INSERT INTO scoring.periods (period, rule_version) VALUES (:p, 1)"), {"p": early})
    try:
        with ClusterRpcProxy(runner, context_data=ADMIN) as p:
            with pytest.raises(errors.ValidationFailed) as refused:
                p.scoring.publish_rules(body(early))
        assert refused.value.fields[0]["code"] == "period_already_settled"
        assert domain.next_period(early) in refused.value.fields[0]["message"]
    finally:
        with scoring_db.begin() as conn:
            conn.execute(text("DELETE FROM scoring.periods WHERE period = :p"), {"p": early})
