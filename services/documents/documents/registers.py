"""Annex D.1, the half-year register of a member's points and stars (§3.5.4), shaped for the form
from scoring's register (lines, points, stars), registration's profile (who the member is, the
unit's branch) and volunteering's posts (认岗情况)."""
import re

from .certificates import gender, mask_phone

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def half_year(period):
    return f"{period[:4]}年{'上' if period.endswith('1') else '下'}半年"


def _points(value):
    text = f"{value}"
    return text[:-2] if text.endswith(".0") else text


def d1(register, profile, posts, community_name, personal=True):
    """One register's data for forms/d1.typ. `profile` may be None (no accepted report in the
    community: the points still shown, the personal part blank); `personal` False masks phones."""
    profile = profile or {}
    phone = profile.get("phone") or ""
    branch_phone = profile.get("branch_contact_phone") or ""
    mobile = bool(_MOBILE.match(re.sub(r"\D", "", branch_phone)))
    member = register.get("member") or {}
    hide = (lambda p: p) if personal else mask_phone
    unit = profile.get("unit_name") or member.get("unit_name") or ""
    return {
        "half_year": half_year(register["period"]), "community": community_name or register["community_code"],
        "name": profile.get("name") or member.get("name") or "", "gender": gender(profile.get("gender")),
        "age": profile.get("age") or "",
        "unit_and_position": f"{unit} {profile.get('position') or ''}".strip(), "phone": hide(phone),
        "skills": "、".join(profile.get("skills") or ()), "posts": "、".join(p["title"] for p in posts or ()),
        "branch": profile.get("party_org_name") or "", "secretary": profile.get("branch_contact") or "",
        "office_phone": "" if mobile else branch_phone, "secretary_mobile": hide(branch_phone) if mobile else "",
        "email": "",
        "lines": [{"no": line["no"], "served_at": str(line["served_at"])[:10], "content": line["content"],
                   "points": _points(line["points"])} for line in register["lines"]],
        "points": _points(register["half_year_points"]), "stars": f"{register['half_year_stars']} 星",
        "status": register["status"],
    }


def as_of(registers):
    """The date inside a file of registers: the newest line's, else the half year's first day."""
    days = [str(line["served_at"])[:10] for r in registers for line in r["lines"]]
    if days:
        return max(days)
    period = registers[0]["period"] if registers else "2000H1"
    return f"{period[:4]}-{'01' if period.endswith('1') else '07'}-01"
