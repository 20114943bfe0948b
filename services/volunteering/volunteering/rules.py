"""The scoring rules this service applies (S7): the versions the scoring service announced
(rule_version_published), kept in a table of this service's own; version 1's numbers until one
is heard of. A service's points and a project's rating follow the version in force for the half
year they count in, so the scoring service finds them right by the same version."""
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from . import domain
from .models import rule_versions

_KEPT = ("base_points", "max_adjustment", "override_min", "override_max", "max_project_score")


def rule_version_published(conn, event):
    """Keep the version's numbers. Versions may arrive in any order and more than once: each is
    kept by its number, and which is in force is decided by effective_from when asked."""
    conn.execute(insert(rule_versions).values(version=event["rule_version"], effective_from=event["effective_from"],
                                              **{k: event[k] for k in _KEPT}).on_conflict_do_nothing())


def in_force(conn, period):
    """The rules in force for a half year: the latest version heard of whose effective_from is not
    after it, else version 1 (in force from the beginning). Read per call: assessments come at a
    person's pace, and a version heard a moment ago then applies at once."""
    row = conn.execute(select(rule_versions).where(rule_versions.c.effective_from <= period)
                       .order_by(rule_versions.c.effective_from.desc()).limit(1)).mappings().first()
    if row is None:
        return domain.FIRST
    return domain.ServiceRules(row["version"], row["base_points"], row["max_adjustment"],
                               (row["override_min"], row["override_max"]), row["max_project_score"])
