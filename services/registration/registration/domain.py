"""Rules of reporting that need neither broker nor database (unit-tested on their own)."""
import calendar
from datetime import date, datetime

LATE_AFTER = (3, 31)  # R5, §4.2: members report every year in March


def is_late(reported_at: datetime, year: int) -> bool:
    """A report for `year` made after March 31 of that year (city time) is accepted but late."""
    return reported_at.date() > date(year, *LATE_AFTER)


def add_one_month(day: date) -> date:
    """R7, §4.2: "在一个月内" — the same day of the next month, or its last day if shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def transfer_deadline(notified_on: date) -> date:
    return add_one_month(notified_on)


def _mod11_2_state(digits: str, p: int = 0) -> int:
    for d in digits:
        p = ((p + int(d)) * 2) % 11
    return p


def _check_char(p: int) -> str:
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character (the scheme of resident identity numbers)."""
    return _check_char(_mod11_2_state(digits))


def certificate_no(year: int, community_code: str, seq: int) -> str:
    """Certificate B.1's 编号: unique in the city (year, community, sequence) and self-checking,
    so a mistyped number is refused before any look-up."""
    body = f"{year}{community_code}{seq:06d}"
    return f"{year}-{community_code}-{seq:06d}-{mod11_2(body)}"


def certificate_numbers(year: int, community_code: str, seqs):
    """certificate_no of each of `seqs`, the check state of the shared prefix computed once (a
    bulk import numbers thousands of certificates of one community)."""
    prefix, state = f"{year}-{community_code}-", _mod11_2_state(f"{year}{community_code}")
    for seq in seqs:
        digits = f"{seq:06d}"
        yield f"{prefix}{digits}-{_check_char(_mod11_2_state(digits, state))}"


def parse_certificate_no(text: str):
    """(year, community_code, seq) of a well-formed number with a matching check character."""
    parts = (text or "").strip().upper().split("-")
    if len(parts) != 4:
        return None
    year, community, seq, check = parts
    if not (len(year) == 4 and year.isdigit() and len(community) == 12 and community.isdigit()
            and len(seq) == 6 and seq.isdigit()):
        return None
    if mod11_2(year + community + seq) != check:
        return None
    return int(year), community, int(seq)


def red_account_no(holder_kind: str, holder_id: int) -> str:
    return f"RA-{'M' if holder_kind == 'member' else 'U'}-{holder_id:08d}"


def receipt_text(unit_name, member_name, reported_on: date, intentions) -> str:
    """The sentence of receipt B.2, filled in."""
    return (f"{unit_name}：贵单位{member_name}同志已于{reported_on.year}年{reported_on.month}月"
            f"{reported_on.day}日到我社区报到，并申报{'、'.join(intentions)}等志愿服务项目。特此回复。")


def scope_of_community(code: str) -> dict:
    """Street and district codes are prefixes of the community code (GB/T 2260 extended)."""
    return {"district_code": code[:6], "street_code": code[:9], "community_code": code}


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if phone and len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""
