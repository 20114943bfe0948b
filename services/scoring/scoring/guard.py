"""The scoring service's own wall (toolkit.caller, contracts.access)."""
from contracts.access import CITY_ADMIN, require


def member_or_area(caller, member_id):
    """A member's points: the member, or the city's administrator (officers of an area: when
    settlement per community comes, by the community the entries sit in)."""
    return require(caller, caller is not None and (caller.is_member(member_id) or caller.role == CITY_ADMIN))
