"""The rules of points and stars (RULES S1–S5, §3.5), versioned.

The numbers of each version are data (`scoring.rule_versions`, S7): the city's administrator
publishes a version in force from a half year that has not started yet (rulebook.publish). A
period's result must recompute to the same numbers after the rules change: each half year keeps
the version its first settlement fixed (`scoring.periods`), and no version is ever edited or
removed (migration 0006's trigger). `Rules` and the half-year arithmetic are pure Python; the
functions under "the versions" read the table, and keep what they read in the process.
"""
import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from toolkit.config import CITY_TZ, now


@dataclass(frozen=True)
class Rules:
    version: int
    effective_from: str             # the first half year it is in force for (2027H1)
    base_points: int                # S2, §3.5.2: per service activity (v1: 5)
    max_adjustment: int             # moved by at most this up or down (v1: 3, so 2..8)
    override_range: tuple           # "特殊情况除外", with a written reason (v1: 0..10)
    merit_range: tuple              # S3, §3.5.3: 一事一记 (v1: 1..20)
    max_project_score: int          # S1, §3.5.1 (v1: 30)
    points_per_star: int            # S5, §3.5.5 (v1: 10)
    max_stars: int                  # (v1: 10)

    @classmethod
    def of_row(cls, row):
        """A version as `scoring.rule_versions` (or the event that published it) holds it."""
        return cls(version=row["version"] if "version" in row else row["rule_version"],
                   effective_from=row["effective_from"], base_points=row["base_points"],
                   max_adjustment=row["max_adjustment"], override_range=(row["override_min"], row["override_max"]),
                   merit_range=(row["merit_min"], row["merit_max"]), max_project_score=row["max_project_score"],
                   points_per_star=row["points_per_star"], max_stars=row["max_stars"])

    def service_points_ok(self, points, adjustment, override_points):
        """Does a service's points follow these rules? (the volunteering service computed them)"""
        if override_points is not None:
            lo, hi = self.override_range
            return lo <= override_points <= hi and points == override_points
        return abs(adjustment) <= self.max_adjustment and points == self.base_points + adjustment

    def stars(self, points):
        """S5 (§3.5.5): one star per `points_per_star` points of the half year (10 under v1), more
        than `max_stars` count as that many. The settlement's SQL computes the same with these two
        numbers (settlement.STARS_SQL)."""
        return min(self.max_stars, max(0, int(points // self.points_per_star)))

    def project_score(self, ratings):
        """S1 (§3.5.1): a project's score in a period is the mean of its ratings (each 0 up to
        `max_project_score`), to one decimal place."""
        return round(Decimal(sum(ratings)) / len(ratings), 1) if ratings else Decimal(0)

    def organization_points(self, projects):
        """Decision: an organization's half-year points are the sum of its projects' scores, and
        its stars follow the members' rule (S5)."""
        return sum((self.project_score(r) for r in projects), Decimal(0))


def period_of(moment):
    """The half year a moment belongs to, in the city's time: H1 = Jan 1–Jun 30, H2 = Jul 1–Dec 31
    (S4, §3.5.4). An activity at 23:30 on June 30 in Zhengzhou is H1, whatever the server's zone."""
    local = moment.astimezone(CITY_TZ) if isinstance(moment, datetime) else moment
    return f"{local.year}H{1 if local.month <= 6 else 2}"


def period_bounds(period):
    """The first and last day of a half year ('2026H1' -> Jan 1, Jun 30)."""
    year, half = int(period[:4]), period[5]
    return (date(year, 1, 1), date(year, 6, 30)) if half == "1" else (date(year, 7, 1), date(year, 12, 31))


def previous_period(period):
    year, half = int(period[:4]), period[5]
    return f"{year}H1" if half == "2" else f"{year - 1}H2"


def period_start(period):
    """The moment a half year begins in the city (00:00 of Jan 1 or Jul 1, Asia/Shanghai)."""
    first = period_bounds(period)[0]
    return datetime(first.year, first.month, first.day, tzinfo=CITY_TZ)


def next_period(period):
    year, half = int(period[:4]), period[5]
    return f"{year}H2" if half == "1" else f"{year + 1}H1"


# --- the versions (scoring.rule_versions) --------------------------------------------------------

# Version 1 is what the code held before the rules became data; migration 0006 seeds the very
# same numbers (test_rules.py compares them), so it is known without asking the database.
FIRST = Rules(version=1, effective_from="2000H1", base_points=5, max_adjustment=3, override_range=(0, 10),
              merit_range=(1, 20), max_project_score=30, points_per_star=10, max_stars=10)

# Every version read so far, by number. A version is never edited once published, so what was
# read stays true: a version that is not here is read from the table when first asked for.
RULES = {1: FIRST}

# Which version is in force from which half year, as last read, and the database's time of that
# read. Re-read only for a half year that had not begun (less SLACK) when it was read: publishing
# refuses a half year that has begun (rulebook.publish), so for one that had begun the answer
# read can never change, while for the next half year it can until that half year begins. That
# is exact with no timer and no query per event (intake asks for every entry): a process reads
# again about twice a half year, and for each question about a half year still to come.
# SLACK covers a publication that passed its check just before the half year began and
# committed just after, and the hosts' clocks.
SLACK = timedelta(seconds=60)
_SCHEDULE = (None, (("2000H1", 1),))
_VERSIONS = text("SELECT v.*, transaction_timestamp() AS read_at FROM scoring.rule_versions v ORDER BY v.version")
_ENGINE = None


def bind(engine):
    """The database to read versions from where no connection is at hand (the service binds its
    own at start: toolkit's Database provider, scoring.service)."""
    global _ENGINE
    _ENGINE = engine


def forget():
    """Drop what was read (tests, which feed it tables of their own)."""
    global _SCHEDULE
    RULES.clear()
    RULES[1] = FIRST
    _SCHEDULE = (None, (("2000H1", 1),))


def _read(conn=None):
    """Read every version (a handful: about one per half year at most) into the cache."""
    global _SCHEDULE
    if conn is None:
        if _ENGINE is None:
            raise RuntimeError("scoring.domain: no connection to read the rule versions with (domain.bind)")
        with _ENGINE.connect() as own:
            return _read(own)
    rows = conn.execute(_VERSIONS).mappings().all()
    for row in rows:
        RULES[row["version"]] = Rules.of_row(row)
    if rows:  # transaction_timestamp(): no later than the snapshot read, so never too new
        _SCHEDULE = (rows[0]["read_at"], tuple((r["effective_from"], r["version"]) for r in rows))


def _known_for(period):
    read_at = _SCHEDULE[0]
    return read_at is not None and period_start(period) <= read_at - SLACK


def rules_of(version, conn=None):
    """The rules of a published version (read through `conn`, or the bound database, the first time)."""
    rules = RULES.get(version)
    if rules is None:
        _read(conn)
        rules = RULES.get(version)
    if rules is None:
        raise LookupError(f"rule version {version} has not been published")
    return rules


def in_force(conn, period):
    """The version in force for a half year: the latest whose effective_from is not after it. What
    new ledger entries record, and what a half year's first settlement fixes."""
    if not _known_for(period):
        _read(conn)
    schedule = _SCHEDULE[1]
    i = bisect.bisect_right([effective for effective, _ in schedule], period) - 1
    return rules_of(schedule[max(i, 0)][1], conn)


def period_rules(conn, period):
    """The rules a half year is scored under: those its first settlement fixed (scoring.periods),
    or the ones in force for it while it has none (the same: a version cannot be published for a
    half year already settled). Reads only (settlement.rule_version_of fixes them)."""
    version = conn.execute(text("SELECT rule_version FROM scoring.periods WHERE period = :p"), {"p": period}).scalar()
    return rules_of(version, conn) if version is not None else in_force(conn, period)


def __getattr__(name):
    # `domain.CURRENT`, the constant it once was: the version in force for today's half year.
    # A new entry should record the version of its own period instead (in_force).
    if name == "CURRENT":
        return in_force(None, period_of(now())).version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
