"""The scoring service's own wall (toolkit.caller, contracts.access)."""
from contracts.access import CITY_ADMIN, require


def signed_in(caller):
    """What every account may read (the vanguard board): still not a message without a caller."""
    return require(caller, caller is not None)


def member_or_city(caller, member_id):
    """A member's points across communities: the member, or the city's administrator (officers of
    an area read them per community: `area`)."""
    return require(caller, caller is not None and (caller.is_member(member_id) or caller.role == CITY_ADMIN))


def area(caller, code):
    return require(caller, caller is not None and caller.covers_area(code))


def community_staff(caller, code):
    from contracts.access import COMMUNITY_STAFF
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, CITY_ADMIN)
                   and caller.covers_area(code))


def member(caller, member_id):
    return require(caller, caller is not None and caller.is_member(member_id))
