"""The notice's own rules, without broker or database: what a unit is told (Annex F's table),
when a release is new (the fingerprint), and what a revised notice says changed."""
from decimal import Decimal

from feedback import notices


def line(member_id, community="410106001001", reported=True, points="12.0", stars=1, comment="服务积极", reason=None,
         revision=1):
    return {"member_id": member_id, "name": f"党员{member_id}", "community_code": community, "community_name": "某社区",
            "reported": reported, "points": None if points is None else Decimal(points), "stars": stars,
            "comment": comment, "reason": reason, "source_revision": revision}


def test_the_table_lists_those_who_reported_first_numbered_from_one():
    rows = [line(3, reported=False, points=None, stars=None, comment=None), line(2, points="4.0", stars=0), line(1)]
    table = notices._table(rows)
    assert [(r["seq"], r["member_id"], r["reported_cn"]) for r in table] == [(1, 1, "是"), (2, 2, "是"), (3, 3, "否")]
    absent = table[2]
    assert (absent["points_cn"], absent["stars_cn"], absent["community_code"], absent["comment"]) == ("未报到", "—", None, "")
    assert table[0]["points_cn"] == "12.0 分" and table[0]["stars_cn"] == "1 星"


def test_the_fingerprint_moves_with_points_stars_comments_and_lines_only():
    rows = [line(1), line(2, points="4.0", stars=0)]
    same = [dict(r, name="改名不影响", community_name="另一个名字") for r in reversed(rows)]
    assert notices.fingerprint(rows) == notices.fingerprint(same)
    assert notices.fingerprint(rows) != notices.fingerprint([line(1, points="15.0"), rows[1]])
    assert notices.fingerprint(rows) != notices.fingerprint([line(1, comment="另写的评语"), rows[1]])
    assert notices.fingerprint(rows) != notices.fingerprint(rows[:1])
    # 12 and 12.0 are the same points
    assert notices.fingerprint([line(1, points="12")]) == notices.fingerprint([line(1, points="12.00")])


def test_a_revised_notice_says_what_changed_with_the_reason():
    before = [line(1), line(2, points="4.0", stars=0), line(9, reported=False, points=None, stars=None, comment=None)]
    reason = "异议第 3 号成立：少记一个昼夜"
    after = [line(1, points="15.0", reason=reason, revision=2), line(5, points="6.0", stars=0, reason=reason, revision=2),
             line(9, reported=False, points=None, stars=None, comment=None, reason=reason, revision=2),
             line(7, community="410106001002", comment="改写的评语")]
    before.append(line(7, community="410106001002"))
    changes = notices._changes(before, after)
    assert {(c["member_id"], c["field"], c["before"], c["after"]) for c in changes} == {
        (1, "points", "12.0", "15.0"), (2, "line", "原有", None), (5, "line", None, "新增"),
        (7, "comment", "服务积极", "改写的评语")}
    reasons = {c["member_id"]: c["reason"] for c in changes}
    # the revision's reason goes with what came with it; a rewritten comment of another community says so
    assert (reasons[1], reasons[5], reasons[7]) == (reason, reason, "社区修改了评语")
    assert notices._changes(None, after) == []          # a first notice changes nothing


def test_the_notice_is_addressed_to_the_unit_and_signed_by_the_district():
    text = notices.notice_text("中共某医院委员会", "中原区", "2026H1")
    assert text.startswith("中共某医院委员会：") and "2026 年上半年" in text
    assert text.rstrip().endswith("中共郑州市中原区委组织部") and "附录G" in text
    assert notices.notice_text(None, "郑东新区", "2026H2").rstrip().endswith("中共郑州市郑东新区委组织部")
