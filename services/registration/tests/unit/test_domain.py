from datetime import date, datetime

from toolkit.config import CITY_TZ

from registration import domain


def at(*args):
    return datetime(*args, tzinfo=CITY_TZ)


def test_reports_after_march_31_city_time_are_late():
    assert not domain.is_late(at(2026, 3, 31, 23, 59), 2026)
    assert domain.is_late(at(2026, 4, 1, 0, 0), 2026)
    assert not domain.is_late(at(2026, 1, 2, 9, 0), 2026)


def test_transfer_deadline_is_one_calendar_month():
    assert domain.transfer_deadline(date(2026, 3, 15)) == date(2026, 4, 15)
    assert domain.transfer_deadline(date(2026, 1, 31)) == date(2026, 2, 28)
    assert domain.transfer_deadline(date(2028, 1, 31)) == date(2028, 2, 29)
    assert domain.transfer_deadline(date(2026, 12, 20)) == date(2027, 1, 20)


def test_certificate_numbers_check_themselves():
    number = domain.certificate_no(2026, "410106001001", 41)
    assert number.startswith("2026-410106001001-000041-")
    assert domain.parse_certificate_no(number) == (2026, "410106001001", 41)
    for i, ch in enumerate(number):
        if ch.isdigit():
            typo = number[:i] + str((int(ch) + 1) % 10) + number[i + 1:]
            assert domain.parse_certificate_no(typo) is None, typo  # every single-digit typo is caught
    assert domain.parse_certificate_no("2026-4101-1-1") is None


def test_numbering_a_batch_gives_the_numbers_one_by_one_would():
    seqs = range(1, 2001)
    assert list(domain.certificate_numbers(2026, "410106001001", seqs)) == [
        domain.certificate_no(2026, "410106001001", s) for s in seqs]
    assert {n[-1] for n in domain.certificate_numbers(2026, "410106001001", seqs)} >= set("0123456789X")


def test_receipt_b2_sentence():
    text = domain.receipt_text("中共某单位支部", "张三", date(2026, 3, 2), ["义诊", "宣讲"])
    assert text == "中共某单位支部：贵单位张三同志已于2026年3月2日到我社区报到，并申报义诊、宣讲等志愿服务项目。特此回复。"


def test_scope_codes_are_prefixes():
    assert domain.scope_of_community("410106001002") == {
        "district_code": "410106", "street_code": "410106001", "community_code": "410106001002"}
