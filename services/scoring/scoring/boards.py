"""What published results show (S6, I1, I2, I4; §3.5.6, §3.6.1–2, §5.4.1–2) and register D.1 (§3.5.4).

Boards, the honour list and award candidates read published settlements only: a draft or a
settlement under review is never shown. The assessment of units and communities (§5.4.1) is a
working figure and reads the ledger as it stands.
"""
from sqlalchemy import text

from contracts.errors import NotFound

from . import domain
from .settlement import STATUS_CN

# names are read from the red accounts (a result holds points, not who the holder is called)
_PUBLISHED_RESULTS = """
    FROM scoring.settlement_results r
    JOIN scoring.settlements s ON s.id = r.settlement_id
    WHERE s.status = 'published' AND s.period = :p AND s.community_code LIKE :area AND r.holder_kind = :kind"""
# ... with the holders' names (a look-up per row: for the rows shown, not for a city's to rank)
_PUBLISHED = _PUBLISHED_RESULTS.replace("\n    WHERE", """
    LEFT JOIN scoring.accounts a ON a.holder_kind = r.holder_kind AND a.holder_id = r.holder_id
    WHERE""")


def board(conn, area_code, period, kind, limit):
    """The vanguard board (先锋榜, §3.5.6) of a community, street, district or the city: members or
    organizations by points in a published half year; equal points share a rank."""
    params = {"p": period, "area": f"{area_code}%", "kind": kind, "n": limit}
    rows = conn.execute(text(
        "SELECT top.*, a.name FROM ("
        "SELECT rank() OVER (ORDER BY r.points DESC) AS rank, r.holder_kind, r.holder_id, r.unit_id, r.points, "
        "r.stars, s.community_code, s.revision, s.published_at" + _PUBLISHED_RESULTS +
        " ORDER BY r.points DESC, r.stars DESC, r.holder_id LIMIT :n) top "
        "LEFT JOIN scoring.accounts a ON a.holder_kind = top.holder_kind AND a.holder_id = top.holder_id "
        "ORDER BY top.points DESC, top.stars DESC, top.holder_id"), params).mappings().all()
    counted = conn.execute(text(
        "SELECT count(*) AS holders, count(DISTINCT s.community_code) AS communities" + _PUBLISHED_RESULTS),
        params).one()
    return {"area_code": area_code, "period": period, "kind": kind, "holders": counted.holders,
            "communities_published": counted.communities,
            "items": [_board_row(r, kind) for r in rows]}


def _board_row(r, kind):
    row = {"rank": r["rank"], "name": r["name"], "points": r["points"], "stars": r["stars"],
           "community_code": r["community_code"], "revision": r["revision"]}
    row["member_id" if kind == "member" else "unit_id"] = r["holder_id"]
    if kind == "member":
        row["unit_id"] = r["unit_id"]
    return row


def _top_stars(r, s):
    """SQL: the result `r` has the most stars the rules of its settlement `s` give (ten under v1):
    a published half year keeps its rules, whatever rules are current."""
    return f"{r}.stars >= (SELECT v.max_stars FROM scoring.rule_versions v WHERE v.version = {s}.rule_version)"


def honour_list(conn, area_code, period):
    """Ten-star members of a published half year: flowers and an honour certificate (I2, §3.6.2)."""
    rows = conn.execute(text(
        "SELECT r.holder_id, a.name, r.unit_id, r.points, r.stars, s.community_code, s.rule_version, s.published_at"
        + _PUBLISHED + " AND " + _top_stars("r", "s") + " ORDER BY s.community_code, r.points DESC, r.holder_id"),
        {"p": period, "area": f"{area_code}%", "kind": "member"}).mappings().all()
    return {"area_code": area_code, "period": period,
            "items": [{"member_id": r["holder_id"], "name": r["name"], "unit_id": r["unit_id"], "points": r["points"],
                       "stars": r["stars"], "community_code": r["community_code"],
                       "published_at": r["published_at"]} for r in rows]}


def certificate(conn, community_code, member_id, period):
    """The facts of a ten-star member's honour certificate (I2), from the published half year."""
    row = conn.execute(text(
        "SELECT r.holder_id, a.name, r.points, r.stars, s.community_code, s.published_at, s.revision"
        + _PUBLISHED + " AND r.holder_id = :m AND " + _top_stars("r", "s")),
        {"p": period, "area": community_code, "kind": "member", "m": member_id}).mappings().first()
    if row is None:
        raise NotFound(code="no_honour", message=f"党员 {member_id} 在 {period} 的公布结果中不是十星级党员志愿者（§3.6.2）")
    return dict(row, period=period)


def award_candidates(conn, district_code, period, limit):
    """Candidates a district may honour (I4, §5.4.2) from published results, with stars weighing
    first (I1, §3.6.1):
      最美党员       members by stars, then points;
      荣誉居民       members with ten stars in this half year and the one before;
      志愿服务先进集体 organizations by their projects' points, then how many of their members served."""
    area = {"p": period, "area": f"{district_code}%", "n": limit}
    members = conn.execute(text(
        "SELECT r.holder_id AS member_id, a.name, r.unit_id, r.points, r.stars, s.community_code" + _PUBLISHED +
        " AND r.points > 0 ORDER BY r.stars DESC, r.points DESC, r.holder_id LIMIT :n"),
        {**area, "kind": "member"}).mappings().all()
    residents = conn.execute(text(
        "SELECT r.holder_id AS member_id, a.name, r.unit_id, r.points, r.stars, s.community_code" + _PUBLISHED +
        " AND " + _top_stars("r", "s") + " AND EXISTS (SELECT 1 FROM scoring.settlement_results r2"
        " JOIN scoring.settlements s2 ON s2.id = r2.settlement_id WHERE s2.status = 'published'"
        " AND s2.period = :prev AND r2.holder_kind = 'member' AND r2.holder_id = r.holder_id AND "
        + _top_stars("r2", "s2") + ") ORDER BY r.points DESC, r.holder_id LIMIT :n"),
        {**area, "kind": "member", "prev": domain.previous_period(period)}).mappings().all()
    collectives = conn.execute(text(
        "SELECT r.holder_id AS unit_id, a.name, sum(r.points) AS points, max(r.stars) AS stars,"
        " (SELECT count(*) FROM scoring.settlement_results m JOIN scoring.settlements ms ON ms.id = m.settlement_id"
        "  WHERE ms.status = 'published' AND ms.period = :p AND ms.community_code LIKE :area"
        "  AND m.holder_kind = 'member' AND m.unit_id = r.holder_id AND m.points > 0) AS members_served"
        + _PUBLISHED + " GROUP BY r.holder_id, a.name ORDER BY points DESC, members_served DESC, r.holder_id LIMIT :n"),
        {**area, "kind": "unit"}).mappings().all()
    return {"district_code": district_code, "period": period,
            "most_beautiful_members": [dict(r) for r in members],
            "honorary_residents": [dict(r) for r in residents],
            "advanced_collectives": [dict(r) for r in collectives]}


def assessment(conn, area_code, period):
    """For the community Party-building assessment (I1, §5.4.1): how each unit's members took part,
    and how each community organized service, in the half year (the ledger as it stands)."""
    params = {"p": period, "area": f"{area_code}%"}
    units = conn.execute(text("""
        WITH reported AS (
            SELECT unit_id, count(*) AS members FROM scoring.accounts
            WHERE holder_kind = 'member' AND community_code LIKE :area AND unit_id IS NOT NULL GROUP BY unit_id),
        served AS (
            SELECT member_unit_id AS unit_id, count(DISTINCT holder_id) AS members_served,
                   count(*) FILTER (WHERE kind = 'service') AS services, sum(points) AS points
            FROM scoring.ledger
            WHERE period = :p AND community_code LIKE :area AND holder_kind = 'member'
              AND member_unit_id IS NOT NULL
            GROUP BY member_unit_id)
        SELECT coalesce(r.unit_id, s.unit_id) AS unit_id, u.name, coalesce(r.members, 0) AS members_reported,
               coalesce(s.members_served, 0) AS members_served, coalesce(s.services, 0) AS services,
               coalesce(s.points, 0) AS points
        FROM reported r FULL JOIN served s ON s.unit_id = r.unit_id
        LEFT JOIN scoring.accounts u ON u.holder_kind = 'unit' AND u.holder_id = coalesce(r.unit_id, s.unit_id)
        ORDER BY 1"""), params).mappings().all()
    communities = conn.execute(text("""
        WITH reported AS (
            SELECT community_code, count(*) AS members FROM scoring.accounts
            WHERE holder_kind = 'member' AND community_code LIKE :area GROUP BY community_code),
        organized AS (
            SELECT community_code, count(*) FILTER (WHERE kind = 'service') AS services,
                   count(DISTINCT holder_id) FILTER (WHERE holder_kind = 'member') AS members_served,
                   count(*) FILTER (WHERE kind = 'merit') AS merits,
                   count(DISTINCT holder_id) FILTER (WHERE holder_kind = 'project') AS projects_rated,
                   coalesce(sum(points) FILTER (WHERE holder_kind = 'member'), 0) AS points
            FROM scoring.ledger WHERE period = :p AND community_code LIKE :area GROUP BY community_code),
        starred AS (  -- the stars of the published result (none before publication)
            SELECT s.community_code, sum(r.stars) AS stars, count(*) FILTER (WHERE r.stars > 0) AS members_starred
            FROM scoring.settlement_results r JOIN scoring.settlements s ON s.id = r.settlement_id
            WHERE s.status = 'published' AND s.period = :p AND s.community_code LIKE :area AND r.holder_kind = 'member'
            GROUP BY s.community_code),
        settled AS (
            SELECT DISTINCT ON (community_code) community_code, status FROM scoring.settlements
            WHERE period = :p AND community_code LIKE :area ORDER BY community_code, revision DESC)
        SELECT coalesce(r.community_code, o.community_code) AS community_code,
               coalesce(r.members, 0) AS members_reported, coalesce(o.members_served, 0) AS members_served,
               coalesce(o.services, 0) AS services, coalesce(o.merits, 0) AS merits,
               coalesce(o.projects_rated, 0) AS projects_rated, st.status AS settlement,
               coalesce(o.points, 0) AS points, coalesce(sr.stars, 0) AS stars,
               coalesce(sr.members_starred, 0) AS members_starred
        FROM reported r FULL JOIN organized o ON o.community_code = r.community_code
        LEFT JOIN settled st ON st.community_code = coalesce(r.community_code, o.community_code)
        LEFT JOIN starred sr ON sr.community_code = coalesce(r.community_code, o.community_code)
        ORDER BY 1"""), params).mappings().all()

    def rate(row):
        return round(row["members_served"] / row["members_reported"], 3) if row["members_reported"] else None
    return {"area_code": area_code, "period": period,
            "units": [dict(r, participation=rate(r)) for r in units],
            "communities": [dict(r, participation=rate(r), settlement_cn=STATUS_CN.get(r["settlement"], "未清算"))
                            for r in communities]}


def register_d1(conn, community_code, member_id, period):
    """Register D.1 (§3.5.4) of a member's half year in one community: the service lines (序号,
    服务时间, 服务内容, 积分) and the half year's points and stars, as published if the half year
    is published, else as the ledger stands (marked as not yet settled)."""
    account = conn.execute(text(
        "SELECT a.holder_id AS member_id, a.name, a.unit_id, a.account_no, u.name AS unit_name "
        "FROM scoring.accounts a LEFT JOIN scoring.accounts u ON u.holder_kind = 'unit' AND u.holder_id = a.unit_id "
        "WHERE a.holder_kind = 'member' AND a.holder_id = :m"), {"m": member_id}).mappings().first()
    lines = conn.execute(text(
        "SELECT id, occurred_at, reason, points, kind, corrects_entry_id FROM scoring.ledger "
        "WHERE community_code = :c AND period = :p AND holder_kind = 'member' AND holder_id = :m "
        "ORDER BY occurred_at, id"), {"c": community_code, "p": period, "m": member_id}).mappings().all()
    if account is None and not lines:
        raise NotFound(code="member_not_found", message=f"党员 {member_id} 在本社区没有红色账户或积分记录")
    settled = conn.execute(text(
        "SELECT s.status, s.revision, s.rule_version, s.published_at, r.points, r.stars "
        "FROM scoring.settlements s LEFT JOIN scoring.settlement_results r ON r.settlement_id = s.id "
        "AND r.holder_kind = 'member' AND r.holder_id = :m "
        "WHERE s.community_code = :c AND s.period = :p AND s.status = 'published'"),
        {"c": community_code, "p": period, "m": member_id}).mappings().first()
    if settled is not None:
        points, stars = settled["points"] or 0, settled["stars"] or 0
        status = f"已公布（第 {settled['revision']} 版）"
    else:
        rules = domain.period_rules(conn, period)
        points = sum(line["points"] for line in lines)
        stars, status = rules.stars(points), "未公布（按当前记录计算）"
    return {"community_code": community_code, "period": period, "member": dict(account) if account else
            {"member_id": member_id},
            "lines": [{"no": i, "served_at": line["occurred_at"], "content": line["reason"], "points": line["points"],
                       "entry_id": line["id"], "kind": line["kind"]} for i, line in enumerate(lines, 1)],
            "half_year_points": points, "half_year_stars": stars, "status": status}


def community_registers_d1(conn, community_code, period):
    """Register D.1 of every member of the community's half year (a red account there, or lines
    there), in one pass: what `register_d1` gives one member, for the documents service's batches."""
    accounts = {r["member_id"]: dict(r) for r in conn.execute(text(
        "SELECT a.holder_id AS member_id, a.name, a.unit_id, a.account_no, u.name AS unit_name "
        "FROM scoring.accounts a LEFT JOIN scoring.accounts u ON u.holder_kind = 'unit' AND u.holder_id = a.unit_id "
        "WHERE a.holder_kind = 'member' AND a.community_code = :c"), {"c": community_code}).mappings()}
    lines = {}
    for line in conn.execute(text(
            "SELECT holder_id, id, occurred_at, reason, points, kind FROM scoring.ledger "
            "WHERE community_code = :c AND period = :p AND holder_kind = 'member' ORDER BY holder_id, occurred_at, id"),
            {"c": community_code, "p": period}).mappings():
        lines.setdefault(line["holder_id"], []).append(line)
    settled = conn.execute(text(
        "SELECT id, revision FROM scoring.settlements WHERE community_code = :c AND period = :p "
        "AND status = 'published'"), {"c": community_code, "p": period}).mappings().first()
    if settled is not None:
        results = {r["holder_id"]: r for r in conn.execute(text(
            "SELECT holder_id, points, stars FROM scoring.settlement_results WHERE settlement_id = :s "
            "AND holder_kind = 'member'"), {"s": settled["id"]}).mappings()}
        status = f"已公布（第 {settled['revision']} 版）"
    else:
        rules, status = domain.period_rules(conn, period), "未公布（按当前记录计算）"
    out = []
    for member_id in sorted(set(accounts) | set(lines)):
        own = lines.get(member_id, [])
        if settled is not None:
            result = results.get(member_id)
            points, stars = (result["points"] or 0, result["stars"] or 0) if result else (0, 0)
        else:
            points = sum(line["points"] for line in own)
            stars = rules.stars(points)
        out.append({"community_code": community_code, "period": period,
                    "member": accounts.get(member_id, {"member_id": member_id}),
                    "lines": [{"no": i, "served_at": line["occurred_at"], "content": line["reason"],
                               "points": line["points"], "entry_id": line["id"], "kind": line["kind"]}
                              for i, line in enumerate(own, 1)],
                    "half_year_points": points, "half_year_stars": stars, "status": status})
    return out
