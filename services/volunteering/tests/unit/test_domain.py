"""The rules of volunteering, without broker or database."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from contracts import volunteering as v
from volunteering import domain


@pytest.mark.parametrize("year, chunjie, duanwu, chongyang", [
    (2025, date(2025, 1, 29), date(2025, 5, 31), date(2025, 10, 29)),
    (2026, date(2026, 2, 17), date(2026, 6, 19), date(2026, 10, 18)),
    (2027, date(2027, 2, 6), date(2027, 6, 9), date(2027, 10, 8)),
])
def test_festival_dates_follow_the_lunar_calendar(year, chunjie, duanwu, chongyang):
    got = domain.festival_dates(year)
    assert got["chunjie"][1] == chunjie and got["duanwu"][1] == duanwu and got["chongyang"][1] == chongyang
    assert got["qiyi"] == ("七一", date(year, 7, 1))
    assert list(got) == sorted(got, key=lambda k: got[k][1])  # in the order of the year


def test_a_code_lasts_its_minute_and_the_next_only():
    secret, t = b"s" * 32, 1_800_000_000.0
    code = domain.check_in_code(secret, 9, t)
    assert len(code) == 6 and code.isdigit()
    assert domain.code_is_valid(secret, 9, code, t) and domain.code_is_valid(secret, 9, code, t + 60)
    assert not domain.code_is_valid(secret, 9, code, t + 180)
    assert not domain.code_is_valid(secret, 10, code, t)            # another activity's code
    assert not domain.code_is_valid(b"x" * 32, 9, code, t)          # another secret
    assert domain.code_expires_at(t) > t


def test_points_are_five_moved_by_at_most_three_or_a_reasoned_special_case():
    assert [domain.service_points(a) for a in (-3, 0, 3)] == [2, 5, 8]
    assert domain.service_points(2, override_points=10) == 10
    # the ranges are the rule version's (S7), checked by the service: version 1 refuses ±4 and 11
    for adjustment in (4, -4):
        field, code, message = domain.assessment_problem(domain.FIRST, adjustment, None)
        assert (field, code) == ("adjustment", "adjustment_out_of_range") and "-3 到 +3" in message
    assert domain.assessment_problem(domain.FIRST, 0, 11)[:2] == ("override_points", "override_out_of_range")
    assert domain.assessment_problem(domain.FIRST, 3, None) is None and domain.assessment_problem(domain.FIRST, 0, 10) is None
    schema = v.Assessment()
    with pytest.raises(ValidationError) as e:  # beyond what any version may allow: refused at the door
        schema.load({"member_id": 1, "adjustment": 101})
    assert "§3.5.2" in str(e.value.messages)
    with pytest.raises(ValidationError) as e:
        schema.load({"member_id": 1, "adjustment": 0, "override_points": 9})
    assert "reason" in e.value.messages
    assert schema.load({"member_id": 1, "adjustment": 0, "override_points": 9, "reason": "抢险救灾"})["override_points"] == 9


def test_an_activity_ends_after_it_starts_and_a_festival_one_names_its_festival():
    start = datetime(2026, 10, 18, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    base = {"community_code": "410106001001", "kind": "regular", "title": "义诊", "content": "测血压",
            "place": "社区", "contact": "李娜", "capacity": 5}
    schema = v.ActivityRequest()
    with pytest.raises(ValidationError) as e:
        schema.load({**base, "starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()})
    assert "ends_at" in e.value.messages
    with pytest.raises(ValidationError) as e:
        schema.load({**base, "kind": "festival", "starts_at": start.isoformat(),
                     "ends_at": (start + timedelta(hours=1)).isoformat()})
    assert "festival" in e.value.messages


def test_matching_gives_its_reason():
    post = {"skills": ["医疗保健", "心理辅导"], "category": "健康服务"}
    assert "医疗保健" in domain.match_reason(post, {"skills": ["医疗保健"], "service_intentions": []})
    assert "健康服务" in domain.match_reason(post, {"skills": [], "service_intentions": ["健康服务进社区"]})
    assert domain.match_reason(post, {"skills": ["摄影"], "service_intentions": ["文艺演出"]}) is None
    # a post of 医疗保健 that lists no skills still suits a member whose skill it is (issue 16)
    plain = {"skills": [], "category": "医疗保健", "title": "社区义诊"}
    assert "医疗保健" in domain.match_reason(plain, {"skills": ["医疗保健"], "service_intentions": []})
    assert "社区义诊" in domain.match_reason(plain, {"skills": [], "service_intentions": ["义诊"]})
    assert domain.match_reason(plain, {"skills": ["摄影"], "service_intentions": ["文艺演出"]}) is None


def test_a_later_version_moves_the_points_and_its_numbers_name_the_refusal():
    v2 = domain.ServiceRules(2, base_points=6, max_adjustment=4, override_range=(0, 12), max_project_score=30)
    assert [domain.service_points(a, rules=v2) for a in (-4, 0, 4)] == [2, 6, 10]
    assert domain.assessment_problem(v2, 4, None) is None and domain.assessment_problem(v2, 0, 12) is None
    field, code, message = domain.assessment_problem(v2, 5, None)
    assert code == "adjustment_out_of_range" and "-4 到 +4" in message and "第 2 版" in message and "2–10" in message


@pytest.mark.parametrize("moment, half_year", [
    ("2026-06-30T23:30:00+08:00", "2026H1"),
    ("2026-06-30T16:10:00+00:00", "2026H2"),   # 00:10 on July 1 in Zhengzhou
    ("2027-01-01T00:00:00+08:00", "2027H1"),
])
def test_a_service_counts_in_the_citys_half_year(moment, half_year):
    assert domain.half_year_of(datetime.fromisoformat(moment)) == half_year
