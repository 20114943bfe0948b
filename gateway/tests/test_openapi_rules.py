"""The patterns the OpenAPI document states say what the server does, read as a JSON Schema
reader reads them (ECMA-262 regular expressions, by `regress`): a text's length and blanks
(contracts.registration._text) and a list written as one line (contracts.written.as_list), for
strings made of the characters where the two could part: every kind of blank, the separators,
control characters."""
import regress
from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import ValidationError as SchemaError, validate as schema_validate
from marshmallow import ValidationError

from contracts.registration import _text, _text_pattern
from contracts.written import as_list
from gateway.service import SPEC

TRICKY = list("、,，;；\n\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u3000\u2028ab张Ì\x10\x94\x7f")
SOME = settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None, database=None)


def _one_line_fields():
    found = []

    def walk(node):
        if isinstance(node, dict):
            kinds = {a.get("type"): a for a in node.get("anyOf", [])}
            if "array" in kinds and "string" in kinds:
                found.append((kinds["array"], kinds["string"]["pattern"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(SPEC["components"])
    return found


def test_a_text_pattern_says_what_the_text_rule_checks():
    for lo, hi in ((1, 50), (2, 30), (5, 12)):
        check, stated = _text(lo, hi, "x"), regress.Regex(_text_pattern(lo))

        @SOME
        @given(st.lists(st.sampled_from(TRICKY), max_size=16).map("".join))
        def agree(text):
            try:
                check(text)
                accepted = True
            except ValidationError:
                accepted = False
            assert (stated.find(text) is not None and len(text) <= hi) == accepted, repr(text)
        agree()


def test_a_list_written_as_one_line_is_stated_as_the_server_splits_it():
    fields = _one_line_fields()
    assert len(fields) >= 5
    for array, pattern in fields:
        stated = regress.Regex(pattern)

        @SOME
        @given(st.lists(st.sampled_from(TRICKY), max_size=60).map("".join))
        def agree(text):
            items = as_list(text)
            try:
                schema_validate(items, array)
                accepted = True
            except SchemaError:
                accepted = False
            if accepted and len(set(items)) != len(items):
                return   # uniqueness is not in the pattern (and no such list has a one-line form)
            assert (stated.find(text) is not None) == accepted, (pattern, repr(text))
        agree()
