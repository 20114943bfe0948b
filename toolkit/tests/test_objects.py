"""The pieces of toolkit.objects that need no database: which values are ids, where a call's scope
is, and whether a place lies in it."""
import pytest

from contracts.errors import NotFound
from toolkit.objects import Kind, Objects, Scope, as_id, ids_at, scope_of, sits_in


@pytest.mark.parametrize("value, expected", [
    (17, 17), ("17", 17), (2 ** 63 - 1, 2 ** 63 - 1),
    (0, None), (-3, None), (True, None), (17.0, None), (" 17", None), ("²", None), ("１７", None),
    (2 ** 63, None), (None, None), ([17], None),
])
def test_an_id_is_a_positive_bigint_and_nothing_else(value, expected):
    assert as_id(value) == expected


def test_ids_are_found_by_name_in_lists_and_in_lists_of_objects():
    values = {"post_id": 3, "member_ids": [1, 2], "participants": [{"member_id": 5}, {"member_id": 6}]}
    assert ids_at(values, "post_id") == [3]
    assert ids_at(values, "member_ids") == [1, 2]
    assert ids_at(values, "participants.member_id") == [5, 6]
    assert ids_at(values, "team_id") == []


def test_the_scope_is_the_first_scope_argument_that_is_not_an_object():
    assert scope_of({"community_code": "410106001001", "member_id": 7}, {"member_id"})[1] == Scope("area", "410106001001")
    assert scope_of({"member_id": 7, "post_id": 3}, {"post_id"})[1] == Scope("member", "7")
    assert scope_of({"owner": {"unit_id": 12}, "registration_id": 4}, {"registration_id"}) == ("owner", Scope("unit", "12"))
    assert scope_of({"number": "x"}, set()) == (None, None)


def test_a_place_lies_in_an_area_by_prefix_in_a_unit_by_id_and_for_a_member_by_owner_or_community():
    a = "410106001001"
    assert sits_in((a, None, None), Scope("area", "410106"))
    assert not sits_in(("410102001001", None, None), Scope("area", "410106"))
    assert sits_in((a, 12, None), Scope("unit", "12")) and not sits_in((a, 13, None), Scope("unit", "12"))
    # a claim is the member's own; a post is their community's
    assert sits_in((a, None, 7), Scope("member", "7")) and not sits_in((a, None, 8), Scope("member", "7"))
    assert sits_in((a, None, None), Scope("member", "7"), {a}) and not sits_in((a, None, None), Scope("member", "7"), set())


class _Service:
    """Enough of a service for the checks that end before any database: a caller and no db."""
    def __init__(self, caller):
        self.caller = caller


def test_an_id_that_is_no_id_is_not_found_before_anything_is_looked_up():
    from contracts.access import Caller
    objects = Objects({"post": Kind("岗位", "unused")})
    service = _Service(Caller(1, "staff", "community_staff", "410106001001"))
    for value in ("²", 17.0, True, 2 ** 63):
        with pytest.raises(NotFound, match="岗位"):
            objects.check(service, {"community_code": "410106001001", "post_id": value}, {"post_id": "post"})
