"""The unit's 双报到 archive (§4.1: 建立“双报到”工作档案；评先评优时应事先征求党员报到地党组织意见).

Before rating a member, the unit's officer asks the community where the member reports for its
opinion; the community answers with the member's record there (points and stars of the recent
half years, its comments, the notable entries, objections) and its opinion. Everything the unit
received and sent through the feedback service is listed as its archive; the gateway adds the
reports it made (registration's)."""
import json

from sqlalchemy import text

from contracts.errors import InvalidState, NotFound

from . import changes, notices, objections
from .periods import period_of, previous

STATUS_CN = {"requested": "待社区答复", "answered": "社区已答复"}


def request_opinion(store, registration, caller, unit_id, req):
    current = registration.member_current(req["member_id"])  # as the unit's officer: their member, or 404
    if str(current["unit_id"]) != str(unit_id):
        raise NotFound(code="not_found", message=f"党员 {req['member_id']} 不存在")
    code = current["community_code"]
    with store.unit_of_work() as uow:
        row = uow.conn.execute(text("""
            INSERT INTO feedback.opinions (unit_id, member_id, district_code, street_code, community_code, purpose,
                                           status, requested_by)
            VALUES (:u, :m, :d, :s, :c, :purpose, 'requested', :by) RETURNING *"""),
            {"u": unit_id, "m": req["member_id"], "d": code[:6], "s": code[:9], "c": code, "purpose": req["purpose"],
             "by": caller.username}).mappings().one()
        _emit(uow, "opinion_requested", row, caller.username)
        return _shown(row)


def answer(store, scoring, opinion_id, req, by):
    """The community's answer: the member's record here, as it stands (asked of scoring before
    anything is locked), and its opinion."""
    with store.engine.connect() as conn:
        row = _get(conn, opinion_id)
    _require_requested(row)
    code = row["community_code"].strip()
    record = {"half_years": [], "comments": [], "objections": []}
    current = period_of(row["requested_at"])
    for p in (current, previous(current)):
        points = scoring.community_member_points(code, row["member_id"], p)
        record["half_years"].append({
            "period": p, "points": points["points"], "stars": points["stars"],
            "notable": [{k: e[k] for k in ("id", "kind", "points", "reason", "occurred_at")}
                        for e in points["entries"] if e["kind"] in ("merit", "correction")]})
    with store.unit_of_work() as uow:
        conn = uow.conn
        _require_requested(_get(conn, opinion_id, lock=True))
        record["comments"] = [dict(r) for r in conn.execute(text(
            "SELECT period, comment, written_by, written_at FROM feedback.comments WHERE community_code = :c "
            "AND member_id = :m ORDER BY period DESC"), {"c": code, "m": row["member_id"]}).mappings()]
        record["objections"] = [{k: o[k] for k in ("id", "period", "target_cn", "status_cn", "result_cn")}
                                for o in objections.of_member(conn, row["member_id"])["items"]
                                if o["community_code"].strip() == code]
        row = conn.execute(text("""
            UPDATE feedback.opinions SET status = 'answered', record = CAST(:record AS jsonb), opinion = :opinion,
                answered_by = :by, answered_at = now() WHERE id = :i RETURNING *"""),
            {"record": json.dumps(record, ensure_ascii=False, default=str), "opinion": req["opinion"], "by": by,
             "i": opinion_id}).mappings().one()
        _emit(uow, "opinion_given", row, by)
        return _shown(row)


def _get(conn, opinion_id, lock=False):
    row = conn.execute(text("SELECT * FROM feedback.opinions WHERE id = :i" + (" FOR UPDATE" if lock else "")),
                       {"i": opinion_id}).mappings().first()
    if row is None:
        raise NotFound(code="not_found", message=f"征求意见 {opinion_id} 不存在")
    return row


def _require_requested(row):
    if row["status"] != "requested":
        raise InvalidState(code="opinion_answered", message="社区已答复该征求意见，不能重复答复")


def of_community(conn, community_code, status=None):
    rows = conn.execute(text("SELECT * FROM feedback.opinions WHERE community_code = :c AND "
                             "(CAST(:s AS text) IS NULL OR status = :s) ORDER BY id DESC LIMIT 500"),
                        {"c": community_code, "s": status}).mappings().all()
    requested = conn.execute(text("SELECT count(*) FROM feedback.opinions WHERE community_code = :c "
                                  "AND status = 'requested'"), {"c": community_code}).scalar()
    return {"items": [_shown(r) for r in rows], "requested": requested}


def of_unit(conn, unit_id):
    rows = conn.execute(text("SELECT * FROM feedback.opinions WHERE unit_id = :u ORDER BY id DESC LIMIT 500"),
                        {"u": unit_id}).mappings().all()
    return {"items": [_shown(r) for r in rows]}


def unit_archive(conn, unit_id):
    """What the unit received and sent through the feedback service, newest first: notices,
    opinions asked and answered, objections raised, changes of details reported."""
    items = []
    for n in notices.unit_notices(conn, unit_id)["items"]:
        items.append({"kind": "notice", "kind_cn": "反馈通知（附录E、F）", "id": n["notice_id"], "at": n["released_at"],
                      "title": f"{n['period']} 第 {n['revision']} 版（{n['district_code']}）", "status_cn": n["status_cn"]})
    for o in of_unit(conn, unit_id)["items"]:
        items.append({"kind": "opinion", "kind_cn": "征求社区意见", "id": o["id"], "at": o["requested_at"],
                      "title": f"党员 {o['member_id']}：{o['purpose']}", "status_cn": o["status_cn"]})
    for o in objections.of_objector(conn, "unit", unit_id)["items"]:
        items.append({"kind": "objection", "kind_cn": "意见反馈（附录G）", "id": o["id"], "at": o["raised_at"],
                      "title": f"党员 {o['member_id']}：{o['content'][:40]}", "status_cn": o["status_cn"]})
    for c in changes.of_reporter(conn, "unit_id", unit_id)["items"]:
        items.append({"kind": "detail_change", "kind_cn": "信息变更", "id": c["id"], "at": c["reported_at"],
                      "title": f"{c['member_name'] or c['member_id']}：{c['fields_cn']}", "status_cn": c["status_cn"]})
    items.sort(key=lambda i: i["at"], reverse=True)
    return {"unit_id": unit_id, "items": items}


def _shown(row):
    r = dict(row)
    r["status_cn"] = STATUS_CN[r["status"]]
    return r


def _emit(uow, event_type, row, by):
    uow.emit(event_type, {"district_code": row["district_code"], "street_code": row["street_code"],
                          "community_code": row["community_code"]},
             opinion_id=row["id"], unit_id=row["unit_id"], member_id=row["member_id"], status=row["status"], by=by)
