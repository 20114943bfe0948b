"""Annex B: the certificate B.1 (在职党员社区报到证, §3.1.2) and the receipt B.2 (回执单, §3.1.3),
shaped for the forms from what registration answers (get_certificate, community_certificates,
get_receipt)."""
from . import check


def mask_phone(phone):
    """138****5678: for those who may see a form but not a phone (contracts.access)."""
    import re
    digits = re.sub(r"\D", "", phone or "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else ("" if not phone else "****")

STATUS_TEXT = {"submitted": "待单位党组织审核", "unit_approved": "单位党组织已同意，待社区接收",
               "accepted": "社区已接收（有效）", "unit_rejected": "单位党组织未同意", "transferred": "已转出"}
DECISION_TEXT = {"approve": "同意", "reject": "不同意"}
GENDER_TEXT = {"male": "男", "female": "女"}   # as registration keeps it, as the form writes it


def gender(value):
    return GENDER_TEXT.get(value, value or "")


def _month(value):
    """'2008-07-01' -> '2008年7月' (入党时间 as people write it)."""
    if not value:
        return ""
    year, month = str(value)[:7].split("-")
    return f"{year}年{int(month)}月"


def _day(value):
    return str(value)[:10] if value else None


def b1(cert, base_url, personal=True):
    """One certificate's page: every field of Annex B.1 and the QR code of its public check; phone
    and address masked for a caller who may not see them (`personal` False)."""
    decision = cert.get("unit_decision")
    opinion = DECISION_TEXT.get(decision, "")
    if decision and cert.get("unit_comment"):
        opinion += f"。{cert['unit_comment']}"
    if decision and cert.get("unit_officer"):
        opinion += f"（审核人：{cert['unit_officer']}）"
    return {
        "reporting_org": f"{cert['community_name']}党组织", "number": cert["certificate_no"],
        "qr": list(check.qr_png(check.url(base_url, cert["certificate_no"]))),  # bytes, as JSON can carry them
        "name": cert["name"], "gender": gender(cert["gender"]), "age": cert["age"], "education": cert["education"],
        "party_join": _month(cert["party_join_date"]),
        "unit_and_position": f"{cert['unit_name']} {cert['position']}",
        "phone": cert["phone"] if personal else mask_phone(cert["phone"]),
        "home_address": cert["home_address"] if personal else "（不显示）", "community": cert["community_name"],
        "skills": list(cert["skills"] or ()), "other_skill": cert.get("other_skill") or None,
        "service_intentions": list(cert["service_intentions"] or ()),
        "unit_opinion": opinion or "（待单位党组织填写）", "unit_opinion_date": _day(cert.get("unit_opinion_date")),
        "status_text": STATUS_TEXT.get(cert["status"], cert["status"]),
    }


def b1_as_of(certs):
    """The date inside a file of certificates: the latest report or opinion among them (so the same
    certificates give the same bytes, whenever printed)."""
    days = [str(d)[:10] for c in certs for d in (c.get("reported_at"), c.get("unit_opinion_date"),
                                                  c.get("accepted_at")) if d]
    return max(days) if days else "2000-01-01"


def b2(receipt, base_url):
    return {
        "reporting_org": receipt["reporting_org"], "number": receipt["number"],
        "qr": list(check.qr_png(check.url(base_url, receipt["number"]))),
        "addressee": receipt["addressee"], "member_name": receipt["member_name"],
        "reported_on": _day(receipt["reported_on"]), "service_intentions": list(receipt["service_intentions"]),
        "stamp_date": _day(receipt["stamp_date"]), "officer": receipt["officer"] or "",
        "officer_phone": receipt["officer_phone"] or "", "note": receipt["note"],
    }
