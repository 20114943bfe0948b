"""The field rules of certificate B.1 and the other requests: each one refuses what it should,
names the field and cites the rule."""
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from contracts import events
from contracts.registration import MemberReport, UnitRegistrationRequest, TransferRequest, today
from contracts.rules import (credit_code_check_char, field_errors, id_number_check_char, parse_id_number,
                             validate_phone, _BUILTIN)
from registration.city import sample_report


def errors_of(schema, data):
    try:
        schema().load(data)
    except ValidationError as exc:
        return {(e["field"], e["code"]): e for e in field_errors(exc.messages)}
    return {}


def test_a_sample_certificate_is_valid():
    assert errors_of(MemberReport, sample_report("410106001001", 1, seed=1)) == {}


def test_identity_numbers_are_checked_by_their_check_character():
    body = "41010619850512001"
    good = body + id_number_check_char(body)
    assert parse_id_number(good) == (date(1985, 5, 12), "male")
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert parse_id_number(wrong) is None
    impossible = "41010619850231001"
    assert parse_id_number(impossible + id_number_check_char(impossible)) is None  # Feb 31


def test_credit_codes_are_checked_by_their_check_character():
    body = "91410106MA44ABCD0"
    good = body + credit_code_check_char(body)
    assert errors_of(UnitRegistrationRequest, {"unit": {"credit_code": good}}).get(("unit.credit_code", "bad_credit_code")) is None
    bad = body + ("0" if good[-1] != "0" else "1")
    assert ("unit.credit_code", "bad_credit_code") in errors_of(UnitRegistrationRequest, {"unit": {"credit_code": bad}})


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0371-67181234", "037167181234", "010-62345678"])
def test_mobile_and_landline_numbers_pass(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "67181234", "0371-0718123", "+8613812345678", ""])
def test_other_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


BASE = sample_report("410106001001", 1, seed=2)


def refused(**change):
    data = dict(BASE, **change)
    return errors_of(MemberReport, data)


def test_fewer_than_two_service_intentions_is_refused_citing_3_1_2():
    err = refused(service_intentions=["政策宣讲"])[("service_intentions", "too_few_intentions")]
    assert err["rule"] == "§3.1.2" and "至少填报2个" in err["message"]
    assert ("service_intentions", "too_few_intentions") in refused(service_intentions=["政策宣讲", "政策宣讲 "])


def test_skills_must_be_the_23_names_of_the_form():
    assert ("skills.0", "bad_skill") in refused(skills=["跳舞"])  # the form says 舞蹈
    assert ("skills", "duplicate_skill") in refused(skills=["写作", "写作"])
    assert ("other_skill", "other_skill_missing") in refused(skills=["其它"])
    assert ("other_skill", "other_skill_unticked") in refused(skills=["写作"], other_skill="茶艺")
    assert refused(skills=["其它"], other_skill="茶艺") == {}
    assert refused(skills=[]) == {}  # the form is multi-select: ticking none is allowed


def test_age_must_be_plausible_for_an_in_service_member():
    day = today()
    for years in (17, 71):
        born = date(day.year - years, 1, 1) if years == 71 else day - timedelta(days=365 * 17)
        data = sample_report("410106001001", 1, seed=3)
        body = data["id_number"][:6] + born.strftime("%Y%m%d") + data["id_number"][14:17]
        errs = refused(birth_date=born.isoformat(), id_number=body + id_number_check_char(body),
                       party_join_date=day.isoformat())
        assert ("birth_date", "implausible_age") in errs, years


def test_party_join_date_is_not_in_the_future_nor_before_18():
    assert ("party_join_date", "join_date_in_future") in refused(party_join_date=(today() + timedelta(days=1)).isoformat())
    born = date.fromisoformat(BASE["birth_date"])
    err = refused(party_join_date=(born + timedelta(days=365 * 17)).isoformat())[("party_join_date", "joined_under_18")]
    assert err["rule"] == "党章第一条"


def test_birth_date_and_gender_must_match_the_identity_number():
    assert ("birth_date", "id_number_mismatch") in refused(birth_date="1980-01-01")
    other = "female" if BASE["gender"] == "male" else "male"
    assert ("gender", "id_number_mismatch") in refused(gender=other)


def test_unknown_fields_and_wrong_types_are_named():
    errs = refused(nickname="x", unit_id="3")
    assert ("nickname", "unknown_field") in errs
    assert ("unit_id", "type") in errs


def test_marshmallow_messages_used_are_translated():
    """If marshmallow rewords a message, this fails instead of English reaching people."""
    errs = errors_of(MemberReport, {"name": 5, "birth_date": "x", "skills": "写作", "unit_id": None})
    for key in [("name", "type"), ("birth_date", "bad_date"), ("skills", "type"), ("unit_id", "required"), ("phone", "required")]:
        assert key in errs, key
    assert all(e["message"] and not e["message"].startswith("Not a") for e in errs.values())
    assert "Missing data for required field." in _BUILTIN


def test_transfer_needs_what_changed():
    errs = errors_of(TransferRequest, {"reason": "community_changed", "recorded_by": "李娜"})
    assert errs[("new_community_code", "transfer_target_missing")]["rule"] == "§4.2"


def test_every_event_has_a_schema_and_a_conforming_example():
    assert set(events.EXAMPLES) == set(events.SCHEMAS)
    for (service, name), example in events.EXAMPLES.items():
        assert events.validate_event(service, name, example) == {}, name
        assert example["event_type"] == name


def test_blank_text_and_control_characters_are_refused():
    assert ("name", "control_character") in refused(name="张\x00三")
    assert ("home_address", "length") in refused(home_address="        ")
    assert ("position", "length") in refused(position=" ")


def test_values_the_database_cannot_hold_are_refused_at_the_boundary():
    # a name is stored as written: 30 characters and blanks around them do not fit varchar(30)
    assert ("name", "length") in refused(name=" " + "张" * 30)
    assert refused(name=" 张三 ") == {}
    assert ("unit_id", "bad_unit") in refused(unit_id=2**63)  # beyond bigint
