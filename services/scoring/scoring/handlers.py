"""The use cases of scoring: plain functions over a unit of work (no nameko here)."""
import logging
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from contracts.errors import Conflict, NotFound
from toolkit.config import CITY_TZ, now
from toolkit.validation import invalid

from . import domain
from .models import accounts, ledger

log = logging.getLogger(__name__)
SCOPE = ("district_code", "street_code", "community_code")


def _at(value):
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# One statement per event: the entry, and the member's red account credited with it (a redelivered
# event inserts no entry, so credits nothing). The account is opened here if registration's
# red_account_opened has not arrived yet; its number and name follow when it does.
_ENTER = text("""
    WITH e AS (
        INSERT INTO scoring.ledger (holder_kind, holder_id, member_unit_id, district_code, street_code,
                                    community_code, period, kind, points, reason, source, source_event_id,
                                    rule_version, occurred_at)
        VALUES (:holder_kind, :holder_id, :member_unit_id, :district_code, :street_code, :community_code,
                :period, :kind, :points, :reason, :source, :source_event_id, :rule_version, :occurred_at)
        ON CONFLICT (source_event_id) DO NOTHING
        RETURNING id, holder_kind, holder_id, member_unit_id, district_code, street_code, community_code, points),
    credit AS (
        INSERT INTO scoring.accounts AS a (holder_kind, holder_id, unit_id, district_code, street_code,
                                           community_code, earned)
        SELECT holder_kind, holder_id, member_unit_id, district_code, street_code, community_code, points
        FROM e WHERE holder_kind = 'member'
        ON CONFLICT (holder_kind, holder_id) DO UPDATE SET earned = a.earned + EXCLUDED.earned)
    SELECT id FROM e""")


def _entry(conn, event, **values):
    """One ledger entry for one event; a redelivered or duplicated event (same id) adds nothing.
    It records the rule version in force for its half year."""
    values.setdefault("member_unit_id", None)
    values.setdefault("rule_version", domain.in_force(conn, values["period"]).version)
    return conn.execute(_ENTER, {"source": f"event:{event['event_id']}", "source_event_id": str(event["event_id"]),
                                 **{k: event[k] for k in SCOPE}, **values}).scalar()


def service_completed(conn, event):
    """S2 (§3.5.2): the points of a service, to the member, in the half year it was served, by the
    rules in force for that half year (the volunteering service computed them with the same)."""
    occurred = _at(event["served_until"])
    rules = domain.in_force(conn, domain.period_of(occurred))
    if not rules.service_points_ok(event["points"], event["adjustment"], event.get("override_points")):
        # the producer broke the rules: recorded as given would be wrong, refusing would lose it;
        # it is logged loudly and kept out (a dispute or an officer's correction settles it)
        log.error("service_completed %s: points %s do not follow rules v%s; not entered",
                  event["event_id"], event["points"], rules.version)
        return None
    reason = f"服务活动 {event['activity_id']}：基础分{event['base_points']}，调整{event['adjustment']:+d}"
    if event.get("override_points") is not None:
        reason = f"服务活动 {event['activity_id']}：特殊情况 {event['override_points']} 分（{event.get('override_reason')}）"
    return _entry(conn, event, holder_kind="member", holder_id=event["member_id"], member_unit_id=event["unit_id"],
                  period=domain.period_of(occurred), kind="service", points=event["points"], reason=reason[:200],
                  occurred_at=occurred, rule_version=rules.version)


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
    rules = domain.period_rules(conn, period)
    return {"member_id": member_id, "period": period, "points": total, "stars": rules.stars(total),
            "rule_version": rules.version, "entries": [dict(e) for e in entries]}


def _officer_entry(conn, officer, **values):
    """An entry an officer made (a merit, a correction), credited to the member's account, with the
    rule version in force for its half year."""
    values.setdefault("rule_version", domain.in_force(conn, values["period"]).version)
    entry_id = conn.execute(ledger.insert().values(source=f"officer:{officer}", **values)
                            .returning(ledger.c.id)).scalar_one()
    if values["holder_kind"] == "member":
        _credit(conn, values, values["points"])
    return entry_id


def _credit(conn, values, points):
    where = (accounts.c.holder_kind == "member", accounts.c.holder_id == values["holder_id"])
    try:
        with conn.begin_nested():
            credited = conn.execute(accounts.update().where(*where).values(earned=accounts.c.earned + points)
                                    .returning(accounts.c.holder_id)).first()
            if credited is None:
                conn.execute(insert(accounts).values(holder_kind="member", holder_id=values["holder_id"],
                                                     unit_id=values.get("member_unit_id"), earned=points,
                                                     **{k: values[k] for k in SCOPE}))
    except IntegrityError:
        # accounts_balance_not_negative: the member already spent what this would take away
        raise Conflict(code="balance_would_be_negative", message=(
            "该党员已在志愿服务超市兑换了这些积分，更正后余额将为负数：请先撤销相应兑换（I3，§3.6.3）")) from None


def record_merit(conn, req, officer):
    """S3 (§3.5.3): one deed, one entry, with its category, reason and the officer."""
    if req["occurred_on"] > now().date():
        raise invalid("occurred_on", "date_in_future", "§3.5.3", "事迹日期不能晚于今天")
    code = req["community_code"]
    occurred = datetime(req["occurred_on"].year, req["occurred_on"].month, req["occurred_on"].day, 12, tzinfo=CITY_TZ)
    # the member's work unit, as their red account says: the entry counts in that unit's
    # participation (§5.4.1), so another unit named here is refused
    own_unit = conn.execute(select(accounts.c.unit_id).where(
        accounts.c.holder_kind == "member", accounts.c.holder_id == req["member_id"])).scalar()
    if req["unit_id"] is not None and own_unit is not None and req["unit_id"] != own_unit:
        raise invalid("unit_id", "not_the_members_unit", "§5.4.1",
                      f"单位（unit_id）应为该党员的工作单位 {own_unit}，可不填")
    unit_id = own_unit or req["unit_id"]
    period = domain.period_of(occurred)
    rules = domain.period_rules(conn, period)
    lo, hi = rules.merit_range
    if not lo <= req["points"] <= hi:
        raise invalid("points", "merit_out_of_range", "§3.5.3", (
            f"一事一记的加分应为 {lo}–{hi} 分（{period} 适用第 {rules.version} 版积分规则）"))
    entry_id = _officer_entry(conn, officer, holder_kind="member", holder_id=req["member_id"],
                              member_unit_id=unit_id, district_code=code[:6], street_code=code[:9],
                              community_code=code, period=period, kind="merit",
                              points=req["points"], reason=f"{req['category']}：{req['reason']}"[:200],
                              occurred_at=occurred, rule_version=rules.version)
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
    if entry["kind"] == "correction":  # the settlement adds corrections to what they name, one level
        raise invalid("entry_id", "correct_the_original", "", (
            f"第 {entry_id} 条本身是更正记录：请更正原记录第 {entry['corrects_entry_id']} 条"))
    if entry["kind"] == "project_rating":
        # a correction keeps the community, half year and holder: found within them by the index
        corrected = conn.execute(select(func.coalesce(func.sum(ledger.c.points), 0)).where(
            ledger.c.community_code == community_code, ledger.c.period == entry["period"],
            ledger.c.holder_kind == "project", ledger.c.holder_id == entry["holder_id"],
            ledger.c.corrects_entry_id == entry_id)).scalar_one()
        score = entry["points"] + corrected + req["points"]
        rules = domain.period_rules(conn, entry["period"])
        if not 0 <= score <= rules.max_project_score:
            raise invalid("points", "project_score_out_of_range", "§3.5.1", (
                f"更正后该项目评价为 {score} 分，应在 0–{rules.max_project_score} 分之间"
                f"（{entry['period']} 适用第 {rules.version} 版积分规则）"))
    keep = ("holder_kind", "holder_id", "member_unit_id", "district_code", "street_code", "community_code", "period")
    correction_id = _officer_entry(conn, officer, **{k: entry[k] for k in keep}, kind="correction",
                                   points=req["points"], reason=f"更正第 {entry_id} 条：{req['reason']}"[:200],
                                   corrects_entry_id=entry_id, occurred_at=now())
    return {"entry_id": correction_id, "corrects_entry_id": entry_id, "points": req["points"]}


# --- red accounts (§4.3.2), from the registration service's events -----------------------------

def _open(conn, holder_kind, holder_id, **values):
    """Open (or complete) a red account; values not given are left as they were."""
    values = {k: v for k, v in values.items() if v is not None}
    stmt = insert(accounts).values(holder_kind=holder_kind, holder_id=holder_id, **values)
    if values:
        stmt = stmt.on_conflict_do_update(index_elements=["holder_kind", "holder_id"], set_=values)
    else:
        stmt = stmt.on_conflict_do_nothing()
    conn.execute(stmt)


def red_account_opened(conn, event):
    """The account's number; its place only if it has none yet: an acceptance says where the
    member serves, and this event may arrive after a later one."""
    values = {"account_no": event["account_no"], **{k: event.get(k) for k in SCOPE}}
    stmt = insert(accounts).values(holder_kind=event["holder_kind"], holder_id=event["holder_id"], **values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["holder_kind", "holder_id"],
        set_={"account_no": stmt.excluded.account_no,
              **{k: func.coalesce(accounts.c[k], stmt.excluded[k]) for k in SCOPE}}))


def member_registration_accepted(conn, event):
    """The member's name, unit and community: what the board, D.1 and the feedback show. A
    member transferred and accepted again has a newer registration; an older acceptance arriving
    after it (redelivered, or from a backlog) does not move the account back (R7)."""
    values = {k: v for k, v in {"name": event.get("member_name"), "unit_id": event["unit_id"],
                                "account_no": event.get("red_account_no"),
                                "registration_id": event.get("registration_id"),
                                **{k: event.get(k) for k in SCOPE}}.items() if v is not None}
    stmt = insert(accounts).values(holder_kind="member", holder_id=event["member_id"], **values)
    newer = (accounts.c.registration_id.is_(None) | (accounts.c.registration_id <= stmt.excluded.registration_id)
             if values.get("registration_id") is not None else None)
    conn.execute(stmt.on_conflict_do_update(index_elements=["holder_kind", "holder_id"],
                                            set_={k: stmt.excluded[k] for k in values}, where=newer))


def unit_registered(conn, event):
    _open(conn, "unit", event["unit_id"], name=event["unit_name"], **{k: event.get(k) for k in SCOPE})
