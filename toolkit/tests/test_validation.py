"""toolkit.validation.load: flat schemas take the fast path, with the schema's own result and errors."""
import pytest
from marshmallow import Schema, fields, post_load

from contracts.errors import ValidationFailed
from contracts.registration import MemberReport, ReportOfCaller
from registration.city import sample_report
from toolkit import validation
from toolkit.validation import load


def test_a_flat_schema_loads_by_the_fast_path_with_the_schema_result(monkeypatch):
    row = sample_report("410106001001", 3, seed=5)
    expected = MemberReport().load(row)
    assert load(MemberReport, row) == expected
    assert validation._FAST[MemberReport] is not None
    monkeypatch.setattr(MemberReport, "load", lambda self, data: pytest.fail("the schema was used"))
    validation._SCHEMAS.pop(MemberReport, None)
    assert load(MemberReport, row) == expected  # valid: never reaches marshmallow


def test_what_the_fast_path_is_unsure_of_gets_the_schemas_errors():
    with pytest.raises(ValidationFailed) as refused:
        load(MemberReport, dict(sample_report("410106001001", 3, seed=5), phone="12345", service_intentions=["一个"]))
    assert {f["field"] for f in refused.value.fields} == {"phone", "service_intentions"}


def test_schemas_it_cannot_follow_are_loaded_by_marshmallow():
    class Shouted(Schema):
        name = fields.String(required=True)

        @post_load
        def shout(self, data, **kwargs):
            return {"name": data["name"].upper()}

    assert load(Shouted, {"name": "li"}) == {"name": "LI"}  # a hook the fast path does not run
    assert validation._FAST[Shouted] is None
    load(ReportOfCaller, {"caller": None, "report": {}})
    assert validation._FAST[ReportOfCaller] is None  # a dict field
