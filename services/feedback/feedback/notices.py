"""Feedback notices to units (B1, §5.3.1, §5.3.3; Annexes E and F).

When a community's half year is published (scoring's `settlement_published`, which carries its
lines), the publication is kept as it came: one row per community (`sources`), unpacked into one
line per member by the view `feedback.lines`. A unit's notice from a district is what those lines
say of its members in the district's communities, plus a line (是否报到 否) for each member of the
unit who has not reported this year if the unit sits in one of those communities; the latter and
the names of units and communities are registration's, asked when a notice is read or released
(so a member who reports late is no longer listed as absent). The notice is ready to release as
soon as the publication is kept. The community writes its 社区评语; the district's organization
department releases (通过县（区）级组织部门), one unit or the whole district; the release is kept as
it was sent (`notices`, `rows`) and the unit reads and acknowledges it. A later publication that
changes a unit's lines (a revision, a late community) makes the next revision of its notice,
which says what changed.

Publications are kept in batches (toolkit.batches), one statement each: a city's publication is
thousands of communities and hundreds of thousands of lines.
"""
import hashlib
import json
import logging
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError

from contracts.errors import Conflict, InvalidState, NotFound

log = logging.getLogger(__name__)
STATUS_CN = {"prepared": "待发布", "changed": "有更新待发布", "released": "已发布", "read": "单位已阅",
             "acknowledged": "单位已确认", "superseded": "已被新版本取代"}

# A batch of publications in one statement, from the messages' JSON text as it came (nothing is
# decoded in Python): the events not seen before are recorded in the inbox, the newest of each
# community's half year among them kept, with its lines as published (the view `feedback.lines`
# unpacks them when read); an older revision arriving after a newer one changes nothing.
_KEEP = text("""
    WITH incoming AS (  -- each message read once (json_to_recordset), not once per field
        SELECT event_id, CAST(community_code AS bpchar) AS c, period AS p, revision AS rev, settlement_id, reason,
               member_lines
        FROM json_to_recordset(CAST(:bodies AS json)) AS b(event_id uuid, community_code text, period text,
                                                          revision int, settlement_id bigint, reason text,
                                                          member_lines json)),
    fresh AS (
        INSERT INTO feedback.inbox (event_id, event_type, source)
        SELECT DISTINCT event_id, 'settlement_published', 'scoring' FROM incoming
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id),
    newest AS (
        SELECT DISTINCT ON (i.c, i.p) i.* FROM incoming i JOIN fresh f ON f.event_id = i.event_id
        ORDER BY i.c, i.p, i.rev DESC)
    INSERT INTO feedback.sources AS s (community_code, period, settlement_id, revision, reason, member_lines)
    SELECT c, p, settlement_id, rev, reason,
           coalesce(member_lines, '{"member_id": [], "name": [], "unit_id": [], "points": [], "stars": []}')
    FROM newest ORDER BY c, p
    ON CONFLICT (community_code, period) DO UPDATE SET settlement_id = EXCLUDED.settlement_id,
        revision = EXCLUDED.revision, reason = EXCLUDED.reason, member_lines = EXCLUDED.member_lines,
        heard_at = now()
    WHERE s.revision < EXCLUDED.revision
    RETURNING s.community_code""")


def _json(rows):
    return json.dumps(rows, ensure_ascii=False, default=str, separators=(",", ":"))


def prepare_batch(store, bodies):
    """Publications of community half years, as many as a process took (toolkit.batches, raw: each
    message's JSON text), in one transaction. A batch PostgreSQL cannot read (a message that is not
    the JSON of a publication) is kept one message at a time, and the messages it cannot read are
    logged and left out, not requeued for ever."""
    bodies = [b if isinstance(b, str) else _json(b) for b in bodies]
    try:
        with store.unit_of_work() as uow:
            kept = uow.conn.execute(_KEEP, {"bodies": "[" + ",".join(bodies) + "]"}).all()
        log.info("feedback: %d of %d publications kept", len(kept), len(bodies))
    except (DataError, IntegrityError):  # the message's content, not the database being away (that requeues)
        if len(bodies) == 1:
            log.exception("feedback: a settlement_published message that cannot be read, left out: %.300s", bodies[0])
            return
        for body in bodies:
            prepare_batch(store, [body])


# --- what a district and a unit see -----------------------------------------------------------

_LIVE = text("""
    SELECT l.unit_id, l.community_code, s.reason, s.revision AS source_revision, l.member_id, l.name, l.reported,
           l.points, l.stars, c.comment
    FROM feedback.lines l
    JOIN feedback.sources s ON s.community_code = l.community_code AND s.period = l.period
    LEFT JOIN feedback.comments c ON c.period = l.period AND c.community_code = l.community_code
                                  AND c.member_id = l.member_id
    WHERE l.period = :p AND l.community_code BETWEEN :lo AND :hi
      AND (CAST(:unit AS bigint) IS NULL OR l.unit_id = :unit)""")
_PUBLISHED = text("SELECT community_code, revision FROM feedback.sources WHERE period = :p "
                  "AND community_code BETWEEN :lo AND :hi")
_LATEST = text("""
    SELECT DISTINCT ON (unit_id) * FROM feedback.notices
    WHERE period = :p AND district_code = :d AND (CAST(:unit AS bigint) IS NULL OR unit_id = :unit)
    ORDER BY unit_id, revision DESC""")


def _bounds(district_code):
    return {"lo": district_code + "000000", "hi": district_code + "999999"}


class Live:
    """A district's lines for a half year as they stand: the published ones, and (registration's)
    the members who did not report of the units sitting in its published communities; with the
    names the notices show."""

    def __init__(self, conn, registration, district_code, period, unit_id=None):
        """Read through `conn`, then ask registration (bounded: toolkit.remote): build it before a
        transaction that takes locks, not inside one."""
        self.by_unit = {}
        for r in conn.execute(_LIVE, {"p": period, **_bounds(district_code), "unit": unit_id}).mappings():
            self.by_unit.setdefault(r["unit_id"], []).append(dict(r))
        published = {c.strip(): rev for c, rev in conn.execute(_PUBLISHED, {"p": period, **_bounds(district_code)})}
        answer = registration.feedback_rosters(sorted(self.by_unit) if unit_id is None else [unit_id],
                                               sorted(published), period) if published else \
            {"units": [], "communities": {}, "districts": {}}
        self.units = {u["unit_id"]: u for u in answer["units"]}
        self.communities = answer["communities"]
        self.district_name = answer["districts"].get(district_code)
        for u in answer["units"]:
            if u["community_code"] in published and (unit_id is None or u["unit_id"] == unit_id):
                self.by_unit.setdefault(u["unit_id"], []).extend(
                    {"unit_id": u["unit_id"], "community_code": u["community_code"], "reason": None,
                     "source_revision": published[u["community_code"]], "member_id": m, "name": name,
                     "reported": False, "points": None, "stars": None, "comment": None}
                    for m, name in u["unreported"] or ())
        for rows in self.by_unit.values():
            for r in rows:
                r["community_name"] = self.communities.get(r["community_code"].strip())
        self.by_unit = {u: rows for u, rows in self.by_unit.items() if rows}


def _row_key(r):
    return (r["community_code"] if r["reported"] else "", r["member_id"])


def fingerprint(rows):
    """Of what a unit is told: a notice is released again only when this changes."""
    text_ = "|".join(f"{r['community_code'] if r['reported'] else ''},{r['member_id']},{r['reported']},"
                     f"{_num(r['points'])},{r['stars']},{r['comment'] or ''}" for r in sorted(rows, key=_row_key))
    return hashlib.md5(text_.encode()).hexdigest()


def _num(value):
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.1")))


def _summary(unit_id, rows, latest, names):
    missing = sorted({r["community_code"] for r in rows if r["reported"] and not r["comment"]})
    fp = fingerprint(rows)
    if latest is None:
        state = "prepared"
    elif latest["fingerprint"] != fp:
        state = "changed"
    else:
        state = latest["status"]
    unit = names.get(unit_id, {})
    return {"unit_id": unit_id, "unit_name": unit.get("name"), "party_org_name": unit.get("party_org_name"),
            "rows": len(rows), "reported": sum(1 for r in rows if r["reported"]),
            "not_reported": sum(1 for r in rows if not r["reported"]),
            "missing_comments": sum(1 for r in rows if r["reported"] and not r["comment"]),
            "communities_missing_comments": missing, "state": state, "state_cn": STATUS_CN[state],
            "ready": not missing and state in ("prepared", "changed"),
            "notice_id": latest["id"] if latest else None, "revision": latest["revision"] if latest else 0,
            "released_at": latest["released_at"] if latest else None}


def district_notices(conn, registration, district_code, period):
    """Every unit with lines in the district's communities: what it would be sent, and where its
    notice stands (待发布, 有更新待发布, 已发布, 单位已阅, 单位已确认)."""
    live = Live(conn, registration, district_code, period)
    latest = {r["unit_id"]: dict(r) for r in conn.execute(_LATEST, {"p": period, "d": district_code, "unit": None})
              .mappings()}
    units = set(live.by_unit) | set(latest)
    items = [_summary(u, live.by_unit.get(u, []), latest.get(u), live.units) for u in sorted(units)]
    counts = {}
    for i in items:
        counts[i["state"]] = counts.get(i["state"], 0) + 1
    return {"district_code": district_code, "district_name": live.district_name, "period": period,
            "units": len(items), "counts": counts, "ready": sum(1 for i in items if i["ready"]), "items": items}


def preview(conn, registration, district_code, period, unit_id):
    """The notice the district would release now for one unit: Annex E's text and F's rows."""
    live = Live(conn, registration, district_code, period, unit_id)
    rows = live.by_unit.get(unit_id, [])
    latest = conn.execute(_LATEST, {"p": period, "d": district_code, "unit": unit_id}).mappings().first()
    if not rows and latest is None:
        raise NotFound(code="notice_not_found", message=f"单位 {unit_id} 在本区 {period} 没有反馈内容")
    summary = _summary(unit_id, rows, latest, live.units)
    return {**summary, "period": period, "district_code": district_code,
            "notice_text": notice_text(summary["party_org_name"] or summary["unit_name"], live.district_name, period),
            "table": _table(rows), "changes": _changes(_released_rows(conn, latest["id"]) if latest else None, rows)}


def _table(rows):
    """Annex F: 序号, 姓名, 是否报到, 积分情况, 评星情况, 社区评语 (and the community of each line)."""
    return [{"seq": i, "member_id": r["member_id"], "name": r["name"], "reported": r["reported"],
             "reported_cn": "是" if r["reported"] else "否",
             "community_code": r["community_code"] if r["reported"] else None,
             "community_name": r["community_name"] if r["reported"] else None,
             "points": r["points"], "stars": r["stars"],
             "points_cn": f"{_num(r['points'])} 分" if r["reported"] else "未报到",
             "stars_cn": f"{r['stars']} 星" if r["reported"] else "—",
             "comment": r["comment"] or "", "source_revision": r.get("source_revision")}
            for i, r in enumerate(sorted(rows, key=lambda r: (not r["reported"], r["community_code"], r["member_id"])), 1)]


def notice_text(org_name, district_name, period):
    """Annex E, addressed to the unit's Party organization and signed by the district's
    organization department."""
    half = "上半年" if period.endswith("1") else "下半年"
    signer = f"中共郑州市{district_name or ''}委组织部" if (district_name or "").endswith(("区", "县", "市")) \
        else f"中共{district_name or ''}工委组织部"
    return (f"{org_name or '单位党组织'}：\n"
            f"现将贵单位在职党员 {period[:4]} 年{half}在本区各社区参与志愿服务的情况（《在职党员志愿服务情况汇总表》，"
            "附录F）反馈给你单位，请及时针对党员志愿服务活动中存在的问题进行动员和督导，不断提升参与面和服务质量。"
            "同时，单位和部门应及时掌握在职党员有关情况，将在职党员在社区的表现和积分情况作为党员评先评优的重要参考依据，"
            "进一步加强党员的教育和管理工作。欢迎各位在职党员针对党员志愿服务反馈情况提出不同意见，填写《在职党员志愿服务"
            "情况意见反馈表》（附录G），与党支部相关负责人联系。针对党员评分争议项，党支部将组织相关人员进行实际调查，"
            f"以确保党员服务情况真实有效。\n{signer}")


def _changes(before, after):
    """What a revised notice changes against the one released before: lines added, gone, and
    fields changed. A change that came with a community's newer publication carries that
    publication's reason (a revision says why, §3.5.5); a comment rewritten says so."""
    if before is None:
        return []
    old = {_row_key(r): r for r in before}
    new = {_row_key(r): r for r in after}
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1])):
        o, n = old.get(key), new.get(key)
        republished = n is not None and (o is None or n.get("source_revision") != o.get("source_revision"))
        base = {"member_id": key[1], "name": (n or o)["name"], "community_code": key[0] or None,
                "reason": n.get("reason") if republished else None}
        if o is None:
            out.append({**base, "field": "line", "before": None, "after": "新增"})
        elif n is None:
            out.append({**base, "field": "line", "before": "原有", "after": None})
        else:
            for field in ("reported", "points", "stars", "comment"):
                a, b = o[field], n[field]
                if field == "points":
                    a, b = _num(a), _num(b)
                if (a or None) != (b or None) and a != b:
                    out.append({**base, "field": field, "before": a, "after": b,
                                **({"reason": "社区修改了评语"} if field == "comment" else {})})
    return out


_RELEASED_ROWS = text("SELECT * FROM feedback.rows WHERE notice_id = :n ORDER BY seq")


def _released_rows(conn, notice_id):
    return [dict(r) for r in conn.execute(_RELEASED_ROWS, {"n": notice_id}).mappings()]


# --- release (通过县（区）级组织部门) ---------------------------------------------------------------

_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('release:' || :d || ':' || :p))")
_INSERT_NOTICES = text("""
    INSERT INTO feedback.notices (unit_id, unit_name, party_org_name, period, district_code, district_name, revision,
                                  status, changes, fingerprint, released_by)
    SELECT unit_id, unit_name, party_org_name, :p, :d, :district_name, revision, 'released', changes, fingerprint, :by
    FROM json_to_recordset(CAST(:rows AS json)) AS n(unit_id bigint, unit_name text, party_org_name text, revision int,
                                                    changes jsonb, fingerprint text)
    RETURNING id, unit_id, revision""")
_INSERT_ROWS = text("""
    INSERT INTO feedback.rows (notice_id, seq, community_code, community_name, member_id, name, reported, points,
                               stars, comment, source_revision)
    SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS r(notice_id bigint, seq int, community_code char(12),
        community_name text, member_id bigint, name text, reported boolean, points numeric, stars int, comment text,
        source_revision int)""")
# what the unit routes' scope check knows of a unit (guard "unit"): where it sits
_UNITS_UPSERT = text("""
    INSERT INTO feedback.units (unit_id, name, party_org_name, district_code, community_code)
    SELECT * FROM json_to_recordset(CAST(:rows AS json)) AS u(unit_id bigint, name text, party_org_name text,
                                                              district_code char(6), community_code char(12))
    ORDER BY unit_id
    ON CONFLICT (unit_id) DO UPDATE SET name = EXCLUDED.name, party_org_name = EXCLUDED.party_org_name,
        district_code = EXCLUDED.district_code, community_code = EXCLUDED.community_code""")
_SUPERSEDE = text("UPDATE feedback.notices SET status = 'superseded' WHERE id = ANY(CAST(:ids AS bigint[]))")


def release(store, registration, district_code, period, by, unit_id=None):
    """Release the notices of the district's units (or of one): those whose lines have all their
    comments and differ from what was sent before (a unit whose lines are all gone gets a revision
    with none). One unit that is not ready is refused with the reason; the whole district
    releases the ready ones and lists the others. The lines and registration's answer are read
    first; the release itself is one transaction, one district's at a time."""
    with store.engine.connect() as conn:
        found = Live(conn, registration, district_code, period, unit_id)
    with store.unit_of_work() as uow:
        return _release(uow, found, district_code, period, by, unit_id)


def _release(uow, found, district_code, period, by, unit_id):
    conn = uow.conn
    conn.execute(_LOCK, {"d": district_code, "p": period})
    live = found.by_unit
    latest = {r["unit_id"]: dict(r) for r in conn.execute(_LATEST, {"p": period, "d": district_code, "unit": unit_id})
              .mappings()}
    names = {u: {"name": n["unit_name"], "party_org_name": n["party_org_name"]} for u, n in latest.items()}
    names.update(found.units)
    units = set(live) | set(latest)
    if unit_id is not None and unit_id not in units:
        raise NotFound(code="notice_not_found", message=f"单位 {unit_id} 在本区 {period} 没有反馈内容")
    summaries = {u: _summary(u, live.get(u, []), latest.get(u), names) for u in units}
    if unit_id is not None:
        s = summaries[unit_id]
        if s["communities_missing_comments"]:
            raise Conflict(code="comments_missing", message=(
                f"社区 {'、'.join(s['communities_missing_comments'])} 尚有 {s['missing_comments']} 名党员未填写社区评语，"
                "填写后才能发布（§5.3.3）"))
        if not s["ready"]:
            raise InvalidState(code="nothing_new", message="该单位的反馈通知已发布，内容没有变化，无需再次发布")
    ready = sorted(u for u, s in summaries.items() if s["ready"])
    headers = []
    for u in ready:
        prev = latest.get(u)
        rows = live.get(u, [])
        headers.append({"unit_id": u, "unit_name": names.get(u, {}).get("name"),
                        "party_org_name": names.get(u, {}).get("party_org_name"),
                        "revision": (prev["revision"] + 1) if prev else 1,
                        "changes": _changes(_released_rows(conn, prev["id"]) if prev else None, rows),
                        "fingerprint": fingerprint(rows)})
    released = []
    if headers:
        made = conn.execute(_INSERT_NOTICES, {"rows": _json(headers), "p": period, "d": district_code, "by": by,
                                              "district_name": found.district_name}).all()
        known = [{k: found.units[u].get(k) for k in ("unit_id", "name", "party_org_name", "district_code",
                                                      "community_code")} for u in ready if u in found.units]
        if known:
            conn.execute(_UNITS_UPSERT, {"rows": _json(known)})
        ids = {u: (n, rev) for n, u, rev in made}
        rows_ = [{"notice_id": ids[u][0], **{k: t[k] for k in ("seq", "community_code", "community_name", "member_id",
                                                                "name", "reported", "points", "stars", "comment",
                                                                "source_revision")}}
                 for u in ready for t in _table(live.get(u, []))]
        if rows_:
            conn.execute(_INSERT_ROWS, {"rows": _json(rows_)})
        old = [latest[u]["id"] for u in ready if u in latest]
        if old:
            conn.execute(_SUPERSEDE, {"ids": old})
        scope = {"district_code": district_code, "street_code": None, "community_code": None}
        uow.emit_many("notice_released", [
            (scope, {"notice_id": ids[h["unit_id"]][0], "unit_id": h["unit_id"], "unit_name": h["unit_name"],
                     "period": period, "revision": h["revision"], "rows": len(live.get(h["unit_id"], [])), "by": by,
                     "changes": h["changes"]}) for h in headers])
        released = [{"unit_id": u, "notice_id": ids[u][0], "revision": ids[u][1]} for u in ready]
    waiting = [{k: s[k] for k in ("unit_id", "unit_name", "missing_comments", "communities_missing_comments")}
               for s in summaries.values() if s["communities_missing_comments"]]
    return {"district_code": district_code, "period": period, "released": released,
            "waiting_for_comments": sorted(waiting, key=lambda w: w["unit_id"]),
            "unchanged": sum(1 for s in summaries.values() if not s["ready"] and not s["communities_missing_comments"])}


# --- the community's comments (社区评语) ------------------------------------------------------------

_COMMUNITY_LINES = text("""
    SELECT l.member_id, l.name, l.unit_id, l.points, l.stars, c.comment, c.written_by, c.written_at
    FROM feedback.lines l
    LEFT JOIN feedback.comments c ON c.period = l.period AND c.community_code = l.community_code AND c.member_id = l.member_id
    WHERE l.period = :p AND l.community_code = :c AND l.reported
    ORDER BY l.points DESC, l.member_id""")
_WRITE_COMMENTS = text("""
    INSERT INTO feedback.comments (period, community_code, member_id, comment, written_by)
    SELECT :p, :c, member_id, comment, :by FROM json_to_recordset(CAST(:rows AS json)) AS x(member_id bigint, comment text)
    ON CONFLICT (period, community_code, member_id) DO UPDATE SET comment = EXCLUDED.comment,
        written_by = EXCLUDED.written_by, written_at = now()""")


def community_lines(conn, community_code, period, registration=None):
    """The community's members in its published half year, with the comments written so far (and
    their units' names, when registration is at hand to tell them)."""
    items = [dict(r) for r in conn.execute(_COMMUNITY_LINES, {"p": period, "c": community_code}).mappings()]
    if registration is not None and items:
        units = {u["unit_id"]: u["name"] for u in registration.feedback_rosters(
            sorted({i["unit_id"] for i in items}), [], period)["units"]}
        for i in items:
            i["unit_name"] = units.get(i["unit_id"])
    if not items and conn.execute(text("SELECT 1 FROM feedback.sources WHERE community_code = :c AND period = :p"),
                                  {"c": community_code, "p": period}).first() is None:
        raise NotFound(code="not_published", message=f"社区 {community_code} 的 {period} 积分评星结果尚未公布（§3.5.5）")
    return {"community_code": community_code, "period": period, "members": len(items),
            "missing_comments": sum(1 for i in items if not i["comment"]), "items": items}


def write_comments(uow, community_code, period, comments, by):
    """社区评语 for members of the community's published half year (each must be one of them)."""
    members = {i["member_id"] for i in community_lines(uow.conn, community_code, period)["items"]}
    for c in comments:
        if c["member_id"] not in members:
            raise NotFound(code="not_found", message=f"党员 {c['member_id']} 不在本社区 {period} 的积分评星结果中")
    uow.conn.execute(_WRITE_COMMENTS, {"p": period, "c": community_code, "by": by, "rows": _json(comments)})
    uow.emit("comments_written", {"district_code": community_code[:6], "street_code": community_code[:9],
                                  "community_code": community_code},
             period=period, member_ids=sorted(c["member_id"] for c in comments), by=by)
    return community_lines(uow.conn, community_code, period)


# --- the unit's side -------------------------------------------------------------------------------

_UNIT_NOTICES = text("""
    SELECT id AS notice_id, district_code, period, revision, status, released_at, released_by, read_at,
           acknowledged_at, jsonb_array_length(changes) AS changes,
           (SELECT count(*) FROM feedback.rows r WHERE r.notice_id = n.id) AS rows
    FROM feedback.notices n WHERE unit_id = :u AND (CAST(:p AS text) IS NULL OR period = :p)
    ORDER BY period DESC, district_code, revision DESC""")
_NOTICE = text("SELECT * FROM feedback.notices WHERE id = :n AND unit_id = :u")


def unit_notices(conn, unit_id, period=None):
    items = [dict(r, status_cn=STATUS_CN[r["status"]]) for r in conn.execute(_UNIT_NOTICES, {"u": unit_id, "p": period})
             .mappings()]
    return {"unit_id": unit_id, "items": items, "unread": sum(1 for i in items if i["status"] == "released")}


def _notice(conn, unit_id, notice_id, lock=False):
    row = conn.execute(text(_NOTICE.text + (" FOR UPDATE" if lock else "")), {"n": notice_id, "u": unit_id}
                       ).mappings().first()
    if row is None:
        raise NotFound(code="notice_not_found", message=f"反馈通知 {notice_id} 不存在")
    return dict(row)


def read(uow, unit_id, notice_id, caller):
    """A released notice, E and F as sent. The unit's own officer reading it is recorded (once)."""
    conn = uow.conn
    n = _notice(conn, unit_id, notice_id)
    if caller.role == "unit_officer" and n["status"] == "released":  # locked only the first time
        n = _notice(conn, unit_id, notice_id, lock=True)
    if caller.role == "unit_officer" and n["status"] == "released":
        conn.execute(text("UPDATE feedback.notices SET status = 'read', read_at = now(), read_by = :by WHERE id = :n"),
                     {"by": caller.username, "n": notice_id})
        _emit(uow, "notice_read", n, caller.username)
        n = _notice(conn, unit_id, notice_id)
    return _as_sent(n, _released_rows(conn, notice_id))


def _as_sent(n, rows):
    """A released notice as the unit reads it: E's text and F's rows."""
    n = {k: v for k, v in n.items() if k != "fingerprint"}
    return {**n, "status_cn": STATUS_CN[n["status"]],
            "notice_text": notice_text(n["party_org_name"] or n["unit_name"], n["district_name"], n["period"]),
            "table": [{**r, "reported_cn": "是" if r["reported"] else "否",
                       "points_cn": f"{_num(r['points'])} 分" if r["reported"] else "未报到",
                       "stars_cn": f"{r['stars']} 星" if r["reported"] else "—", "comment": r["comment"] or ""}
                      for r in rows]}


_DISTRICT_RELEASED = text("""
    SELECT DISTINCT ON (unit_id) * FROM feedback.notices
    WHERE period = :p AND district_code = :d AND (CAST(:units AS bigint[]) IS NULL OR unit_id = ANY(:units))
    ORDER BY unit_id, revision DESC""")
_ROWS_OF = text("SELECT * FROM feedback.rows WHERE notice_id = ANY(:ns) ORDER BY notice_id, seq")


def released_units(conn, district_code, period):
    """The units the district has released a notice of the half year to (its latest revision)."""
    return [r["unit_id"] for r in conn.execute(_DISTRICT_RELEASED, {"p": period, "d": district_code, "units": None})
            .mappings()]


def released(conn, district_code, period, unit_ids):
    """The latest released notice of each of these units, E and F as sent (the district's file of
    what it sent, for print: reading it here is not the unit's reading)."""
    found = [dict(r) for r in conn.execute(_DISTRICT_RELEASED, {"p": period, "d": district_code,
                                                                "units": list(unit_ids)}).mappings()]
    rows = {}
    for r in conn.execute(_ROWS_OF, {"ns": [n["id"] for n in found]}).mappings():
        rows.setdefault(r["notice_id"], []).append(dict(r))
    return [_as_sent(n, rows.get(n["id"], [])) for n in found]


def acknowledge(uow, unit_id, notice_id, by):
    conn = uow.conn
    n = _notice(conn, unit_id, notice_id, lock=True)
    if n["status"] == "superseded":
        raise InvalidState(code="notice_superseded", message="该通知已有更新的版本，请阅读并确认最新版本")
    if n["status"] != "acknowledged":
        if n["status"] == "released":  # acknowledged unread: it was read now, and others hear both
            _emit(uow, "notice_read", n, by)
        conn.execute(text("UPDATE feedback.notices SET status = 'acknowledged', acknowledged_at = now(), "
                          "acknowledged_by = :by, read_at = coalesce(read_at, now()), read_by = coalesce(read_by, :by) "
                          "WHERE id = :n"), {"by": by, "n": notice_id})
        _emit(uow, "notice_acknowledged", n, by)
    return {k: v for k, v in _notice(conn, unit_id, notice_id).items() if k != "fingerprint"}


def _emit(uow, event_type, n, by):
    uow.emit(event_type, {"district_code": n["district_code"], "street_code": None, "community_code": None},
             notice_id=n["id"], unit_id=n["unit_id"], unit_name=n["unit_name"], period=n["period"],
             revision=n["revision"], rows=uow.conn.execute(text("SELECT count(*) FROM feedback.rows WHERE notice_id = :n"),
                                                           {"n": n["id"]}).scalar(), by=by, changes=n["changes"])
