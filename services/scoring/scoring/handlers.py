"""The use cases of scoring: plain functions over a unit of work (no nameko here)."""
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts.errors import NotFound
from toolkit.config import CITY_TZ, now
from toolkit.validation import invalid

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


def member_points(conn, member_id, period, community_code=None):
    """A member's points and stars in a half year (in one community's ledger if one is named)."""
    where = [ledger.c.holder_kind == "member", ledger.c.holder_id == member_id, ledger.c.period == period]
    if community_code:
        where.append(ledger.c.community_code == community_code)
    entries = conn.execute(select(ledger).where(*where).order_by(ledger.c.id)).mappings().all()
    total = sum(e["points"] for e in entries)
    rules = domain.RULES[domain.CURRENT]
    return {"member_id": member_id, "period": period, "points": total, "stars": rules.stars(total),
            "rule_version": rules.version, "entries": [dict(e) for e in entries]}


def _officer_entry(conn, officer, **values):
    return conn.execute(ledger.insert().values(source=f"officer:{officer}", rule_version=domain.CURRENT, **values)
                        .returning(ledger.c.id)).scalar_one()


def record_merit(conn, req, officer):
    """S3 (§3.5.3): one deed, one entry, with its category, reason and the officer."""
    if req["occurred_on"] > now().date():
        raise invalid("occurred_on", "date_in_future", "§3.5.3", "事迹日期不能晚于今天")
    code = req["community_code"]
    occurred = datetime(req["occurred_on"].year, req["occurred_on"].month, req["occurred_on"].day, 12, tzinfo=CITY_TZ)
    entry_id = _officer_entry(conn, officer, holder_kind="member", holder_id=req["member_id"],
                              member_unit_id=req["unit_id"], district_code=code[:6], street_code=code[:9],
                              community_code=code, period=domain.period_of(occurred), kind="merit",
                              points=req["points"], reason=f"{req['category']}：{req['reason']}"[:200],
                              occurred_at=occurred)
    return {"entry_id": entry_id, "period": domain.period_of(occurred), "points": req["points"]}


def correct(conn, community_code, entry_id, req, officer):
    """A compensating entry that names the one it corrects, in the same period and for the same
    holder; the entry corrected stays as it was."""
    entry = conn.execute(select(ledger).where(ledger.c.id == entry_id, ledger.c.community_code == community_code)
                         ).mappings().first()
    if entry is None:
        raise NotFound(message=f"积分记录 {entry_id} 不存在")
    if req["points"] == 0:
        raise invalid("points", "zero_correction", "", "更正分值不能为 0")
    keep = ("holder_kind", "holder_id", "member_unit_id", "district_code", "street_code", "community_code", "period")
    correction_id = _officer_entry(conn, officer, **{k: entry[k] for k in keep}, kind="correction",
                                   points=req["points"], reason=f"更正第 {entry_id} 条：{req['reason']}"[:200],
                                   corrects_entry_id=entry_id, occurred_at=now())
    return {"entry_id": correction_id, "corrects_entry_id": entry_id, "points": req["points"]}
