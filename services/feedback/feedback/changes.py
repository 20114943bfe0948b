"""Changes of a member's details reported to the community (B2, §5.3.2): the unit's officer or the
member reports a changed position, phone or service items; the community's staff see what is
pending, with what the report says now, and apply the change (registration's, through its RPC) or
decline it with a reason. Transfers (a new unit, a new address) stay registration's own (R7)."""
import json

from sqlalchemy import text

from contracts.errors import Conflict, InvalidState, NotFound

STATUS_CN = {"pending": "待社区处理", "applying": "已同意，正在更新", "applied": "已更新", "declined": "未采纳"}
FIELDS_CN = {"position": "职务", "phone": "联系方式", "service_intentions": "服务意向"}


def report(store, registration, caller, member_id, changes, note):
    """A change as reported; the member's current report says which community it goes to (asked
    of registration as the caller: their own, or their unit's member, or 404)."""
    current = registration.member_current(member_id)
    if caller.role == "unit_officer" and str(current["unit_id"]) != caller.scope:
        raise NotFound(code="not_found", message=f"党员 {member_id} 不存在")
    code = current["community_code"]
    with store.unit_of_work() as uow:
        row = uow.conn.execute(text("""
            INSERT INTO feedback.detail_changes (member_id, member_name, unit_id, district_code, street_code,
                community_code, changes, note, status, reported_by)
            VALUES (:m, :name, :u, :d, :s, :c, CAST(:changes AS jsonb), :note, 'pending', :by) RETURNING *"""),
            {"m": member_id, "name": current["name"], "u": current["unit_id"], "d": code[:6], "s": code[:9], "c": code,
             "changes": json.dumps(changes, ensure_ascii=False), "note": note, "by": caller.username}).mappings().one()
        _emit(uow, "detail_change_reported", row, caller.username)
        return _shown(row)


def decide(store, registration, change_id, decision, reason, by):
    """Declined: at once, with the reason. Applied, in three steps so that registration and this
    record never disagree: the decision recorded (applying), registration's change made (outside
    any transaction here; it sets the same values however often), the outcome recorded."""
    with store.unit_of_work() as uow:
        row = _get(uow.conn, change_id)
        if row["status"] == "applying":
            if decision != "apply":
                raise Conflict(code="change_applying", message="已同意该信息变更，正在更新：请以“更新”重试")
        elif row["status"] != "pending":
            raise InvalidState(code="change_decided", message=f"该信息变更已{STATUS_CN[row['status']]}，不能再次处理")
        elif decision == "decline":
            row = uow.conn.execute(text("""
                UPDATE feedback.detail_changes SET status = 'declined', decided_by = :by, decided_at = now(),
                    decline_reason = :r WHERE id = :i RETURNING *"""), {"by": by, "r": reason, "i": change_id}
            ).mappings().one()
            _emit(uow, "detail_change_decided", row, by)
            return _shown(row)
        else:
            row = uow.conn.execute(text("UPDATE feedback.detail_changes SET status = 'applying', decided_by = :by "
                                        "WHERE id = :i RETURNING *"), {"by": by, "i": change_id}).mappings().one()
    registration.apply_member_details(row["community_code"].strip(), row["member_id"], row["changes"])
    with store.unit_of_work() as uow:
        row = _get(uow.conn, change_id)
        if row["status"] != "applying":  # another call finished it meanwhile
            return _shown(row)
        row = uow.conn.execute(text("UPDATE feedback.detail_changes SET status = 'applied', decided_at = now() "
                                    "WHERE id = :i RETURNING *"), {"i": change_id}).mappings().one()
        _emit(uow, "detail_change_decided", row, by)
        return _shown(row)


def _get(conn, change_id):
    row = conn.execute(text("SELECT * FROM feedback.detail_changes WHERE id = :i FOR UPDATE"), {"i": change_id}
                       ).mappings().first()
    if row is None:
        raise NotFound(code="not_found", message=f"信息变更 {change_id} 不存在")
    return row


def of_community(conn, community_code, status=None):
    rows = conn.execute(text("SELECT * FROM feedback.detail_changes WHERE community_code = :c "
                             "AND (CAST(:s AS text) IS NULL OR status = :s) ORDER BY id DESC LIMIT 500"),
                        {"c": community_code, "s": status}).mappings().all()
    pending = conn.execute(text("SELECT count(*) FROM feedback.detail_changes WHERE community_code = :c "
                                "AND status = 'pending'"), {"c": community_code}).scalar()
    return {"items": [_shown(r) for r in rows], "pending": pending}


def of_reporter(conn, column, value):
    rows = conn.execute(text(f"SELECT * FROM feedback.detail_changes WHERE {column} = :v ORDER BY id DESC LIMIT 500"),
                        {"v": value}).mappings().all()
    return {"items": [_shown(r) for r in rows]}


def _shown(row):
    r = dict(row)
    r["status_cn"] = STATUS_CN[r["status"]]
    r["fields_cn"] = "、".join(FIELDS_CN[k] for k in r["changes"])
    return r


def _emit(uow, event_type, row, by):
    uow.emit(event_type, {"district_code": row["district_code"], "street_code": row["street_code"],
                          "community_code": row["community_code"]},
             change_id=row["id"], member_id=row["member_id"], unit_id=row["unit_id"],
             fields_changed=sorted(row["changes"]), status=row["status"], by=by)
