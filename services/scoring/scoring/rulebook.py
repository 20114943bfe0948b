"""The city's scoring rules as data (S7): the versions, and the publication of a new one.

A version holds every number of S1–S5 and is in force from a half year that had not begun when it
was published, and later than every earlier version's; half years before it keep the version they
are (or will be) settled under, so a published result recomputes to the same numbers
(`scoring.verify`). Publication announces the version (`rule_version_published`): the
volunteering service computes a service's points with the version in force for its half year.
"""
from sqlalchemy import func, select, text

from contracts.access import CITY_AREA
from contracts.errors import Conflict
from toolkit import db
from toolkit.config import now
from toolkit.validation import invalid

from . import domain
from .models import periods, rule_versions

NUMBERS = ("base_points", "max_adjustment", "override_min", "override_max", "merit_min", "merit_max",
           "max_project_score", "points_per_star", "max_stars")
# a version concerns the whole city: the city's code, as settlement runs of the city use it
CITY_SCOPE = {"district_code": CITY_AREA, "street_code": None, "community_code": None}


class Database(db.Database):
    """toolkit's provider, binding its engine for the rule versions read where no connection is at
    hand (a settlement's rules while it is published: domain.rules_of)."""

    def setup(self):
        super().setup()
        domain.bind(self.store.engine)


def _shown(row, current):
    return {"rule_version": row["version"], "effective_from": row["effective_from"],
            **{k: row[k] for k in NUMBERS}, "published_by": row["published_by"],
            "published_at": row["published_at"], "reason": row["reason"], "in_force": row["version"] == current}


def versions(conn):
    """Every version, the newest first; `in_force` marks the one in force for today's half year."""
    rows = conn.execute(select(rule_versions).order_by(rule_versions.c.version.desc())).mappings().all()
    today = domain.period_of(now())
    current = next((r["version"] for r in rows if r["effective_from"] <= today), None)
    return {"period": today, "items": [_shown(r, current) for r in rows]}


def publish(uow, req, by):
    """RuleVersionRequest -> the version published. Refused (400 on effective_from) unless the half
    year has not begun, comes after every earlier version's, and no settlement has fixed its
    version yet (a future half year drafted early keeps what it fixed)."""
    conn = uow.conn
    # publishers one at a time, readers never blocked: the checks below and the insert see the
    # same versions
    conn.execute(text("LOCK TABLE scoring.rule_versions IN SHARE ROW EXCLUSIVE MODE"))
    wanted, today = req["effective_from"], domain.period_of(now())
    # well-formed half years that clash with the state of the rules and the calendar: 409, as
    # the document says (a client cannot tell them from the request alone)
    if wanted <= today:
        raise _clash("effective_from", "not_in_future", "§3.5.4", (
            f"新规则只能自尚未开始的半年度起生效：当前为 {today}，生效半年度最早为 {domain.next_period(today)}"))
    latest = conn.execute(select(rule_versions.c.version, rule_versions.c.effective_from)
                          .order_by(rule_versions.c.version.desc()).limit(1)).one()
    if wanted <= latest.effective_from:
        raise _clash("effective_from", "not_after_latest_version", "§3.5.4", (
            f"第 {latest.version} 版规则自 {latest.effective_from} 起生效，新版本的生效半年度应晚于它"))
    fixed = conn.execute(select(periods.c.period, periods.c.rule_version).where(periods.c.period >= wanted)
                         .order_by(periods.c.period.desc()).limit(1)).first()
    if fixed is not None:
        raise invalid("effective_from", "period_already_settled", "§3.5.4", (
            f"{fixed.period} 已按第 {fixed.rule_version} 版规则开始清算，新版本应自 "
            f"{domain.next_period(fixed.period)} 或以后起生效"))
    version = conn.execute(select(func.max(rule_versions.c.version))).scalar_one() + 1
    row = conn.execute(rule_versions.insert().values(
        version=version, effective_from=wanted, **{k: req[k] for k in NUMBERS}, published_by=by,
        reason=req["reason"]).returning(*rule_versions.c)).mappings().one()
    # not put into domain's cache here: this transaction may still roll back; readers find it
    # in the table when they first ask for that half year
    uow.emit("rule_version_published", CITY_SCOPE, rule_version=version, effective_from=wanted,
             **{k: req[k] for k in NUMBERS}, published_by=by, reason=req["reason"])
    return _shown(row, None)


def _clash(field, code, rule, message):
    return Conflict(fields=invalid(field, code, rule, message).fields)
