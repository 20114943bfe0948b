"""Half-year settlement of a community (S4–S5, §3.5.4–§3.5.5): draft, review, publish, revise.

A community's half year is settled from its ledger: each member's points and stars, and each
organization's (its co-building projects' scores). The result is a draft until the members'
congress reviews it; then it is published. A published settlement is final (a trigger refuses
edits): a correction made later goes into a revision with its reason, which is reviewed and
published in turn and supersedes the one before.

Each settlement keeps the rule version of its period and the last ledger entry it counted, so
`scoring.verify` recomputes it exactly, whatever rules are current.

Many communities at once (`start_run`) are settled by one message per community, which any
scoring process may take (ARCHITECTURE rule 7).
"""
from sqlalchemy import and_, func, select, text
from sqlalchemy.dialects.postgresql import insert

from contracts.errors import Conflict, InvalidState, NotFound
from toolkit.config import now

from . import domain
from .models import accounts, ledger, periods, run_communities, settlement_results, settlements, settlement_runs

STATUS_CN = {"draft": "草稿", "reviewed": "已审议", "published": "已公布", "superseded": "已被修订版取代"}

# S5 in SQL, with the numbers of the period's rules (domain.Rules.stars is the same in Python)
STARS_SQL = "least(:max_stars, greatest(0, floor({points} / :per_star)))::int"

# Members: every member with entries in the community's half year, and every member whose red
# account is here but who has none (0 points: register D.1 and the feedback list them too).
# The first part reads the index ledger_settlement alone.
_MEMBERS = """
    INSERT INTO {target} (settlement_id, holder_kind, holder_id, name, unit_id, points, stars, entries)
    WITH m AS MATERIALIZED (
        SELECT holder_id, sum(points) AS points, count(*) AS entries, max(member_unit_id) AS unit_id
        FROM scoring.ledger
        WHERE community_code = :c AND period = :p AND holder_kind = 'member' AND id <= :upto
        GROUP BY holder_id),
    here AS MATERIALIZED (
        SELECT holder_id, name, unit_id FROM scoring.accounts
        WHERE community_code = :c AND holder_kind = 'member')
    SELECT :sid, 'member', m.holder_id,
           -- a member who moved on keeps the entries here; the name is looked up where it is now
           coalesce(h.name, (SELECT a.name FROM scoring.accounts a
                             WHERE a.holder_kind = 'member' AND a.holder_id = m.holder_id)),
           coalesce(h.unit_id, m.unit_id), m.points, """ + STARS_SQL.format(points="m.points") + """, m.entries
    FROM m LEFT JOIN here h ON h.holder_id = m.holder_id
    UNION ALL
    SELECT :sid, 'member', h.holder_id, h.name, h.unit_id, 0, 0, 0
    FROM here h WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.holder_id = h.holder_id)"""

# Organizations (S1, §3.5.1): a project's score is the mean of its ratings in the half year, each
# rating with the corrections that name it; an organization's points are the sum of its projects'
# scores (domain.Rules.organization_points). Units registered here without a rated project: 0.
_UNITS = """
    INSERT INTO {target} (settlement_id, holder_kind, holder_id, name, unit_id, points, stars, entries)
    WITH corrections AS (  -- a correction keeps the community, half year and holder of what it corrects
        SELECT corrects_entry_id AS id, sum(points) AS points
        FROM scoring.ledger
        WHERE community_code = :c AND period = :p AND holder_kind = 'project' AND kind = 'correction'
          AND id <= :upto
        GROUP BY corrects_entry_id),
    ratings AS (
        SELECT r.holder_id AS project_id, r.member_unit_id AS unit_id, r.points + coalesce(c.points, 0) AS score
        FROM scoring.ledger r LEFT JOIN corrections c ON c.id = r.id
        WHERE r.community_code = :c AND r.period = :p AND r.holder_kind = 'project'
          AND r.kind = 'project_rating' AND r.id <= :upto),
    projects AS (
        SELECT project_id, max(unit_id) AS unit_id, round(avg(score), 1) AS score, count(*) AS ratings
        FROM ratings GROUP BY project_id),
    units AS (
        SELECT unit_id, sum(score) AS points, sum(ratings)::int AS entries FROM projects GROUP BY unit_id)
    SELECT :sid, 'unit', u.unit_id, a.name, u.unit_id, u.points, """ + STARS_SQL.format(points="u.points") + """,
           u.entries
    FROM units u LEFT JOIN LATERAL (SELECT name FROM scoring.accounts a
                                    WHERE a.holder_kind = 'unit' AND a.holder_id = u.unit_id LIMIT 1) a ON true
    WHERE u.unit_id IS NOT NULL
    UNION ALL
    SELECT :sid, 'unit', a.holder_id, a.name, a.holder_id, 0, 0, 0
    FROM scoring.accounts a
    WHERE a.community_code = :c AND a.holder_kind = 'unit'
      AND NOT EXISTS (SELECT 1 FROM units u WHERE u.unit_id = a.holder_id)"""


def rule_version_of(conn, period):
    """The rules a half year is scored under: fixed by its first settlement (S4–S5)."""
    conn.execute(insert(periods).values(period=period, rule_version=domain.CURRENT).on_conflict_do_nothing())
    return conn.execute(select(periods.c.rule_version).where(periods.c.period == period)).scalar_one()


_COMPUTE = {}


def compute(conn, target, settlement_id, community_code, period, upto, rule_version):
    """Write the results of one settlement into `target` (the results table, or verify's copy)."""
    rules = domain.rules_of(rule_version)
    params = {"sid": settlement_id, "c": community_code, "p": period, "upto": upto,
              "max_stars": rules.max_stars, "per_star": rules.points_per_star}
    if target not in _COMPUTE:
        _COMPUTE[target] = (text(_MEMBERS.format(target=target)), text(_UNITS.format(target=target)))
    for statement in _COMPUTE[target]:
        conn.execute(statement, params)


def _latest(conn, community_code, period):
    # one settler of a community's half year at a time, whichever process it runs in
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"settle:{community_code}:{period}"})
    return conn.execute(select(settlements).where(settlements.c.community_code == community_code,
                                                  settlements.c.period == period)
                        .order_by(settlements.c.revision.desc()).limit(1)).mappings().first()


def _not_found(community_code, period):
    return NotFound(code="settlement_not_found", message=f"社区 {community_code} 的 {period} 尚未生成清算草稿（§3.5.4）")


def draft(conn, community_code, period, by, reason=None, in_run=None):
    """Compute the community's half year as a draft. A draft or a reviewed settlement not yet
    published is computed again (its review is dropped: the congress reviews what it publishes).
    A published one is changed only by a revision, which needs a reason. In a run of many
    communities (`in_run`: the run's ledger_upto and rule_version), reviewed and published ones
    are skipped, never overwritten.
    Returns (settlement id, note) where note is None when a draft was written."""
    latest = _latest(conn, community_code, period)
    if latest is not None and latest["status"] == "published":
        if in_run or reason is None:
            if in_run:
                return latest["id"], "已公布，未重算"
            raise InvalidState(code="settlement_published", message=(
                f"{period} 清算结果已公布，不能直接重算：如需更正，请发起修订并写明理由（§3.5.5）"))
    elif reason is not None:
        raise InvalidState(code="nothing_to_revise", message="只有已公布的清算结果才需要修订；未公布的请直接重新生成草稿")
    if in_run and latest is not None and latest["status"] == "reviewed":
        return latest["id"], "已审议，未重算"
    if in_run:
        upto, rule_version = in_run["ledger_upto"], in_run["rule_version"]
    else:
        upto, rule_version = _ledger_upto(conn), rule_version_of(conn, period)
    values = {"status": "draft", "rule_version": rule_version, "ledger_upto": upto, "computed_at": now(),
              "computed_by": by, "reviewed_at": None, "reviewed_by": None, "congress_date": None,
              "congress_attendees": None, "congress_minutes": None}
    if latest is None or latest["status"] == "published":
        revision = 1 if latest is None else latest["revision"] + 1
        sid = conn.execute(settlements.insert().values(
            community_code=community_code, district_code=community_code[:6], street_code=community_code[:9],
            period=period, revision=revision, reason=reason, **values).returning(settlements.c.id)).scalar_one()
    else:
        sid = latest["id"]
        conn.execute(settlement_results.delete().where(settlement_results.c.settlement_id == sid))
        conn.execute(settlements.update().where(settlements.c.id == sid).values(**values))
    compute(conn, "scoring.settlement_results", sid, community_code, period, upto, rule_version)
    return sid, None


def _ledger_upto(conn):
    return conn.execute(select(func.coalesce(func.max(ledger.c.id), 0))).scalar_one()


def _stale(conn, row):
    """Entries of the community's half year written after the draft was computed."""
    return conn.execute(select(func.count()).select_from(ledger).where(
        ledger.c.community_code == row["community_code"], ledger.c.period == row["period"],
        ledger.c.id > row["ledger_upto"])).scalar_one()


def _require_current(conn, row):
    late = _stale(conn, row)
    if late:
        raise Conflict(code="settlement_stale", message=(
            f"生成草稿后又记入了 {late} 条积分记录：请重新生成草稿后再审议、公布（§3.5.4）"))


def review(conn, community_code, period, req, by):
    """The members' congress reviewed the draft (§3.5.5)."""
    row = _latest(conn, community_code, period)
    if row is None:
        raise _not_found(community_code, period)
    if row["status"] != "draft":
        raise InvalidState(code="not_a_draft", message=f"当前清算结果为“{STATUS_CN[row['status']]}”，只有草稿可以提交审议")
    if req["congress_date"] < row["computed_at"].date():
        raise Conflict(code="review_before_draft", message="审议日期不能早于草稿生成日期（§3.5.5）")
    _require_current(conn, row)
    conn.execute(settlements.update().where(settlements.c.id == row["id"]).values(
        status="reviewed", reviewed_at=now(), reviewed_by=by, congress_date=req["congress_date"],
        congress_attendees=req["attendees"], congress_minutes=req["minutes"]))
    return get(conn, community_code, period)


def publish(uow, community_code, period, by):
    """Publish the reviewed settlement (§3.5.5): it goes on the vanguard board (§3.5.6), the one it
    revises is superseded, and each unit hears its members' points and stars (§5.3.1)."""
    conn = uow.conn
    row = _latest(conn, community_code, period)
    if row is None:
        raise _not_found(community_code, period)
    if row["status"] != "reviewed":
        raise InvalidState(code="not_reviewed", message=(
            f"当前清算结果为“{STATUS_CN[row['status']]}”：须经党员群众代表大会审议后才能公布（§3.5.5）"))
    _require_current(conn, row)
    conn.execute(settlements.update().where(settlements.c.community_code == community_code,
                                            settlements.c.period == period, settlements.c.status == "published")
                 .values(status="superseded"))
    conn.execute(settlements.update().where(settlements.c.id == row["id"]).values(
        status="published", published_at=now(), published_by=by))
    results = conn.execute(select(settlement_results).where(settlement_results.c.settlement_id == row["id"])
                           .order_by(settlement_results.c.holder_kind, settlement_results.c.holder_id)).mappings().all()
    scope = {"district_code": row["district_code"], "street_code": row["street_code"],
             "community_code": community_code}
    members = [r for r in results if r["holder_kind"] == "member"]
    uow.emit("settlement_published", scope, settlement_id=row["id"], period=period, revision=row["revision"],
             rule_version=row["rule_version"], reason=row["reason"], members=len(members),
             organizations=sum(1 for r in results if r["holder_kind"] == "unit"),
             ten_star_members=sum(1 for r in members if r["stars"] == domain.rules_of(row["rule_version"]).max_stars))
    _feedback(uow, conn, row, scope, results)
    return get(conn, community_code, period)


def _feedback(uow, conn, row, scope, results):
    """One event per unit: its members' points and stars in this community's half year, and the
    unit's own (B1, §5.3.1), for the feedback service to pass on through the district."""
    by_unit = {}
    for r in results:
        if r["unit_id"] is not None:
            by_unit.setdefault(r["unit_id"], {"members": [], "organization": None})
            if r["holder_kind"] == "member":
                by_unit[r["unit_id"]]["members"].append(
                    {"member_id": r["holder_id"], "name": r["name"], "points": r["points"], "stars": r["stars"]})
            else:
                by_unit[r["unit_id"]]["organization"] = {"points": r["points"], "stars": r["stars"]}
    names = dict(conn.execute(select(accounts.c.holder_id, accounts.c.name).where(
        accounts.c.holder_kind == "unit", accounts.c.holder_id.in_(list(by_unit)))).all()) if by_unit else {}
    for unit_id, facts in sorted(by_unit.items()):
        uow.emit("unit_points_published", scope, unit_id=unit_id, unit_name=names.get(unit_id),
                 period=row["period"], revision=row["revision"], settlement_id=row["id"], **facts)


def revise(conn, community_code, period, reason, by):
    """A published half year whose ledger changed: revision n+1, a draft with its reason."""
    row = _latest(conn, community_code, period)
    if row is None:
        raise _not_found(community_code, period)
    if row["status"] != "published":
        raise InvalidState(code="nothing_to_revise", message=(
            f"当前清算结果为“{STATUS_CN[row['status']]}”：只有已公布的结果需要修订，未公布的请重新生成草稿"))
    draft(conn, community_code, period, by, reason=reason)
    return get(conn, community_code, period)


def get(conn, community_code, period):
    """Every revision of the community's half year, the newest first, with the newest's results."""
    rows = conn.execute(select(settlements).where(settlements.c.community_code == community_code,
                                                  settlements.c.period == period)
                        .order_by(settlements.c.revision.desc())).mappings().all()
    if not rows:
        raise _not_found(community_code, period)
    current = dict(rows[0])
    results = conn.execute(select(settlement_results).where(settlement_results.c.settlement_id == current["id"])
                           .order_by(settlement_results.c.holder_kind, settlement_results.c.points.desc(),
                                     settlement_results.c.holder_id)).mappings().all()
    current["status_cn"] = STATUS_CN[current["status"]]
    current["late_entries"] = _stale(conn, current) if current["status"] != "superseded" else 0
    current["members"] = [dict(r) for r in results if r["holder_kind"] == "member"]
    current["organizations"] = [dict(r) for r in results if r["holder_kind"] == "unit"]
    return {"community_code": community_code, "period": period, "current": current,
            "revisions": [{k: r[k] for k in ("id", "revision", "status", "reason", "rule_version", "computed_at",
                                              "reviewed_at", "published_at")} for r in rows]}


# --- many communities: a run, one message per community (rule 7) -------------------------------

# the distinct communities of the ledger under an area, one index probe each (a loose index scan
# of ledger_settlement), instead of reading millions of entries to find two thousand codes
_LEDGER_COMMUNITIES = text("""
    WITH RECURSIVE c(code) AS (
        (SELECT community_code FROM scoring.ledger WHERE community_code >= :lo
         ORDER BY community_code LIMIT 1)
        UNION ALL
        SELECT (SELECT l.community_code FROM scoring.ledger l WHERE l.community_code > c.code
                ORDER BY l.community_code LIMIT 1)
        FROM c WHERE c.code LIKE :like)
    SELECT code FROM c WHERE code LIKE :like""")


def communities_of(conn, area_code):
    """Communities in an area that have something to settle: red accounts or ledger entries."""
    like = f"{area_code}%"
    codes = {c for (c,) in conn.execute(select(accounts.c.community_code).where(
        accounts.c.community_code.like(like)).distinct()).all() if c}
    codes.update(c for (c,) in conn.execute(_LEDGER_COMMUNITIES, {"lo": area_code, "like": like}).all())
    return sorted(codes)


def start_run(uow, area_code, period, by):
    conn = uow.conn
    codes = communities_of(conn, area_code)
    if not codes:
        raise NotFound(code="nothing_to_settle", message=f"{area_code} 辖区内没有开立红色账户或记有积分的社区")
    fixed = {"rule_version": rule_version_of(conn, period), "ledger_upto": _ledger_upto(conn)}
    run_id = conn.execute(settlement_runs.insert().values(area_code=area_code, period=period, started_by=by,
                                                          total=len(codes)).returning(settlement_runs.c.id)).scalar_one()
    conn.execute(run_communities.insert(), [{"run_id": run_id, "community_code": c} for c in codes])
    for code in codes:
        uow.emit("settlement_requested", {"district_code": code[:6], "street_code": code[:9], "community_code": code},
                 run_id=run_id, period=period, requested_by=by, **fixed)
    return run_status(conn, run_id)


def settle_requested(conn, event):
    """One community of a run (the handler of settlement_requested, in whichever process; the
    inbox makes it once per message). The run fixed the entries counted and the rules."""
    _, note = draft(conn, event["community_code"], event["period"], event["requested_by"],
                    in_run={"ledger_upto": event["ledger_upto"], "rule_version": event["rule_version"]})
    conn.execute(_RUN_DONE, {"run": event["run_id"], "c": event["community_code"],
                             "status": "skipped" if note else "drafted", "note": note, "at": now()})


_RUN_DONE = text("UPDATE scoring.run_communities SET status = :status, note = :note, finished_at = :at "
                 "WHERE run_id = :run AND community_code = :c AND status = 'pending'")


def run_status(conn, run_id, area_code=None):
    run = conn.execute(select(settlement_runs).where(settlement_runs.c.id == run_id)).mappings().first()
    if run is None or (area_code is not None and run["area_code"] != area_code):
        raise NotFound(code="run_not_found", message=f"清算任务 {run_id} 不存在")
    counts = dict(conn.execute(select(run_communities.c.status, func.count()).where(
        run_communities.c.run_id == run_id).group_by(run_communities.c.status)).all())
    finished = conn.execute(select(func.max(run_communities.c.finished_at)).where(
        run_communities.c.run_id == run_id)).scalar()
    skipped = conn.execute(select(run_communities.c.community_code, run_communities.c.note).where(
        and_(run_communities.c.run_id == run_id, run_communities.c.status == "skipped"))
        .order_by(run_communities.c.community_code).limit(100)).mappings().all()
    pending = counts.get("pending", 0)
    return {"run_id": run_id, "area_code": run["area_code"], "period": run["period"],
            "started_by": run["started_by"], "started_at": run["started_at"], "total": run["total"],
            "pending": pending, "drafted": counts.get("drafted", 0), "skipped": counts.get("skipped", 0),
            "done": pending == 0, "finished_at": finished if pending == 0 else None,
            "progress": round(100 * (run["total"] - pending) / run["total"], 1),
            "skipped_communities": [dict(r) for r in skipped]}
