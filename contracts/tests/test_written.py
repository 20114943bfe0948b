"""Values as people write them (contracts.written) and errors that name the field in Chinese
(contracts.labels): the API and the import accept the same, and every request field has a label."""
import inspect

import pytest
from marshmallow import Schema, fields

from contracts import errors, feedback, registration, scoring, volunteering, written
from contracts.labels import label_of
from contracts.registration import MemberReport
from registration.city import sample_report


@pytest.mark.parametrize("typed, stored", [
    ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
    ("+8613812345678", "13812345678"), ("0086 13812345678", "13812345678"), ("8613812345678", "13812345678"),
    ("0371-67181234", "0371-67181234"), ("0371 6718 1234", "0371-67181234"), ("(0371)67181234", "0371-67181234"),
    ("010-12345678", "010-12345678"), ("12345", "12345")])
def test_phones_as_people_write_them(typed, stored):
    assert written.as_phone(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    ("1985/4/3", "1985-04-03"), ("1985-4-3", "1985-04-03"), ("1985.4.3", "1985-04-03"), ("1985年4月3日", "1985-04-03"),
    ("1985年04月03日", "1985-04-03"), ("19850403", "1985-04-03"), (" 1985-04-03 ", "1985-04-03"), ("去年", "去年")])
def test_dates_as_people_write_them(typed, stored):
    assert written.as_date(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    ("2026/5/1 9:00", "2026-05-01T09:00:00+08:00"), ("2026-05-01 09:30", "2026-05-01T09:30:00+08:00"),
    ("2026年5月1日 9时", "2026-05-01T09:00:00+08:00"), ("2026-05-01T09:00:00Z", "2026-05-01T09:00:00Z"),
    ("2026-05-01T09:00:00+0800", "2026-05-01T09:00:00+08:00"), ("2026-05-01T01:00:00+00:00", "2026-05-01T01:00:00+00:00"),
    ("下午三点", "下午三点")])
def test_times_as_people_write_them_in_beijing_time(typed, stored):
    assert written.as_datetime(typed) == stored


def test_a_certificate_written_as_people_write_it_loads_as_the_platforms_values():
    report = sample_report("410106001001", 7, seed=3)
    typed = {**report, "gender": "男" if report["gender"] == "male" else "女", "community_choice": "居住地社区",
             "phone": report["phone"][:3] + " " + report["phone"][3:7] + " " + report["phone"][7:],
             "birth_date": report["birth_date"].replace("-", "/"), "skills": "写作、法律",
             "service_intentions": "政策宣讲，法律援助", "id_number": report["id_number"].lower()}
    assert MemberReport().load(written.normalize(MemberReport, typed)) == MemberReport().load(report)
    for choice, code in (("工作地社区", "work"), ("工作所在地社区", "work"), ("其他", "other"), ("居住地", "residence")):
        assert written.normalize(MemberReport, {"community_choice": choice})["community_choice"] == code
    # what it does not know stays as written, and the schema says what is wrong with it
    assert written.normalize(MemberReport, {"gender": "未知"})["gender"] == "未知"


def test_the_import_and_the_api_take_the_same_values():
    from registration.importer import to_request
    row = {"姓名": "刘芳", "性别": "女", "出生日期": "1985/4/3", "身份证号": "x", "学历": "大学本科",
           "入党时间": "2010年7月1日", "职务": "科员", "联系方式": "+86 138 1234 5678", "家庭住址": "郑州市上街区济源路12号",
           "报到社区代码": "410106001001", "报到社区类别": "工作地", "技能特长": "写作、摄影", "其它技能": "",
           "服务意向": "助老；义诊"}
    from_file = to_request(row, 7)
    typed = {field: row[heading] for heading, field in registration.IMPORT_COLUMNS.items()}
    assert from_file == {**written.normalize(MemberReport, typed), "other_skill": None, "unit_id": 7}
    assert from_file["gender"] == "female" and from_file["phone"] == "13812345678" and from_file["skills"] == ["写作", "摄影"]


def _schemas():
    from gateway.routes import ROUTES
    found = set()
    for module in (registration, volunteering, scoring, feedback):
        found |= {c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, Schema) and c.__module__ == module.__name__}
    found |= {r.body for r in ROUTES if r.body} | {r.query for r in ROUTES if r.query}
    return found


def _paths(schema, prefix=""):
    for name, field in schema().load_fields.items():
        path = f"{prefix}{field.data_key or name}"
        yield path
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and isinstance(inner.nested, type):
            yield from _paths(inner.nested, path + ".")


def test_every_request_field_has_a_chinese_label():
    missing = sorted({(s.__name__, p) for s in _schemas() for p in _paths(s) if label_of(p) is None})
    assert not missing, missing


def test_an_error_names_the_field_by_its_label_and_key_with_its_clause():
    body = errors.ValidationFailed(fields=[
        {"field": "birth_date", "code": "required", "rule": "", "message": "必填项，未填写"},
        {"field": "unit.name", "code": "length", "rule": "附录B.1", "message": "单位名称长度应为2–100个字"}]).to_dict()
    first, second = body["fields"]
    assert first["label"] == "出生日期" and first["message"] == "出生日期（birth_date）：必填项，未填写"
    assert second["label"] == "单位名称" and second["message"] == "单位名称长度应为2–100个字（附录B.1）"
    assert body["message"].startswith("输入有误，未作任何更改：出生日期（birth_date）：必填项")
