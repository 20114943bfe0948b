"""Objections (Annex G: 序号, 提出意见单位/个人, 提出意见及建议内容, 执行部门, 处理结果; B3–B4,
§5.3.4–§5.3.5).

A member objects to a ledger entry of theirs, to a service that earned nothing, or to their half
year's result; a unit's officer objects to an entry of one of its members. The community assigns
it to someone (执行部门), who investigates on the ground and records the findings; the community
decides. Upheld: scoring makes the compensating entry naming the objection and, if the half year
was published, opens its revision with that reason (scoring.compensation). Rejected: the reason
is recorded. Each step is an event; the objector sees every step.
"""
import re

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from contracts.errors import Conflict, InvalidState, NotFound
from toolkit.config import env, now
from toolkit.validation import invalid

from .periods import period_of

STATUS_CN = {"submitted": "已提交，待分派", "investigating": "调查核实中", "investigated": "已核实，待决定",
             "deciding": "已决定异议成立，正在记入积分", "upheld": "异议成立，已更正", "rejected": "异议不成立"}
TARGET_CN = {"entry": "积分记录", "missing_service": "漏记的服务", "result": "半年度积分评星结果"}
OPEN = ("submitted", "investigating", "investigated", "deciding")


def overdue_days():
    """How long an objection may stay open before the street and the district see it as overdue."""
    return int(env("OBJECTION_OVERDUE_DAYS", "15"))


def raise_objection(store, scoring, registration, caller, req):
    """ObjectionRequest from a member (for themself) or a unit officer (for a member of the unit).
    What is disputed is looked up first (scoring, registration: as the caller, so only what is
    theirs is found), then the objection written."""
    objector_kind = "member" if caller.role == "member" else "unit"
    objector_id = int(caller.scope)
    if req["target"] != "entry" and req.get("entry_id") is not None:
        raise invalid("entry_id", "not_for_target", "§5.3.4", "只有对积分记录的异议才填写积分记录编号（entry_id）")
    if req["target"] == "entry":
        # scoring answers only for an entry the caller may see (their own; their unit's members')
        entry = scoring.ledger_entry(req["entry_id"])
        if entry["holder_kind"] != "member":
            raise NotFound(code="not_found", message=f"积分记录 {req['entry_id']} 不存在")
        member_id, unit_id = entry["holder_id"], entry["member_unit_id"]
        community, period = entry["community_code"].strip(), entry["period"]
    else:
        if objector_kind != "member":
            raise invalid("target", "unit_objects_to_entries", "§5.3.4",
                          "单位可对本单位党员的积分记录提出异议；漏记服务和半年度结果的异议由党员本人提出")
        member_id, community, period = objector_id, req.get("community_code"), req.get("period")
        if not community:
            raise invalid("community_code", "required", "§5.3.4", "请填写报到社区（community_code）")
        if not period:
            raise invalid("period", "required", "§5.3.4", "请填写半年度（period，如 2026H1）")
        if period > period_of(now()):
            raise invalid("period", "period_in_future", "§5.3.4", "半年度不能晚于当前半年")
        regs = [r for r in registration.member_registrations(member_id)
                if r["community_code"] == community and r["year"] == int(period[:4]) and r["status"] != "unit_rejected"]
        if not regs:
            raise NotFound(code="not_found", message=f"社区 {community} 不存在或不是您 {period[:4]} 年的报到社区")
        unit_id = regs[0].get("unit_id")
    if objector_kind == "unit" and str(unit_id) != caller.scope:
        raise NotFound(code="not_found", message=f"积分记录 {req.get('entry_id')} 不存在")
    with store.unit_of_work() as uow:
        conn = uow.conn
        same = conn.execute(text(
            "SELECT id FROM feedback.objections WHERE objector_kind = :k AND objector_id = :o AND status = ANY(:open) "
            "AND target = :t AND (entry_id = :e OR (:t = 'result' AND community_code = :c AND period = :p))"),
            {"k": objector_kind, "o": objector_id, "open": list(OPEN), "t": req["target"], "e": req.get("entry_id"),
             "c": community, "p": period}).scalar()
        if same is not None:
            raise _open_already(same)
        try:
            with conn.begin_nested():
                row = conn.execute(text("""
                    INSERT INTO feedback.objections (objector_kind, objector_id, objector_name, member_id, unit_id,
                        district_code, street_code, community_code, target, entry_id, period, content, status, raised_by)
                    VALUES (:kind, :oid, :oname, :member, :unit, :d, :s, :c, :target, :entry, :period, :content,
                            'submitted', :by)
                    RETURNING *"""), {"kind": objector_kind, "oid": objector_id, "oname": req.get("objector_name"),
                                       "member": member_id, "unit": unit_id, "d": community[:6], "s": community[:9],
                                       "c": community, "target": req["target"], "entry": req.get("entry_id"),
                                       "period": period, "content": req["content"], "by": caller.username}
                ).mappings().one()
        except IntegrityError:  # the same objection raised at the same moment (objections_one_open)
            raise _open_already(None) from None
        _emit(uow, "objection_raised", row, caller.username)
        return _shown(row)


def _open_already(objection_id):
    number = f"（第 {objection_id} 号）" if objection_id else ""
    return Conflict(code="objection_open", message=f"您的同一异议{number}尚在处理中，不能重复提出（§5.3.5）")


def _get(conn, objection_id, lock=False):
    row = conn.execute(text("SELECT * FROM feedback.objections WHERE id = :i" + (" FOR UPDATE" if lock else "")),
                       {"i": objection_id}).mappings().first()
    if row is None:
        raise NotFound(code="objection_not_found", message=f"异议 {objection_id} 不存在")
    return row


def assign(uow, objection_id, req, by):
    row = _step(uow, objection_id, ("submitted", "investigating"), "objection_assigned", by,
                "status = 'investigating', department = :department, assignee = :assignee, assigned_by = :by, "
                "assigned_at = now()", department=req["department"], assignee=req.get("assignee"))
    return _shown(row)


def record_findings(uow, objection_id, req, by):
    row = _step(uow, objection_id, ("investigating",), "objection_investigated", by,
                "status = 'investigated', findings = :findings, investigated_by = :by, investigated_at = now()",
                findings=req["findings"])
    return _shown(row)


def decide(store, scoring, objection_id, req, by):
    """Rejected: the reason, at once. Upheld, in three steps so that the ledger and the objection
    never disagree: the decision is recorded (deciding), scoring makes the compensating entry and
    opens the revision (outside any transaction here; idempotent by the objection), then the
    outcome is recorded (upheld). A decision that stopped half way is finished by deciding again
    the same way; deciding otherwise then is refused."""
    with store.unit_of_work() as uow:
        conn = uow.conn
        row = _get(conn, objection_id, lock=True)
        if row["status"] == "deciding":
            if req["decision"] != "upheld" or (req.get("points") not in (None, row["points"])):
                raise Conflict(code="objection_deciding", message=(
                    f"异议第 {row['id']} 号已决定成立（补记 {row['points']:+d} 分），正在记入积分：请以同样的决定重试"))
        else:
            _require(row, ("investigated",))
            if req["decision"] == "rejected":
                if req.get("points") is not None:
                    raise invalid("points", "not_for_rejected", "§5.3.5", "异议不成立时不填写分值")
                row = conn.execute(text("""
                    UPDATE feedback.objections SET status = 'rejected', decision_reason = :reason, decided_by = :by,
                        decided_at = now() WHERE id = :i RETURNING *"""),
                    {"reason": req["reason"], "by": by, "i": objection_id}).mappings().one()
                _emit(uow, "objection_decided", row, by)
                return _shown(row)
            if not req.get("points"):
                raise invalid("points", "required", "§5.3.5", "异议成立时须填写补记（正数）或冲减（负数）的分值")
            if row["entry_id"] is not None:
                other = conn.execute(text(
                    "SELECT id FROM feedback.objections WHERE entry_id = :e AND id <> :i "
                    "AND status IN ('deciding', 'upheld')"), {"e": row["entry_id"], "i": objection_id}).scalar()
                if other is not None:
                    raise Conflict(code="entry_already_corrected", message=(
                        f"积分记录 {row['entry_id']} 已因第 {other} 号异议更正，不能再次更正：请作出“异议不成立”并说明"))
            row = conn.execute(text("""
                UPDATE feedback.objections SET status = 'deciding', decision_reason = :reason, points = :points,
                    decided_by = :by WHERE id = :i RETURNING *"""),
                {"reason": req["reason"], "points": req["points"], "by": by, "i": objection_id}).mappings().one()
    outcome = scoring.compensate({"community_code": row["community_code"].strip(), "objection_id": row["id"],
                                  "member_id": row["member_id"], "entry_id": row["entry_id"], "period": row["period"],
                                  "points": row["points"], "reason": row["decision_reason"][:180]})
    with store.unit_of_work() as uow:
        row = _get(uow.conn, objection_id, lock=True)
        if row["status"] != "deciding":  # another call finished it meanwhile
            return _shown(row)
        row = uow.conn.execute(text("""
            UPDATE feedback.objections SET status = 'upheld', compensating_entry_id = :entry,
                settlement_revision = :revision, decided_at = now() WHERE id = :i RETURNING *"""),
            {"entry": outcome["entry_id"], "revision": outcome["revision"], "i": objection_id}).mappings().one()
        _emit(uow, "objection_decided", row, by)
        return _shown(row)


def _require(row, statuses):
    if row["status"] not in statuses:
        raise InvalidState(code="objection_state", message=(
            f"异议第 {row['id']} 号当前为“{STATUS_CN[row['status']]}”，不能进行此操作（§5.3.5："
            "分派 → 调查核实 → 决定）"))


def _step(uow, objection_id, allowed, event, by, assignments, **values):
    conn = uow.conn
    _require(_get(conn, objection_id, lock=True), allowed)
    row = conn.execute(text(f"UPDATE feedback.objections SET {assignments} WHERE id = :i RETURNING *"),
                       {"i": objection_id, "by": by, **values}).mappings().one()
    _emit(uow, event, row, by)
    return row


def _emit(uow, event_type, row, by):
    uow.emit(event_type, {"district_code": row["district_code"], "street_code": row["street_code"],
                          "community_code": row["community_code"]},
             objection_id=row["id"], target=row["target"], period=row["period"], member_id=row["member_id"],
             unit_id=row["unit_id"], entry_id=row["entry_id"], status=row["status"], by=by,
             department=row["department"], decision_reason=row["decision_reason"],
             compensating_entry_id=row["compensating_entry_id"], points=row["points"],
             settlement_revision=row["settlement_revision"])


def _shown(row, overdue_after=None):
    """An objection as Annex G's line shows it, with every step for the one who raised it."""
    r = dict(row)
    r["status_cn"] = STATUS_CN[r["status"]]
    r["target_cn"] = TARGET_CN[r["target"]]
    r["objector_cn"] = ("党员本人" if r["objector_kind"] == "member" else "单位") + (
        f"（{r['objector_name']}）" if r.get("objector_name") else "")
    if r["status"] == "upheld":
        result = f"异议成立：{r['decision_reason']}；补记 {r['points']:+d} 分（积分记录第 {r['compensating_entry_id']} 号）"
        if r["settlement_revision"]:
            result += f"，{r['period']} 积分评星结果已发起第 {r['settlement_revision']} 版修订"
    elif r["status"] == "rejected":
        result = f"异议不成立：{r['decision_reason']}"
    else:
        result = STATUS_CN[r["status"]]
    r["result_cn"] = result                                   # 处理结果
    r["department_cn"] = r["department"] or "待分派"           # 执行部门
    days = overdue_after if overdue_after is not None else overdue_days()
    r["overdue"] = r["status"] in OPEN and (now() - r["raised_at"]).days >= days
    return r


_LIST = """SELECT * FROM feedback.objections WHERE {where} ORDER BY id DESC LIMIT 500"""


def of_objector(conn, kind, objector_id):
    rows = conn.execute(text(_LIST.format(where="objector_kind = :k AND objector_id = :o")),
                        {"k": kind, "o": objector_id}).mappings().all()
    return {"items": [_shown(r) for r in rows]}


def of_member(conn, member_id):
    """A member's own objections, and those their unit raised about their record."""
    rows = conn.execute(text(_LIST.format(where="member_id = :m")), {"m": member_id}).mappings().all()
    return {"items": [_shown(r) for r in rows]}


def of_community(conn, community_code, status=None):
    rows = conn.execute(text(_LIST.format(where="community_code = :c AND (CAST(:s AS text) IS NULL OR status = :s)")),
                        {"c": community_code, "s": status}).mappings().all()
    open_, overdue_ = conn.execute(text(
        "SELECT count(*), count(*) FILTER (WHERE raised_at <= now() - make_interval(days => :days)) "
        "FROM feedback.objections WHERE community_code = :c AND status = ANY(:open)"),
        {"c": community_code, "open": list(OPEN), "days": overdue_days()}).one()
    return {"items": [_shown(r) for r in rows], "open": open_, "overdue": overdue_}


def overdue(conn, area_code):
    """Objections open longer than OBJECTION_OVERDUE_DAYS, in a street or district, oldest first."""
    if not re.fullmatch(r"\d{6}|\d{9}", area_code):
        raise invalid("code", "bad_area", "GB/T 2260", "区域编码应为 6 位（县区）或 9 位（街道）")
    days = overdue_days()
    rows = conn.execute(text("""
        SELECT * FROM feedback.objections
        WHERE community_code BETWEEN :lo AND :hi AND status = ANY(:open)
          AND raised_at <= now() - make_interval(days => :days)
        ORDER BY raised_at LIMIT 500"""), {"lo": area_code.ljust(12, "0"), "hi": area_code.ljust(12, "9"),
                                           "days": days, "open": list(OPEN)}).mappings().all()
    return {"area_code": area_code, "overdue_after_days": days, "items": [_shown(r, days) for r in rows]}


def get(conn, objection_id):
    return _shown(_get(conn, objection_id))
