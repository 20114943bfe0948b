"""The volunteering service's own wall: each RPC checks its caller (toolkit.caller) again."""
from contracts.access import COMMUNITY_STAFF, MEMBER, require


def signed_in(caller):
    return require(caller, True)


def area(caller, code):
    """Read what lies in one's area (the community's staff and the officers above it)."""
    return require(caller, caller is not None and caller.covers_area(code))


def community_staff(caller, code):
    """Act for a community: its staff (or the city's administrator)."""
    return require(caller, caller is not None and caller.role in (COMMUNITY_STAFF, "city_admin")
                   and caller.covers_area(code))


def member(caller, member_id):
    """A member acts for themself only."""
    return require(caller, caller is not None and caller.role == MEMBER and caller.is_member(member_id))


def unit_or_above(caller, unit_id):
    """A unit's records: its officer, or officers of an area (what they may see of it is then
    filtered by the community each record sits in)."""
    from contracts.access import CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER, UNIT_OFFICER
    return require(caller, caller is not None and unit_id is not None and (
        (caller.role == UNIT_OFFICER and caller.covers_unit(unit_id))
        or caller.role in (CITY_ADMIN, DISTRICT_OFFICER, STREET_OFFICER)))


def district_officer(caller, district_code):
    """Act for a district (its org department officer, or the city's administrator)."""
    from contracts.access import CITY_ADMIN, DISTRICT_OFFICER
    return require(caller, caller is not None and caller.role in (DISTRICT_OFFICER, CITY_ADMIN)
                   and caller.covers_area(district_code))
