"""Annexes E, F and G, shaped for the forms from what the feedback service answers: the notice a
district released to a unit (E, 反馈通知单) with its table (F, 汇总表: 序号, 姓名, 是否报到, 积分情况,
评星情况, 社区评语), and a community's objections (G, 意见反馈表: 序号, 提出意见单位/个人, 提出意见及建议内容,
执行部门, 处理结果)."""
from .registers import half_year


def notice(n):
    """Notice E and table F of one released notice (feedback.read_notice)."""
    text = n["notice_text"].split("\n")
    return {
        "addressee": text[0], "body": text[1:-1], "signer": text[-1], "released_on": str(n["released_at"])[:10],
        "title_note": f"{half_year(n['period'])}　第 {n['revision']} 版" + ("（修订）" if n["revision"] > 1 else ""),
        "changes": [_change(c) for c in n.get("changes") or ()],
        "rows": [{"no": i, "name": r["name"] or "", "reported": r["reported_cn"], "points": r["points_cn"],
                  "stars": r["stars_cn"], "comment": r["comment"], "community": r.get("community_name") or ""}
                 for i, r in enumerate(n["table"], 1)],
    }


FIELD_CN = {"points": "积分", "stars": "星级", "comment": "社区评语", "reported": "是否报到", "line": "名单"}


def _change(c):
    """One line of what a revised notice changed: who, what, before and after, and why."""
    before, after = c.get("before"), c.get("after")
    moved = f"{before} → {after}" if before is not None and after is not None else (after or before or "")
    why = f"（{c['reason']}）" if c.get("reason") else ""
    return f"{c.get('name') or c.get('member_id')}：{FIELD_CN.get(c.get('field'), c.get('field'))} {moved}{why}"


def notice_sheets(n):
    page = notice(n)
    return [("汇总表F", ["序号", "姓名", "是否报到", "积分情况", "评星情况", "社区评语", "社区"],
             [(r["no"], r["name"], r["reported"], r["points"], r["stars"], r["comment"], r["community"])
              for r in page["rows"]])]


def objections(community_name, items):
    """Table G of a community's objections, oldest first."""
    rows = sorted(items, key=lambda o: o["id"])
    return {"community": community_name,
            "rows": [{"no": i, "who": o["objector_cn"], "content": o["content"], "department": o["department_cn"],
                      "result": o["result_cn"]} for i, o in enumerate(rows, 1)]}


def objection_sheets(page):
    return [("意见反馈表G", ["序号", "提出意见单位/个人", "提出意见及建议内容", "执行部门", "处理结果"],
             [(r["no"], r["who"], r["content"], r["department"], r["result"]) for r in page["rows"]])]
