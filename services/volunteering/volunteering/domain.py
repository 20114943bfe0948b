"""The rules of volunteering, pure Python (unit-tested without broker or database)."""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lunar_python import Lunar

from contracts.volunteering import BASE_POINTS, FESTIVALS, MAX_ADJUSTMENT, MAX_PROJECT_SCORE, OVERRIDE_RANGE
from toolkit.config import CITY_TZ

# --- festival campaigns (§3.4.2) ------------------------------------------------------------

LUNAR_FESTIVALS = {"chunjie": (1, 1), "duanwu": (5, 5), "chongyang": (9, 9)}


def festival_dates(year):
    """{festival: (Chinese name, date)} of a year: 七一 by the solar calendar, the others by the
    lunar one (lunar_python), so that no one types them in."""
    out = {"qiyi": (FESTIVALS["qiyi"], date(year, 7, 1))}
    for key, (month, day) in LUNAR_FESTIVALS.items():
        solar = Lunar.fromYmd(year, month, day).getSolar()
        out[key] = (FESTIVALS[key], date(solar.getYear(), solar.getMonth(), solar.getDay()))
    return dict(sorted(out.items(), key=lambda kv: kv[1][1]))


# --- check-in codes (§3.4) -------------------------------------------------------------------
# A volunteer cannot check in alone: the code comes from the organizer's screen, changes every
# CODE_WINDOW seconds and is taken for one window more. It is derived from a secret of the
# activity (never sent to volunteers), so nothing needs storing and no code can be guessed
# from another.

CODE_WINDOW = 60
CHECK_IN_EARLY = timedelta(minutes=30)   # one may check in this long before the start
CHECK_OUT_LATE = timedelta(hours=2)      # and check out this long after the end


def check_in_code(secret, activity_id, at_epoch, window=CODE_WINDOW):
    slot = int(at_epoch // window)
    digest = hmac.new(secret, f"{activity_id}:{slot}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def code_is_valid(secret, activity_id, code, at_epoch, window=CODE_WINDOW):
    return any(hmac.compare_digest(code, check_in_code(secret, activity_id, at_epoch - back * window, window))
               for back in (0, 1))


def code_expires_at(at_epoch, window=CODE_WINDOW):
    """When the code shown now stops being accepted (the end of the next window)."""
    return (int(at_epoch // window) + 2) * window


# --- points of a service (§3.5.2), by the scoring rules in force (S7) ---------------------------

@dataclass(frozen=True)
class ServiceRules:
    """What this service needs of a scoring rule version (rule_version_published)."""
    version: int
    base_points: int
    max_adjustment: int
    override_range: tuple
    max_project_score: int


# version 1, in force until the scoring service announces another (the numbers it seeds too)
FIRST = ServiceRules(1, BASE_POINTS, MAX_ADJUSTMENT, OVERRIDE_RANGE, MAX_PROJECT_SCORE)


def half_year_of(moment):
    """The half year a moment counts in, in the city's time (H1 = Jan–Jun, H2 = Jul–Dec, S4): the
    scoring service's own reckoning (scoring.domain.period_of), by which it checks the points."""
    local = moment.astimezone(CITY_TZ)
    return f"{local.year}H{1 if local.month <= 6 else 2}"


def service_points(adjustment, override_points=None, rules=FIRST):
    """The base points moved by the assessment (5 ± 3 under version 1), or a special case's
    points with its reason."""
    return override_points if override_points is not None else rules.base_points + adjustment


def assessment_problem(rules, adjustment, override_points):
    """(field, code, message) if an assessment breaks the rules in force, else None. The message
    names that version's numbers: the organizer sees what applies to the half year."""
    if abs(adjustment) > rules.max_adjustment:
        m, base = rules.max_adjustment, rules.base_points
        return "adjustment", "adjustment_out_of_range", (
            f"质量和成效调整应在 -{m} 到 +{m} 分之间（第 {rules.version} 版积分规则：基础分{base}分，"
            f"即{base - m}–{base + m}分）")
    lo, hi = rules.override_range
    if override_points is not None and not lo <= override_points <= hi:
        return "override_points", "override_out_of_range", (
            f"特殊情况的分值应在 {lo}–{hi} 分之间（第 {rules.version} 版积分规则）")
    return None


def hours_between(checked_in_at, checked_out_at):
    return round(max(0.0, (checked_out_at - checked_in_at).total_seconds() / 3600), 2)


# --- matching skills to needs (§3.2.2) ------------------------------------------------------

def match_reason(post, member):
    """Why a post suits a member (or None), from their skills and their service intentions alike:
    a skill the post asks for, or one its category or title names (a post of 医疗保健 suits a
    member whose skill is 医疗保健 though it lists no skills); an intention its category or title
    names, or that names them."""
    reasons = []
    asked = set(post["skills"] or ())
    skills = set(member["skills"] or ())
    words = (post["category"] or "", post.get("title") or "")
    shared = sorted(asked & skills)
    if shared:
        reasons.append("特长相符：" + "、".join(shared))
    named = sorted(s for s in skills - asked if any(s in w for w in words))
    if named:
        reasons.append(f"特长“{'、'.join(named)}”与岗位“{post['category']}”相符")
    if any(post["category"] in i or i in post["category"] for i in member["service_intentions"] or ()):
        reasons.append(f"服务意向包含“{post['category']}”")
    elif post.get("title") and any(i in post["title"] for i in member["service_intentions"] or ()):
        reasons.append(f"服务意向与岗位“{post['title']}”相符")
    return "；".join(reasons) or None
