"""What an upheld objection changes in the ledger (B4, §5.3.5): a compensating entry that names the
objection (and the entry it corrects, if any), never an edit; and, when the half year it falls in
was published already, that half year's next revision with the objection as its reason.

The feedback service asks for it when the community decides; it may ask twice (a retry after
its own transaction failed), so the entry's source is the objection itself (`source_event_id`, a
name-based UUID of it): a second call finds the first entry and changes nothing."""
import uuid
from datetime import datetime, time

from sqlalchemy import select

from contracts.errors import Conflict, NotFound
from toolkit.config import CITY_TZ, now
from toolkit.validation import invalid

from . import domain, settlement
from .handlers import _credit
from .models import accounts, ledger

# the namespace of objection-made entries: uuid5(OBJECTIONS, "objection:<id>")
OBJECTIONS = uuid.UUID("6f1d3c2a-5b7e-4f0a-9c61-2d8e4b7a9f13")
_KEEP = ("holder_kind", "holder_id", "member_unit_id", "district_code", "street_code", "community_code", "period")


def source_of(objection_id):
    return str(uuid.uuid5(OBJECTIONS, f"objection:{objection_id}"))


def entry_of_record(conn, entry_id, caller):
    """One ledger entry, as the one who may dispute it sees it: a member their own, a unit officer
    those of its members and its own, officers those of their area (the guard checked the area).
    Not theirs is not there (404)."""
    entry = conn.execute(select(ledger).where(ledger.c.id == entry_id)).mappings().first()
    if entry is None or not _sees(caller, entry):
        raise NotFound(code="not_found", message=f"积分记录 {entry_id} 不存在")
    return {k: entry[k] for k in ("id", "holder_kind", "holder_id", "member_unit_id", "district_code", "street_code",
                                  "community_code", "period", "kind", "points", "reason", "corrects_entry_id",
                                  "occurred_at", "recorded_at")}


def _sees(caller, entry):
    if caller.role == "member":
        return entry["holder_kind"] == "member" and caller.is_member(entry["holder_id"])
    if caller.role == "unit_officer":
        unit = entry["member_unit_id"] if entry["holder_kind"] != "unit" else entry["holder_id"]
        return unit is not None and str(unit) == str(caller.scope)
    return caller.covers_area(entry["community_code"])


def compensate(store, req, officer):
    """CompensationRequest -> {entry_id, points, period, revision}: the entry made for the
    objection (made now, or found from an earlier call), and the revision of the half year that
    counts it (opened now if the half year was published, or the one an earlier call opened).

    Two transactions: the revision's draft must count the entry as committed (a settlement's
    snapshot would otherwise see it as written by a transaction still running: stale)."""
    with store.unit_of_work() as uow:
        entry_id, period, points = _entry(uow.conn, req)
    if points != req["points"]:
        raise Conflict(code="objection_compensated", message=(
            f"异议第 {req['objection_id']} 号已补记 {points:+d} 分（积分记录第 {entry_id} 号），不能改为 {req['points']:+d} 分"))
    with store.unit_of_work() as uow:
        revision = _revision(uow.conn, req, entry_id, period, officer)
    return {"entry_id": entry_id, "points": points, "period": period, "revision": revision}


def _reason(req):
    return f"异议第 {req['objection_id']} 号成立：{req['reason']}"[:200]


def _entry(conn, req):
    code = req["community_code"]
    source = source_of(req["objection_id"])
    found = conn.execute(select(ledger.c.id, ledger.c.period, ledger.c.points).where(
        ledger.c.source_event_id == source)).first()
    if found is not None:  # asked again (a retry): the entry made the first time
        return found.id, found.period, found.points
    if req["entry_id"] is not None:
        entry = conn.execute(select(ledger).where(ledger.c.id == req["entry_id"], ledger.c.community_code == code)
                             ).mappings().first()
        if entry is None:
            raise NotFound(code="not_found", message=f"积分记录 {req['entry_id']} 不存在")
        if entry["holder_kind"] != "member":
            raise invalid("entry_id", "not_a_member_entry", "§5.3.5", "异议只能针对党员本人的积分记录")
        values = {k: entry[k] for k in _KEEP}
        corrects = entry["id"] if entry["kind"] != "correction" else entry["corrects_entry_id"]
    else:
        unit_id = conn.execute(select(accounts.c.unit_id).where(
            accounts.c.holder_kind == "member", accounts.c.holder_id == req["member_id"])).scalar()
        values = {"holder_kind": "member", "holder_id": req["member_id"], "member_unit_id": unit_id,
                  "district_code": code[:6], "street_code": code[:9], "community_code": code, "period": req["period"]}
        corrects = None
    if req["points"] == 0:
        raise invalid("points", "zero_correction", "§5.3.5", "异议成立须补记或冲减的分值不能为 0")
    occurred = now()
    if domain.period_of(occurred) != values["period"]:  # counted in the half year disputed, dated within it
        occurred = datetime.combine(domain.period_bounds(values["period"])[1], time(12), tzinfo=CITY_TZ)
    entry_id = conn.execute(ledger.insert().values(
        **values, kind="correction", points=req["points"], reason=_reason(req), source=f"objection:{req['objection_id']}",
        source_event_id=source, corrects_entry_id=corrects, rule_version=domain.in_force(conn, values["period"]).version,
        occurred_at=occurred)
        .returning(ledger.c.id)).scalar_one()
    _credit(conn, values, req["points"])
    return entry_id, values["period"], req["points"]


def _revision(conn, req, entry_id, period, officer):
    code = req["community_code"]
    latest = settlement._latest(conn, code, period)
    if latest is None:
        return None
    if latest["status"] == "published" and latest["ledger_upto"] < entry_id:
        settlement.draft(conn, code, period, officer, reason=_reason(req))
        return latest["revision"] + 1
    return latest["revision"] if latest["revision"] > 1 and (latest["reason"] or "") == _reason(req) else None
