"""Teaches schemathesis the document's own string formats (contracts.rules.stated), so that the
valid values it generates are valid: an identity number or a credit code with a check character
that fits. Loaded by SCHEMATHESIS_HOOKS=tests.schemathesis_hooks (tests/test_schemathesis_all.py)."""
from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

from contracts.rules import _USCC_CHARS, credit_code_check_char, id_number_check_char


def _id_number(area, born, seq):
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def _credit_code(body):
    return body + credit_code_check_char(body)


schemathesis.openapi.format("gb11643", st.builds(
    _id_number, st.sampled_from(["410105", "410106", "410102", "110101"]),
    st.dates(min_value=date(1930, 1, 1), max_value=date.today() - timedelta(days=18 * 366)),
    st.integers(0, 999)))
schemathesis.openapi.format("gb32100", st.builds(
    _credit_code, st.text(alphabet=_USCC_CHARS, min_size=17, max_size=17)))
