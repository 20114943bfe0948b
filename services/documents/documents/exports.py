"""The lists people used to copy out by hand, as sheets for documents.excel: each asks the owning
service as the caller, and says the file's name, its sheets, its date and whether it shows
phones. A list with phones masks them for those who may not see them (contracts.access)."""
from toolkit.config import today
from toolkit.validation import half_year, invalid

from .certificates import mask_phone

STATUS = {"submitted": "待单位审核", "unit_approved": "待社区接收", "accepted": "已接收", "unit_rejected": "单位未同意",
          "transferred": "已转出"}
CHOICE = {"residence": "居住地社区", "workplace": "单位所在地社区"}


def _year(year):
    if year is None:
        return today().year
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise invalid("year", "bad_year", "-", "年度应为四位数字，如 2026")
    return year


def members(remote, community_code, year=None, personal=True, **_):
    """The year's reports to the community (members by community), every page of them."""
    year, rows, offset = _year(year), [], 0
    while True:
        page = remote.registration.list_registrations({"community_code": community_code}, year, None, 500, offset)
        rows += page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            break
    sheet = [(r["certificate_no"], r["name"], r.get("unit_name"), STATUS.get(r["status"], r["status"]),
              "是" if r["late"] else "否", CHOICE.get(r["community_choice"], r["community_choice"]),
              "、".join(r["service_intentions"] or ()), str(r["reported_at"])[:10]) for r in rows]
    days = [str(r["reported_at"])[:10] for r in rows] or [f"{year}-01-01"]
    return (f"报到党员名单-{community_code}-{year}",
            [("报到党员", ["报到证编号", "姓名", "工作单位", "状态", "逾期报到", "报到类型", "服务意向", "报到日期"], sheet)],
            max(days), False)


def unreported(remote, community_code, year=None, personal=True, **_):
    """Members who reported here last year and nowhere this year (R5)."""
    year = _year(year)
    rows = remote.registration.community_unreported(community_code, year)
    return (f"未报到党员-{community_code}-{year}",
            [("未报到党员", ["党员编号", "姓名", "工作单位"], [(r["id"], r["name"], r["unit_name"]) for r in rows])],
            f"{year}-01-01", False)


def transfers(remote, community_code, personal=True, **_):
    """The community's transfers (R7), the late and overdue ones marked."""
    rows = remote.registration.list_transfers("community", community_code, False)
    hide = (lambda p: p) if personal else mask_phone
    sheet = [(r["member_name"], hide(r.get("phone")), r.get("reason"), str(r["deadline"])[:10],
              "是" if r["overdue"] else "否", r["days_overdue"], "已重新报到" if r.get("new_registration_id") else "未报到")
             for r in rows]
    days = [str(r["deadline"])[:10] for r in rows] or ["2000-01-01"]
    return (f"转出党员-{community_code}",
            [("转出党员", ["姓名", "手机", "原因", "应报到期限", "逾期", "逾期天数", "新社区报到"], sheet)], max(days), personal)


def register_lines(remote, community_code, period=None, personal=True, **_):
    """Every line of the half year's registers D.1 of the community, and each member's result."""
    half_year(period)
    found = remote.scoring.community_registers_d1(community_code, period)
    lines = [(r["member"].get("name") or r["member"]["member_id"], line["no"], str(line["served_at"])[:10],
              line["content"], float(line["points"])) for r in found for line in r["lines"]]
    results = [(r["member"].get("name") or r["member"]["member_id"], float(r["half_year_points"]),
                r["half_year_stars"], r["status"]) for r in found]
    days = [str(line[2]) for line in lines] or [f"{period[:4]}-01-01"]
    return (f"登记表D.1明细-{community_code}-{period}",
            [("服务记录", ["姓名", "序号", "服务时间", "服务内容", "积分"], lines),
             ("半年结果", ["姓名", "半年积分", "评定星级", "状态"], results)], max(days), False)


COMMUNITY = {"members": members, "unreported": unreported, "transfers": transfers, "register_lines": register_lines}


def board(remote, area_code, period, kind):
    """A published vanguard board, every rank (§3.5.6)."""
    found = remote.scoring.board(area_code, period, kind, 500)
    who = "党员" if kind == "member" else "党组织"
    rows = [(r["rank"], r["name"], float(r["points"]), r["stars"], r["community_code"]) for r in found["items"]]
    start = f"{period[:4]}-{'06-30' if period.endswith('1') else '12-31'}"
    return (f"先锋榜-{area_code}-{period}-{kind}",
            [(f"{who}先锋榜", ["名次", "名称", "积分", "星级", "社区"], rows)], start)
