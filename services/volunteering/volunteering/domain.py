"""The rules of volunteering, pure Python (unit-tested without broker or database)."""
import hashlib
import hmac
from datetime import date, timedelta

from lunar_python import Lunar

from contracts.volunteering import BASE_POINTS, FESTIVALS

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


# --- points of a service (§3.5.2) ---------------------------------------------------------

def service_points(adjustment, override_points=None):
    """5 base points moved by the assessment (2..8), or a special case's 0..10 with its reason."""
    return override_points if override_points is not None else BASE_POINTS + adjustment


def hours_between(checked_in_at, checked_out_at):
    return round(max(0.0, (checked_out_at - checked_in_at).total_seconds() / 3600), 2)


# --- matching skills to needs (§3.2.2) ------------------------------------------------------

def match_reason(post, member):
    """Why a post suits a member (or None): shared skills, or the post's category among the
    member's service intentions."""
    reasons = []
    skills = sorted(set(post["skills"] or ()) & set(member["skills"] or ()))
    if skills:
        reasons.append("特长相符：" + "、".join(skills))
    if any(post["category"] in i or i in post["category"] for i in member["service_intentions"] or ()):
        reasons.append(f"服务意向包含“{post['category']}”")
    return "；".join(reasons) or None
