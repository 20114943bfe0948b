"""The use cases of scoring: plain functions over a unit of work (no nameko here)."""
import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from . import domain
from .models import ledger

log = logging.getLogger(__name__)
SCOPE = ("district_code", "street_code", "community_code")


def _at(value):
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _entry(conn, event, **values):
    """One ledger entry for one event; a redelivered or duplicated event (same id) adds nothing."""
    stmt = insert(ledger).values(source=f"event:{event['event_id']}", source_event_id=str(event["event_id"]),
                                 rule_version=domain.CURRENT, **{k: event[k] for k in SCOPE}, **values)
    return conn.execute(stmt.on_conflict_do_nothing(index_elements=["source_event_id"]).returning(ledger.c.id)).scalar()


def service_completed(conn, event):
    """S2 (§3.5.2): the points of a service, to the member, in the half year it was served."""
    rules = domain.RULES[domain.CURRENT]
    if not rules.service_points_ok(event["points"], event["adjustment"], event.get("override_points")):
        # the producer broke the rules: recorded as given would be wrong, refusing would lose it;
        # it is logged loudly and kept out (a dispute or an officer's correction settles it)
        log.error("service_completed %s: points %s do not follow rules v%s; not entered",
                  event["event_id"], event["points"], rules.version)
        return None
    occurred = _at(event["served_until"])
    reason = f"服务活动 {event['activity_id']}：基础分{event['base_points']}，调整{event['adjustment']:+d}"
    if event.get("override_points") is not None:
        reason = f"服务活动 {event['activity_id']}：特殊情况 {event['override_points']} 分（{event.get('override_reason')}）"
    return _entry(conn, event, holder_kind="member", holder_id=event["member_id"], member_unit_id=event["unit_id"],
                  period=domain.period_of(occurred), kind="service", points=event["points"], reason=reason[:200],
                  occurred_at=occurred)


def project_rated(conn, event):
    """S1 (§3.5.1): a rating of a project, 0..30; the project's score in a period is the mean."""
    occurred = _at(event["occurred_at"])
    return _entry(conn, event, holder_kind="project", holder_id=event["project_id"], member_unit_id=event["unit_id"],
                  period=domain.period_of(occurred), kind="project_rating", points=event["score"],
                  reason=f"联建项目评价（{event['rater']}）：{event['rated_by']}"[:200], occurred_at=occurred)


def member_points(conn, member_id, period):
    total = conn.execute(select(func.coalesce(func.sum(ledger.c.points), 0)).where(
        ledger.c.holder_kind == "member", ledger.c.holder_id == member_id, ledger.c.period == period)).scalar()
    entries = conn.execute(select(ledger).where(ledger.c.holder_kind == "member", ledger.c.holder_id == member_id,
                                                ledger.c.period == period).order_by(ledger.c.id)).mappings().all()
    rules = domain.RULES[domain.CURRENT]
    return {"member_id": member_id, "period": period, "points": int(total), "stars": rules.stars(total),
            "rule_version": rules.version, "entries": [dict(e) for e in entries]}
