"""Rebuild every balance and every star from the ledger and report any difference (ARCHITECTURE rule 3).

    python -m scoring.verify               # the whole city; exit status 1 if anything differs
    python -m scoring.verify --area 410106 # one district's settlements (balances: always all)

What it checks:
  - each red account's `earned` against the sum of the member's ledger entries, and `spent`
    against the member's redemptions not cancelled (I3, §3.6.3);
  - each settlement, of every status and revision, recomputed from the ledger entries it counted
    (id <= its ledger_upto) under its period's rule version, against the results it holds: points,
    stars and entries of every member and organization (S1–S5).
A draft (or reviewed settlement) that differs because entries arrived after it was computed is
stale, not wrong: it is listed as `stale` (publication refuses it until it is drafted again) and
does not fail the check. A published settlement that differs always does.
It only reads; a difference is for people to look into, and a correction is a new ledger entry.
"""
import argparse
import sys

from sqlalchemy import select, text
from tqdm import tqdm

from toolkit.config import database_url
from toolkit.db import make_engine

from . import domain
from .models import settlements
from .settlement import _stale, compute

_BALANCES = text("""
    WITH earned AS (SELECT holder_id, sum(points) AS points FROM scoring.ledger
                    WHERE holder_kind = 'member' GROUP BY holder_id),
         spent AS (SELECT member_id, sum(points) AS points FROM scoring.redemptions
                   WHERE status = 'redeemed' GROUP BY member_id)
    SELECT a.holder_id, a.earned, coalesce(e.points, 0) AS ledger_earned,
           a.spent, coalesce(s.points, 0) AS redeemed
    FROM scoring.accounts a
    LEFT JOIN earned e ON e.holder_id = a.holder_id
    LEFT JOIN spent s ON s.member_id = a.holder_id
    WHERE a.holder_kind = 'member' AND (a.earned <> coalesce(e.points, 0) OR a.spent <> coalesce(s.points, 0))
    UNION ALL
    SELECT e.holder_id, 0, e.points, 0, 0 FROM earned e
    WHERE NOT EXISTS (SELECT 1 FROM scoring.accounts a WHERE a.holder_kind = 'member' AND a.holder_id = e.holder_id)
    ORDER BY 1""")

_DIFF = text("""
    SELECT coalesce(k.settlement_id, r.settlement_id) AS settlement_id,
           coalesce(k.holder_kind, r.holder_kind) AS holder_kind, coalesce(k.holder_id, r.holder_id) AS holder_id,
           k.points AS kept_points, r.points AS ledger_points, k.stars AS kept_stars, r.stars AS ledger_stars,
           k.entries AS kept_entries, r.entries AS ledger_entries
    FROM (SELECT * FROM scoring.settlement_results WHERE settlement_id = ANY(CAST(:sids AS bigint[]))) k
    FULL JOIN verify_results r
      ON r.settlement_id = k.settlement_id AND r.holder_kind = k.holder_kind AND r.holder_id = k.holder_id
    WHERE k.holder_id IS NULL OR r.holder_id IS NULL
       OR (k.points, k.stars, k.entries) IS DISTINCT FROM (r.points, r.stars, r.entries)""")


def balances(conn):
    return [dict(r) for r in conn.execute(_BALANCES).mappings()]


def settlement_differences(conn, rows):
    """Recompute settlements that counted the same entries under the same rules into a scratch
    table; the rows that differ from what they hold."""
    conn.execute(text("TRUNCATE verify_results"))
    first = rows[0]
    compute(conn, "verify_results", [(r["id"], r["community_code"]) for r in rows], first["period"],
            first["ledger_upto"], first["rule_version"])
    return [dict(r) for r in conn.execute(_DIFF, {"sids": [r["id"] for r in rows]}).mappings()]


def verify(engine, area="", progress=True, out=sys.stdout):
    """Every difference found, as (what, details) pairs, and how many settlements were checked."""
    found = []
    with engine.connect() as conn, conn.begin():
        # one snapshot for the whole check: intake running meanwhile cannot make a false difference
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for row in balances(conn):
            found.append(("balance", row))
        conn.execute(text("CREATE TEMP TABLE verify_results (LIKE scoring.settlement_results) ON COMMIT DROP"))
        rows = conn.execute(select(settlements).where(settlements.c.community_code.like(f"{area}%"))
                            .order_by(settlements.c.id)).mappings().all()
        groups = {}  # a run's settlements counted the same entries under the same rules: one statement each
        for row in rows:
            try:
                domain.rules_of(row["rule_version"], conn)
            except LookupError:
                # versions are never removed from scoring.rule_versions (a trigger refuses it); a
                # settlement whose version is not there cannot be recomputed
                found.append(("settlement", {"settlement_id": row["id"], "community_code": row["community_code"],
                                             "period": row["period"], "unknown_rule_version": row["rule_version"]}))
                continue
            groups.setdefault((row["period"], row["ledger_upto"], row["rule_version"]), []).append(row)
        by_id = {r["id"]: r for r in rows}
        with tqdm(total=len(rows), desc="settlements", unit="settlement", disable=not progress, file=out) as bar:
            for group in groups.values():
                for i in range(0, len(group), 200):
                    chunk = group[i:i + 200]
                    late = {}
                    for diff in settlement_differences(conn, chunk):
                        row = by_id[diff.pop("settlement_id")]
                        if row["id"] not in late:
                            late[row["id"]] = _stale(conn, row)
                        what = "stale" if late[row["id"]] and row["status"] in ("draft", "reviewed") else "settlement"
                        found.append((what, {"settlement_id": row["id"], "community_code": row["community_code"],
                                             "period": row["period"], "revision": row["revision"],
                                             "status": row["status"], "late_entries": late[row["id"]], **diff}))
                    bar.update(len(chunk))
        return found, len(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scoring.verify", description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="", help="only settlements under this area code")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    engine = make_engine(database_url("scoring"))
    found, checked = verify(engine, args.area, progress=not args.quiet, out=sys.stderr)
    for what, details in found:
        print(what, " ".join(f"{k}={v}" for k, v in details.items()))
    differences = [f for f in found if f[0] != "stale"]
    stale = len({d["settlement_id"] for what, d in found if what == "stale"})
    print(f"checked every red account's balance and {checked} settlements: "
          f"{len(differences)} difference{'s' if len(differences) != 1 else ''}"
          + (f"; {stale} stale draft{'s' if stale != 1 else ''} to draft again" if stale else ""))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
