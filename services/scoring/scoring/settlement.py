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
import logging

from prometheus_client import Gauge
from sqlalchemy import and_, func, select, text
from sqlalchemy.dialects.postgresql import insert

from contracts.errors import Conflict, InvalidState, NotFound
from toolkit.config import now
from toolkit.inbox import first_times

from . import domain
from .models import accounts, ledger, periods, run_communities, settlements, settlement_runs

log = logging.getLogger(__name__)
STATUS_CN = {"draft": "草稿", "reviewed": "已审议", "published": "已公布", "superseded": "已被修订版取代"}

# S5 in SQL, with the numbers of the period's rules (domain.Rules.stars is the same in Python)
STARS_SQL = "least(:max_stars, greatest(0, floor({points} / :per_star)))::int"

# The rows of the results, one per holder, in one query for any number of communities of one half
# year (`t`: each settlement's id and its community), so that a batch of a run's messages is
# settled at once (planning and round trips would otherwise be most of the cost). `compute` writes
# them as each settlement's lists, or as rows for verify. What they hold comes from the ledger alone:
#
# Members: the half-year points of every member with entries in the community, read from the
# index ledger_settlement alone, one community's range after another.
#
# Organizations (S1, §3.5.1): a project's score is the mean of its ratings in the half year, each
# rating with the corrections that name it; an organization's points are the sum of its projects'
# scores (domain.Rules.organization_points). Read from the partial index ledger_projects alone.
#
# Members and units with a red account here and nothing in the half year have 0 points: they are
# listed so when read (`get`, the feedback of `publish`), not written for every half year.
_RESULTS = """
    WITH t AS MATERIALIZED (
        SELECT * FROM unnest(CAST(:sids AS bigint[]), CAST(:codes AS bpchar[])) AS t(sid, c)),
    m AS (  -- community by community, each summed as its index range streams by
        SELECT t.sid, g.* FROM t CROSS JOIN LATERAL (
            SELECT l.holder_id, sum(l.points) AS points, count(*) AS entries, max(l.member_unit_id) AS unit_id
            FROM scoring.ledger l
            WHERE l.community_code = t.c AND l.period = :p AND l.holder_kind = 'member' AND l.id <= :upto
            GROUP BY l.holder_id) g),
    p AS MATERIALIZED (  -- the projects' entries of the half year: ratings, and corrections of them
        SELECT t.sid, l.id, l.holder_id, l.member_unit_id, l.kind, l.points, l.corrects_entry_id
        FROM t JOIN scoring.ledger l ON l.community_code = t.c
        WHERE l.period = :p AND l.holder_kind = 'project' AND l.id <= :upto),
    corrections AS (  -- a correction keeps the community, half year and holder of what it corrects
        SELECT corrects_entry_id AS id, sum(points) AS points FROM p WHERE kind = 'correction'
        GROUP BY corrects_entry_id),
    ratings AS (
        SELECT r.sid, r.holder_id AS project_id, r.member_unit_id AS unit_id, r.points + coalesce(c.points, 0) AS score
        FROM p r LEFT JOIN corrections c ON c.id = r.id WHERE r.kind = 'project_rating'),
    projects AS (
        SELECT sid, project_id, max(unit_id) AS unit_id, round(avg(score), 1) AS score, count(*) AS ratings
        FROM ratings GROUP BY sid, project_id),
    units AS (
        SELECT sid, unit_id, sum(score) AS points, sum(ratings)::int AS entries FROM projects
        WHERE unit_id IS NOT NULL GROUP BY sid, unit_id)
    SELECT m.sid, 'member', m.holder_id, m.unit_id, m.points, """ + STARS_SQL.format(points="m.points") + """, m.entries
    FROM m
    UNION ALL
    SELECT u.sid, 'unit', u.unit_id, u.unit_id, u.points, """ + STARS_SQL.format(points="u.points") + """, u.entries
    FROM units u"""


def rule_version_of(conn, period):
    """The rules a half year is scored under: fixed by its first settlement (S4–S5), as the
    version in force for that half year (S7)."""
    if domain.period_start(period) > now():
        # a half year to come may be getting a version this moment (rulebook.publish holds the
        # table): wait for it, so that what is fixed here is what is in force
        conn.execute(text("LOCK TABLE scoring.rule_versions IN SHARE MODE"))
    in_force = domain.in_force(conn, period).version
    conn.execute(insert(periods).values(period=period, rule_version=in_force).on_conflict_do_nothing())
    return conn.execute(select(periods.c.rule_version).where(periods.c.period == period)).scalar_one()


# The results' own statement records its snapshot in each settlement: the entries it counted are
# those with id <= ledger_upto whose transaction (ledger.recorded_xid) had committed in that
# snapshot. An entry that took a lower id and committed later (another process entering an event
# at the same moment) is then known to be missing (_STALE), where ledger_upto alone would not tell.
_RECORD_SNAPSHOT = """
    WITH snapshot AS (UPDATE scoring.settlements SET ledger_snapshot = pg_current_snapshot()
                      WHERE id = ANY(CAST(:sids AS bigint[])))"""
_COMPUTE = {}
_NO_JIT = text("SET LOCAL jit = off")


# The settlements' own results: their lists (models.settlement_lists), from those rows; or the
# rows themselves, into a table of their shape (verify's)
_LISTS = _RECORD_SNAPSHOT + """
    INSERT INTO scoring.settlement_lists (settlement_id, holder_kind, holder_ids, unit_ids, points, stars, entries)
    SELECT sid, kind, array_agg(holder_id), array_agg(unit_id), array_agg(points), array_agg(stars), array_agg(entries)
    FROM (""" + _RESULTS + """) r(sid, kind, holder_id, unit_id, points, stars, entries)
    GROUP BY sid, kind"""
_ROWS_INTO = "INSERT INTO {target} (settlement_id, holder_kind, holder_id, unit_id, points, stars, entries)"
RESULTS = "scoring.settlement_lists"


def compute(conn, target, settlements_, period, upto, rule_version):
    """Write the results of settlements of one half year, counting the same entries under the same
    rules: into the settlements' lists (target RESULTS), or one row per holder into `target` (verify's
    scratch table). `settlements_`: (id, community)."""
    rules = domain.rules_of(rule_version, conn)
    if target not in _COMPUTE:
        _COMPUTE[target] = text(_LISTS if target == RESULTS else _ROWS_INTO.format(target=target) + _RESULTS)
    # the planner's guess for many communities passes jit_above_cost, and compiling the plan took
    # longer (about 0.9 s) than running it
    conn.execute(_NO_JIT)
    conn.execute(_COMPUTE[target], {
        "sids": [sid for sid, _ in settlements_], "codes": [code for _, code in settlements_], "p": period,
        "upto": upto, "max_stars": rules.max_stars, "per_star": rules.points_per_star})


# one settler of a community's half year at a time, whichever process it runs in; locks taken in
# the communities' order, so two batches that share communities cannot deadlock
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('settle:' || c || ':' || CAST(:p AS text))) "
             "FROM (SELECT c FROM unnest(CAST(:codes AS text[])) AS c ORDER BY c) ordered")
_LATEST = text("""
    SELECT DISTINCT ON (community_code) * FROM scoring.settlements
    WHERE community_code = ANY(CAST(:codes AS bpchar[])) AND period = :p
    ORDER BY community_code, revision DESC""")
_NEW_SETTLEMENTS = text("""
    INSERT INTO scoring.settlements (community_code, district_code, street_code, period, revision, status,
                                     rule_version, ledger_upto, reason, computed_by)
    SELECT c, left(c, 6), left(c, 9), :p, r, 'draft', :rule_version, :upto, :reason, :by
    FROM unnest(CAST(:codes AS text[]), CAST(:revisions AS int[])) AS n(c, r)
    RETURNING id, community_code""")
_REDO = text("""
    UPDATE scoring.settlements SET status = 'draft', rule_version = :rule_version, ledger_upto = :upto,
           computed_at = now(), computed_by = :by, reviewed_at = NULL, reviewed_by = NULL, congress_date = NULL,
           congress_attendees = NULL, congress_minutes = NULL
    WHERE id = ANY(CAST(:sids AS bigint[]))""")
_DROP_RESULTS = text("DELETE FROM scoring.settlement_lists WHERE settlement_id = ANY(CAST(:sids AS bigint[]))")


def _latest(conn, community_code, period):
    return _latest_of(conn, [community_code], period).get(community_code)


def _latest_of(conn, codes, period):
    conn.execute(_LOCK, {"codes": codes, "p": period})
    return {r["community_code"]: r for r in conn.execute(_LATEST, {"codes": codes, "p": period}).mappings()}


def _not_found(community_code, period):
    return NotFound(code="settlement_not_found", message=f"社区 {community_code} 的 {period} 尚未生成清算草稿（§3.5.4）")


def draft(conn, community_code, period, by, reason=None):
    """Compute the community's half year as a draft. A draft or a reviewed settlement not yet
    published is computed again (its review is dropped: the congress reviews what it publishes).
    A published one is changed only by a revision (`revise`, which gives the reason)."""
    latest = _latest(conn, community_code, period)
    if latest is not None and latest["status"] == "published" and reason is None:
        raise InvalidState(code="settlement_published", message=(
            f"{period} 清算结果已公布，不能直接重算：如需更正，请发起修订并写明理由（§3.5.5）"))
    _write_drafts(conn, period, {community_code: latest}, by, _ledger_upto(conn), rule_version_of(conn, period),
                  reason)


def draft_many(conn, period, codes, by, upto, rule_version):
    """A run's communities as drafts, at once; reviewed and published ones are skipped, never
    overwritten. Returns {community: note} of those skipped."""
    latest = _latest_of(conn, codes, period)
    skipped = {c: ("已公布，未重算" if latest[c]["status"] == "published" else "已审议，未重算")
               for c in codes if c in latest and latest[c]["status"] in ("published", "reviewed")}
    _write_drafts(conn, period, {c: latest.get(c) for c in codes if c not in skipped}, by, upto, rule_version)
    return skipped


def _write_drafts(conn, period, latest, by, upto, rule_version, reason=None):
    """New settlements (a first one, or the revision after a published one) and drafts computed again."""
    new = {c: (row["revision"] + 1 if row else 1) for c, row in latest.items() if row is None or row["status"] == "published"}
    redo = [(row["id"], c) for c, row in latest.items() if c not in new]
    common = {"p": period, "upto": upto, "rule_version": rule_version, "by": by}
    written = list(redo)
    if redo:
        sids = [sid for sid, _ in redo]
        conn.execute(_DROP_RESULTS, {"sids": sids})
        conn.execute(_REDO, {"sids": sids, **common})
    if new:
        written += [(r.id, r.community_code) for r in conn.execute(_NEW_SETTLEMENTS, {
            "codes": list(new), "revisions": list(new.values()), "reason": reason, **common})]
    if written:
        compute(conn, RESULTS, written, period, upto, rule_version)


def _ledger_upto(conn):
    return conn.execute(select(func.coalesce(func.max(ledger.c.id), 0))).scalar_one()


_STALE = text("""
    SELECT count(*) FROM scoring.ledger l
    WHERE l.community_code = :c AND l.period = :p
      AND (l.id > :upto
           OR (CAST(:snap AS pg_snapshot) IS NOT NULL AND l.recorded_xid IS NOT NULL
               AND NOT pg_visible_in_snapshot(l.recorded_xid, CAST(:snap AS pg_snapshot))))""")


def _stale(conn, row):
    """Entries of the community's half year that the draft did not count: written after it, or
    with a lower id but committed after its results were read."""
    return conn.execute(_STALE, {"c": row["community_code"], "p": row["period"], "upto": row["ledger_upto"],
                                 "snap": row["ledger_snapshot"]}).scalar_one()


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
    results = listed(conn, row["id"], community_code)
    scope = {"district_code": row["district_code"], "street_code": row["street_code"],
             "community_code": community_code}
    members = [r for r in results if r["holder_kind"] == "member"]
    uow.emit("settlement_published", scope, settlement_id=row["id"], period=period, revision=row["revision"],
             rule_version=row["rule_version"], reason=row["reason"], members=len(members),
             organizations=sum(1 for r in results if r["holder_kind"] == "unit"),
             ten_star_members=sum(1 for r in members if r["stars"] == domain.rules_of(row["rule_version"]).max_stars),
             member_lines={"member_id": [r["holder_id"] for r in members], "name": [r["name"] for r in members],
                           "unit_id": [r["unit_id"] for r in members],
                           "points": [float(r["points"]) for r in members], "stars": [r["stars"] for r in members]},
             unit_results=[{"unit_id": r["holder_id"], "name": r["name"], "points": r["points"], "stars": r["stars"]}
                           for r in results if r["holder_kind"] == "unit"])
    _feedback(uow, conn, row, scope, results)
    return get(conn, community_code, period)


_LISTED = text("""
    SELECT r.holder_kind, r.holder_id, a.name, r.unit_id, r.points, r.stars, r.entries
    FROM scoring.settlement_results r
    LEFT JOIN scoring.accounts a ON a.holder_kind = r.holder_kind AND a.holder_id = r.holder_id
    WHERE r.settlement_id = :sid
    UNION ALL
    SELECT a.holder_kind, a.holder_id, a.name, CASE WHEN a.holder_kind = 'unit' THEN a.holder_id ELSE a.unit_id END,
           CAST(0 AS numeric(8, 1)), 0, 0
    FROM scoring.accounts a
    WHERE a.community_code = :c AND NOT EXISTS (
        SELECT 1 FROM scoring.settlement_results r
        WHERE r.settlement_id = :sid AND r.holder_kind = a.holder_kind AND r.holder_id = a.holder_id)
    ORDER BY holder_kind, points DESC, holder_id""")


def listed(conn, settlement_id, community_code):
    """A settlement as register D.1's totals list it: every member and organization with a result,
    named from the red accounts, and those with a red account here and nothing in the half year
    with 0 (§3.5.4; the feedback lists them too, §5.3.3 是否报到)."""
    return conn.execute(_LISTED, {"sid": settlement_id, "c": community_code}).mappings().all()


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
    names = {r["holder_id"]: r["name"] for r in results if r["holder_kind"] == "unit"}
    missing = [u for u in by_unit if u not in names]
    if missing:  # units of members here whose own red account is elsewhere
        names.update(conn.execute(select(accounts.c.holder_id, accounts.c.name).where(
            accounts.c.holder_kind == "unit", accounts.c.holder_id.in_(missing))).all())
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
    results = listed(conn, current["id"], community_code)
    current["status_cn"] = STATUS_CN[current["status"]]
    current["late_entries"] = _stale(conn, current) if current["status"] != "superseded" else 0
    del current["ledger_snapshot"]  # the database's bookkeeping, not the clerk's
    current["members"] = [dict(r) for r in results if r["holder_kind"] == "member"]
    current["organizations"] = [dict(r) for r in results if r["holder_kind"] == "unit"]
    return {"community_code": community_code, "period": period, "current": current,
            "revisions": [{k: r[k] for k in ("id", "revision", "status", "reason", "rule_version", "computed_at",
                                              "reviewed_at", "published_at")} for r in rows]}


# --- many communities: a run, one message per community (rule 7) -------------------------------

# the distinct communities under an area of a table indexed by community first, one index probe
# each (a loose index scan), instead of reading millions of entries or 300,000 accounts to find
# two thousand codes
_DISTINCT_COMMUNITIES = """
    WITH RECURSIVE c(code) AS (
        (SELECT community_code FROM {table} WHERE community_code >= :lo ORDER BY community_code LIMIT 1)
        UNION ALL
        SELECT (SELECT x.community_code FROM {table} x WHERE x.community_code > c.code
                ORDER BY x.community_code LIMIT 1)
        FROM c WHERE c.code LIKE :like)
    SELECT code FROM c WHERE code LIKE :like"""
_COMMUNITIES_OF = [text(_DISTINCT_COMMUNITIES.format(table=table))  # accounts_by_community, ledger_settlement
                   for table in ("scoring.accounts", "scoring.ledger")]


def communities_of(conn, area_code):
    """Communities in an area that have something to settle: red accounts or ledger entries."""
    found = set()
    for statement in _COMMUNITIES_OF:
        found.update(c for (c,) in conn.execute(statement, {"lo": area_code, "like": f"{area_code}%"}))
    return sorted(found)


def start_run(uow, area_code, period, by):
    conn = uow.conn
    codes = communities_of(conn, area_code)
    if not codes:
        raise NotFound(code="nothing_to_settle", message=f"{area_code} 辖区内没有开立红色账户或记有积分的社区")
    fixed = {"rule_version": rule_version_of(conn, period), "ledger_upto": _ledger_upto(conn)}
    run_id = conn.execute(settlement_runs.insert().values(area_code=area_code, period=period, started_by=by,
                                                          total=len(codes)).returning(settlement_runs.c.id)).scalar_one()
    conn.execute(text("INSERT INTO scoring.run_communities (run_id, community_code) "
                      "SELECT :run, unnest(CAST(:codes AS text[]))"), {"run": run_id, "codes": codes})
    uow.emit_many("settlement_requested", [
        ({"district_code": code[:6], "street_code": code[:9], "community_code": code},
         {"run_id": run_id, "period": period, "requested_by": by, **fixed}) for code in codes])
    return run_status(conn, run_id)


def settle_batch(store, events):
    """Messages of settlement runs, as many as a process took at once (toolkit.batches): each is one
    community; the inbox keeps each to once. One transaction for the batch; if it fails, each
    community is tried alone, and one that still fails is marked failed in its run with the error
    (the others go on)."""
    try:
        with store.unit_of_work() as uow:
            _settle(uow.conn, store, events)
    except Exception:
        log.exception("a batch of %d settlement messages failed; settling them one by one", len(events))
        for event in events:
            try:
                with store.unit_of_work() as uow:
                    _settle(uow.conn, store, [event])
            except Exception as exc:
                log.exception("settling %s in run %s failed", event.get("community_code"), event.get("run_id"))
                with store.unit_of_work() as uow:
                    uow.conn.execute(_RUN_DONE, {"runs": [event["run_id"]], "codes": [event["community_code"]],
                                                 "statuses": ["failed"], "notes": [f"清算出错：{exc}"[:200]]})


def _settle(conn, store, events):
    inbox = store.metadata.tables["scoring.inbox"]
    new_ids = first_times(conn, inbox, events, "scoring")
    fresh = list({str(e["event_id"]): e for e in events if str(e["event_id"]) in new_ids}.values())
    runs = {}
    for e in fresh:
        runs.setdefault((e["run_id"], e["period"], e["requested_by"], e["ledger_upto"], e["rule_version"]), []
                        ).append(e["community_code"])
    for (run_id, period, by, upto, rule_version), codes in runs.items():
        skipped = draft_many(conn, period, codes, by, upto, rule_version)
        conn.execute(_RUN_DONE, {"runs": [run_id] * len(codes), "codes": codes,
                                 "statuses": ["skipped" if c in skipped else "drafted" for c in codes],
                                 "notes": [skipped.get(c) for c in codes]})


_RUN_DONE = text("""
    UPDATE scoring.run_communities r SET status = d.status, note = d.note, finished_at = now()
    FROM unnest(CAST(:runs AS bigint[]), CAST(:codes AS bpchar[]), CAST(:statuses AS text[]),
                CAST(:notes AS text[])) AS d(run_id, c, status, note)
    WHERE r.run_id = d.run_id AND r.community_code = d.c AND r.status = 'pending'""")


def run_status(conn, run_id, area_code=None):
    run = conn.execute(select(settlement_runs).where(settlement_runs.c.id == run_id)).mappings().first()
    # seen from its area and the areas above it, as area officers see what lies below them
    if run is None or (area_code is not None and not run["area_code"].startswith(area_code)):
        raise NotFound(code="run_not_found", message=f"清算任务 {run_id} 不存在")
    counts = dict(conn.execute(select(run_communities.c.status, func.count()).where(
        run_communities.c.run_id == run_id).group_by(run_communities.c.status)).all())
    finished = conn.execute(select(func.max(run_communities.c.finished_at)).where(
        run_communities.c.run_id == run_id)).scalar()
    skipped = conn.execute(select(run_communities.c.community_code, run_communities.c.status,
                                  run_communities.c.note).where(
        and_(run_communities.c.run_id == run_id, run_communities.c.status.in_(("skipped", "failed"))))
        .order_by(run_communities.c.community_code).limit(100)).mappings().all()
    pending = counts.get("pending", 0)
    return {"run_id": run_id, "area_code": run["area_code"], "period": run["period"],
            "started_by": run["started_by"], "started_at": run["started_at"], "total": run["total"],
            "pending": pending, "drafted": counts.get("drafted", 0), "skipped": counts.get("skipped", 0),
            "failed": counts.get("failed", 0),
            "done": pending == 0, "finished_at": finished if pending == 0 else None,
            "progress": round(100 * (run["total"] - pending) / run["total"], 1),
            "skipped_communities": [dict(r) for r in skipped]}


# --- for operations: a run that does not finish ----------------------------------------------

RUN_PENDING = Gauge("sbd_settlement_run_pending_communities",
                    "Communities of settlement runs still pending (neither drafted, skipped nor failed)")
RUN_OLDEST = Gauge("sbd_settlement_run_oldest_pending_seconds",
                   "Age of the oldest settlement run that still has a pending community (0 when none)")
_PENDING = text("""
    SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(r.started_at)), 0)
    FROM scoring.run_communities c JOIN scoring.settlement_runs r ON r.id = c.run_id
    WHERE c.status = 'pending'""")


def run_gauges(store):
    """Read at each scrape (toolkit.metrics): a run whose communities stay pending for long is
    stuck (the alert SettlementRunStuck, deploy/monitoring/alerts.yaml)."""
    with store.engine.connect() as conn:
        pending, oldest = conn.execute(_PENDING).one()
    RUN_PENDING.set(pending)
    RUN_OLDEST.set(float(oldest))
