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
    schema = v.Assessment()
    for bad in ({"member_id": 1, "adjustment": 4}, {"member_id": 1, "adjustment": -4}):
        with pytest.raises(ValidationError) as e:
            schema.load(bad)
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
