"""The fast path loads exactly what the schema loads, and refuses whatever the schema refuses."""
import random

from hypothesis import given, settings, strategies as st
from marshmallow import ValidationError

from contracts.registration import MemberReport, SKILLS
from registration.city import sample_report
from toolkit.fastload import FastLoader

FAST = FastLoader(MemberReport)
SCHEMA = MemberReport()


def slow(data):
    try:
        return SCHEMA.load(data)
    except ValidationError:
        return None


def test_valid_rows_take_the_fast_path_with_the_same_result():
    for seed in range(300):
        row = sample_report("410106001001", 1 + seed % 5, seed=seed, skills=random.Random(seed).sample(SKILLS[:-1], 3))
        assert FAST.load(row) is not None
        assert FAST.load(row) == SCHEMA.load(row)


ODD_VALUES = st.one_of(st.none(), st.text(max_size=40), st.integers(-5, 10**7), st.booleans(),
                       st.lists(st.sampled_from(list(SKILLS) + ["跳舞", "", "写作 "]), max_size=5),
                       st.sampled_from(["1985-02-29", "1985-2-3", "20260101", "2999-01-01", "1990-01-01",
                                        "13812345678", "0371-6718123", "410106001001", "其它", "male", "大专"]))


@settings(max_examples=600, deadline=None)
@given(seed=st.integers(0, 10**6), changes=st.dictionaries(
    st.sampled_from(list(MemberReport().load_fields) + ["extra"]), ODD_VALUES, max_size=3),
    dropped=st.lists(st.sampled_from(list(MemberReport().load_fields)), max_size=2))
def test_the_fast_path_is_never_more_lenient(seed, changes, dropped):
    row = sample_report("410106001001", 3, seed=seed)
    row.update(changes)
    for key in dropped:
        row.pop(key, None)
    fast = FAST.load(row)
    if fast is not None:
        assert fast == slow(row)
